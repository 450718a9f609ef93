"""`{% board_home %}`: on the admin's home page, what awaits a board member — the stages assigned
to them and the overdue ones (with due dates), the cycles under review by them, those awaiting
review, overdue re-reviews, open source alerts and readers' open error reports — above the app list. Nothing for people who
cannot review."""

from django import template
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ErrorReport
from core import people
from reviews.models import Review, ReviewStage, SourceAlert
from reviews.stages import open_stage_filter

register = template.Library()

SHOWN = 10  # of each list; the counts and the queue's links give the rest


def may_review(user) -> bool:
    return user.is_active and (user.has_perm("reviews.start_review") or user.has_perm("reviews.approve_review"))


@register.simple_tag(takes_context=True)
def reviews_home(context) -> bool:
    """Whether the home page is a reviewer's: what awaits them first, the app list folded below."""
    request = context.get("request")
    return request is not None and may_review(request.user)


@register.inclusion_tag("admin/reviews/includes/board_home.html", takes_context=True)
def board_home(context):
    request = context.get("request")
    if request is None or not may_review(request.user):
        return {"shown": False}
    user = request.user
    open_stages = ReviewStage.objects.filter(open_stage_filter()).select_related(
        "review__article", *people.related("assignee")
    )
    assigned = open_stages.filter(assignee=user).order_by("due_at", "id")
    late = open_stages.filter(due_at__lt=timezone.now()).order_by("due_at", "id")
    reviews = Review.objects.select_related("article", *people.related("submitted_by"))
    mine = reviews.under_review_by(user).order_by("started_at", "id")
    awaiting = reviews.awaiting_review().order_by("submitted_at", "id")
    published = Article.objects.published()
    overdue = published.filter(next_review_due__lt=timezone.localdate()).order_by("next_review_due", "question")
    alerted = published.filter(Exists(SourceAlert.objects.open().filter(article=OuterRef("pk")))).order_by("question")
    reports = ErrorReport.objects.open().select_related("article").order_by("due_on", "pk")
    reports_new = reports.filter(state=ErrorReport.State.NEW).count()
    reports_overdue = reports.overdue().count()
    return {
        "shown": True,
        "sections": [
            {
                "id": "board-home-assigned",
                "title": "Assigned to you",
                "count": assigned.count(),
                "items": [
                    (s.review.workspace_url(), f"{s.review.article} — {s.name}", s.due_at, "due")
                    for s in assigned[:SHOWN]
                ],
                "more_url": reverse("admin:reviews_review_changelist") + "?queue=assigned",
                "empty": "Nothing is assigned to you.",
            },
            {
                "id": "board-home-late",
                "title": "Overdue stages",
                "count": late.count(),
                "items": [
                    (
                        s.review.workspace_url(),
                        f"{s.review.article} — {s.name} ({people.display_name(s.assignee, default='unassigned')})",
                        s.due_at,
                        "was due",
                    )
                    for s in late[:SHOWN]
                ],
                "more_url": reverse("admin:reviews_review_changelist") + "?queue=overdue",
                "empty": "No review stage is overdue.",
            },
            {
                "id": "board-home-mine",
                "title": "Under review by you",
                "count": mine.count(),
                "items": [(r.workspace_url(), str(r.article), r.started_at, "since") for r in mine[:SHOWN]],
                "more_url": reverse("admin:reviews_review_changelist") + "?queue=mine",
                "empty": "Nothing: no cycle is under review by you.",
            },
            {
                "id": "board-home-awaiting",
                "title": "Awaiting review",
                "count": awaiting.count(),
                "items": [(r.workspace_url(), str(r.article), r.submitted_at, "submitted") for r in awaiting[:SHOWN]],
                "more_url": reverse("admin:reviews_review_changelist") + "?queue=awaiting",
                "empty": "Nothing is awaiting review.",
            },
            {
                "id": "board-home-overdue",
                "title": "Overdue re-reviews",
                "count": overdue.count(),
                "items": [
                    (reverse("admin:articles_article_change", args=[a.pk]), a.question, a.next_review_due, "due")
                    for a in overdue[:SHOWN]
                ],
                "more_url": reverse("admin:reviews_rereviewqueue_changelist"),
                "empty": "No published answer is overdue for re-review.",
            },
            {
                "id": "board-home-alerts",
                "title": "Source alerts",
                "count": alerted.count(),
                "items": [
                    (reverse("admin:articles_article_change", args=[a.pk]), a.question, None, "")
                    for a in alerted[:SHOWN]
                ],
                "more_url": reverse("admin:reviews_sourcealert_changelist") + "?open=yes",
                "empty": "No answer cites a retracted or superseded source.",
            },
            {
                "id": "board-home-error-reports",
                # readers' reports on claims (articles/error_reports.py): open ones, soonest due first
                "title": f"Error reports: {reports_new} new, {reports_overdue} overdue",
                "count": reports.count(),
                "items": [
                    (
                        reverse("admin:articles_errorreport_change", args=[r.pk]),
                        f"{r.article.question} — {r.section_heading}, claim {r.claim_number}",
                        r.due_on,
                        "was due" if r.due_on < timezone.localdate() else "due",
                    )
                    for r in reports[:SHOWN]
                ],
                "more_url": reverse("admin:articles_errorreport_changelist"),
                "empty": "No reader has reported an error that is still open.",
            },
        ],
    }
