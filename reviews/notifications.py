"""Email about review events. Called only from services, through transaction.on_commit."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse

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
        send_mass_mail([_message("submitted", _context(review), [email]) for email in board], fail_silently=False)


def _notify_editor(event: str, review_id: int) -> None:
    review = Review.objects.select_related("article", "submitted_by").get(pk=review_id)
    editor = review.submitted_by
    if editor and editor.email:
        send_mass_mail([_message(event, _context(review), [editor.email])], fail_silently=False)


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
    send_mass_mail([_message("source_event", context, [email]) for email in board], fail_silently=False)


def send_review_due(*, due: list, overdue: list) -> int:
    """One digest to each board member; returns how many were sent. Raises if sending fails."""
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
    return send_mass_mail([_message("review_due", context, [email]) for email in board], fail_silently=False)
