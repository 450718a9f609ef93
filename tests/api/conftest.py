"""Fixtures for the API tests: tokens, a published answer, and a JSON client."""

import json
import os
from pathlib import Path

import pytest

from api.models import ApiToken, Scope
from api.services import api_token_create
from tests.helpers import ReferenceFactory

# The docs' browser test drives Playwright's sync API (an event loop in this thread) beside the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ALL_SCOPES = [Scope.DRAFTS_WRITE, Scope.REVIEWS_READ]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def make_token(db):
    """make_token(owner, scopes=[...]) → the secret of a new token."""

    def make(owner, scopes=ALL_SCOPES, name="pipeline"):
        return api_token_create(token=ApiToken(owner=owner, name=name, scopes=[str(s) for s in scopes]))

    return make


@pytest.fixture
def token(editor, make_token):
    """A token of the editor with both scopes."""
    return make_token(editor)


class ApiClient:
    """Django's test client speaking JSON, with a bearer token when given one."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self, headers):
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()}
        if self.token:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return extra

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, **self._headers(headers))

    def post(self, path, data=None, headers=None, raw=None):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(path, body, content_type="application/json", **self._headers(headers))

    def put(self, path, data=None, headers=None, raw=None):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.put(path, body, content_type="application/json", **self._headers(headers))


@pytest.fixture
def api(client, token):
    return ApiClient(client, token)


@pytest.fixture
def anonymous(client):
    return ApiClient(client)


@pytest.fixture
def as_token(client):
    def make(secret):
        return ApiClient(client, secret)

    return make


@pytest.fixture
def published(db, demo_page):
    """The demo baclofen answer, imported and published (version 1)."""
    from reviews.importing.write import review_import_pages

    (result,) = review_import_pages([demo_page], publish=True)
    result.article.refresh_from_db()
    return result.article


@pytest.fixture
def reference(db):
    return ReferenceFactory(key="acp-lbp-2017", doi="10.7326/M16-2367", pmid="28192789", title="Noninvasive treatments")


@pytest.fixture
def draft_payload(reference):
    def make(**overrides):
        payload = {
            "question": "Does heat help acute low back pain?",
            "summary": "Superficial heat gives modest short-term relief [@acp-lbp-2017].",
            "sections": [
                {"heading": "What the evidence shows", "claims": ["Heat wraps reduce pain at 5 days [@acp-lbp-2017]."]},
                {"heading": "Practical advice", "claims": ["Most people improve within weeks [@acp-lbp-2017]."]},
            ],
            "references": [{"key": "acp-lbp-2017"}],
            "change_summary": "First draft from the literature pipeline",
        }
        payload.update(overrides)
        return payload

    return make


# --- browser (the docs page) -------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (set ORACLE_REQUIRE_BROWSER=1 to fail instead)")
    for item in items:
        if here in Path(item.path).resolve().parents and "browser" in item.keywords:
            if not CHROMIUM.exists() and os.environ.get("ORACLE_REQUIRE_BROWSER") != "1":
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    }
