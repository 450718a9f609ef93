"""Writes to API tokens. The admin and the `create_api_token` command call these."""

from django.core.exceptions import ValidationError
from django.db import transaction

from api.models import ApiToken, ClientKind, Scope


def api_token_create(*, token: ApiToken) -> str:
    """Save a new token with a fresh secret and return the secret: it is stored only as a hash."""
    unknown = set(token.scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"Unknown scopes: {', '.join(sorted(unknown))}")
    if token.client_kind not in ClientKind.values or token.client_kind == ClientKind.UNDECLARED:
        raise ValidationError(
            {"client_kind": "Declare what the client is: a person, an import or an automated drafting system."}
        )
    token.clean()  # an automated system names its model or pipeline; no one else does
    with transaction.atomic():
        secret = token.set_new_secret()
        token.save()
    return secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token now; requests made with it are refused from then on (401)."""
    token.revoke()
    return token
