import bisect

import nested_admin
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from articles.admin import ArticleAdmin, ReadOnlyAdminMixin
from articles.models import Article
from articles.pages import answer_page_context
from articles.rendering import render_body_html
from reviews.models import BoardMember, Review, ReviewApproval, ReviewTransition
from reviews.services import (
    LABELS,
    TRANSITIONS,
    ReviewRefused,
    available_transitions,
    required_approvals,
    review_submit,
)


class ReviewTransitionInline(ReadOnlyAdminMixin, nested_admin.NestedTabularInline):
    model = ReviewTransition
    fk_name = "article"
    verbose_name_plural = _("Audit trail")
    fields = ["at", "name", "source", "target", "by", "comment", "review"]
    readonly_fields = fields
    extra = 0
    ordering = ["-at", "-id"]
    classes = ["collapse"]


admin.site.unregister(Article)


@admin.register(Article)
class ReviewedArticleAdmin(ArticleAdmin):
    """The article admin with the review workflow: transition buttons and the audit trail."""

    change_form_template = "reviews/admin/article_change_form.html"
    inlines = [*ArticleAdmin.inlines, ReviewTransitionInline]

    class Media:
        css = {"all": ["reviews/admin/review.css"]}

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
                "action_url": reverse("admin:articles_article_review", args=[obj.pk]),
                "approvals": list(review.approvals.select_related("by")) if review else [],
                "required_approvals": required_approvals(),
                "preview_url": reverse("admin:reviews_review_preview", args=[review.pk]) if review else "",
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
            }
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
                TRANSITIONS[name](review, request.user, comment)
                if name == "start_review":
                    # The reviewer lands on what changed since the last approved version.
                    messages.success(
                        request,
                        "Review started. Below: what changed since the version readers see now."
                        if article.current_publication_id
                        else "Review started. This answer has never been approved: below is its whole text.",
                    )
                    return redirect(review.changes_url())
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
                else f"Approval recorded ({review.approvals.count()} of {required_approvals()} required).",
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


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        counts = {
            "awaiting": Review.objects.awaiting_review().count(),
            "mine": Review.objects.under_review_by(request.user).count(),
            "under_review": Review.objects.filter(state=Review.State.UNDER_REVIEW).count(),
            "changes": Review.objects.changes_requested().count(),
        }
        return [
            ("awaiting", f"Awaiting review ({counts['awaiting']})"),
            ("mine", f"Under review by me ({counts['mine']})"),
            ("under_review", f"Under review, all ({counts['under_review']})"),
            ("changes", f"Changes requested ({counts['changes']})"),
        ]

    def queryset(self, request, queryset):
        return {
            "awaiting": queryset.awaiting_review,
            "mine": lambda: queryset.under_review_by(request.user),
            "under_review": lambda: queryset.filter(state=Review.State.UNDER_REVIEW),
            "changes": queryset.changes_requested,
        }.get(self.value(), lambda: queryset)()


class ReviewApprovalInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewApproval
    fields = ["by", "at", "comment"]
    readonly_fields = fields
    extra = 0


class ReviewTransitionForReviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewTransition
    fk_name = "review"
    fields = ["at", "name", "source", "target", "by", "comment"]
    readonly_fields = fields
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # not VersionAdmin, not FSMAdminMixin
    list_display = ["article_link", "state", "submitted_by", "submitted_at", "reviewer", "changes_link"]
    list_filter = [QueueFilter, "state", "origin"]
    list_select_related = ["article", "submitted_by", "reviewer"]
    search_fields = ["article__question"]
    date_hierarchy = "submitted_at"
    fields = [
        "article",
        "state",
        "origin",
        "submitted_by",
        "submitted_at",
        "change_summary",
        "reviewer",
        "started_at",
        "closed_at",
        "publication",
        "revision",
        "preview_link",
    ]
    readonly_fields = fields
    inlines = [ReviewApprovalInline, ReviewTransitionForReviewInline]

    @admin.display(description=_("article"), ordering="article__question")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[obj.article_id]), obj.article
        )

    @admin.display(description=_("changes"))
    def changes_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.changes_url(), _("What changed"))

    @admin.display(description=_("submitted version"))
    def preview_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reviews_review_preview", args=[obj.pk]),
            _("Preview as readers would see it"),
        )

    def get_urls(self):
        return [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="reviews_review_preview"),
        ] + super().get_urls()

    def preview_view(self, request, pk):
        """The pinned revision, rendered exactly as the public page will render it if approved."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        review = get_object_or_404(Review.objects.select_related("article", "revision", "submitted_by"), pk=pk)
        context = answer_page_context(
            question=review.content["question"],
            summary=review.content["summary"],
            body_html=render_body_html(review.content),
            reviewed_on=None,
            review_state=review.state,
            page_path=request.path,
            is_preview=True,
        )
        context.update(self.admin_site.each_context(request), review=review, opts=self.opts)
        return TemplateResponse(request, "reviews/review_preview.html", context)


@admin.register(ReviewTransition)
class ReviewTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "article", "name", "source", "target", "by", "comment"]
    list_filter = ["name", "target"]
    list_select_related = ["article", "by"]
    search_fields = ["article__question", "comment", "by__username"]
    date_hierarchy = "at"
    fields = ["at", "article", "review", "name", "source", "target", "by", "comment"]
    readonly_fields = fields


@admin.register(BoardMember)
class BoardMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "specialty", "user", "is_listed"]
    list_filter = ["is_listed"]
    search_fields = ["display_name", "user__username", "specialty"]
    autocomplete_fields = ["user"]
