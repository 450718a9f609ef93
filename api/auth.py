"""Per-client API tokens: `Authorization: Bearer <token>`, scoped, rate-limited, last use recorded."""

import functools
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer

from api.errors import ApiError, error_response
from api.models import ApiToken, ClientKind, Scope, hash_secret
from core.rate_limits import count_in_window

logger = logging.getLogger(__name__)
# Recording every use would write a row per request; to the minute is enough to spot unused tokens.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def rate_limit() -> int:
    return settings.ORACLE_API_RATE_LIMIT


def max_bytes() -> int:
    return settings.ORACLE_API_MAX_BYTES


class TokenAuth(HttpBearer):
    """Accepts an active token whose owner is active; then counts the request against the
    token's per-minute limit (429) and requires `scope` (403)."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token: str) -> ApiToken | None:
        if not token or len(token) > 200:
            return None
        api_token = ApiToken.objects.select_related("owner").filter(token_hash=hash_secret(token.strip())).first()
        if api_token is None or api_token.is_revoked or not api_token.owner.is_active:
            return None
        _count_request(api_token)
        if not api_token.has_scope(self.scope):
            raise ApiError(403, f"This token does not have the scope “{self.scope}”.")
        if self.scope == Scope.DRAFTS_WRITE and api_token.client_kind == ClientKind.UNDECLARED:
            # readers are told who or what drafted an answer: a client that has not said what it is writes nothing
            raise ApiError(
                403,
                "This token's client has not declared what it is (a person, an import, or an automated drafting "
                "system with its model or pipeline): an administrator declares it once under API tokens, then "
                "it can write drafts.",
            )
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        return api_token


def _count_request(api_token: ApiToken) -> None:
    """A fixed one-minute window per token in the shared cache; over the limit is a 429."""
    now = time.time()
    window = int(now // 60)
    try:
        count = count_in_window(f"oracle:api-rate:{api_token.pk}:{window}", seconds=120)
    except Exception:  # noqa: BLE001 - the cache is down: serve known tokens rather than fail every write
        logger.warning("API rate limit not counted: the cache is unreachable", exc_info=True)
        return
    limit = rate_limit()
    if count > limit:
        retry_after = max(1, int(60 - now % 60) + 1)
        raise ApiError(
            429,
            f"Rate limit exceeded: at most {limit} requests a minute per token. Retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


def limit_body_size(run):
    """Refuse a body over ORACLE_API_MAX_BYTES by its Content-Length, before reading it (413)."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        limit = max_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "The Content-Length header is not a number.")
        if length > limit:
            return error_response(
                413, f"The request body is {length} bytes; the limit is {limit} bytes. Nothing was saved."
            )
        return run(request, *args, **kwargs)

    return wrapper
