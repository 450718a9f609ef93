"""Re-review cadence: which answers are due, telling the board once, and the readers' notice."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from articles.cadence import refresh_overdue_notices
from articles.models import Article
from reviews import notifications
from reviews.models import ReviewDueNotice, SourceAlert


def rereview_queue(queryset=None, today: date | None = None):
    """Published answers in re-review order: open source alerts first, then by due date (overdue first)."""
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else Article.objects.all()
    return (
        queryset.filter(current_publication__isnull=False)
        .annotate(open_alerts=Count("source_alerts", filter=Q(source_alerts__resolved_at__isnull=True)))
        .filter(
            Q(open_alerts__gt=0)
            | Q(next_review_due__lte=today + timedelta(days=settings.ORACLE_REVIEW_DUE_NOTICE_DAYS))
        )
        .order_by("-open_alerts", "next_review_due", "question")
    )


def queue_counts(today: date | None = None) -> dict:
    today = today or timezone.localdate()
    published = Article.objects.filter(current_publication__isnull=False)
    window = today + timedelta(days=settings.ORACLE_REVIEW_DUE_NOTICE_DAYS)
    return {
        "overdue": published.filter(next_review_due__lt=today).count(),
        "due_soon": published.filter(next_review_due__gte=today, next_review_due__lte=window).count(),
        # Exists, not a join filter: `source_alerts__resolved_at__isnull` would also match answers with no alert.
        "source_alerts": published.filter(Exists(SourceAlert.objects.open().filter(article=OuterRef("pk")))).count(),
    }


@dataclass
class DueRun:
    notified_due: list = field(default_factory=list)
    notified_overdue: list = field(default_factory=list)
    emails_sent: int = 0
    pages_rerendered: int = 0


def review_due_run(today: date | None = None) -> DueRun:
    """Tell the board about answers due within the notice window or overdue, once per answer and
    due date; then bring readers' "due for review" notices up to date. Safe to run any number of
    times a day: a second run finds nothing new to send."""
    today = today or timezone.localdate()
    run = DueRun()
    window = today + timedelta(days=settings.ORACLE_REVIEW_DUE_NOTICE_DAYS)
    with transaction.atomic():
        candidates = list(
            Article.objects.select_for_update(of=("self",))
            .filter(current_publication__isnull=False, next_review_due__lte=window)
            .exclude(Exists(ReviewDueNotice.objects.filter(article=OuterRef("pk"), due_on=OuterRef("next_review_due"))))
            .order_by("next_review_due", "question")
        )
        if candidates:
            ReviewDueNotice.objects.bulk_create(
                ReviewDueNotice(article=article, due_on=article.next_review_due) for article in candidates
            )
            run.notified_overdue = [a for a in candidates if a.next_review_due < today]
            run.notified_due = [a for a in candidates if a.next_review_due >= today]
            # Queued in this transaction: one durable email effect per board member, sent by the worker.
            run.emails_sent = notifications.send_review_due(due=run.notified_due, overdue=run.notified_overdue)
    run.pages_rerendered = refresh_overdue_notices(today)
    return run
