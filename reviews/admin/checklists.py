"""The approval checklist's items: the board orders them, marks them required or recommended,
site-wide or for one topic, and retires them. An item once attested is never deleted (its
attestations protect it); an unused one may be."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["text", "level", "topic_or_site", "position", "retired", "times_attested"]
    list_filter = ["retired", "level", "topic"]
    search_fields = ["text"]
    fields = ["text", "level", "topic", "position", "retired"]
    actions = ["retire"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic").annotate(uses=Count("attestations"))

    @admin.display(description=_("for"), ordering="topic__name")
    def topic_or_site(self, obj):
        return obj.topic or _("Every answer (site-wide)")

    @admin.display(description=_("attested in approvals"), ordering="uses")
    def times_attested(self, obj):
        return obj.uses

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.attestations.exists():
            return False  # its approvals keep its text; retire it instead
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, so a used item is never deleted in bulk
        return actions

    @admin.action(description=_("Retire the selected items (no longer offered; approvals keep their text)"))
    def retire(self, request, queryset):
        count = queryset.filter(retired=False).update(retired=True)
        messages.success(
            request, ngettext("%(count)d item retired.", "%(count)d items retired.", count) % {"count": count}
        )
