"""The review workflow on the article's admin page: the panel of transitions and the audit trail."""

import bisect

import nested_admin
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from articles.models import Article
from articles.snapshots import load_article, snapshot_article
from core import people
from core.admin import ReadOnlyAdminMixin, person_column
from reviews.admin.comments import CommentEventInline, article_threads, review_trail_html
from reviews.admin.workspace import workspace_change_note_context
from reviews.comments import may_comment
from reviews.models import Review, ReviewTransition
from reviews.services import (
    LABELS,
    TRANSITIONS,
    ReviewRefused,
    available_transitions,
    review_submit,
)
from reviews.stages import approvals_needed, held_by_conflict


def attested_checklist(transition) -> str:
    """An approval's checklist as the approver attested it (the item texts as they stood then)."""
    approval = transition.approval
    if approval is None:
        return ""
    items = list(approval.attestations.all())
    if not items:
        return _("No checklist was offered.")
    return format_html(
        '<ul class="attested">{}</ul>',
        format_html_join(
            "",
            '<li class="{}">{}: {}{}</li>',
            (
                (
                    "attested--ticked" if a.ticked else "attested--unticked",
                    _("Ticked") if a.ticked else _("Not ticked"),
                    a.text,
                    "" if a.required else _(" (recommended)"),
                )
                for a in items
            ),
        ),
    )


class ReviewTransitionInline(ReadOnlyAdminMixin, nested_admin.NestedTabularInline):
    model = ReviewTransition
    fk_name = "article"
    verbose_name_plural = _("Audit trail")
    fields = ["at", "name", "source", "target", "by_name", "comment", "checklist", "review"]
    readonly_fields = fields
    extra = 0
    ordering = ["-at", "-id"]
    classes = ["collapse"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("approval", *people.related("by"))
            .prefetch_related("approval__attestations")
        )

    by_name = person_column("by", _("by"), default="system")

    @admin.display(description=_("checklist attested"))
    def checklist(self, obj):
        return attested_checklist(obj)


def article_schedules_context(request, article) -> dict:
    """The answer's pending schedules (reviews/schedules.py), and where the board schedules a withdrawal."""
    from reviews.schedules import pending_for

    may_withdraw = article.current_publication_id and request.user.has_perm("articles.withdraw_article")
    return {
        "schedules": pending_for(article.pk),
        "schedules_url": reverse("admin:reviews_schedule_changelist") + f"?article__id__exact={article.pk}",
        "schedule_withdrawal_url": (reverse("admin:reviews_schedule_add") + f"?article={article.pk}")
        if may_withdraw
        else "",
    }


class ReviewPanelMixin:
    """For the article admin: the review panel (the transitions this user may take, approvals,
    links to the pinned version and its diff), the audit trail, and the answer's source alerts."""

    change_form_template = "reviews/admin/article_change_form.html"

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), ReviewTransitionInline, CommentEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "source_alert_list"]

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), (_("Source alerts"), {"fields": ["source_alert_list"]})]

    @admin.display(description=_("source alerts"))
    def source_alert_list(self, obj):
        alerts = list(obj.source_alerts.select_related("event__reference", "resolved_by")[:50]) if obj.pk else []
        if not alerts:
            return _("None: no source this answer cites has been retracted or superseded.")
        return format_html(
            '<ul class="source-alerts">{}</ul>',
            format_html_join(
                "",
                '<li class="{}"><a href="{}">{}</a> — {}</li>',
                (
                    (
                        "source-alert--open" if a.is_open else "source-alert--resolved",
                        reverse("admin:reviews_sourcealert_change", args=[a.pk]),
                        str(a.event),
                        _("open") if a.is_open else f"{a.get_resolution_display()} ({a.resolution_comment})",
                    )
                    for a in alerts
                ),
            ),
        )

    class Media:
        css = {"all": ["reviews/admin/review.css", "reviews/admin/comments.css"]}
        js = ["reviews/admin/comments.js"]

    def review_states_at(self, article, dates) -> list[str]:
        """The article's review state at each date, from the audit trail (one query)."""
        timeline = list(
            ReviewTransition.objects.filter(article=article).order_by("at", "id").values_list("at", "target")
        )
        moments = [at for at, _ in timeline]
        labels = dict(Review.State.choices)
        states = []
        for when in dates:
            index = bisect.bisect_right(moments, when)
            states.append(str(labels[timeline[index - 1][1]] if index else labels[Review.State.NEW]))
        return states

    def history_view(self, request, object_id, extra_context=None):
        """The history, with the review trail: decisions (each approval's attested checklist) and comments."""
        # a callable the template renders, after the history view has checked the permission
        return super().history_view(
            request, object_id, {**(extra_context or {}), "review_trail": lambda: review_trail_html(object_id)}
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(require_POST(self.review_transition_view)),
                name="articles_article_review",
            ),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            review, names = available_transitions(article=obj, user=request.user)
            context["review_panel"] = {
                "review": review,
                "transitions": [{"name": n, "label": LABELS[n]} for n in names],
                "transition_names": names,
                "action_url": reverse("admin:articles_article_review", args=[obj.pk]),
                "approvals": list(review.approvals.select_related("by")) if review else [],
                "required_approvals": approvals_needed(review),
                "preview_url": reverse("admin:reviews_review_preview", args=[review.pk]) if review else "",
                "workspace_url": review.workspace_url() if review else "",
                # the approve form's "What changed, for readers" (the review page's slot)
                "change": workspace_change_note_context(review, {}) if "approve" in names else None,
                "diff_url": review.changes_url() if review else "",
                "resubmission_diff_url": review.changes_since_previous_submission_url() if review else "",
                "last_cycle": None
                if review
                else (Review.objects.filter(article=obj).exclude(origin=Review.Origin.IMPORT).first()),
                "last_decision": None
                if review
                else (
                    ReviewTransition.objects.filter(article=obj)
                    .exclude(name="import")
                    .select_related("by")
                    .order_by("-at", "-id")
                    .first()
                ),
                "history_url": reverse("admin:reviews_review_changelist") + f"?article__id__exact={obj.pk}",
                **article_schedules_context(request, obj),
                # the open comment threads, where they are in the working copy
                "threads": article_threads(obj, snapshot_article(load_article(obj.pk)), request.user),
                "may_comment": may_comment(request.user),
                # a locked article is shown read-only: there is no box to jump to
                "field_links": not obj.is_locked,
            }
            # the panel's entry in the change form's table of contents (articles/admin/form_toc.py)
            context.setdefault("form_toc_before", []).append(
                {"target": "review-panel-heading", "label": _("Medical Advisory Board review")}
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def review_transition_view(self, request, pk):
        """Take one review transition from the article page. The service checks everything again."""
        article = get_object_or_404(Article, pk=pk)
        name = request.POST.get("transition", "")
        comment = request.POST.get("comment", "").strip()
        back = redirect("admin:articles_article_change", article.pk)
        try:
            if name == "submit":
                review_submit(article=article, by=request.user, change_summary=comment)
            elif name in TRANSITIONS:
                review = Review.objects.open().filter(article=article).first()
                if review is None or str(review.pk) != request.POST.get("review", ""):
                    messages.error(
                        request, "This review changed while you were looking at it; here is its current state."
                    )
                    return back
                # the checklist ticked, if the form sent one (the review page's panel does)
                # the checklist ticked and the conflicts declared, if the form sent them (the review
                # page's panel does); a person's approval without a declaration is refused
                TRANSITIONS[name](
                    review,
                    request.user,
                    comment,
                    ticked=request.POST.getlist("checklist"),
                    declaration=request.POST.get("declaration", ""),
                    conflict_statement=request.POST.get("conflict_statement", ""),
                    change_class=request.POST.get("change_class", ""),
                    change_note=request.POST.get("change_note", ""),
                    literature_confirmed=request.POST.get("literature_confirmed", ""),
                )
                if name == "start_review":
                    # The reviewer lands on the review page: what changed, beside the decision.
                    messages.success(
                        request,
                        "Review started. Below: what changed since the version readers see now, and the decision beside it."
                        if article.current_publication_id
                        else "Review started. This answer has never been approved: below is its whole text, and the decision beside it.",
                    )
                    return redirect(review.workspace_url())
            else:
                messages.error(request, f"Unknown review action “{name}”.")
                return back
        except (ReviewRefused, TransitionNotAllowed) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
            return back
        except ConcurrentTransition:
            messages.error(request, "Someone else acted on this review at the same moment; here is its current state.")
            return back
        # PermissionDenied propagates: a forged POST gets 403 and changes nothing.
        if name == "approve":
            review = Review.objects.get(pk=review.pk)
            messages.success(
                request,
                f"Approved and published as version {review.publication.number}."
                if review.publication_id
                else f"Approval recorded ({review.approvals.count()} of {approvals_needed(review)} required). "
                + held_by_conflict(review),
            )
        else:
            messages.success(request, DONE[name])
        return back


DONE = {
    "submit": "Submitted for review: the board has been notified, and the article is locked until the review ends.",
    "request_changes": "Changes requested: the article is unlocked and the editor has been notified.",
    "approve": "Approval recorded.",
    "withdraw": "Withdrawn from review: the article can be edited again.",
}
