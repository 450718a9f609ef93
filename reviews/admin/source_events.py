"""Source events in the admin: recording a retraction or supersession of a reference, the events
themselves (permanent records), and the alerts they open on the answers citing it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from core.admin import ReadOnlyAdminMixin
from references.models import Reference
from reviews.models import SourceAlert, SourceEvent
from reviews.source_events import alert_resolve, may_record_events, may_resolve_alerts, reference_record_event


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


class SourceEventsReferenceMixin:
    """For the reference admin: its source events, and recording a retraction or supersession."""

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
