"""The review queue: every review cycle, filtered to what awaits whom, with its pinned preview."""

from csp.decorators import csp_replace
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from articles.answer_page import preview_context
from articles.audiences import Audience
from core.admin import ReadOnlyAdminMixin
from reviews.admin.article import attested_checklist
from reviews.admin.workspace import ReviewWorkspaceMixin
from reviews.models import Review, ReviewApproval, ReviewTransition


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
    fields = ["at", "name", "source", "target", "by", "comment", "checklist"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approval").prefetch_related("approval__attestations")

    @admin.display(description=_("checklist attested"))
    def checklist(self, obj):
        return attested_checklist(obj)


class ReviewAdmin(ReviewWorkspaceMixin, ReadOnlyAdminMixin, admin.ModelAdmin):  # not VersionAdmin, not FSMAdminMixin
    list_display = ["article_link", "state", "submitted_by", "submitted_at", "reviewer", "workspace_link"]
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
        "workspace_link",
        "preview_link",
    ]
    readonly_fields = fields
    inlines = [ReviewApprovalInline, ReviewTransitionForReviewInline]

    @admin.display(description=_("article"), ordering="article__question")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[obj.article_id]), obj.article
        )

    @admin.display(description=_("review page"))
    def workspace_link(self, obj):
        label = _("Read and decide") if obj.is_open else _("What changed and the decision")
        return format_html('<a href="{}">{}</a>', obj.workspace_url(), label)

    @admin.display(description=_("submitted version"))
    def preview_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reviews_review_preview", args=[obj.pk]),
            _("Preview as readers would see it"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                # the review page shows it in a frame, per audience: framed by our own pages only
                csp_replace({"frame-ancestors": ["'self'"]})(
                    xframe_options_sameorigin(self.admin_site.admin_view(self.preview_view))
                ),
                name="reviews_review_preview",
            ),
        ] + super().get_urls()

    def preview_view(self, request, pk):
        """The pinned revision, rendered exactly as the public page will render it if approved."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        review = get_object_or_404(Review.objects.select_related("article", "revision", "submitted_by"), pk=pk)
        context = preview_context(review.content, review_state=review.state, page_path=request.path)
        audience = request.GET.get("audience", "")
        if audience in Audience.values:
            context["audience"] = audience  # the version for that reader, as /audience/ would show it
        context.update(self.admin_site.each_context(request), review=review, opts=self.opts)
        return TemplateResponse(request, "reviews/review_preview.html", context)


class ReviewTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "article", "name", "source", "target", "by", "comment"]
    list_filter = ["name", "target"]
    list_select_related = ["article", "by"]
    search_fields = ["article__question", "comment", "by__username"]
    date_hierarchy = "at"
    fields = ["at", "article", "review", "name", "source", "target", "by", "comment"]
    readonly_fields = fields
