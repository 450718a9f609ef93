"""Every error of every write endpoint: the status and JSON body the schema promises, and nothing at
all written — no article, section, claim, reference, version, review or log row, no changed text."""

import json

import pytest
from reversion.models import Revision, Version

from api.models import ApiToken
from articles.models import Article, Claim, Publication, Section
from references.models import Reference
from reviews.models import Review, ReviewTransition
from tests.helpers import UserFactory, make_article

pytestmark = pytest.mark.django_db

NEW_REFERENCE = {"key": "brand-new", "doi": "10.1000/brand-new", "title": "A study the request would add first"}


def _state():
    """Everything a write could touch, as plain values."""
    return {
        "counts": [
            model.objects.count()
            for model in (Article, Section, Claim, Reference, Version, Revision, Review, ReviewTransition, Publication)
        ],
        "articles": sorted(Article.objects.values_list("pk", "slug", "question", "summary", "review_status")),
        "versions": sorted(Article.objects.values_list("pk", "edit_version"))
        if hasattr(Article, "edit_version")
        else [],
        "sections": sorted(Section.objects.values_list("pk", "article_id", "heading", "position")),
        "claims": sorted(Claim.objects.values_list("pk", "section_id", "text", "position", "grade")),
        "references": sorted(Reference.objects.values_list("pk", "key", "doi", "title")),
    }


@pytest.fixture
def world(editor, make_token, draft_payload, submitted):
    outsider = UserFactory(username="outsider")
    revoked = make_token(editor, name="revoked")
    ApiToken.objects.get(name="revoked").revoke()
    return {
        "payload": draft_payload,
        "editable": make_article(question="Is naproxen safe?", slug="is-naproxen-safe"),
        "empty": Article.objects.create(question="An empty draft", slug="an-empty-draft", summary="S"),
        "locked": submitted.article,
        "tokens": {
            "editor": make_token(editor),
            "reader": make_token(editor, scopes=["reviews:read"], name="reader"),
            "outsider": make_token(outsider, name="outsider"),
            "revoked": revoked,
        },
    }


def _unknown_keys(payload):
    return payload(summary="S [@acp-lbp-2017; @nope]", references=[{"key": "acp-lbp-2017"}, NEW_REFERENCE])


# id: (method, path, body (a dict, or a str sent as it is), token, expected status)
CASES = {
    "create-400-field": ("post", "/api/drafts/", lambda w: w["payload"](question=""), "editor", 400),
    "create-400-not-json": ("post", "/api/drafts/", lambda w: '{"question": ', "editor", 400),
    "create-400-bad-reference": (
        "post",
        "/api/drafts/",
        lambda w: w["payload"](references=[{"key": "acp-lbp-2017"}, {**NEW_REFERENCE, "url": "javascript:alert(1)"}]),
        "editor",
        400,
    ),
    "create-401-no-token": ("post", "/api/drafts/", lambda w: w["payload"](), None, 401),
    "create-401-revoked": ("post", "/api/drafts/", lambda w: w["payload"](), "revoked", 401),
    "create-403-scope": ("post", "/api/drafts/", lambda w: w["payload"](), "reader", 403),
    "create-403-permission": ("post", "/api/drafts/", lambda w: w["payload"](), "outsider", 403),
    "create-413": ("post", "/api/drafts/", lambda w: w["payload"](summary="x" * 5000), "editor", 413),
    "create-422": ("post", "/api/drafts/", lambda w: _unknown_keys(w["payload"]), "editor", 422),
    "create-429": ("post", "/api/drafts/", lambda w: w["payload"](), "editor", 429),
    "update-400": (
        "put",
        "/api/drafts/{editable}/",
        lambda w: w["payload"](sections=[{"heading": "", "claims": []}]),
        "editor",
        400,
    ),
    "update-401": ("put", "/api/drafts/{editable}/", lambda w: w["payload"](), "revoked", 401),
    "update-403-scope": ("put", "/api/drafts/{editable}/", lambda w: w["payload"](), "reader", 403),
    "update-403-permission": ("put", "/api/drafts/{editable}/", lambda w: w["payload"](), "outsider", 403),
    "update-404": ("put", "/api/drafts/987654/", lambda w: w["payload"](), "editor", 404),
    "update-409-locked": (
        "put",
        "/api/drafts/{locked}/",
        lambda w: w["payload"](version=w["locked"].edit_version),
        "editor",
        409,
    ),
    "update-428-no-version": ("put", "/api/drafts/{editable}/", lambda w: w["payload"](), "editor", 428),
    "update-413": ("put", "/api/drafts/{editable}/", lambda w: w["payload"](summary="x" * 5000), "editor", 413),
    "update-422": (
        "put",
        "/api/drafts/{editable}/",
        lambda w: {**_unknown_keys(w["payload"]), "version": w["editable"].edit_version},
        "editor",
        422,
    ),
    "update-429": ("put", "/api/drafts/{editable}/", lambda w: w["payload"](), "editor", 429),
    "submit-400": ("post", "/api/drafts/{editable}/submit/", lambda w: {"approve": True}, "editor", 400),
    "submit-401": ("post", "/api/drafts/{editable}/submit/", lambda w: {}, None, 401),
    "submit-403-scope": ("post", "/api/drafts/{editable}/submit/", lambda w: {}, "reader", 403),
    "submit-403-permission": ("post", "/api/drafts/{editable}/submit/", lambda w: {}, "outsider", 403),
    "submit-404": ("post", "/api/drafts/987654/submit/", lambda w: {}, "editor", 404),
    "submit-413": ("post", "/api/drafts/{editable}/submit/", lambda w: {"change_summary": "x" * 5000}, "editor", 413),
    "submit-422-refused": ("post", "/api/drafts/{empty}/submit/", lambda w: {}, "editor", 422),
    "submit-422-in-review": ("post", "/api/drafts/{locked}/submit/", lambda w: {}, "editor", 422),
    "submit-429": ("post", "/api/drafts/{editable}/submit/", lambda w: {}, "editor", 429),
}
if hasattr(Article, "edit_version"):
    CASES["update-409-stale-version"] = (
        "put",
        "/api/drafts/{editable}/",
        lambda w: w["payload"](version=w["editable"].edit_version - 1),
        "editor",
        409,
    )


@pytest.mark.parametrize("case", CASES)
def test_each_error_has_its_status_and_json_body_and_writes_nothing(settings, client, world, case):
    method, path, make_body, token, status = CASES[case]
    url = path.format(**{name: world[name].pk for name in ("editable", "empty", "locked")})
    body = make_body(world)
    data = body if isinstance(body, str) else json.dumps(body)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['tokens'][token]}"} if token else {}
    settings.ORACLE_API_MAX_BYTES = 4000
    if status == 429:
        settings.ORACLE_API_RATE_LIMIT = 1
        assert client.get(f"/api/drafts/{world['editable'].pk}/", **headers).status_code == 200
    before = _state()

    response = getattr(client, method)(url, data, content_type="application/json", **headers)

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()
    assert error["detail"] and isinstance(error["errors"], list)
    if status == 400:
        assert error["errors"] and all(e["field"] for e in error["errors"])
    if status == 422 and case.endswith("422"):
        assert error["unknown_keys"] == ["nope"]
    if status == 429:
        assert int(response["Retry-After"]) >= 1
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert _state() == before


def test_a_javascript_reference_url_is_refused_naming_the_field(api, draft_payload):
    payload = draft_payload(references=[{"key": "acp-lbp-2017"}, {**NEW_REFERENCE, "url": "javascript:alert(1)"}])

    response = api.post("/api/drafts/", payload)

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["references[1].url"]


def test_an_unexpected_failure_after_saving_is_a_json_500_and_undoes_the_save(
    client, token, draft_payload, monkeypatch
):
    import api.write

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(api.write, "_draft_out", fail)  # a bug after draft_save has written everything
    client.raise_request_exception = False
    before = _state()

    response = client.post(
        "/api/drafts/",
        json.dumps(draft_payload()),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Server error")
    assert "fire" not in response.content.decode()
    assert _state() == before
