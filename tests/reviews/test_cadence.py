"""Re-review cadence: due dates, the board's queue, the daily email (once), readers' notice."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.cadence import add_months
from articles.models import Article, Topic
from reviews.cadence import queue_counts, rereview_queue, review_due_run
from reviews.models import ReviewDueNotice
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


def _due(article, when):
    Article.objects.filter(pk=article.pk).update(next_review_due=when)
    article.refresh_from_db()
    return article


def test_due_date_follows_the_approval_by_the_site_interval(approved, settings):
    assert approved.last_reviewed_on == timezone.localdate()
    assert approved.next_review_due == add_months(timezone.localdate(), settings.ORACLE_REVIEW_INTERVAL_MONTHS)


def test_add_months_clamps_to_the_end_of_shorter_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 12) == date(2027, 11, 30)


def test_topic_interval_overrides_the_site_and_answer_interval_overrides_the_topic(approved, admin_client):
    topic = Topic.objects.create(name="Pain", slug="pain")
    Article.objects.filter(pk=approved.pk).update(topic=topic)
    response = admin_client.post(
        reverse("admin:articles_topic_change", args=[topic.pk]),
        {"name": "Pain", "slug": "pain", "description": "", "review_interval_months": "6"},
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.next_review_due == add_months(approved.last_reviewed_on, 6)

    approved.review_interval_months = 3
    assert approved.review_interval() == 3
    from articles.cadence import article_schedule_review

    article_schedule_review(approved)
    approved.refresh_from_db()
    assert approved.next_review_due == add_months(approved.last_reviewed_on, 3)


def test_queue_puts_overdue_first_and_counts_them(approved, db):
    today = timezone.localdate()
    later = make_article(question="Later?", slug="later")
    from articles.publishing import article_publish

    article_publish(article=later, origin="approval")
    _due(later, today + timedelta(days=10))
    _due(approved, today - timedelta(days=5))
    queue = list(rereview_queue())
    assert [a.slug for a in queue] == [approved.slug, "later"]
    assert queue_counts() == {"overdue": 1, "due_soon": 1, "source_alerts": 0}


def test_review_due_emails_the_board_once_per_answer_and_due_date(approved, board_member, settings):
    today = timezone.localdate()
    _due(approved, today + timedelta(days=3))
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
    _due(approved, today - timedelta(days=1))
    review_due_run()
    assert len(mail.outbox) == 2
    assert "Overdue" in mail.outbox[1].body


def test_answers_not_yet_due_are_not_emailed(approved, board_member):
    _due(approved, timezone.localdate() + timedelta(days=200))
    run = review_due_run()
    assert run.emails_sent == 0 and not mail.outbox
    assert not ReviewDueNotice.objects.exists()


def test_a_failed_email_records_no_notice_so_tomorrow_retries(approved, board_member, settings):
    settings.EMAIL_BACKEND = "tests.helpers.FailingMailBackend"
    _due(approved, timezone.localdate())
    with pytest.raises(ConnectionError):
        review_due_run()
    assert not ReviewDueNotice.objects.exists()


def test_readers_see_due_for_review_only_past_the_grace_period(approved, client, settings):
    settings.ORACLE_REVIEW_GRACE_DAYS = 30
    url = approved.get_absolute_url()
    assert b"due for review" not in client.get(url).content

    _due(approved, timezone.localdate() - timedelta(days=10))  # overdue, within grace
    review_due_run()
    assert b"due for review" not in client.get(url).content

    _due(approved, timezone.localdate() - timedelta(days=31))
    run = review_due_run()
    assert run.pages_rerendered == 1
    page = client.get(url)
    assert b"This answer is due for review" in page.content
    assert review_due_run().pages_rerendered == 0  # nothing left to change

    # re-approval moves the due date and the notice goes
    from articles.cadence import article_schedule_review

    approved.refresh_from_db()
    Article.objects.filter(pk=approved.pk).update(last_reviewed_on=timezone.localdate())
    approved.refresh_from_db()
    article_schedule_review(approved)
    assert b"due for review" not in client.get(url).content
