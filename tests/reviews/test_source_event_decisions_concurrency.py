"""Two board members deciding the same proposal at the same moment, on real PostgreSQL connections:
it is decided once."""

from datetime import date

import pytest
from django.db import connection

from articles.models import Article
from reviews.models import SourceAlert, SourceEvent
from reviews.models.currency import SourceEventDecision
from reviews.services import review_approve
from reviews.source_event_decisions import event_confirm, event_reject
from reviews.source_events import RecordedEvent, reference_record_event
from tests.reviews.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and two connections"),
]


@pytest.fixture
def proposal(under_review, board_member, editor):
    review_approve(review=under_review, by=board_member)
    article = Article.objects.select_related("current_publication").get(pk=under_review.article_id)
    source = article.current_publication.citations.get(number=1).reference
    return reference_record_event(reference=source, kind="retracted", occurred_on=date(2024, 3, 5), by=editor).event


def test_a_confirmation_and_a_rejection_at_once_decide_the_proposal_once(proposal, board_member, second_board_member):
    outcomes = race(
        lambda: event_confirm(event=SourceEvent.objects.get(pk=proposal.pk), by=board_member),
        lambda: event_reject(event=SourceEvent.objects.get(pk=proposal.pk), by=second_board_member, reason="No."),
    )

    decided = [o for o in outcomes if isinstance(o, RecordedEvent | SourceEventDecision)]
    assert len(decided) == 1, outcomes
    assert SourceEventDecision.objects.filter(event=proposal).count() == 1
    confirmed = isinstance(decided[0], RecordedEvent)
    assert SourceAlert.objects.exists() == confirmed


def test_two_confirmations_at_once_open_one_set_of_alerts(proposal, board_member, second_board_member):
    outcomes = race(
        *(
            lambda who=who: event_confirm(event=SourceEvent.objects.get(pk=proposal.pk), by=who)
            for who in (board_member, second_board_member)
        )
    )

    assert sum(isinstance(o, RecordedEvent) for o in outcomes) == 1, outcomes
    assert SourceEventDecision.objects.filter(event=proposal).count() == 1
    assert SourceAlert.objects.count() == 1
