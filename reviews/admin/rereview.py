"""The re-review queue: published answers with source alerts first, then overdue, then due soon."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reviews.cadence import queue_counts, rereview_queue


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


class ReReviewQueueAdmin(admin.ModelAdmin):
    """Which answers are stale or stand on a retracted source, at a glance: alerts first, then overdue."""

    list_display = [
        "question_link",
        "due_status",
        "next_review_due",
        "last_reviewed_on",
        "literature_through",
        "alerts",
        "review_status",
    ]
    list_display_links = None  # question_link links to the article itself; the proxy has no page of its own
    list_filter = [DueFilter, "topic"]
    search_fields = ["question"]
    list_per_page = 50

    def get_queryset(self, request):
        # not super(): it orders by get_ordering()'s annotation before rereview_queue() adds it
        # the literature date the board approved (the current publication's), to sort by: oldest search first
        return (
            rereview_queue(self.model._default_manager.get_queryset())
            .select_related("topic")
            .annotate(approved_literature_through=F("current_publication__literature_through"))
        )

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

    @admin.display(
        description=_("literature reviewed through"),
        ordering=F("approved_literature_through").asc(nulls_first=True),
    )
    def literature_through(self, obj):
        return obj.approved_literature_through or "—"

    @admin.display(description=_("open source alerts"), ordering="open_alerts")
    def alerts(self, obj):
        if not obj.open_alerts:
            return "—"
        url = reverse("admin:reviews_sourcealert_changelist") + f"?article__id__exact={obj.pk}&open=yes"
        return format_html('<a class="due-overdue" href="{}">{}</a>', url, obj.open_alerts)
