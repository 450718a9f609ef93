"""Two board members acting on the same cycle at the same moment, on real PostgreSQL connections."""

import pytest
from django.db import connection

from articles.models import Publication
from reviews.models import Review, ReviewApproval, ReviewTransition
from reviews.services import review_approve
from tests.helpers import UserFactory, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and two connections"),
]


@pytest.mark.parametrize("required", [1, 2])
def test_simultaneous_approvals_record_exactly_what_the_quorum_allows(
    under_review, board_member, second_board_member, settings, required
):
    settings.ORACLE_REQUIRED_APPROVALS = required
    third = UserFactory(username="board3", groups=["Medical Advisory Board"])

    outcomes = race(
        *(
            lambda u=u: review_approve(review=Review.objects.get(pk=under_review.pk), by=u)
            for u in (board_member, second_board_member, third)
        )
    )

    review = Review.objects.get(pk=under_review.pk)
    assert review.state == Review.State.APPROVED
    assert Publication.objects.count() == 1
    assert ReviewApproval.objects.filter(review=review).count() == required
    assert ReviewTransition.objects.filter(review=review, name="approve").count() == required
    succeeded = [o for o in outcomes if isinstance(o, Review)]
    assert len(succeeded) == required
    assert all(not isinstance(o, Review) for o in outcomes if o not in succeeded)


def test_simultaneous_submissions_open_one_cycle(draft, editor):
    from reviews.services import review_submit

    outcomes = race(lambda: review_submit(article=draft, by=editor), lambda: review_submit(article=draft, by=editor))

    assert Review.objects.filter(article=draft).count() == 1
    assert sum(isinstance(o, Review) for o in outcomes) == 1
