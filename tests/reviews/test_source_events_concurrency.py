"""Two people recording events on the same sources at the same moment, on real PostgreSQL connections."""

from datetime import date

import pytest
from django.db import connection

from references.models import Reference
from reviews.models import SourceAlert, SourceEvent
from reviews.source_events import RecordedEvent, reference_record_event
from tests.helpers import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and two connections"),
]


def test_the_same_retraction_recorded_twice_at_once_is_recorded_once(approved, board_member, second_board_member):
    source = approved.current_publication.citations.get(number=1).reference

    outcomes = race(
        *(
            lambda who=who, day=day: reference_record_event(
                reference=Reference.objects.get(pk=source.pk), kind="retracted", occurred_on=day, by=who
            )
            for who, day in ((board_member, date(2024, 3, 5)), (second_board_member, date(2024, 3, 6)))
        )
    )

    assert sum(isinstance(o, RecordedEvent) for o in outcomes) == 1
    assert SourceEvent.objects.filter(reference=source).count() == 1
    assert SourceAlert.objects.filter(article=approved).count() == 1


def test_two_references_cannot_supersede_each_other_at_once(approved, board_member):
    a, b = (approved.current_publication.citations.get(number=n).reference for n in (1, 2))

    outcomes = race(
        lambda: reference_record_event(
            reference=Reference.objects.get(pk=a.pk),
            kind="superseded",
            occurred_on=date(2024, 3, 5),
            replacement=Reference.objects.get(pk=b.pk),
            by=board_member,
        ),
        lambda: reference_record_event(
            reference=Reference.objects.get(pk=b.pk),
            kind="superseded",
            occurred_on=date(2024, 3, 5),
            replacement=Reference.objects.get(pk=a.pk),
            by=board_member,
        ),
    )

    assert sum(isinstance(o, RecordedEvent) for o in outcomes) == 1
    superseded = Reference.objects.filter(pk__in=[a.pk, b.pk], superseded_by__isnull=False)
    assert superseded.count() == 1
