import json

import pytest
from reversion.models import Version

from articles.models import Article, Claim, Section
from references.models import Reference
from tests.helpers import UserFactory

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Article.objects.count(),
        Section.objects.count(),
        Claim.objects.count(),
        Reference.objects.count(),
        Version.objects.count(),
    )


def test_creates_a_draft_as_one_revision_by_the_token_owner(api, editor, draft_payload):
    response = api.post("/api/drafts/", draft_payload())

    assert response.status_code == 201
    body = response.json()
    article = Article.objects.get(pk=body["id"])
    assert response["Location"] == f"http://testserver/api/drafts/{article.pk}/"
    assert body["slug"] == "does-heat-help-acute-low-back-pain" == article.slug
    assert [s.heading for s in article.sections.all()] == ["What the evidence shows", "Practical advice"]
    assert body["sections"][0]["claims"] == [{"text": "Heat wraps reduce pain at 5 days [@acp-lbp-2017].", "grade": ""}]
    assert body["review_status"] == "new" and body["problems"] == [] and body["locked"] is False
    assert body["admin_url"] == f"http://testserver/admin/articles/article/{article.pk}/change/"
    (version,) = Version.objects.get_for_object(article)
    assert version.revision.user == editor
    assert version.revision.comment == (
        "First draft from the literature pipeline (Created through the API, token “pipeline”)"
    )
    assert {v.object_repr for v in version.revision.version_set.all()} >= {
        "What the evidence shows",
        "Practical advice",
    }


def test_draft_is_not_public(api, anonymous, draft_payload):
    slug = api.post("/api/drafts/", draft_payload()).json()["slug"]

    assert anonymous.get(f"/api/answers/{slug}/").status_code == 404
    assert anonymous.client.get(f"/articles/{slug}/").status_code == 404


def test_references_by_doi_or_pmid_reuse_existing_ones_and_rewrite_markers(api, reference, draft_payload):
    payload = draft_payload(
        summary="Heat helps [@qaseem2017; @byid].",
        references=[
            {"key": "qaseem2017", "doi": "https://doi.org/10.7326/m16-2367"},
            {"key": "byid", "pmid": "PMID: 28192789"},
        ],
        sections=[],
    )

    body = api.post("/api/drafts/", payload).json()

    assert body["summary"] == "Heat helps [@acp-lbp-2017]."
    assert Reference.objects.count() == 1


def test_missing_references_are_created_and_normalised(api, editor, draft_payload):
    payload = draft_payload(
        summary="Drug X is safe [@chou2017].",
        sections=[{"heading": "Evidence", "claims": ["Reviewed [@chou2017; @acp-lbp-2017]"]}],
        references=[
            {"key": "acp-lbp-2017"},
            {
                "key": "chou2017",
                "doi": "doi:10.7326/M16-2458",
                "pmid": "28192790",
                "title": "Systemic pharmacologic therapies for low back pain",
                "kind": "systematic_review",
                "authors": "Chou R, et al.",
                "source": "Ann Intern Med",
                "year": 2017,
            },
        ],
    )

    response = api.post("/api/drafts/", payload)

    assert response.status_code == 201
    created = Reference.objects.get(key="chou2017")
    assert (created.doi, created.pmid, created.kind) == ("10.7326/M16-2458", "28192790", "systematic_review")
    revision = Version.objects.get_for_object(created).get().revision
    assert revision.user == editor
    assert revision == Version.objects.get_for_object(Article.objects.get(pk=response.json()["id"])).get().revision


def test_unknown_citation_keys_are_422_listing_them_and_nothing_is_written(api, draft_payload):
    before = _counts()
    payload = draft_payload(
        summary="Heat helps [@acp-lbp-2017; @nope-1].",
        sections=[{"heading": "H", "claims": ["A [@nope-2]", "B [@nope-1]"]}],
        references=[
            {"key": "acp-lbp-2017"},
            {"key": "new-one", "doi": "10.1000/new", "title": "Created before the error is found"},
        ],
    )

    response = api.post("/api/drafts/", payload)

    assert response.status_code == 422
    body = response.json()
    assert body["unknown_keys"] == ["nope-1", "nope-2"]
    assert {e["field"] for e in body["errors"]} == {
        "summary",
        "sections[0].claims[0].text",
        "sections[0].claims[1].text",
    }
    assert _counts() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"question": ""}, "question"),
        ({"question": None}, "question"),
        ({"question": "x" * 301}, "question"),
        ({"summary": ""}, "summary"),
        ({"slug": "Not a slug!"}, "slug"),
        ({"sections": [{"heading": "", "claims": ["x"]}]}, "sections[0].heading"),
        ({"sections": [{"heading": "H", "claims": [""]}]}, "sections[0].claims[0]"),
        ({"sections": [{"heading": "H", "audience": "aliens", "claims": ["x"]}]}, "sections[0].audience"),
        ({"references": [{"key": "k", "doi": "not a doi", "title": "T"}]}, "references[0].doi"),
        ({"references": [{"key": "k", "pmid": "12ab"}]}, "references[0].pmid"),
        ({"references": [{"key": "unknown-key"}]}, "references[0].title"),
        ({"references": [{}]}, "references[0]"),
        ({"topic": "no-such-topic"}, "topic"),
        ({"sectons": []}, "sectons"),
        ({"summary": "nul \x00 byte"}, "summary"),
        ({"summary": "x" * 5001}, "summary"),
        ({"summary_variants": {"patient": "x" * 5001}}, "summary_variants.patient"),
        ({"sections": [{"heading": "H", "claims": ["x" * 5001]}]}, "sections[0].claims[0]"),
    ],
)
def test_invalid_input_is_400_naming_the_field_and_nothing_is_written(api, draft_payload, change, field):
    before = _counts()

    response = api.post("/api/drafts/", draft_payload(**change))

    assert response.status_code == 400, response.content
    assert field in [error["field"] for error in response.json()["errors"]], response.json()
    assert _counts() == before


def test_slug_already_taken_is_400(api, draft, draft_payload):
    response = api.post("/api/drafts/", draft_payload(slug=draft.slug))

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["slug"]


def test_a_slug_is_made_unique_when_not_given(api, draft_payload):
    first = api.post("/api/drafts/", draft_payload()).json()["slug"]
    second = api.post("/api/drafts/", draft_payload()).json()["slug"]

    assert second == f"{first}-2"


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "", "null"])
def test_body_that_is_not_a_json_object_is_400(api, raw):
    response = api.post("/api/drafts/", raw=raw)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


def test_body_over_the_limit_is_413_before_it_is_read(settings, api, draft_payload, monkeypatch):
    settings.ORACLE_API_MAX_BYTES = 1000
    before = _counts()
    payload = draft_payload(summary="x" * 2000 + " [@acp-lbp-2017]")

    response = api.post("/api/drafts/", payload)

    assert response.status_code == 413
    assert "limit is 1000 bytes" in response.json()["detail"]
    assert _counts() == before
    assert api.post("/api/drafts/", draft_payload()).status_code == 201


def test_413_comes_from_content_length_without_reading_the_body(settings, client, token):
    settings.ORACLE_API_MAX_BYTES = 10

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    response = client.generic(
        "POST",
        "/api/drafts/",
        data=b"",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        CONTENT_LENGTH="100000",
        **{"wsgi.input": Unreadable()},
    )

    assert response.status_code == 413


def test_owner_without_editor_permissions_is_403(as_token, make_token, draft_payload):
    outsider = UserFactory(username="outsider")
    before = _counts()

    response = as_token(make_token(outsider)).post("/api/drafts/", draft_payload())

    assert response.status_code == 403
    assert _counts() == before


def test_owner_who_may_not_add_references_cannot_create_one(as_token, make_token, draft_payload):
    from django.contrib.auth.models import Permission

    owner = UserFactory(username="writer")
    owner.user_permissions.set(
        Permission.objects.filter(codename__in=["add_article", "add_section", "add_claim", "view_article"])
    )
    before = _counts()
    payload = draft_payload(references=[{"key": "new", "title": "A new study"}], summary="S [@new]", sections=[])

    response = as_token(make_token(owner)).post("/api/drafts/", payload)

    assert response.status_code == 403
    assert _counts() == before


def test_summary_variants_are_saved_and_validated(api, draft_payload):
    payload = draft_payload(summary_variants={"patient": "Heat can help a little [@acp-lbp-2017]."})

    body = api.post("/api/drafts/", payload).json()

    assert body["summary_variants"] == {"patient": "Heat can help a little [@acp-lbp-2017]."}
    bad = api.post("/api/drafts/", draft_payload(summary_variants={"alien": "x"}))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "summary_variants.alien"


def test_error_bodies_are_json_with_detail_and_errors(api):
    response = api.post("/api/drafts/", {"question": "Q"})

    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"detail", "errors"} and "summary" in body["detail"]
