import pytest
from django.core import mail

from articles.models import Article
from reviews.models import Review, ReviewTransition
from reviews.services import review_request_changes, review_start
from tests.helpers import UserFactory

pytestmark = pytest.mark.django_db


def test_submit_opens_a_review_cycle_as_the_token_owner(
    api, editor, board_member, draft_payload, django_capture_on_commit_callbacks
):
    article_id = api.post("/api/drafts/", draft_payload()).json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/drafts/{article_id}/submit/", {"change_summary": "Ready for the board"})

    assert response.status_code == 201
    body = response.json()
    review = Review.objects.get(article_id=article_id)
    assert (review.state, review.submitted_by, review.change_summary) == ("submitted", editor, "Ready for the board")
    log = ReviewTransition.objects.get(review=review)
    assert (log.name, log.by) == ("submit", editor)
    assert body["review_status"] == "submitted" and body["locked"] is True
    assert body["reviews"][0]["transitions"][0]["name"] == "submit"
    assert Article.objects.get(pk=article_id).is_locked
    assert len(mail.outbox) == 1  # the board is told, as when an editor submits in the admin


def test_submit_without_a_body_works(api, draft):
    assert api.post(f"/api/drafts/{draft.pk}/submit/", raw="").status_code == 201


def test_submit_refused_is_422_with_every_reason(api, draft_payload):
    article_id = api.post("/api/drafts/", draft_payload(sections=[], literature_through=None)).json()["id"]

    response = api.post(f"/api/drafts/{article_id}/submit/")

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "This article cannot be submitted for review:"
    assert [e["message"] for e in body["errors"]] == [
        "The article has no sections.",
        "Literature reviewed through: is not set: enter the date up to which the evidence was searched (under “Re-review”).",
    ]
    assert not Review.objects.filter(article_id=article_id).exists()


def test_submitting_twice_is_422(api, submitted):
    response = api.post(f"/api/drafts/{submitted.article_id}/submit/")

    assert response.status_code == 422
    assert "already in review" in response.json()["errors"][0]["message"]
    assert Review.objects.filter(article_id=submitted.article_id).count() == 1


def test_owner_who_may_not_submit_is_403(as_token, make_token, draft):
    board_less = UserFactory(username="writer-only")

    response = as_token(make_token(board_less)).post(f"/api/drafts/{draft.pk}/submit/")

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_submit_unknown_article_is_404(api):
    assert api.post("/api/drafts/424242/submit/").status_code == 404


def test_review_status_shows_cycles_comments_and_publication(api, submitted, board_member):
    review = review_start(review=submitted, by=board_member)
    review_request_changes(review=review, by=board_member, comment="Cite the 2017 guideline.")

    body = api.get(f"/api/drafts/{submitted.article_id}/review/").json()

    assert body["review_status"] == "changes_requested" and body["locked"] is False and body["published"] is None
    (cycle,) = body["reviews"]
    assert cycle["state"] == "changes_requested" and cycle["reviewer"] == "Dr. Bo Reviewer, MD, FACP"
    assert [t["name"] for t in cycle["transitions"]] == ["submit", "start_review", "request_changes"]
    assert cycle["transitions"][-1]["comment"] == "Cite the 2017 guideline."


def test_review_status_of_a_published_answer_links_to_it(api, published):
    body = api.get(f"/api/drafts/{published.pk}/review/").json()

    assert body["published"]["version"] == 1
    assert body["published"]["api_url"] == f"http://testserver/api/answers/{published.slug}/"


def test_review_status_needs_view_permission(as_token, make_token, draft):
    nobody = UserFactory(username="nobody")

    assert as_token(make_token(nobody)).get(f"/api/drafts/{draft.pk}/review/").status_code == 403
