"""Scheduled publications and withdrawals: the list (pending first, by default), each schedule's
page with its trail and a "Cancel" button for the board, and "Schedule a withdrawal". Every
write goes through `reviews.schedules`, which checks the permission again (a forged POST: 403)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import people
from core.admin import ReadOnlyAdminMixin, person_column
from reviews.models import Schedule, ScheduleEvent
from reviews.schedules import parse_due, schedule_cancel, schedule_withdrawal


class ScheduleEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ScheduleEvent
    fields = ["at", "action", "by_name", "note"]
    readonly_fields = fields
    extra = 0
    by_name = person_column("by", _("by"))
    verbose_name_plural = _("Audit trail")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*people.related("by"))


class WithdrawalScheduleForm(forms.ModelForm):
    due_at = forms.DateTimeField(
        label=_("Withdraw on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Date and time, in the site's time zone; readers see the answer until then."),
    )

    class Meta:
        model = Schedule
        fields = ["article", "due_at", "reason"]
        labels = {"reason": _("Reason readers will see")}

    def clean_due_at(self):
        due, problems = parse_due(self.cleaned_data["due_at"], what="Withdraw on")
        if problems:
            raise ValidationError(problems)
        return due

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("Give the reason readers will see: it is required to withdraw an answer."))
        return reason


class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["question", "kind", "due_at", "state", "scheduled_by", "article_link"]
    list_filter = ["state", "kind"]
    search_fields = ["article__question", "article__slug", "reason"]
    ordering = ["-state", "due_at", "id"]  # pending first (p > f > d > c), then by when
    inlines = [ScheduleEventInline]
    fields = ["kind", "article", "review", "due_at", "reason", "state", "scheduled_by", "created_at", "closed_by_name"]
    fields += ["closed_at", "publication", "withdrawal", "error"]
    readonly_fields = fields
    autocomplete_fields = ["article"]
    change_form_template = "admin/reviews/schedule/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "article",
                "review",
                "publication",
                "withdrawal",
                *people.related("created_by"),
                *people.related("closed_by"),
            )
        )

    scheduled_by = person_column("created_by", _("scheduled by"), default="the system")

    closed_by_name = person_column("closed_by", _("closed by"))

    @admin.display(description=_("answer"), ordering="article__question")
    def question(self, obj):
        return obj.article.question

    @admin.display(description=_("article"))
    def article_link(self, obj):
        return format_html(
            '<a href="{}">The article</a>', reverse("admin:articles_article_change", args=[obj.article_id])
        )

    # adding: only a withdrawal (a publication is scheduled by the approval that completes a review)
    def has_add_permission(self, request):
        return request.user.has_perm("articles.withdraw_article")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return WithdrawalScheduleForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["article", "due_at", "reason"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_changeform_initial_data(self, request):
        return {"article": request.GET.get("article")} if request.GET.get("article", "").isdigit() else {}

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = WithdrawalScheduleForm(request.POST)
            if form.is_valid():
                try:
                    schedule = schedule_withdrawal(
                        article=form.cleaned_data["article"],
                        by=request.user,
                        due_at=form.cleaned_data["due_at"],
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    # e.g. the answer is not public, or a withdrawal of it is already scheduled
                    for message in error.messages:
                        messages.error(request, message)
                    return redirect(request.get_full_path())
                messages.success(request, f"Scheduled: {schedule}.")
                return redirect("admin:reviews_schedule_change", schedule.pk)
        # GET, or an invalid form: the admin's form page shows the errors by field
        return super().add_view(request, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/cancel/",
                self.admin_site.admin_view(require_POST(self.cancel_view)),
                name="reviews_schedule_cancel",
            ),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["cancel_url"] = reverse("admin:reviews_schedule_cancel", args=[obj.pk])
            context["can_cancel"] = obj.is_pending and request.user.has_perm("reviews.cancel_schedule")
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def cancel_view(self, request, pk):
        """Cancel one pending schedule. PermissionDenied propagates: a forged POST gets 403."""
        schedule = get_object_or_404(Schedule, pk=pk)
        try:
            schedule_cancel(schedule=schedule, by=request.user, note=request.POST.get("note", ""))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Cancelled: {schedule}.")
        return redirect("admin:reviews_schedule_change", schedule.pk)
