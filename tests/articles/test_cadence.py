"""Re-review cadence: due dates from the approval and the intervals, and readers' notice past the grace period."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.cadence import add_months
from articles.models import Article, Topic
from reviews.cadence import review_due_run
from tests.helpers import set_due

pytestmark = pytest.mark.django_db


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


def test_readers_see_due_for_review_only_past_the_grace_period(approved, client, settings):
    settings.ORACLE_REVIEW_GRACE_DAYS = 30
    url = approved.get_absolute_url()
    assert b"due for review" not in client.get(url).content

    set_due(approved, timezone.localdate() - timedelta(days=10))  # overdue, within grace
    review_due_run()
    assert b"due for review" not in client.get(url).content

    set_due(approved, timezone.localdate() - timedelta(days=31))
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
