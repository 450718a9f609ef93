"""Admin mixins every app's admin may use, and the admin of core's own records (effects)."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Records: viewable by those allowed, never added, changed or deleted — by anyone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EffectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What decisions still have to do outside the database, for staff: pending, failed, the last
    error and the attempts; "Retry now" for those allowed (core.retry_effect, checked on the server)."""

    # few columns, so the list fits beside the admin's sidebar at 1,280 px (the rest is on each effect's page)
    list_display = ("__str__", "status", "attempts", "error", "run_after")
    list_filter = ("status",)
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("label", "name", "last_error")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fields = (
        "label",
        "name",
        "args",
        "status",
        "attempts",
        "max_attempts",
        "run_after",
        "lease_until",
        "sent_at",
        "created_at",
        "finished_at",
        "last_error",
    )
    readonly_fields = fields

    @admin.display(description="last error")
    def error(self, obj):
        return obj.last_error.split("\n", 1)[0][:120]

    def has_retry_permission(self, request):
        return request.user.has_perm("core.retry_effect")

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request, queryset):
        from core.tasks import retry_now

        count = retry_now(queryset)
        self.message_user(
            request, f"{count} effect(s) will be retried now (done and running ones are left as they are)."
        )
