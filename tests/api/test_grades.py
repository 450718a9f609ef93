"""Evidence grades: confirmed by editors in the admin, never set through the API; readers' grades
come out with each claim."""

import pytest

from articles.models import Claim
from reviews.services import review_approve, review_start, review_submit

pytestmark = pytest.mark.django_db


def test_a_confirmed_grade_stays_while_the_claim_is_unchanged_and_goes_when_it_changes(api, draft_payload):
    claims = ["Heat wraps reduce pain at 5 days [@acp-lbp-2017].", "Most people improve within weeks [@acp-lbp-2017]."]
    created = api.post("/api/drafts/", draft_payload(sections=[{"heading": "Evidence", "claims": claims}])).json()
    for claim in Claim.objects.filter(section__article_id=created["id"]):
        claim.grade = "moderate"  # as an editor confirms it in the admin
        claim.save()
    changed = [claims[0], "Most people improve within six weeks [@acp-lbp-2017]."]
    version = api.get(f"/api/drafts/{created['id']}/").json()["version"]

    body = api.put(
        f"/api/drafts/{created['id']}/",
        draft_payload(sections=[{"heading": "Evidence", "claims": changed}], version=version),
    ).json()

    assert [c["grade"] for c in body["sections"][0]["claims"]] == ["moderate", ""]
    assert list(Claim.objects.filter(section__article_id=created["id"]).values_list("grade", flat=True)) == [
        "moderate",
        "",
    ]


def test_a_grade_cannot_be_sent(api, draft_payload):
    payload = draft_payload(sections=[{"heading": "H", "claims": [{"text": "C [@acp-lbp-2017]", "grade": "high"}]}])

    response = api.post("/api/drafts/", payload)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "sections[0].claims[0]"


def test_published_claims_carry_the_grade_the_board_approved(anonymous, draft, editor, board_member):
    first = Claim.objects.filter(section__article=draft).first()
    first.grade = "high"
    first.save()
    review = review_submit(article=draft, by=editor)
    review_approve(review=review_start(review=review, by=board_member), by=board_member)

    body = anonymous.get(f"/api/answers/{draft.slug}/").json()

    grades = [claim["grade"] for section in body["sections"] for claim in section["claims"]]
    assert grades[0] == {"code": "high", "label": "High", "level": 4}
    assert grades[1:] == [None] * (len(grades) - 1)
