import pytest
from django.utils.http import http_date

from articles.models import Article
from articles.publishing import article_withdraw_from_public
from tests.helpers import LITERATURE_THROUGH

pytestmark = pytest.mark.django_db


def test_detail_has_sections_claims_citations_references_and_review(anonymous, published):
    publication = published.current_publication

    response = anonymous.get(f"/api/answers/{published.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["question"] == publication.question
    assert body["version"] == 1
    assert body["summary"] == publication.content["summary"]
    assert body["summary_citations"] == [1, 2]
    first_claim = body["sections"][0]["claims"][0]
    assert first_claim["text"].endswith("[@guideline-directed-2025]") and first_claim["citations"] == [1]
    assert [r["number"] for r in body["references"]] == list(range(1, len(body["references"]) + 1))
    assert body["references"][0]["key"] == "guideline-directed-2025"
    assert set(body["references"][0]) >= {"title", "kind", "authors", "source", "year", "doi", "pmid", "url"}
    assert body["review"]["origin"] == "import"
    assert body["review"]["reviewed_on"] == publication.reviewed_on.isoformat()
    assert body["html"] == publication.html


def test_reference_numbers_match_the_public_page(anonymous, published):
    from articles.models import PublicationCitation

    body = anonymous.get(f"/api/answers/{published.slug}/").json()

    stored = dict(
        PublicationCitation.objects.filter(publication=published.current_publication).values_list(
            "reference__key", "number"
        )
    )
    assert {r["key"]: r["number"] for r in body["references"]} == stored


def test_detail_names_the_board_members_who_approved_it(anonymous, submitted, board_member, second_board_member):
    from reviews.services import review_approve, review_start

    review_approve(review=review_start(review=submitted, by=board_member), by=board_member, comment="Accurate.")

    body = anonymous.get(f"/api/answers/{submitted.article.slug}/").json()

    assert body["review"]["origin"] == "approval"
    assert body["review"]["reviewers"] == [{"name": "Dr. Bo Reviewer", "credentials": "MD, FACP"}]
    assert body["review"]["change_summary"] == "First draft"


def test_detail_has_etag_last_modified_and_cache_control(anonymous, published):
    publication = published.current_publication

    response = anonymous.get(f"/api/answers/{published.slug}/")

    assert response["ETag"] == f'"api-pub-{publication.pk}"'
    assert response["Last-Modified"] == http_date(publication.published_at.timestamp())
    assert response["Cache-Control"] == "public, max-age=300"


def test_conditional_requests_get_304(anonymous, published):
    first = anonymous.get(f"/api/answers/{published.slug}/")

    by_etag = anonymous.get(f"/api/answers/{published.slug}/", headers={"If-None-Match": first["ETag"]})
    by_date = anonymous.get(f"/api/answers/{published.slug}/", headers={"If-Modified-Since": first["Last-Modified"]})

    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    assert by_date.status_code == 304


def test_detail_is_one_query(anonymous, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = anonymous.get(f"/api/answers/{published.slug}/")

    assert response.status_code == 200


def test_unknown_and_never_published_answers_are_404(anonymous, draft):
    for slug in ("no-such-answer", draft.slug, "bad%20slug"):
        response = anonymous.get(f"/api/answers/{slug}/")

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


def test_withdrawn_answer_is_410_with_the_reason(anonymous, published, board_member):
    article_withdraw_from_public(article=published, by=board_member, reason="Superseded by new guidance.")

    response = anonymous.get(f"/api/answers/{published.slug}/")

    assert response.status_code == 410
    assert response.json()["reason"] == "Superseded by new guidance."


def test_edits_to_the_working_copy_never_appear(anonymous, published, editor, as_token, make_token, draft_payload):
    before = anonymous.get(f"/api/answers/{published.slug}/").json()
    draft_text = "UNREVIEWED DRAFT TEXT"
    as_token(make_token(editor)).put(
        f"/api/drafts/{published.pk}/",
        draft_payload(
            question=published.question,
            summary=f"{draft_text} [@acp-lbp-2017]",
            version=Article.objects.get(pk=published.pk).edit_version,
        ),
    )
    assert draft_text in Article.objects.get(pk=published.pk).summary

    after = anonymous.get(f"/api/answers/{published.slug}/")

    assert draft_text not in after.content.decode()
    assert after.json() == before


def test_an_update_in_review_changes_nothing_readers_get(anonymous, published, editor):
    from reviews.services import review_submit

    etag = anonymous.get(f"/api/answers/{published.slug}/")["ETag"]
    published.summary = "A new summary [@guideline-directed-2025]"
    published.literature_through = LITERATURE_THROUGH
    published.save()
    review_submit(article=published, by=editor)

    assert anonymous.get(f"/api/answers/{published.slug}/", headers={"If-None-Match": etag}).status_code == 304


def test_other_addresses_under_api_are_json_404(anonymous):
    response = anonymous.get("/api/nothing-here/")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("No API endpoint")
