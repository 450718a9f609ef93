"""Admin mixins every app's admin may use."""


class ReadOnlyAdminMixin:
    """Records: viewable by those allowed, never added, changed or deleted — by anyone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
