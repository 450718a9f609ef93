"""The review queue: every review cycle, filtered to what awaits whom, with its pinned preview."""

from csp.decorators import csp_replace
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from articles.answer_page import preview_context
from articles.audiences import Audience
from core import people
from core.admin import ReadOnlyAdminMixin, person_column
from reviews.admin.article import attested_checklist
from reviews.admin.stages import ReviewStageInline
from reviews.admin.workspace import ReviewWorkspaceMixin
from reviews.models import Review, ReviewApproval, ReviewStage, ReviewTransition, Schedule
from reviews.stages import open_stage_filter


def _assigned_to(user):
    return Exists(ReviewStage.objects.filter(open_stage_filter(), review=OuterRef("pk"), assignee=user))


def _overdue():
    return Exists(ReviewStage.objects.filter(open_stage_filter(), review=OuterRef("pk"), due_at__lt=timezone.now()))


def _scheduled():
    """Cycles whose publication is scheduled, or whose answer's withdrawal is (reviews/schedules.py)."""
    pending = Schedule.objects.filter(state=Schedule.State.PENDING)
    return Exists(pending.filter(kind=Schedule.Kind.PUBLISH, review=OuterRef("pk"))) | Exists(
        pending.filter(kind=Schedule.Kind.WITHDRAW, article=OuterRef("article_id"))
    )


def _pending_due(kind, **match):
    return Subquery(Schedule.objects.filter(state=Schedule.State.PENDING, kind=kind, **match).values("due_at")[:1])


def default_queue(user) -> str:
    """Where the queue opens for `user`: what awaits them. A reviewer: what is assigned to them if
    anything is, else what is under review by them, else what awaits review (a reviewer who does not start reviews, such as a
    pharmacist: what is under review). An editor: the cycles sent back for changes, if any, else
    their submissions."""
    reviews = Review.objects.all()
    if user.has_perm("reviews.approve_review") or user.has_perm("reviews.start_review"):
        if reviews.filter(_assigned_to(user)).exists():
            return "assigned"
        if reviews.under_review_by(user).exists():
            return "mine"
        return "awaiting" if user.has_perm("reviews.start_review") else "under_review"
    if reviews.changes_requested().filter(submitted_by=user).exists():
        return "changes"
    return "submitted_by_me"


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # Opened without any choice, the queue shows what awaits this user; "All" is ?queue=all.
        if not request.GET:
            self.used_parameters[self.parameter_name] = default_queue(request.user)

    def lookups(self, request, model_admin):
        user = request.user
        counts = Review.objects.aggregate(
            assigned=Count("pk", filter=Q(_assigned_to(user))),
            overdue=Count("pk", filter=Q(_overdue())),
            awaiting=Count("pk", filter=Q(state=Review.State.SUBMITTED)),
            mine=Count("pk", filter=Q(state=Review.State.UNDER_REVIEW, reviewer=user)),
            under_review=Count("pk", filter=Q(state=Review.State.UNDER_REVIEW)),
            changes=Count("pk", filter=Q(state=Review.State.CHANGES_REQUESTED)),
            submitted_by_me=Count("pk", filter=Q(submitted_by=user)),
            scheduled=Count("pk", filter=Q(_scheduled())),
        )
        return [
            ("assigned", f"Assigned to me ({counts['assigned']})"),
            ("overdue", f"Overdue ({counts['overdue']})"),
            ("awaiting", f"Awaiting review ({counts['awaiting']})"),
            ("mine", f"Under review by me ({counts['mine']})"),
            ("under_review", f"Under review, all ({counts['under_review']})"),
            ("changes", f"Changes requested ({counts['changes']})"),
            ("submitted_by_me", f"Submitted by me ({counts['submitted_by_me']})"),
            ("scheduled", f"Scheduled ({counts['scheduled']})"),
            ("all", "All"),
        ]

    def choices(self, changelist):
        # "All" is a choice of its own (?queue=all): without one the queue opens on what awaits you
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return {
            "assigned": lambda: queryset.filter(_assigned_to(request.user)),
            "overdue": lambda: queryset.filter(_overdue()),
            "awaiting": queryset.awaiting_review,
            "mine": lambda: queryset.under_review_by(request.user),
            "under_review": lambda: queryset.filter(state=Review.State.UNDER_REVIEW),
            "changes": queryset.changes_requested,
            "submitted_by_me": lambda: queryset.filter(submitted_by=request.user),
            "scheduled": lambda: queryset.filter(_scheduled()),
        }.get(self.value(), lambda: queryset)()


class StageFilter(admin.SimpleListFilter):
    """The cycles whose open stage has this name."""

    title = _("open stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        names = ReviewStage.objects.filter(open_stage_filter()).values_list("name", flat=True).distinct()
        return [(name, name) for name in sorted(set(names))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(ReviewStage.objects.filter(open_stage_filter(), review=OuterRef("pk"), name=self.value()))
        )


class ByNameMixin:
    """Names the person who acted as everywhere else (display name, credentials for the board)."""

    by_name = person_column("by", _("by"), default="system")


class ReviewApprovalInline(ByNameMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewApproval
    fields = ["by_name", "stage", "at", "comment"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stage", *people.related("by"))


class ReviewTransitionForReviewInline(
    ByNameMixin, ReadOnlyAdminMixin, admin.StackedInline
):  # long comments: stacked reads at 390 px
    model = ReviewTransition
    fk_name = "review"
    fields = ["at", "name", "source", "target", "by_name", "comment", "checklist"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("approval", *people.related("by"))
            .prefetch_related("approval__attestations")
        )

    @admin.display(description=_("checklist attested"))
    def checklist(self, obj):
        return attested_checklist(obj)


class ReviewAdmin(ReviewWorkspaceMixin, ReadOnlyAdminMixin, admin.ModelAdmin):  # not VersionAdmin, not FSMAdminMixin
    list_display = [
        "article_question",
        "state",
        "stage",
        "assignee",
        "due",
        "scheduled",
        "submitted_by_name",
        "submitted_at",
        "reviewer_name",
        "workspace_link",
    ]
    list_filter = [QueueFilter, StageFilter, "state", "origin"]
    # with the people's profiles (`get_queryset`: they are registered once the apps are ready)
    list_select_related = ["article", "submitted_by", "reviewer"]
    search_fields = ["article__question"]
    date_hierarchy = "submitted_at"
    fields = [
        "article",
        "state",
        "origin",
        "submitted_by_name",
        "submitted_at",
        "change_summary",
        "reviewer_name",
        "started_at",
        "closed_at",
        "publication",
        "revision",
        "workspace_link",
        "preview_link",
    ]
    readonly_fields = fields
    inlines = [ReviewStageInline, ReviewApprovalInline, ReviewTransitionForReviewInline]

    class Media:
        css = {"all": ["reviews/admin/stages.css"]}

    def get_queryset(self, request):
        open_now = ReviewStage.objects.filter(open_stage_filter()).select_related(*people.related("assignee"))
        return (
            super()
            .get_queryset(request)
            # list_select_related is not applied to a queryset that selects already: everything here
            .select_related("article", *people.related("submitted_by"), *people.related("reviewer"))
            .prefetch_related(Prefetch("stages", queryset=open_now.order_by("position"), to_attr="open_stages"))
            .annotate(
                publishes_at=_pending_due(Schedule.Kind.PUBLISH, review=OuterRef("pk")),
                withdrawn_at=_pending_due(Schedule.Kind.WITHDRAW, article=OuterRef("article_id")),
            )
        )

    def _open_stages(self, obj):
        return getattr(obj, "open_stages", None) or []

    @admin.display(description=_("stage"))
    def stage(self, obj):
        return ", ".join(s.name for s in self._open_stages(obj)) or "—"

    @admin.display(description=_("assignee"))
    def assignee(self, obj):
        return ", ".join(people.display_name(s.assignee, default="unassigned") for s in self._open_stages(obj)) or "—"

    @admin.display(description=_("due"))
    def due(self, obj):
        stages = [s for s in self._open_stages(obj) if s.due_at]
        if not stages:
            return "—"
        due_at = min(s.due_at for s in stages)
        shown = date_format(timezone.localtime(due_at), "DATE_FORMAT")
        if due_at < timezone.now():
            return format_html('<span class="queue-overdue">{} (overdue)</span>', shown)
        return shown

    @admin.display(description=_("scheduled"))
    def scheduled(self, obj):
        """A pending scheduled publication of this cycle, or withdrawal of its answer (cancellable
        on the schedules list by the board)."""
        parts = []
        if getattr(obj, "publishes_at", None):
            parts.append(f"Publishes {date_format(timezone.localtime(obj.publishes_at), 'DATETIME_FORMAT')}")
        if getattr(obj, "withdrawn_at", None):
            parts.append(f"Withdrawn {date_format(timezone.localtime(obj.withdrawn_at), 'DATETIME_FORMAT')}")
        if not parts:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reviews_schedule_changelist") + "?state__exact=pending",
            "; ".join(parts),
        )

    @admin.display(description=_("submitted by"), ordering="submitted_by")
    def submitted_by_name(self, obj):
        return people.display_name(obj.submitted_by, default="—")

    @admin.display(description=_("reviewer"), ordering="reviewer")
    def reviewer_name(self, obj):
        return people.display_name(obj.reviewer, default="—")

    @admin.display(description=_("article"), ordering="article__question")
    def article_question(self, obj):
        # the queue's first column links to the cycle's record (a link inside it would nest links)
        return str(obj.article)

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


class ReviewTransitionAdmin(ByNameMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "article", "name", "source", "target", "by_name", "comment"]
    list_filter = ["name", "target"]
    list_select_related = ["article", "by"]
    search_fields = ["article__question", "comment", "by__username", "by__first_name", "by__last_name"]
    date_hierarchy = "at"
    fields = ["at", "article", "review", "name", "source", "target", "by_name", "comment"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", *people.related("by"))
