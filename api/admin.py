from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from api.models import DECLARABLE_KINDS, ApiToken, ClientKind, Scope
from api.services import api_token_create, api_token_revoke


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("No endpoint can approve or publish, whatever the scopes."),
    )

    class Meta:
        model = ApiToken
        fields = ["owner", "name", "scopes", "client_kind", "system_name"]
        widgets = {"client_kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields.get("client_kind")
        if kind is not None:
            # "Not declared" is only what tokens older than the declaration were migrated to.
            kind.choices = DECLARABLE_KINDS
            if not self.instance.pk:
                kind.initial = None


class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "client", "owner", "token_hint", "scope_list", "created_at", "last_used_at", "status"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "client_kind"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username", "token_hint", "system_name"]
    readonly_fields = ["token_hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            # The owner is who the API acts as; a different owner is a different token. What the
            # client is was declared when the token was made (once, for tokens older than that).
            fixed = ["owner"] if obj.client_kind == ClientKind.UNDECLARED else ["owner", "client_kind"]
            return [*fixed, *self.readonly_fields]
        return []

    def get_fields(self, request, obj=None):
        if obj is None or not obj.pk:
            return ["owner", "name", "client_kind", "system_name", "scopes"]
        return [
            "owner",
            "name",
            "client_kind",
            "system_name",
            "scopes",
            "token_hint",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = api_token_create(token=obj)
        messages.warning(
            request,
            format_html(
                "The token for “{}” is <code>{}</code>. Copy it now: only a hash is stored, "
                "and it will not be shown again.",
                obj.name,
                secret,
            ),
        )

    def has_delete_permission(self, request, obj=None):
        # Revoke instead: the record says which client did what, and when it was last used.
        return False

    @admin.display(description=_("the client is"), ordering="client_kind")
    def client(self, obj):
        if obj.client_kind == ClientKind.AUTOMATED:
            return f"{obj.get_client_kind_display()}: {obj.system_name}"
        return obj.get_client_kind_display()

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes or []) or "—"

    @admin.display(description=_("status"))
    def status(self, obj):
        return _("revoked") if obj.is_revoked else _("active")

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)
