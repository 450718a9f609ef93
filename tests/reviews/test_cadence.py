"""Re-review cadence for the board: the re-review queue and the daily email (once per answer and due date)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from reviews.cadence import queue_counts, rereview_queue, review_due_run
from reviews.models import ReviewDueNotice
from tests.helpers import make_article, set_due

pytestmark = pytest.mark.django_db


def test_queue_puts_overdue_first_and_counts_them(approved, db):
    today = timezone.localdate()
    later = make_article(question="Later?", slug="later")
    from articles.publishing import article_publish

    article_publish(article=later, origin="approval")
    set_due(later, today + timedelta(days=10))
    set_due(approved, today - timedelta(days=5))
    queue = list(rereview_queue())
    assert [a.slug for a in queue] == [approved.slug, "later"]
    assert queue_counts() == {"overdue": 1, "due_soon": 1, "source_alerts": 0}


def test_review_due_emails_the_board_once_per_answer_and_due_date(approved, board_member, settings):
    today = timezone.localdate()
    set_due(approved, today + timedelta(days=3))
    call_command("review_due", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1
    assert approved.question in mail.outbox[0].body
    assert "Due soon" in mail.outbox[0].body
    assert mail.outbox[0].to == [board_member.email]

    review_due_run()  # idempotent: same answer, same due date
    review_due_run()
    assert len(mail.outbox) == 1
    assert ReviewDueNotice.objects.filter(article=approved).count() == 1

    # A new due date (the board changed the interval, or re-approved) is news again.
    set_due(approved, today - timedelta(days=1))
    review_due_run()
    assert len(mail.outbox) == 2
    assert "Overdue" in mail.outbox[1].body


def test_answers_not_yet_due_are_not_emailed(approved, board_member):
    set_due(approved, timezone.localdate() + timedelta(days=200))
    run = review_due_run()
    assert run.emails_sent == 0 and not mail.outbox
    assert not ReviewDueNotice.objects.exists()


def test_a_failed_email_records_no_notice_so_tomorrow_retries(approved, board_member, settings):
    settings.EMAIL_BACKEND = "tests.helpers.FailingMailBackend"
    set_due(approved, timezone.localdate())
    with pytest.raises(ConnectionError):
        review_due_run()
    assert not ReviewDueNotice.objects.exists()
