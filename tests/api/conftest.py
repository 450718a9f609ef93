"""Fixtures for the API tests: tokens, a published answer, and a JSON client (the docs page's browser
test is configured with the other browser tests, in tests/conftest.py)."""

import json

import pytest

from api.models import ApiToken, Scope
from api.services import api_token_create
from tests.helpers import ReferenceFactory

ALL_SCOPES = [Scope.DRAFTS_WRITE, Scope.REVIEWS_READ]


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
def published(db, demo):
    """The demo baclofen answer, imported and published (version 1)."""
    demo.refresh_from_db()
    return demo


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
            "literature_through": "2025-06-30",
        }
        payload.update(overrides)
        return payload

    return make
