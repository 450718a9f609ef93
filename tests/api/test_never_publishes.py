"""No token can approve or publish: every operation the schema lists, and the addresses an approval
endpoint would have, called with every combination of scopes by tokens of a board member (who
may approve in the admin) and of a superuser, leave every review unapproved and readers' versions
unchanged."""

import itertools
import json

import pytest

from api.models import Scope
from articles.models import Article, Publication
from reviews.models import Review, ReviewApproval, ReviewTransition
from tests.helpers import UserFactory

pytestmark = pytest.mark.django_db

SCOPE_SETS = [list(c) for n in range(3) for c in itertools.combinations([Scope.DRAFTS_WRITE, Scope.REVIEWS_READ], n)]
SMUGGLED = {"state": "approved", "review_status": "approved", "approve": True, "publish": True}
GUESSED = [
    "/api/drafts/{id}/approve/",
    "/api/drafts/{id}/publish/",
    "/api/drafts/{id}/review/approve/",
    "/api/reviews/{review}/approve/",
    "/api/answers/{slug}/publish/",
]


def _outcome():
    return (
        Publication.objects.count(),
        ReviewApproval.objects.count(),
        ReviewTransition.objects.filter(name="approve").count(),
        dict(Article.objects.exclude(current_publication=None).values_list("pk", "current_publication_id")),
    )


def _requests(client, schema, *, article, draft, review, payload):
    """Each operation with each kind of body, on the article in review and on a fresh draft."""
    for path, item in schema["paths"].items():
        for method in [*item, "patch", "delete"]:
            for target in (article, draft):
                url = path.replace("{article_id}", str(target.pk)).replace("{slug}", target.slug)
                bodies = [None, payload, {**payload, **SMUGGLED}, SMUGGLED, {"change_summary": "Approve it"}]
                for body in bodies if method in ("post", "put", "patch") else [None]:
                    yield method, url, body
    for pattern, method in itertools.product(GUESSED, ("post", "put", "patch")):
        yield method, pattern.format(id=article.pk, review=review.pk, slug=article.slug), SMUGGLED


@pytest.mark.parametrize("owner_kind", ["board member", "superuser"])
def test_no_endpoint_with_any_scope_approves_or_publishes(
    client, owner_kind, make_token, under_review, published, board_member, draft_payload
):
    owner = board_member if owner_kind == "board member" else UserFactory(username="root", is_superuser=True)
    schema = client.get("/api/schema/").json()
    fresh = client.post(
        "/api/drafts/",
        json.dumps(draft_payload(question="Is paracetamol useful?")),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {make_token(UserFactory(username='writer', groups=['Editors']))}",
    )
    draft = Article.objects.get(pk=fresh.json()["id"])
    before, reviews_before = _outcome(), dict(Review.objects.values_list("pk", "state"))
    statuses = set()

    for scopes in SCOPE_SETS:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {make_token(owner, scopes=scopes, name=f'{scopes}')}"}
        for target in (under_review.article, published):
            for method, url, body in _requests(
                client,
                schema,
                article=target,
                draft=draft,
                review=under_review,
                payload=draft_payload(version=target.edit_version),
            ):
                data = "" if body is None else json.dumps(body)
                response = getattr(client, method)(url, data, content_type="application/json", **headers)
                statuses.add(response.status_code)
                assert response.status_code < 500, (method, url, response.content)

    assert _outcome() == before
    reviews_after = dict(Review.objects.values_list("pk", "state"))
    assert {pk: reviews_after[pk] for pk in reviews_before} == reviews_before
    assert {state for pk, state in reviews_after.items() if pk not in reviews_before} <= {"submitted"}
    assert Article.objects.get(pk=under_review.article_id).review_status == "under_review"
    assert Publication.objects.get(article=published).number == 1
    assert {200, 201, 400, 403, 404, 405, 409} <= statuses  # the calls did reach the endpoints
