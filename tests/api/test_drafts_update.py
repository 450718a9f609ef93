import pytest
from reversion.models import Version

from articles.models import Article, Claim, Section
from reviews.services import review_submit
from tests.helpers import UserFactory

pytestmark = pytest.mark.django_db


def _version(article_id) -> int:
    """The version an update must name (what a client read)."""
    return Article.objects.get(pk=article_id).edit_version


def _content(article_id):
    article = Article.objects.get(pk=article_id)
    return [
        (s.pk, s.heading, [(c.pk, c.text) for c in s.claims.all()]) for s in article.sections.all()
    ], article.summary


def test_update_replaces_content_keeping_rows_by_position(api, editor, draft_payload):
    created = api.post("/api/drafts/", draft_payload()).json()
    (first, second), _ = _content(created["id"])
    payload = draft_payload(
        summary="Heat helps a little [@acp-lbp-2017].",
        sections=[{"heading": "Evidence, revised", "claims": ["Changed [@acp-lbp-2017]", "Added [@acp-lbp-2017]"]}],
        change_summary="Tightened the evidence section",
    )

    response = api.put(f"/api/drafts/{created['id']}/", {**payload, "version": created["version"]})

    assert response.status_code == 200
    (section,), summary = _content(created["id"])
    assert summary == "Heat helps a little [@acp-lbp-2017]."
    assert section[0] == first[0] and section[1] == "Evidence, revised"
    assert section[2][0][0] == first[2][0][0]
    assert [text for _, text in section[2]] == ["Changed [@acp-lbp-2017]", "Added [@acp-lbp-2017]"]
    assert not Section.objects.filter(pk=second[0]).exists()
    assert not Claim.objects.filter(pk=second[2][0][0]).exists()
    newest = Version.objects.get_for_object(Article.objects.get(pk=created["id"])).first().revision
    assert newest.user == editor
    assert newest.comment == "Tightened the evidence section (Updated through the API, token “pipeline”)"
    assert {v.object_repr for v in newest.version_set.all()} >= {"Evidence, revised", "Changed [@acp-lbp-2017]"}
    assert "Practical advice" not in {v.object_repr for v in newest.version_set.all()}


def test_update_of_an_article_in_review_is_409_and_nothing_changes(api, draft_payload, submitted):
    before = _content(submitted.article_id)

    response = api.put(f"/api/drafts/{submitted.article_id}/", draft_payload(version=_version(submitted.article_id)))

    assert response.status_code == 409
    assert "locked" in response.json()["detail"]
    assert _content(submitted.article_id) == before


def test_update_cannot_change_a_published_answers_address(api, published, draft_payload):
    response = api.put(
        f"/api/drafts/{published.pk}/", draft_payload(slug="a-new-address", version=_version(published.pk))
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "slug"
    assert Article.objects.get(pk=published.pk).slug == published.slug


def test_update_keeps_the_slug_when_none_is_given(api, draft, draft_payload):
    response = api.put(f"/api/drafts/{draft.pk}/", draft_payload(version=_version(draft.pk)))

    assert response.json()["slug"] == draft.slug


def test_update_of_unknown_article_is_404(api, draft_payload):
    assert api.put("/api/drafts/999999/", draft_payload()).status_code == 404
    assert api.get("/api/drafts/999999/").status_code == 404


def test_update_with_unknown_keys_is_422_and_changes_nothing(api, draft, draft_payload):
    before = _content(draft.pk)

    response = api.put(
        f"/api/drafts/{draft.pk}/", draft_payload(summary="S [@missing-key]", version=_version(draft.pk))
    )

    assert response.status_code == 422 and response.json()["unknown_keys"] == ["missing-key"]
    assert _content(draft.pk) == before


def test_reading_a_draft_shows_the_working_copy_and_what_blocks_submission(api, draft_payload):
    created = api.post("/api/drafts/", draft_payload(sections=[])).json()

    body = api.get(f"/api/drafts/{created['id']}/").json()

    assert body["summary"] == created["summary"]
    assert body["problems"] == ["The article has no sections."]


@pytest.mark.skipif(not hasattr(Article, "edit_version"), reason="Article has no edit_version counter yet")
def test_stale_version_is_409(api, draft, draft_payload):
    current = api.get(f"/api/drafts/{draft.pk}/").json()["version"]
    assert api.put(f"/api/drafts/{draft.pk}/", draft_payload(version=current)).status_code == 200

    stale = api.put(f"/api/drafts/{draft.pk}/", draft_payload(version=current))
    by_header = api.put(f"/api/drafts/{draft.pk}/", draft_payload(), headers={"If-Match": f'"{current}"'})

    assert stale.status_code == 409 and by_header.status_code == 409


@pytest.mark.skipif(not hasattr(Article, "edit_version"), reason="Article has no edit_version counter yet")
def test_update_after_someone_else_saved_is_409_and_keeps_their_work(api, draft, draft_payload):
    read = api.get(f"/api/drafts/{draft.pk}/")
    assert read["ETag"] == f'"{read.json()["version"]}"'
    in_admin = Article.objects.get(pk=draft.pk)
    in_admin.summary = f"{draft.summary} Edited in the admin."
    in_admin.save()
    before = _content(draft.pk), Version.objects.count()

    stale = api.put(f"/api/drafts/{draft.pk}/", draft_payload(), headers={"If-Match": read["ETag"]})

    assert stale.status_code == 409 and "version" in stale.json()["detail"]
    assert (_content(draft.pk), Version.objects.count()) == before
    fresh = api.get(f"/api/drafts/{draft.pk}/")
    retried = api.put(f"/api/drafts/{draft.pk}/", draft_payload(), headers={"If-Match": fresh["ETag"]})
    assert retried.status_code == 200 and retried.json()["version"] == fresh.json()["version"] + 1
    assert retried["ETag"] == f'"{retried.json()["version"]}"'


def test_if_match_that_is_not_a_version_is_400(api, draft, draft_payload):
    response = api.put(f"/api/drafts/{draft.pk}/", draft_payload(), headers={"If-Match": "yesterday"})

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "If-Match"


def test_owner_without_change_permission_is_403(as_token, make_token, draft, draft_payload):
    viewer = UserFactory(username="viewer")

    assert as_token(make_token(viewer)).put(f"/api/drafts/{draft.pk}/", draft_payload()).status_code == 403
    assert as_token(make_token(viewer)).get(f"/api/drafts/{draft.pk}/").status_code == 403


def test_submitted_via_service_then_withdrawn_can_be_updated_again(api, draft, editor, draft_payload):
    from reviews.services import review_withdraw

    review = review_submit(article=draft, by=editor)
    assert api.put(f"/api/drafts/{draft.pk}/", draft_payload(version=_version(draft.pk))).status_code == 409

    review_withdraw(review=review, by=editor)

    assert api.put(f"/api/drafts/{draft.pk}/", draft_payload(version=_version(draft.pk))).status_code == 200


@pytest.mark.skipif(not hasattr(Article, "edit_version"), reason="Article has no edit_version counter yet")
def test_reading_a_draft_again_unchanged_is_304(api, draft):
    etag = api.get(f"/api/drafts/{draft.pk}/")["ETag"]

    again = api.get(f"/api/drafts/{draft.pk}/", headers={"If-None-Match": etag})

    assert again.status_code == 304
    Article.objects.get(pk=draft.pk).save()
    assert api.get(f"/api/drafts/{draft.pk}/", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"If-Match": "*"}])
def test_an_update_without_the_version_it_replaces_is_428_and_writes_nothing(api, draft, draft_payload, headers):
    before = _content(draft.pk)
    version = _version(draft.pk)

    response = api.put(f"/api/drafts/{draft.pk}/", draft_payload(summary="Overwrite [@acp-lbp-2017]."), headers=headers)

    assert response.status_code == 428
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "version" in body["detail"] and "If-Match" in body["detail"]
    assert body["errors"] == [{"field": "version", "message": "Required on update (or the If-Match header)."}]
    assert _content(draft.pk) == before and _version(draft.pk) == version


def test_the_schema_documents_the_428(api):
    schema = api.get("/api/schema/").json()

    put = schema["paths"]["/api/drafts/{article_id}/"]["put"]
    assert "428" in put["responses"]
    assert "version" in put["requestBody"]["content"]["application/json"]["schema"]["$ref"] or put["requestBody"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/answers/", "GET"),
        ("put", "/api/answers/", "GET"),
        ("delete", "/api/drafts/1/", "GET, PUT"),
        ("get", "/api/drafts/1/submit/", "POST"),
    ],
)
def test_a_method_an_address_does_not_have_is_a_json_405_naming_the_allowed_ones(client, method, path, allowed):
    response = getattr(client, method)(path)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == allowed
    assert response.json()["detail"] == f"{method.upper()} is not allowed at this address; use {allowed}."
