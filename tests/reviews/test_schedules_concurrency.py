"""Two workers running the schedules job at the same moment, on real PostgreSQL connections."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Publication, Withdrawal
from reviews.disclosures import NO_CONFLICT
from reviews.models import Schedule, ScheduleEvent
from reviews.schedules import schedule_withdrawal, schedules_run_due
from reviews.services import review_approve
from tests.helpers import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and two connections"),
]


def test_two_workers_publish_a_due_schedule_once(under_review, board_member):
    due = timezone.now() + datetime.timedelta(hours=1)
    review_approve(review=under_review, by=board_member, declaration=NO_CONFLICT, publish_on=due)
    later = due + datetime.timedelta(minutes=1)

    outcomes = race(lambda: schedules_run_due(now=later), lambda: schedules_run_due(now=later))

    assert sorted(outcomes) == [0, 1]
    assert Publication.objects.count() == 1
    assert Schedule.objects.get().state == "done"
    assert ScheduleEvent.objects.filter(action="done").count() == 1


def test_two_workers_withdraw_once(approved, board_member):
    due = timezone.now() + datetime.timedelta(hours=1)
    schedule_withdrawal(article=approved, by=board_member, due_at=due, reason="Superseded")

    outcomes = race(lambda: schedules_run_due(now=due), lambda: schedules_run_due(now=due))

    assert sorted(outcomes) == [0, 1]
    assert Withdrawal.objects.count() == 1
