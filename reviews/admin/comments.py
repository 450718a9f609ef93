"""Comment threads in the admin: on the review page, the outline of the cycle's pinned content with
"Add comment" beside each place and the threads beside what they are about (Reply, Resolve, Reopen);
on the article's change form, the open threads by place, linked to the box that edits it. Every
action is a POST to `reviews.comments`, which checks who may do it (a forged POST gets 403)."""

import nested_admin
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import people
from core.admin import ReadOnlyAdminMixin
from reviews import comments
from reviews.models import CommentEvent, CommentThread, Review

ACTIONS = {
    "reply": lambda thread, by, body: comments.comment_reply(thread=thread, by=by, body=body),
    "resolve": lambda thread, by, body: comments.comment_thread_resolve(thread=thread, by=by, body=body),
    "reopen": lambda thread, by, body: comments.comment_thread_reopen(thread=thread, by=by, body=body),
}
DONE = {
    "reply": "Reply added.",
    "resolve": "Thread resolved.",
    "reopen": "Thread reopened.",
}


def comments_context(request, review: Review) -> dict:
    """The review page's comments: the outline of the pinned content with its threads (a fixed
    number of queries, whatever the number of threads and comments)."""
    places, lost = comments.arrange(comments.threads_for_cycle(review), review.content)
    _mark_resolvable(request.user, places, lost)
    unresolved = sum(1 for p in places for t in p["threads"] if not t.thread.is_resolved) + sum(
        1 for t in lost if not t.thread.is_resolved
    )
    draft = getattr(request, "_comment_draft", None) or {}
    return {
        "comment_places": places,
        "comment_lost": lost,
        "comment_unresolved": unresolved,
        "comments_block": settings.ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL,
        "may_comment": comments.may_comment(request.user),
        "may_open_thread": comments.may_comment(request.user) and comments.takes_new_threads(review),
        "comment_draft": draft,
        "comment_add_url": reverse("admin:reviews_review_comment_add", args=[review.pk]),
    }


class ReviewCommentsMixin:
    """For the review admin: the comment actions, and the comments on the review page."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/comments/add/",
                self.admin_site.admin_view(require_POST(self.comment_add_view)),
                name="reviews_review_comment_add",
            ),
            path(
                "comments/<int:thread>/<str:action>/",
                self.admin_site.admin_view(require_POST(self.comment_action_view)),
                name="reviews_review_comment_action",
            ),
        ] + super().get_urls()

    def _render_workspace(self, request, review, **kwargs):
        response = super()._render_workspace(request, review, **kwargs)
        response.context_data.update(comments_context(request, review))
        return response

    def comment_add_view(self, request, pk):
        review = self._review_or_404(request, pk)
        anchor, body = request.POST.get("anchor", ""), request.POST.get("body", "")
        try:
            thread = comments.comment_thread_open(review=review, anchor=anchor, body=body, by=request.user)
        except comments.CommentRefused as exc:
            for message in exc.messages:
                messages.error(request, message)
            request._comment_draft = {"anchor": anchor, "body": body}
            return self._render_workspace(request, review, status=400)
        messages.success(request, f"Comment added on {comments.Anchor.of(thread).label.lower()}.")
        return redirect(reverse("admin:reviews_review_workspace", args=[review.pk]) + f"#thread-{thread.pk}")

    def comment_action_view(self, request, thread, action):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if action not in ACTIONS:
            raise Http404(f"No comment action “{action}”.")
        thread = get_object_or_404(CommentThread, pk=thread)
        if request.POST.get("next") == "article":
            back = reverse("admin:articles_article_change", args=[thread.article_id]) + "#review-comments"
        else:
            cycle = comments.latest_cycle(thread.article_id) or thread.opened_in
            back = reverse("admin:reviews_review_workspace", args=[cycle.pk]) + f"#thread-{thread.pk}"
        try:
            ACTIONS[action](thread, request.user, request.POST.get("body", ""))
        except comments.CommentRefused as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(back)
        messages.success(request, DONE[action])
        return redirect(back)


def _mark_resolvable(user, places, lost) -> None:
    for located in [t for p in places for t in p["threads"]] + lost:
        located.may_resolve = comments.may_resolve(user, located.thread)


def article_threads(article, working_copy: dict, user) -> dict:
    """The change form's panel: the article's open threads, located in the working copy (outdated
    when the text there changed), grouped by place in reading order."""
    threads = comments.threads_with_comments(CommentThread.objects.unresolved().filter(article=article))
    places, lost = comments.arrange(threads, working_copy)
    _mark_resolvable(user, places, lost)
    return {
        "places": [p for p in places if p["threads"]],
        "lost": lost,
        "count": sum(len(p["threads"]) for p in places) + len(lost),
    }


class CommentEventInline(ReadOnlyAdminMixin, nested_admin.NestedTabularInline):
    """The comment trail on the article's page (beside the audit trail of transitions)."""

    model = CommentEvent
    fk_name = "article"
    verbose_name_plural = _("Comment trail")
    fields = ["at", "by", "action", "place", "said", "review"]
    readonly_fields = fields
    extra = 0
    ordering = ["-at", "-id"]
    classes = ["collapse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("comment", "by", *people.related("by"), "review__article")

    @admin.display(description=_("comment"))
    def said(self, obj):
        return obj.comment.body if obj.comment_id else "—"


def review_trail_html(article_id) -> str:
    """The article's history page: every decision (with each approval's attested checklist) and
    every comment, resolution and reopening, oldest first (rendered here: `articles` names no
    template of `reviews`)."""
    from reviews.models import ReviewTransition
    from reviews.services import LABELS

    transitions = list(
        ReviewTransition.objects.filter(article_id=article_id)
        .select_related("approval", *people.related("by"), "by")
        .prefetch_related("approval__attestations")
    )
    events = list(
        CommentEvent.objects.filter(article_id=article_id).select_related("comment", "by", *people.related("by"))
    )
    rows = sorted(
        [{"at": t.at, "transition": t, "label": LABELS.get(t.name, t.name)} for t in transitions]
        + [{"at": e.at, "event": e} for e in events],
        key=lambda row: row["at"],
    )
    return render_to_string("admin/reviews/review/includes/comments_trail.html", {"rows": rows})
