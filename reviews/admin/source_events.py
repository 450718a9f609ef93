"""Source events in the admin: recording (or proposing) a retraction or supersession of a
reference, the board confirming or rejecting proposals, the events and decisions themselves
(permanent records), and the alerts they open on the answers citing it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from core.admin import ReadOnlyAdminMixin, person_column
from core.people import display_name
from references.models import Reference
from reviews.models import SourceAlert, SourceEvent
from reviews.models.currency import confirmed_notices
from reviews.source_event_decisions import event_confirm, event_reject, outdated_notice
from reviews.source_events import (
    alert_resolve,
    may_confirm_events,
    may_record_events,
    may_resolve_alerts,
    reference_record_event,
)


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
    list_display = ["article", "event", "opened_at", "state", "resolved_by_name", "resolved_at"]
    list_filter = [OpenFilter, "event__kind"]
    list_select_related = ["article", "event__reference", "resolved_by", "resolved_by__board_member"]
    resolved_by_name = person_column("resolved_by", _("resolved by"))
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


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return SourceEvent.State.choices

    def queryset(self, request, queryset):
        if self.value() == SourceEvent.State.PROPOSED:
            return queryset.proposed()
        if self.value() == SourceEvent.State.CONFIRMED:
            return queryset.confirmed()
        if self.value() == SourceEvent.State.REJECTED:
            return queryset.rejected()
        return queryset


class ConfirmEventForm(forms.Form):
    # the notice the board member is shown: confirmed only if it still reads so
    notice = forms.CharField(widget=forms.HiddenInput, strip=False)
    reason = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Optional: what you checked. Recorded permanently with your name."),
    )


class RejectEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the proposal is rejected"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Recorded permanently with your name; the proposal stays on record and changes nothing."),
    )


class SourceEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "kind",
        "occurred_on",
        "replacement",
        "state",
        "recorded_by_name",
        "recorded_at",
        "source",
    ]
    list_filter = [StateFilter, "kind"]
    list_select_related = ["reference", "replacement", "recorded_by", "recorded_by__board_member"]
    recorded_by_name = person_column("recorded_by", _("recorded by"))
    search_fields = ["reference__key", "reference__title", "reference__doi", "reference__pmid"]
    readonly_fields = ["decision_list"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # the read-only form still builds one

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.get_state_display()

    @admin.display(description=_("the board's decisions"))
    def decision_list(self, obj):
        decisions = obj.decisions.select_related("by")
        if not decisions:
            return _("None yet: a proposal. Readers see nothing of it until a board member confirms it.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} by {} on {}{}</li>",
                (
                    (
                        d.get_outcome_display().capitalize(),
                        display_name(d.by, default="the importer"),
                        date_format(timezone.localtime(d.at), "DATETIME_FORMAT"),
                        format_html(": readers see “{}”", d.notice) if d.notice else "",
                    )
                    for d in decisions
                ),
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/confirm/", self.admin_site.admin_view(self.confirm_view), name="reviews_sourceevent_confirm"
            ),
            path("<int:pk>/reject/", self.admin_site.admin_view(self.reject_view), name="reviews_sourceevent_reject"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if event is not None and may_confirm_events(request.user):
            if event.state == SourceEvent.State.PROPOSED:
                extra_context["confirm_url"] = reverse("admin:reviews_sourceevent_confirm", args=[event.pk])
                extra_context["reject_url"] = reverse("admin:reviews_sourceevent_reject", args=[event.pk])
            elif outdated_notice(event) is not None:
                extra_context["confirm_again_url"] = reverse("admin:reviews_sourceevent_confirm", args=[event.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def _event(self, request, pk):
        event = get_object_or_404(
            SourceEvent.objects.select_related("reference", "replacement", "recorded_by").with_state(), pk=pk
        )
        if not may_confirm_events(request.user):
            raise PermissionDenied
        return event

    def _decide(self, request, event, *, form, decide, done, title, action):
        if request.method == "POST" and form.is_valid():
            try:
                decide(form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                if "notice" in form.fields:  # shown again as it reads now: confirming again confirms that
                    form.data = form.data.copy()
                    form.data["notice"] = event.reader_notice()
            else:
                messages.success(request, done)
                return redirect("admin:reviews_sourceevent_change", event.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "event": event,
            "form": form,
            "title": title,
            "action": action,
            "notice": event.reader_notice(),
            "outdated": outdated_notice(event),
            "citing": Article.objects.filter(current_publication__citations__reference=event.reference).distinct(),
        }
        return TemplateResponse(request, "admin/reviews/sourceevent/decide.html", context)

    def confirm_view(self, request, pk):
        event = self._event(request, pk)
        again = event.state == SourceEvent.State.CONFIRMED

        return self._decide(
            request,
            event,
            form=ConfirmEventForm(request.POST or None, initial={"notice": event.reader_notice()}),
            decide=lambda data: event_confirm(
                event=event, by=request.user, reason=data["reason"], seen_notice=data["notice"]
            ),
            done=_("Notice confirmed again: readers now see it as it reads today.")
            if again
            else _(
                "Confirmed. Readers now see the notice on this citation; every published answer citing the source "
                "has an open alert in the re-review queue."
            ),
            title=_("Confirm the notice again") if again else _("Confirm a proposed source event"),
            action="confirm",
        )

    def reject_view(self, request, pk):
        event = self._event(request, pk)
        return self._decide(
            request,
            event,
            form=RejectEventForm(request.POST or None),
            decide=lambda data: event_reject(event=event, by=request.user, reason=data["reason"]),
            done=_("Rejected. The proposal stays on record with your reason; nothing changed for readers."),
            title=_("Reject a proposed source event"),
            action="reject",
        )


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
        notice = confirmed_notices([obj.key]).get(obj.key)
        seen = format_html("Readers see: “{}”", notice) if notice else _("Nothing that readers see.")
        proposals = SourceEvent.objects.proposed().filter(reference=obj).order_by("recorded_at")
        waiting = format_html_join(
            "",
            '<li>Proposed, awaiting the board: <a href="{}">{}</a></li>',
            ((reverse("admin:reviews_sourceevent_change", args=[p.pk]), str(p)) for p in proposals),
        )
        return format_html("{}<ul>{}</ul>", seen, waiting) if waiting else seen

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
                if recorded.confirmed:
                    message = _(
                        "Recorded. %(n)s published answer(s) cite this source: each has an open alert and shows readers a notice."
                    ) % {"n": len(recorded.alerts)}
                else:
                    message = _(
                        "Proposed. Nothing changes for readers until a member of the Medical Advisory Board confirms "
                        "it; the board finds it in the re-review queue."
                    )
                messages.success(request, message)
                return redirect("admin:references_reference_change", reference.pk)
        citing = Article.objects.filter(current_publication__citations__reference=reference).distinct()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "reference": reference,
            "form": form,
            "citing": citing,
            "may_confirm": may_confirm_events(request.user),
            "title": _("Record a retraction or supersession"),
        }
        return TemplateResponse(request, "admin/references/reference/record_event.html", context)
