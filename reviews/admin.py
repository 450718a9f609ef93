import bisect
from datetime import timedelta

import nested_admin
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from articles.admin import ArticleAdmin, ReadOnlyAdminMixin
from articles.admin import ReferenceAdmin as CitedReferenceAdmin
from articles.answer_page import answer_page_context
from articles.models import Article
from articles.rendering import render_body_html
from references.models import Reference, SourceEvent
from reviews.cadence import queue_counts, rereview_queue
from reviews.models import BoardMember, ReReviewQueue, Review, ReviewApproval, ReviewTransition, SourceAlert
from reviews.services import (
    LABELS,
    TRANSITIONS,
    ReviewRefused,
    available_transitions,
    required_approvals,
    review_submit,
)
from reviews.sources import alert_resolve, may_record_events, may_resolve_alerts, reference_record_event


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


# --- keeping answers current: the re-review queue, source events and their alerts -------------


class DueFilter(admin.SimpleListFilter):
    title = _("re-review")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        counts = queue_counts()
        return [
            ("alerts", f"Source alerts ({counts['source_alerts']})"),
            ("overdue", f"Overdue ({counts['overdue']})"),
            ("soon", f"Due within {settings.ORACLE_REVIEW_DUE_NOTICE_DAYS} days ({counts['due_soon']})"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "alerts":
            return queryset.filter(open_alerts__gt=0)
        if self.value() == "overdue":
            return queryset.filter(next_review_due__lt=today)
        if self.value() == "soon":
            window = today + timedelta(days=settings.ORACLE_REVIEW_DUE_NOTICE_DAYS)
            return queryset.filter(next_review_due__gte=today, next_review_due__lte=window)
        return queryset


@admin.register(ReReviewQueue)
class ReReviewQueueAdmin(admin.ModelAdmin):
    """Which answers are stale or stand on a retracted source, at a glance: alerts first, then overdue."""

    list_display = ["question_link", "due_status", "next_review_due", "last_reviewed_on", "alerts", "review_status"]
    list_display_links = None  # question_link links to the article itself; the proxy has no page of its own
    list_filter = [DueFilter, "topic"]
    search_fields = ["question"]
    list_per_page = 50

    def get_queryset(self, request):
        # not super(): it orders by get_ordering()'s annotation before rereview_queue() adds it
        return rereview_queue(self.model._default_manager.get_queryset()).select_related("topic")

    def get_ordering(self, request):
        return ["-open_alerts", "next_review_due", "question"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        counts = queue_counts()
        extra_context = {
            **(extra_context or {}),
            "title": _("Due for re-review: %(a)s with source alerts, %(o)s overdue, %(s)s due soon")
            % {"a": counts["source_alerts"], "o": counts["overdue"], "s": counts["due_soon"]},
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("answer"), ordering="question")
    def question_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[obj.pk]), obj.question)

    @admin.display(description=_("status"))
    def due_status(self, obj):
        if obj.next_review_due is None:
            return "—"
        days = (obj.next_review_due - timezone.localdate()).days
        if days < 0:
            return format_html('<strong class="due-overdue">{}</strong>', _("overdue by %(n)s days") % {"n": -days})
        return _("due in %(n)s days") % {"n": days}

    @admin.display(description=_("open source alerts"), ordering="open_alerts")
    def alerts(self, obj):
        if not obj.open_alerts:
            return "—"
        url = reverse("admin:reviews_sourcealert_changelist") + f"?article__id__exact={obj.pk}&open=yes"
        return format_html('<a class="due-overdue" href="{}">{}</a>', url, obj.open_alerts)


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("open")), ("no", _("resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class ResolveAlertForm(forms.Form):
    comment = forms.CharField(
        label=_("Why the answer can stay as it is"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("What you re-checked; recorded permanently with your name."),
    )


@admin.register(SourceAlert)
class SourceAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["article", "event", "opened_at", "state", "resolved_by", "resolved_at"]
    list_filter = [OpenFilter, "event__kind"]
    list_select_related = ["article", "event__reference", "resolved_by"]
    search_fields = ["article__question", "event__reference__key", "event__reference__title"]

    @admin.display(description=_("state"))
    def state(self, obj):
        return _("open") if obj.is_open else obj.get_resolution_display()

    def get_urls(self):
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="reviews_sourcealert_resolve",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        alert = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if alert is not None and alert.is_open and may_resolve_alerts(request.user):
            extra_context["resolve_url"] = reverse("admin:reviews_sourcealert_resolve", args=[alert.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def resolve_view(self, request, pk):
        alert = get_object_or_404(SourceAlert.objects.select_related("article", "event__reference"), pk=pk)
        if not may_resolve_alerts(request.user):
            raise PermissionDenied
        form = ResolveAlertForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                alert_resolve(alert=alert, by=request.user, comment=form.cleaned_data["comment"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Alert resolved; the answer stays as approved."))
                return redirect("admin:reviews_rereviewqueue_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "alert": alert,
            "form": form,
            "title": _("Resolve source alert"),
        }
        return TemplateResponse(request, "admin/reviews/sourcealert/resolve.html", context)


@admin.register(SourceEvent)
class SourceEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "kind", "occurred_on", "replacement", "recorded_by", "recorded_at", "source"]
    list_filter = ["kind"]
    list_select_related = ["reference", "replacement", "recorded_by"]
    search_fields = ["reference__key", "reference__title", "reference__doi", "reference__pmid"]


class SourceEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=SourceEvent.Kind.choices)
    occurred_on = forms.DateField(label=_("Date"), help_text=_("YYYY-MM-DD"))
    notice_url = forms.URLField(label=_("Notice URL"), required=False, assume_scheme="https")
    replacement = forms.ModelChoiceField(
        label=_("Replaced by"),
        queryset=Reference.objects.all(),
        required=False,
        help_text=_("For a superseded reference: the one that replaces it."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EventfulReferenceAdmin(CitedReferenceAdmin):
    """The bibliography, plus recording a retraction or supersession of a source."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "source_status"]

    def get_fieldsets(self, request, obj=None):
        # ReferenceAdmin declares fieldsets, so get_fields() would never be asked.
        fieldsets = super().get_fieldsets(request, obj)
        return [*fieldsets, (_("Source events"), {"fields": ["source_status"]})] if obj is not None else fieldsets

    @admin.display(description=_("source events"))
    def source_status(self, obj):
        # The "Record a retraction or supersession" button is in the change form's object tools
        # (templates/admin/references/reference/change_form.html), shown to those allowed: no
        # request stashed on this admin, which every request and thread shares.
        return obj.reader_notice() or _("None recorded.")

    def get_urls(self):
        return [
            path(
                "<int:pk>/record-event/",
                self.admin_site.admin_view(self.record_event_view),
                name="references_reference_record_event",
            ),
            *super().get_urls(),
        ]

    def record_event_view(self, request, pk):
        reference = get_object_or_404(Reference, pk=pk)
        if not may_record_events(request.user):
            raise PermissionDenied
        form = SourceEventForm(request.POST or None)
        form.fields["replacement"].queryset = Reference.objects.exclude(pk=reference.pk)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                recorded = reference_record_event(
                    reference=reference,
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    notice_url=data["notice_url"],
                    replacement=data["replacement"],
                    note=data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _(
                        "Recorded. %(n)s published answer(s) cite this source: each has an open alert and shows readers a notice."
                    )
                    % {"n": len(recorded.alerts)},
                )
                return redirect("admin:references_reference_change", reference.pk)
        citing = Article.objects.filter(current_publication__citations__reference=reference).distinct()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "reference": reference,
            "form": form,
            "citing": citing,
            "title": _("Record a retraction or supersession"),
        }
        return TemplateResponse(request, "admin/references/reference/record_event.html", context)


admin.site.unregister(Reference)
admin.site.register(Reference, EventfulReferenceAdmin)
