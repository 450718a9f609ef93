"""Email about review events. Called only from services, inside the transaction of the decision.

Each message is rendered when the decision is taken (what it says is what happened then) and
enqueued as one durable effect per recipient (`send_email`, core/tasks.py): the worker sends it,
retrying while the mail server is unreachable, and the effect's done row is the marker that it
was sent, so no retry sends it twice.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from core.tasks import effect, enqueue
from reviews.models import Review
from reviews.roles import BOARD


def _render_text(name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping: an email shows “it's <b>”, not
    “it&#x27;s &lt;b&gt;”. Nothing in it is ever read as HTML."""
    return get_template(name).template.render(Context(context, autoescape=False))


def _message(event: str, context: dict, recipients: list[str]):
    # One line, whatever the question holds: every run of whitespace, line breaks included
    # (\r, \n, \u2028…), becomes one space, so no text can start a header of its own.
    subject = " ".join(_render_text(f"reviews/email/{event}_subject.txt", context).split())
    body = _render_text(f"reviews/email/{event}.txt", context)
    return (subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@effect
def send_email(*, subject: str, body: str, from_email: str, to: str) -> None:
    """Send one message to one recipient (raises if the mail server refuses: the worker retries)."""
    EmailMessage(subject, body, from_email, [to]).send(fail_silently=False)


def _enqueue(event: str, context: dict, recipients: list[str], *, about: str) -> int:
    for email in recipients:
        subject, body, from_email, _ = _message(event, context, [email])
        enqueue(
            send_email,
            subject=subject,
            body=body,
            from_email=from_email,
            to=email,
            label=f"Email {email}: {event.replace('_', ' ')} — {about}"[:300],
        )
    return len(recipients)


def _context(review: Review) -> dict:
    base = settings.ORACLE_BASE_URL.rstrip("/")
    return {
        "review": review,
        "article": review.article,
        "admin_url": base + reverse("admin:articles_article_change", args=[review.article_id]),
        "preview_url": base + reverse("admin:reviews_review_preview", args=[review.pk]),
        "diff_url": base + review.changes_url(),
        "public_url": base + review.article.get_absolute_url(),
        "last_transition": review.transitions.order_by("-at", "-id").select_related("by").first(),
    }


def notify_submitted(*, review_id: int) -> None:
    review = Review.objects.select_related("article", "submitted_by").get(pk=review_id)
    board = list(
        get_user_model()
        .objects.filter(groups__name=BOARD, is_active=True)
        .exclude(email="")
        .exclude(pk=review.submitted_by_id)
        .values_list("email", flat=True)
    )
    if board:
        _enqueue("submitted", _context(review), board, about=review.article.question)


def _notify_editor(event: str, review_id: int) -> None:
    review = Review.objects.select_related("article", "submitted_by").get(pk=review_id)
    editor = review.submitted_by
    if editor and editor.email:
        _enqueue(event, _context(review), [editor.email], about=review.article.question)


def notify_changes_requested(*, review_id: int) -> None:
    _notify_editor("changes_requested", review_id)


def notify_approved(*, review_id: int) -> None:
    _notify_editor("approved", review_id)


def _board_emails(exclude_pk=None) -> list[str]:
    users = get_user_model().objects.filter(groups__name=BOARD, is_active=True).exclude(email="")
    if exclude_pk:
        users = users.exclude(pk=exclude_pk)
    return list(users.values_list("email", flat=True).distinct())


def notify_source_alerts(*, alert_ids: list[int]) -> None:
    """Tell the board which answers cite a source that was just retracted or superseded."""
    from reviews.models import SourceAlert

    alerts = list(
        SourceAlert.objects.filter(pk__in=alert_ids).select_related("article", "event__reference", "event__replacement")
    )
    board = _board_emails()
    if not alerts or not board:
        return
    base = settings.ORACLE_BASE_URL.rstrip("/")
    context = {
        "event": alerts[0].event,
        "answers": [
            {
                "question": a.article.question,
                "admin_url": base + reverse("admin:articles_article_change", args=[a.article_id]),
            }
            for a in alerts
        ],
        "queue_url": base + reverse("admin:reviews_rereviewqueue_changelist"),
    }
    _enqueue("source_event", context, board, about=str(alerts[0].event.reference))


def notify_error_reported(*, report_id: int) -> None:
    """A reader reported an error in a claim (articles/error_reports.py, in the report's
    transaction): try to email the board now. `send_error_report_emails` decides whether this is
    the first report after a quiet spell (emailed at once) or waits for the next email."""
    enqueue(send_error_report_emails, label=f"Email the board: error report #{report_id}")


def send_error_report_emails(now=None) -> int:
    """Email each board member once about every error report not yet emailed, unless the board
    had such an email less than ORACLE_ERROR_REPORT_EMAIL_MINUTES ago: then the reports wait, and
    the periodic job (`error_report_emails`, every minute) sends them in one email when the
    interval is over. A spam wave that gets past the form's limits is one email an interval, not
    one per report. Each message names the claim as published, what the reader says and when it is
    due; never the reader's email address. Returns the number of reports the email lists.

    The rows are locked while they are marked, so two runs at once (the report's own and the
    periodic one) email them once: the second finds them marked."""
    from articles.models import ErrorReport

    now = now or timezone.now()
    interval = timedelta(minutes=settings.ORACLE_ERROR_REPORT_EMAIL_MINUTES)
    with transaction.atomic():
        waiting = list(
            ErrorReport.objects.select_for_update()
            .filter(board_notified_at__isnull=True)
            .select_related("publication")
            .order_by("created_at", "pk")
        )
        if not waiting:
            return 0
        last = ErrorReport.objects.aggregate(last=Max("board_notified_at"))["last"]
        if last is not None and last > now - interval:
            return 0  # the board was emailed lately: these go in the next email
        ErrorReport.objects.filter(pk__in=[r.pk for r in waiting]).update(board_notified_at=now)
        # a report the board already decided on before its email went out needs no email
        reports = [r for r in waiting if r.state == ErrorReport.State.NEW]
        board = _board_emails()
        if not reports or not board:
            return 0
        base = settings.ORACLE_BASE_URL.rstrip("/")
        context = {
            "reports": [
                {
                    "report": r,
                    "question": r.publication.question,
                    "report_url": base + reverse("admin:articles_errorreport_change", args=[r.pk]),
                }
                for r in reports
            ],
            "queue_url": base + reverse("admin:articles_errorreport_changelist"),
            "interval_minutes": settings.ORACLE_ERROR_REPORT_EMAIL_MINUTES,
        }
        about = reports[0].publication.question if len(reports) == 1 else f"{len(reports)} reports"
        _enqueue("error_reported", context, board, about=about)
    return len(reports)


effect(send_error_report_emails)


def send_review_due(*, due: list, overdue: list) -> int:
    """One digest to each board member, enqueued in the caller's transaction; returns how many."""
    board = _board_emails()
    if not board:
        return 0
    base = settings.ORACLE_BASE_URL.rstrip("/")

    def row(article):
        return {
            "question": article.question,
            "due": article.next_review_due,
            "admin_url": base + reverse("admin:articles_article_change", args=[article.pk]),
        }

    context = {
        "due": [row(a) for a in due],
        "overdue": [row(a) for a in overdue],
        "queue_url": base + reverse("admin:reviews_rereviewqueue_changelist"),
    }
    return _enqueue("review_due", context, board, about=f"{len(due) + len(overdue)} answer(s)")


def notify_mentioned(*, comment_id: int, user_ids: list[int]) -> int:
    """One email to each person a comment @mentions (never its author), with a link to the review
    page of the article's latest cycle and to the article; enqueued in the comment's transaction."""
    from reviews.comments import Anchor, latest_cycle
    from reviews.models import Comment

    comment = Comment.objects.select_related("thread__article", "author").get(pk=comment_id)
    thread = comment.thread
    recipients = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(pk=comment.author_id)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    base = settings.ORACLE_BASE_URL.rstrip("/")
    cycle = latest_cycle(thread.article_id) or thread.opened_in
    context = {
        "comment": comment,
        "article": thread.article,
        "place": Anchor.of(thread).label,
        "quoted": thread.quoted,
        "review_url": base + cycle.workspace_url() + f"#thread-{thread.pk}",
        "admin_url": base + reverse("admin:articles_article_change", args=[thread.article_id]) + "#review-comments",
    }
    return _enqueue("mention", context, recipients, about=thread.article.question)


def _stage_context(stage_id: int) -> tuple:
    from reviews.models import ReviewStage

    stage = ReviewStage.objects.select_related("review__article", "assignee", "group").get(pk=stage_id)
    base = settings.ORACLE_BASE_URL.rstrip("/")
    context = {
        "stage": stage,
        "review": stage.review,
        "article": stage.review.article,
        "assignee": stage.assignee,
        "workspace_url": base + stage.review.workspace_url(),
        "queue_url": base + reverse("admin:reviews_review_changelist") + "?queue=assigned",
    }
    return stage, context


def notify_stage_assigned(*, stage_id: int) -> None:
    """Tell a stage's new assignee what awaits them and by when (`reviews/stages.py`)."""
    stage, context = _stage_context(stage_id)
    if stage.assignee and stage.assignee.email:
        _enqueue("stage_assigned", context, [stage.assignee.email], about=stage.review.article.question)


def notify_stage_overdue(*, stage_id: int) -> None:
    """Remind an overdue stage's assignee (once a day at most: `reviews.stages.remind_overdue`)."""
    stage, context = _stage_context(stage_id)
    if stage.assignee and stage.assignee.email:
        _enqueue("overdue", context, [stage.assignee.email], about=stage.review.article.question)
