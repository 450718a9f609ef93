"""Re-review cadence for the board: the re-review queue and the daily email (once per answer and due date)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.models import Effect
from reviews.cadence import queue_counts, rereview_queue, review_due_run
from reviews.models import ReviewDueNotice
from tests.helpers import effects_due_now, make_article, run_effects, set_due

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


def _settled():
    """The fixtures' own effects (the approval's email) run, and their mail is out of the way."""
    run_effects()
    mail.outbox.clear()


def test_review_due_emails_the_board_once_per_answer_and_due_date(approved, board_member, settings):
    _settled()
    today = timezone.localdate()
    set_due(approved, today + timedelta(days=3))
    call_command("review_due", stdout=open("/dev/null", "w"))
    run_effects()  # the worker sends the digest
    assert len(mail.outbox) == 1
    assert approved.question in mail.outbox[0].body
    assert "Due soon" in mail.outbox[0].body
    assert mail.outbox[0].to == [board_member.email]

    review_due_run()  # idempotent: same answer, same due date
    review_due_run()
    run_effects()
    assert len(mail.outbox) == 1
    assert ReviewDueNotice.objects.filter(article=approved).count() == 1

    # A new due date (the board changed the interval, or re-approved) is news again.
    set_due(approved, today - timedelta(days=1))
    review_due_run()
    run_effects()
    assert len(mail.outbox) == 2
    assert "Overdue" in mail.outbox[1].body


def test_answers_not_yet_due_are_not_emailed(approved, board_member):
    set_due(approved, timezone.localdate() + timedelta(days=200))
    run = review_due_run()
    assert run.emails_sent == 0 and not mail.outbox
    assert not ReviewDueNotice.objects.exists()


def test_a_mail_server_that_is_down_delays_the_digest_and_it_is_sent_once_when_back(approved, board_member, settings):
    _settled()
    settings.EMAIL_BACKEND = "tests.helpers.FailingMailBackend"
    set_due(approved, timezone.localdate())
    run = review_due_run()  # no error: the digest is queued with the notice, in one transaction
    assert run.emails_sent == 1
    run_effects()
    (digest,) = Effect.objects.filter(name="reviews.notifications.send_email", label__contains="review due")
    assert digest.status == "pending" and digest.attempts == 1
    assert "mail server unreachable" in digest.last_error
    assert ReviewDueNotice.objects.filter(article=approved).count() == 1
    assert review_due_run().emails_sent == 0  # tomorrow's run does not queue it again

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    effects_due_now()
    run_effects()
    run_effects()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [board_member.email]
    digest.refresh_from_db()
    assert digest.status == "done" and digest.attempts == 2
