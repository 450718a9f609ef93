"""The "Error reports" triage queue (readers' reports on claims, `articles/error_reports.py`), and
the panel of an answer's open reports on its change form.

Reports are records: nobody adds, edits or deletes one here (the reader's text and the claim as
published are read-only). The decisions are POST-only views calling the service functions, each
checking the triage permission on the server (a forged POST gets 403).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.error_reports import (
    ErrorReportRefused,
    error_report_accept,
    error_report_fix,
    error_report_open_update,
    error_report_reject,
    fixing_publications,
    may_triage,
)
from articles.models import ErrorReport
from core import people
from core.admin import ReadOnlyAdminMixin, person_column
from core.text import clean_text


class StateFilter(admin.SimpleListFilter):
    """Open reports (new and accepted) unless another state is chosen."""

    title = _("state")
    parameter_name = "state"
    OPEN, ALL = "open", "all"

    def lookups(self, request, model_admin):
        return [(self.OPEN, _("Open (new or accepted)")), *ErrorReport.State.choices, (self.ALL, _("All"))]

    def choices(self, changelist):
        value = self.value() or self.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.OPEN
        if value == self.OPEN:
            return queryset.open()
        if value in ErrorReport.State.values:
            return queryset.filter(state=value)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "yes" else queryset


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was decided and why; recorded with the report (required to reject or mark fixed)."),
    )


class FixForm(ResolutionForm):
    fixed_in = forms.ModelChoiceField(
        label=_("Fixed in"),
        queryset=None,
        required=False,
        empty_label=_("No later publication yet"),
        help_text=_("The version of the answer that corrected the claim."),
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fixed_in"].queryset = later = fixing_publications(report)
        if not self.is_bound:  # the newest later version, most often the one that fixed it
            self.fields["fixed_in"].initial = later.values_list("pk", flat=True).first()
        self.fields["fixed_in"].label_from_instance = lambda p: f"Version {p.number} ({p.published_at:%Y-%m-%d})"


def _shortened(text: str, limit: int = 120) -> str:
    return Truncator(" ".join(text.split())).chars(limit)


class ErrorReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # the due date says how late an open report is (one column: the queue fits beside its filters)
    list_display = ["received", "state", "due", "answer", "claim", "report"]
    list_display_links = ["received"]
    list_filter = [StateFilter, OverdueFilter]
    list_select_related = ["article", "publication"]
    search_fields = ["claim_text", "text", "article__question"]
    date_hierarchy = "created_at"
    fields = [
        "state",
        "due_on",
        "answer",
        "version",
        "section_heading",
        "claim_as_published",
        "text",
        "source_given",
        "email",
        "created_at",
        "board_notified_at",
        "resolution",
        "resolved_by",
        "resolved_at",
        "fixed_in_link",
        "trail",
    ]
    readonly_fields = fields
    change_form_template = "admin/articles/errorreport/change_form.html"

    class Media:
        css = {"all": ["articles/admin/error_reports.css"]}

    def has_change_permission(self, request, obj=None):
        return False  # the decisions are the actions below, never an edit

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*people.related("resolved_by"))

    @admin.display(description=_("received"), ordering="created_at")
    def received(self, obj):
        received = timezone.localtime(obj.created_at)
        return f"{date_format(received)}, {time_format(received)}"

    @admin.display(description=_("due"), ordering="due_on")
    def due(self, obj):
        late = (timezone.localdate() - obj.due_on).days
        if not obj.is_open or late <= 0:
            return date_format(obj.due_on)
        return format_html(
            '{}<br><strong class="error-report-overdue">{} day{} overdue</strong>',
            date_format(obj.due_on),
            late,
            "" if late == 1 else "s",
        )

    @admin.display(description=_("answer"), ordering="article__question")
    def answer(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[obj.article_id]), obj.article.question
        )

    @admin.display(description=_("claim as published"))
    def claim(self, obj):
        return _shortened(f"{obj.section_heading}: {obj.claim_text}" if obj.section_heading else obj.claim_text)

    @admin.display(description=_("what the reader says"))
    def report(self, obj):
        return _shortened(obj.text)

    @admin.display(description=_("claim as published"))
    def claim_as_published(self, obj):
        return format_html('<blockquote class="error-report-claim">{}</blockquote>', obj.claim_text)

    @admin.display(description=_("version"))
    def version(self, obj):
        return format_html(
            '<a href="{}">Version {}</a>, {}', obj.publication.get_absolute_url(), obj.publication.number, obj.position
        )

    @admin.display(description=_("source given"))
    def source_given(self, obj):
        if obj.source.startswith(("http://", "https://")):
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.source, obj.source)
        return obj.source or "—"

    @admin.display(description=_("fixed in"))
    def fixed_in_link(self, obj):
        if obj.fixed_in_id is None:
            return "—"
        return format_html('<a href="{}">Version {}</a>', obj.fixed_in.get_absolute_url(), obj.fixed_in.number)

    @admin.display(description=_("trail"))
    def trail(self, obj):
        events = obj.events.select_related(*people.related("by"))
        return format_html(
            '<ol class="error-report-trail">{}</ol>',
            format_html_join(
                "",
                "<li><strong>{}</strong> {} — {}{}</li>",
                (
                    (
                        e.get_action_display(),
                        f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}",
                        people.display_name(e.by, default="reader"),
                        f": {e.note}" if e.note else "",
                    )
                    for e in events
                ),
            ),
        )

    resolved_by_name = person_column("resolved_by", _("resolved by"))

    # --- the decisions ------------------------------------------------------------------------

    def get_urls(self):
        def view(name, func):
            return path(
                f"<int:pk>/{name}/",
                self.admin_site.admin_view(require_POST(func)),
                name=f"articles_errorreport_{name.replace('-', '_')}",
            )

        return [
            view("accept", self.accept_view),
            view("reject", self.reject_view),
            view("fix", self.fix_view),
            view("open-update", self.open_update_view),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if report is not None:
            # the decisions follow the record, in forms of their own
            extra_context.update(self._actions_context(request, report))
        return super().change_view(request, object_id, form_url, extra_context)

    def _actions_context(self, request, report, *, reject_form=None, fix_form=None, refusal=""):
        triage = may_triage(request.user) and report.is_open
        return {
            "report": report,
            "may_triage": triage,
            "may_accept": triage and report.state == ErrorReport.State.NEW,
            "may_open_update": report.state == ErrorReport.State.ACCEPTED
            and request.user.has_perm("articles.change_article"),
            "reject_form": reject_form or ResolutionForm(prefix="reject"),
            "fix_form": fix_form or FixForm(prefix="fix", report=report),
            "refusal": refusal,
        }

    def _report(self, request, pk):
        if not request.user.has_perm("articles.view_errorreport"):
            raise PermissionDenied
        return get_object_or_404(ErrorReport.objects.select_related("article", "publication"), pk=pk)

    def _done(self, request, report, message):
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_errorreport_change", args=[report.pk]))

    def _refused(self, request, report, refusal, status=400, **forms_):
        context = {
            **self.admin_site.each_context(request),
            **self._actions_context(request, report, refusal=refusal, **forms_),
            "title": str(report),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/errorreport/refused.html", context, status=status)

    def accept_view(self, request, pk):
        report = self._report(request, pk)
        try:
            error_report_accept(report=report, by=request.user)
        except ErrorReportRefused as refused:
            return self._refused(request, report, " ".join(refused.messages), status=409)
        return self._done(request, report, "Accepted: the report stays open until the claim is fixed.")

    def reject_view(self, request, pk):
        report = self._report(request, pk)
        if not may_triage(request.user):
            raise PermissionDenied
        form = ResolutionForm(request.POST, prefix="reject")
        if not form.is_valid() or not clean_text(form.cleaned_data["resolution"]).strip():
            return self._refused(request, report, "Write the resolution to reject the report.", reject_form=form)
        try:
            error_report_reject(report=report, by=request.user, resolution=form.cleaned_data["resolution"])
        except ErrorReportRefused as refused:
            return self._refused(request, report, " ".join(refused.messages), status=409, reject_form=form)
        return self._done(request, report, "Rejected: the claim stands; the resolution is recorded.")

    def fix_view(self, request, pk):
        report = self._report(request, pk)
        if not may_triage(request.user):
            raise PermissionDenied
        form = FixForm(request.POST, prefix="fix", report=report)
        if not form.is_valid() or not clean_text(form.cleaned_data["resolution"]).strip():
            return self._refused(request, report, "Write the resolution to mark the report fixed.", fix_form=form)
        try:
            error_report_fix(
                report=report,
                by=request.user,
                resolution=form.cleaned_data["resolution"],
                fixed_in=form.cleaned_data["fixed_in"],
            )
        except ErrorReportRefused as refused:
            return self._refused(request, report, " ".join(refused.messages), status=409, fix_form=form)
        return self._done(request, report, "Marked fixed; the resolution is recorded.")

    def open_update_view(self, request, pk):
        report = self._report(request, pk)
        try:
            error_report_open_update(report=report, by=request.user)
        except ErrorReportRefused as refused:
            return self._refused(request, report, " ".join(refused.messages), status=409)
        self.message_user(
            request,
            f"Error report #{report.pk} is linked to this answer's next version: "
            f"correct {report.position} (“{report.section_heading}”), then submit the update for review.",
            messages.INFO,
        )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[report.article_id]) + f"#error-report-{report.pk}"
        )


class ErrorReportsPanelMixin:
    """For the article admin: the answer's open error reports, above the form, each linked to its report."""

    @property
    def media(self):
        # a mixin's own `class Media` is not collected by the admin's metaclass: add it here
        return super().media + forms.Media(css={"all": ["articles/admin/error_reports.css"]})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and request.user.has_perm("articles.view_errorreport"):
            context["open_error_reports"] = list(
                ErrorReport.objects.open().filter(article=obj).select_related("publication").order_by("due_on", "pk")
            )
            context["today"] = timezone.localdate()
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
