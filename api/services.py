"""Writes to API tokens. The admin and the `create_api_token` command call these."""

from django.db import transaction

from api.models import ApiToken, Scope


def api_token_create(*, token: ApiToken) -> str:
    """Save a new token with a fresh secret and return the secret: it is stored only as a hash."""
    unknown = set(token.scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"Unknown scopes: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        secret = token.set_new_secret()
        token.save()
    return secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token now; requests made with it are refused from then on (401)."""
    token.revoke()
    return token
