"""Admin mixins every app's admin may use, and the admin of core's own records (effects)."""

from django.contrib import admin

from core import people


def person_column(field: str, description, *, default: str = "—"):
    """An admin column (or read-only field) naming the person in `field` the way every page does:
    display name, with credentials for board members (`core.people`), never a username. The admin's
    queryset should select `people.related(field)`."""

    @admin.display(description=description, ordering=field)
    def column(self, obj):
        return people.display_name(getattr(obj, field), default=default)

    column.__name__ = f"{field}_name"
    return column


class LabelledInlineMixin:
    """For a tabular inline: each box says which row and field it edits ("Stage 2: quorum"), since
    the table's column headings are not labels (axe-core `label`, `select-name`)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        noun = str(self.model._meta.verbose_name).capitalize()

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                row = "new" if index is None else index + 1
                for name, field in form.fields.items():
                    label = "Delete" if name == "DELETE" else str(field.label or name)
                    # a related field's select sits inside the admin's add/change-links wrapper
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", f"{noun} {row}: {label}")

        return Labelled


class ReadOnlyAdminMixin:
    """Records: viewable by those allowed, never added, changed or deleted — by anyone. A field that
    links to a person is shown as their name (`person_column`), never as a username."""

    def get_fields(self, request, obj=None):
        return [self._person_field(name) for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return [self._person_field(name) for name in super().get_readonly_fields(request, obj)]

    def _person_field(self, name):
        from django.conf import settings

        try:
            field = self.model._meta.get_field(name)
        except Exception:  # a method or an admin attribute, not a model field
            return name
        if not (
            field.is_relation and field.many_to_one and field.related_model._meta.label == settings.AUTH_USER_MODEL
        ):
            return name
        shown = f"{name}_name"
        if not hasattr(self, shown):
            column = person_column(name, field.verbose_name)
            setattr(self, shown, lambda obj: column(self, obj))
            getattr(self, shown).short_description = field.verbose_name
        return shown

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
