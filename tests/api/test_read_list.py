from datetime import timedelta

import pytest
import reversion
from django.utils import timezone

from articles.models import Article, Topic
from articles.publishing import article_withdraw_from_public
from tests.helpers import UserFactory, make_article

pytestmark = pytest.mark.django_db


def _publish_another(question="Is ibuprofen safe?", slug="is-ibuprofen-safe", topic=None):
    from reviews.importing.write import review_record_import

    with reversion.create_revision():
        article = make_article(question=question, slug=slug, topic=topic)
    review_record_import(article=article, reviewed_on=timezone.localdate(), source="test.txt")
    return article


def test_lists_published_answers_with_links_and_versions(anonymous, published):
    response = anonymous.get("/api/answers/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    (item,) = body["results"]
    assert item["slug"] == published.slug
    assert item["version"] == 1
    assert item["url"] == f"http://127.0.0.1:8000/articles/{published.slug}/"  # ORACLE_BASE_URL
    assert item["api_url"] == f"http://127.0.0.1:8000/api/answers/{published.slug}/"
    assert item["summary"].startswith("Baclofen is not recommended")


def test_list_is_paginated_with_next_and_previous_links(anonymous, published):
    _publish_another()
    _publish_another("Is naproxen safe?", "is-naproxen-safe")

    first = anonymous.get("/api/answers/", {"page_size": 2}).json()
    second = anonymous.get("/api/answers/", {"page_size": 2, "page": 2}).json()

    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["next"].endswith("page_size=2&page=2")
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"].endswith("page=1")
    beyond = anonymous.get("/api/answers/", {"page": 99}).json()
    assert beyond["results"] == [] and beyond["count"] == 3


def test_filters_by_topic_slug(anonymous, published):
    topic = Topic.objects.create(name="Pain relief", slug="pain-relief")
    _publish_another(topic=topic)

    body = anonymous.get("/api/answers/", {"topic": "pain-relief"}).json()

    assert [item["slug"] for item in body["results"]] == ["is-ibuprofen-safe"]
    assert body["results"][0]["topic"] == {"slug": "pain-relief", "name": "Pain relief"}
    assert anonymous.get("/api/answers/", {"topic": "no-such-topic"}).json()["count"] == 0


def test_filters_by_updated_since(anonymous, published):
    later = timezone.now() + timedelta(seconds=1)

    assert anonymous.get("/api/answers/", {"updated_since": later.isoformat()}).json()["count"] == 0
    earlier = published.current_publication.published_at - timedelta(seconds=1)
    assert anonymous.get("/api/answers/", {"updated_since": earlier.isoformat()}).json()["count"] == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": 0}, "page"),
        ({"page_size": 500}, "page_size"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since"),
        ({"topic": "bad topic!"}, "topic"),
    ],
)
def test_bad_query_is_400_naming_the_parameter(anonymous, published, params, field):
    response = anonymous.get("/api/answers/", params)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]


def test_withdrawn_answers_are_not_listed(anonymous, published, board_member):
    article_withdraw_from_public(article=published, by=board_member, reason="Under re-examination.")

    assert anonymous.get("/api/answers/").json()["count"] == 0


def test_drafts_never_appear_in_the_list(anonymous, published, editor):
    Article.objects.create(question="A draft never published", slug="draft-only", summary="Secret draft text")
    published.question = "Edited working copy question"
    published.save()

    body = anonymous.get("/api/answers/").content.decode()

    assert "draft-only" not in body and "Secret draft text" not in body
    assert "Edited working copy question" not in body


def test_list_has_etag_cache_headers_and_answers_304(anonymous, published):
    response = anonymous.get("/api/answers/")

    assert response["Cache-Control"] == "public, max-age=300"
    etag = response["ETag"]
    again = anonymous.get("/api/answers/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_list_etag_changes_when_an_answer_is_withdrawn(anonymous, published, board_member):
    etag = anonymous.get("/api/answers/")["ETag"]

    article_withdraw_from_public(article=published, by=board_member, reason="Outdated.")

    assert anonymous.get("/api/answers/", headers={"If-None-Match": etag}).status_code == 200


def test_list_runs_two_queries_whatever_the_page_size(anonymous, published, django_assert_max_num_queries):
    for n in range(5):
        _publish_another(
            f"Is drug {n} safe?", f"is-drug-{n}-safe", topic=Topic.objects.get_or_create(name="T", slug="t")[0]
        )

    with django_assert_max_num_queries(2):
        response = anonymous.get("/api/answers/", {"page_size": 100})

    assert response.json()["count"] == 6


def test_list_needs_no_token_and_ignores_one(client, published):
    UserFactory(username="someone")

    assert client.get("/api/answers/", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 200


def test_public_responses_never_carry_the_requests_host_or_scheme(anonymous, published):
    """They are cacheable by shared caches: a Host or X-Forwarded-Proto of one request must not
    reach the links later readers get."""
    _publish_another()
    poison = {"Host": "localhost:31337", "X-Forwarded-Proto": "https"}

    listing = anonymous.get("/api/answers/", {"page_size": "1"}, headers=poison).json()
    detail = anonymous.get(f"/api/answers/{published.slug}/", headers=poison).json()

    links = [
        listing["next"],
        detail["url"],
        *(v for item in listing["results"] for v in (item["url"], item["api_url"])),
    ]
    assert all(link.startswith("http://127.0.0.1:8000/") for link in links), links
