"""Re-review cadence: when each published answer is next due for review, and what readers are told.

An answer is due its interval after its last approval; the interval is the answer's own, else its
topic's, else the site's (`ORACLE_REVIEW_INTERVAL_MONTHS`). Readers see "due for review" once the
answer is `ORACLE_REVIEW_GRACE_DAYS` past its due date. The board's side — the re-review queue and
the notices emailed to it — is `reviews.cadence`.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from core.tasks import effect


def default_review_interval_months() -> int:
    return settings.ORACLE_REVIEW_INTERVAL_MONTHS


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def review_interval(article) -> int:
    """Months between reviews: the answer's own, else its topic's, else the site's."""
    if article.review_interval_months:
        return article.review_interval_months
    if article.topic_id and article.topic.review_interval_months:
        return article.topic.review_interval_months
    return default_review_interval_months()


def due_after(article, reviewed_on: date | None) -> date | None:
    return add_months(reviewed_on, review_interval(article)) if reviewed_on else None


def is_overdue_for_readers(next_review_due: date | None, today: date | None = None) -> bool:
    """Whether readers are told the answer is due for review: past its due date plus the grace period."""
    if next_review_due is None:
        return False
    today = today or timezone.localdate()
    return today > next_review_due + timedelta(days=settings.ORACLE_REVIEW_GRACE_DAYS)


def overdue_line(today: date | None = None) -> date:
    """Answers due before this date show readers the "due for review" notice."""
    return (today or timezone.localdate()) - timedelta(days=settings.ORACLE_REVIEW_GRACE_DAYS)


def article_schedule_review(article):
    """Recompute when the answer is next due for review (after its interval or its topic's changed)."""
    from articles.models import Article
    from articles.publishing import publication_rerender_page

    due = due_after(article, article.last_reviewed_on) if article.current_publication_id else None
    if due != article.next_review_due:
        article.next_review_due = due
        Article.objects.filter(pk=article.pk).update(next_review_due=due)
        if article.current_publication_id:
            publication_rerender_page(article.current_publication, article=article)
    return article


def topic_reschedule_reviews(topic) -> int:
    """After a topic's interval changed: recompute the due date of its answers that inherit it."""
    from articles.models import Article

    count = 0
    published = Article.objects.filter(topic=topic, current_publication__isnull=False)
    for article in published.select_related("topic", "current_publication"):
        before = article.next_review_due
        if article_schedule_review(article).next_review_due != before:
            count += 1
    return count


def refresh_overdue_notices(today: date | None = None) -> int:
    """Re-render the stored pages whose "due for review" notice no longer matches the date."""
    from django.db import transaction
    from django.db.models import Q

    from articles.models import Article
    from articles.publishing import publication_rerender_page

    should_show = Q(next_review_due__lt=overdue_line(today))
    shows = Q(current_publication__shows_overdue_notice=True)
    stale = (
        Article.objects.filter(current_publication__isnull=False)
        .filter((should_show & ~shows) | (~should_show & shows))
        .select_related("current_publication")
    )
    count = 0
    for article in stale:
        with transaction.atomic():
            if publication_rerender_page(article.current_publication, article=article):
                count += 1
    return count


@effect
def refresh_overdue_notices_effect() -> None:
    """The worker's daily job (ORACLE_PERIODIC_JOBS): readers' "due for review" notices."""
    refresh_overdue_notices()
