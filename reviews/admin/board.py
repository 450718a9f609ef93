"""The Medical Advisory Board's public profiles, and each member's disclosures (conflicts of
interest) as an inline. A member edits their own disclosures; people with
`reviews.change_disclosure` (administrators) edit anyone's; the profile itself needs
`reviews.change_boardmember`. Checked on the server: a forged POST gets 403."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reviews.models import Disclosure

PROFILE_FIELDS = ["user", "display_name", "credentials", "specialty", "bio", "disclosures", "is_listed"]


def _own(request, obj) -> bool:
    return obj is not None and obj.user_id == request.user.pk


class DisclosureInline(admin.StackedInline):  # stacked: five boxes with their labels fit at 390 px
    model = Disclosure
    fields = ["organisation", "relationship", "products", "starts_on", "ends_on"]
    extra = 0
    verbose_name_plural = _("Disclosures (conflicts of interest), compared with each answer this member reviews")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "products":
            field.widget.attrs.update(rows=2, cols=24)
        return field

    def _may_edit(self, request, obj) -> bool:
        return _own(request, obj) or request.user.has_perm("reviews.change_disclosure")

    def has_view_permission(self, request, obj=None):
        return _own(request, obj) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)


class BoardMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "specialty", "user", "is_listed", "current_disclosures"]
    list_filter = ["is_listed"]
    search_fields = ["display_name", "user__username", "specialty"]
    autocomplete_fields = ["user"]
    fields = PROFILE_FIELDS
    inlines = [DisclosureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("disclosure_set")

    @admin.display(description=_("current disclosures"))
    def current_disclosures(self, obj):
        from django.utils import timezone

        today = timezone.localdate()
        held = [
            d for d in obj.disclosure_set.all() if d.starts_on <= today and (d.ends_on is None or d.ends_on >= today)
        ]
        return len(held)

    def has_change_permission(self, request, obj=None):
        # a member may open their own profile to edit their disclosures
        return super().has_change_permission(request, obj) or _own(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not super().has_change_permission(request, obj):
            return PROFILE_FIELDS  # their own profile: only the disclosures are theirs to edit
        return []
