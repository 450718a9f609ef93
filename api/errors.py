"""Every error the API returns is JSON shaped like `schemas.Error`: a `detail` sentence and, where
a part of the request is at fault, `errors` naming each field."""

import re

from django.conf import settings
from django.core import signals
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.log import log_response
from django_fsm import TransitionNotAllowed
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from articles.drafts import DraftConflict, DraftInvalid, UnknownCitations
from articles.models import ArticleLocked
from reviews.services import ReviewRefused

try:  # the optimistic-locking counter (Article.edit_version) may not have landed yet
    from articles.models import EditConflict
except ImportError:  # pragma: no cover

    class EditConflict(Exception):
        messages: list[str] = []


class ApiError(Exception):
    """An error response raised from anywhere in an operation (auth included)."""

    def __init__(self, status: int, detail: str, *, errors=None, headers=None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers, self.extra = status, detail, errors or [], headers, extra


def error_response(status: int, detail: str, *, errors=None, headers=None, **extra) -> JsonResponse:
    body = {"detail": detail, "errors": errors or [], **extra}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc) -> str:
    """ninja's error location, e.g. ("body", "draft", "sections", 0, "heading") → "sections[0].heading"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] in ("draft", "submission"):
            parts.pop(0)  # the view's parameter name, not part of the JSON
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _message(error: dict) -> str:
    message = error.get("msg", "Invalid value.")
    return re.sub(r"^Value error, ", "", message)


def _validation_dict(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "body" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "body", "message": message} for message in exc.messages]


def install(api) -> None:
    """Map exceptions from ninja and from our services to JSON error responses."""

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return error_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers, **exc.extra)

    @api.exception_handler(RequestInvalid)
    def request_invalid(request, exc: RequestInvalid):
        errors = [{"field": _field_name(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        return error_response(400, f"The request is not valid: see {fields}.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            401,
            "Authentication required: send `Authorization: Bearer <token>` with an API token that is not revoked.",
            headers={"WWW-Authenticate": 'Bearer realm="oracle"'},
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return error_response(
                400,
                "The request body is not valid JSON.",
                errors=[{"field": "body", "message": "Send a JSON object with Content-Type: application/json."}],
            )
        return error_response(exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(404, str(exc) or "Not found.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(403, f"Permission denied: {exc}" if str(exc) else "Permission denied.")

    @api.exception_handler(UnknownCitations)
    def unknown_citations(request, exc: UnknownCitations):
        return error_response(
            422,
            f"The draft cites unknown reference keys: {', '.join(exc.unknown_keys)}. Nothing was saved.",
            errors=_validation_dict(exc),
            unknown_keys=exc.unknown_keys,
        )

    @api.exception_handler(DraftInvalid)
    def draft_invalid(request, exc: DraftInvalid):
        errors = _validation_dict(exc)
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        return error_response(400, f"The draft is not valid: see {fields}. Nothing was saved.", errors=errors)

    @api.exception_handler(ArticleLocked)
    def locked(request, exc: ArticleLocked):
        return error_response(409, f"{' '.join(exc.messages)} Nothing was saved.")

    @api.exception_handler(DraftConflict)
    def conflict(request, exc: DraftConflict):
        return error_response(409, " ".join(exc.messages))

    @api.exception_handler(EditConflict)
    def edit_conflict(request, exc):
        # Article.save() found the counter moved after draft_save read it: another save won.
        return error_response(409, f"{' '.join(exc.messages)} Read the draft again and reapply your changes.")

    @api.exception_handler(ReviewRefused)
    def review_refused(request, exc: ReviewRefused):
        messages = exc.messages
        return error_response(
            422, messages[0], errors=[{"field": "body", "message": message} for message in messages[1:] or messages]
        )

    @api.exception_handler(TransitionNotAllowed)
    def not_allowed(request, exc):
        return error_response(409, str(exc))

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return error_response(400, "The request is not valid.", errors=_validation_dict(exc))

    @api.exception_handler(Exception)
    def server_error(request, exc):
        if settings.DEBUG:
            raise exc  # Django's technical 500 page
        # What Django does for an uncaught exception (the signal, the log, mail to admins), but
        # the client gets JSON like every other error instead of the site's HTML page.
        signals.got_request_exception.send(sender=None, request=request)
        response = error_response(500, "Server error: the request was not completed. Retry later.")
        log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request, exception=exc)
        return response
