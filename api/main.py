"""The API: one NinjaAPI, its OpenAPI schema at /api/schema/ and its documentation at /api/docs/."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from api import errors, read, write

DESCRIPTION = """\
Reviewed answers out, drafts in.

**Published answers** (no token needed) are read only from the versions the Medical Advisory
Board approved — never from a draft. Responses carry `ETag`, `Last-Modified` and
`Cache-Control`; conditional requests get `304 Not Modified`.

**Drafts** need an API token (created and revoked by an administrator in the admin, *API tokens*),
sent as `Authorization: Bearer <token>`. Scopes: `drafts:write` (create, update, submit) and
`reviews:read` (review status). The API acts as the token's owner, with that user's permissions,
and records every change in the article's history. No endpoint can approve or publish: a board
member does that in the admin.

Errors are JSON: `{"detail": "…", "errors": [{"field": "…", "message": "…"}]}` — 400 invalid
input (naming each field), 401 unknown or revoked token, 403 missing scope or permission, 404,
405 method not allowed (`Allow` names the methods the address has), 409 locked by an open
review or changed since read, 410 withdrawn, 413 body too large, 422 unknown citation keys
(`unknown_keys` lists them) or a refused submission, 428 an update without the version it
replaces, 429 rate limit (`Retry-After`), 500 server error. When a write is refused or fails,
nothing at all was written. Two refusals come from the HTTP server in front of the API, before
it reads the request, and are plain text or HTML rather than JSON: 414 when the request line (the
address with its query) is longer than about 4 kB, and 431 when a header is too large.

**Updates** (`PUT /api/drafts/{id}/`) must say which version they replace: `version` in the body
or `If-Match: "<version>"` (the `ETag` of your read). Without it the update is refused (428), so
no pipeline can silently overwrite an editor's newer save; with a stale one it is 409.

Evidence grades of claims are confirmed by editors in the admin, never sent here; a claim whose
text an update changes loses its grade until an editor confirms one again.
"""


# Refused by the HTTP server (gunicorn, or nginx in front of it) before the API sees the request,
# so any operation can answer them, with the server's own body.
SERVER_REFUSALS = {
    "414": {"description": "URI Too Long: the request line is longer than the server accepts (about 4 kB)."},
    "431": {"description": "Request Header Fields Too Large: a header is longer than the server accepts."},
}


class OracleAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            for operation in item.values():
                for status, response in SERVER_REFUSALS.items():
                    operation["responses"].setdefault(status, dict(response))
        return schema


class Docs(Swagger):
    """Swagger UI from ninja's bundled static files (ninja is in INSTALLED_APPS), in our own page."""

    template = "api/docs.html"


api = OracleAPI(
    title="Oracle API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    # validatorUrl None: Swagger UI would otherwise load a badge from validator.swagger.io.
    docs=Docs(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)
api.add_router("", read.router)
api.add_router("", write.router)
