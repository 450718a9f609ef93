"""Readers' error reports reach the board by email, through the durable effects: the first report
after a quiet spell at once, the ones that follow within ORACLE_ERROR_REPORT_EMAIL_MINUTES in one
later email (the periodic job), each listed once, never with the reader's address; a mail server
that is down delays the email and loses nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from articles.error_reports import error_report_reject
from articles.models import ErrorReport
from core.models import Effect
from core.tasks import run_periodic
from reviews.notifications import send_error_report_emails
from tests.helpers import UserFactory, effects_due_now, make_article, publish_directly, run_effects

pytestmark = pytest.mark.django_db

SLUG = "is-naproxen-safe"
EMAIL = "reviews.notifications.send_email"


@pytest.fixture(autouse=True)
def queued(settings):
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False  # the worker's path: run_effects()
    settings.ORACLE_ERROR_REPORT_EMAIL_MINUTES = 60


@pytest.fixture
def answer(db, board_member):
    UserFactory(username="board2", groups=["Medical Advisory Board"])
    article = make_article(question="Is naproxen safe?", slug=SLUG, sections=2, claims_per_section=3)
    publish_directly(article)
    return article


def report(client, *, claim=3, text="The dose given here is twice the licensed one.", email="reader@example.org"):
    response = client.post(
        f"/articles/{SLUG}/report-error/1/2/{claim}/",
        {"text": text, "source": "https://www.example.org/label", "email": email, "website": ""},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ErrorReport.objects.latest("pk")


def test_the_first_report_emails_each_board_member_at_once_without_the_readers_address(client, answer):
    stored = report(client, email="hidden-reader@example.org")
    run_effects()

    assert sorted(m.to[0] for m in mail.outbox) == ["board2@example.org", "board@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Error reported by a reader: Is naproxen safe?"
    assert "Claim as published:\n  " + stored.claim_text in message.body
    assert "What the reader says is wrong:\n  The dose given here is twice the licensed one." in message.body
    assert "Source given: https://www.example.org/label" in message.body
    assert f"/admin/articles/errorreport/{stored.pk}/change/" in message.body
    assert "hidden-reader@example.org" not in message.subject + message.body
    stored.refresh_from_db()
    assert stored.board_notified_at is not None


def test_reports_within_the_interval_wait_and_go_in_one_email(client, answer):
    first = report(client, claim=1)
    run_effects()
    assert len(mail.outbox) == 2
    second = report(client, claim=2, text="This claim cites a withdrawn guideline.")
    third = report(client, claim=3, text="The study had 40 patients, not 400.")
    run_effects()

    assert len(mail.outbox) == 2  # the board was emailed minutes ago
    assert list(ErrorReport.objects.filter(board_notified_at__isnull=True)) == [second, third]

    later = timezone.now() + timedelta(minutes=61)
    assert send_error_report_emails(now=later) == 2
    run_effects()
    digest = [m for m in mail.outbox[2:]]
    assert sorted(m.to[0] for m in digest) == ["board2@example.org", "board@example.org"]
    assert digest[0].subject == "2 errors reported by readers"
    body = digest[0].body
    assert "1. Answer: Is naproxen safe? (version 1)" in body and "2. Answer:" in body
    assert body.index("withdrawn guideline") < body.index("40 patients")
    assert first.text not in body  # emailed before, never again
    assert "at most one email about error reports every 60 minutes" in body
    # nothing waits, and a run at the same moment emails nothing more
    assert send_error_report_emails(now=later) == 0
    run_effects()
    assert len(mail.outbox) == 4


def test_the_periodic_job_sends_what_waited(client, answer, settings):
    report(client, claim=1)
    run_effects()
    report(client, claim=2)
    run_effects()
    assert len(mail.outbox) == 2

    assert settings.ORACLE_PERIODIC_JOBS["error_report_emails"]["every"] == 60
    settings.ORACLE_ERROR_REPORT_EMAIL_MINUTES = 0  # the interval is over
    assert "error_report_emails" in run_periodic()
    run_effects()
    assert len(mail.outbox) == 4
    assert not ErrorReport.objects.filter(board_notified_at__isnull=True).exists()


def test_a_report_decided_before_its_email_is_not_sent(client, answer, board_member):
    report(client, claim=1)
    run_effects()
    waiting = report(client, claim=2)
    error_report_reject(report=waiting, by=board_member, resolution="The claim matches the label.")

    assert send_error_report_emails(now=timezone.now() + timedelta(hours=2)) == 0
    run_effects()
    assert len(mail.outbox) == 2
    waiting.refresh_from_db()
    assert waiting.board_notified_at is not None  # considered, and never listed later


def test_with_the_mail_server_down_the_report_is_stored_and_the_email_follows(client, answer, settings):
    settings.EMAIL_BACKEND = "tests.helpers.FailingMailBackend"
    stored = report(client)
    run_effects()
    assert not mail.outbox
    failed = list(Effect.objects.filter(name=EMAIL))
    assert len(failed) == 2 and all("mail server unreachable" in e.last_error for e in failed)
    assert ErrorReport.objects.get() == stored

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    effects_due_now()
    run_effects()
    assert sorted(m.to[0] for m in mail.outbox) == ["board2@example.org", "board@example.org"]
    # the retry sent the messages already written; no second list of the same report
    assert Effect.objects.filter(name=EMAIL).count() == 2


def test_with_no_board_email_nothing_is_sent_and_the_report_is_not_resent_later(client, answer, django_user_model):
    django_user_model.objects.filter(groups__name="Medical Advisory Board").update(email="")
    report(client)
    run_effects()
    assert not mail.outbox
    assert send_error_report_emails(now=timezone.now() + timedelta(hours=2)) == 0
