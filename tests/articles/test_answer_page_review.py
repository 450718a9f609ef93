"""What the answer page tells readers of its review: who approved it and when, an update in review, and
answers never approved (public only with ORACLE_SHOW_PENDING)."""

import re

import pytest

from reviews.services import review_approve, review_start, review_submit

pytestmark = pytest.mark.django_db


def current_step(html):
    return re.search(
        r'tracker-step--current" aria-current="step"><span class="tracker-dot" aria-hidden="true"></span>([^<]+)', html
    ).group(1)


def test_approved_answer_names_its_reviewer_and_date(client, under_review, board_member, draft):
    review_approve(review=under_review, by=board_member)

    html = client.get(draft.get_absolute_url()).content.decode()

    assert current_step(html) == "Approved"
    assert re.search(r"Reviewed by Dr\. Bo Reviewer, MD, FACP on \w+ \d+, \d{4}\.", html)
    assert "Reviewed on the previous site" not in html


def test_imported_answer_says_it_was_reviewed_on_the_previous_site(client, demo_page):
    from reviews.importing.write import review_import_pages

    review_import_pages([demo_page], publish=True)

    html = client.get("/articles/is-baclofen-safe-for-treating-back-pain/").content.decode()

    assert "Reviewed on the previous site, October 17, 2025." in html
    assert "Reviewed by" not in html


def test_an_update_under_review_keeps_the_approved_text_with_a_note(client, under_review, board_member, draft, editor):
    from articles.models import Claim

    review_approve(review=under_review, by=board_member)
    claim = Claim.objects.filter(section__article=draft).first()
    claim.text = "UNREVIEWED UPDATE " + claim.text
    claim.save()
    review_start(review=review_submit(article=draft, by=editor), by=board_member)

    html = client.get(draft.get_absolute_url()).content.decode()

    assert "UNREVIEWED UPDATE" not in html
    assert current_step(html) == "Under Review"
    assert "An update to this answer is under review" in html


@pytest.mark.parametrize("show_pending", [False, True])
def test_never_approved_answer_in_review_is_public_only_with_show_pending(
    client, settings, submitted, draft, show_pending
):
    settings.ORACLE_SHOW_PENDING = show_pending

    response = client.get(draft.get_absolute_url())

    if not show_pending:
        assert response.status_code == 404
        assert "Claim 1.1" not in response.content.decode()
    else:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Exercise caution as content is pending human review" in html
        assert current_step(html) == "Submitted"
        assert "Claim 1.1" in html


def test_a_draft_that_is_not_in_review_is_never_public_even_with_show_pending(client, settings, draft):
    settings.ORACLE_SHOW_PENDING = True

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_etag_changes_when_the_review_state_changes(client, under_review, board_member, draft, editor):
    review_approve(review=under_review, by=board_member)
    first = client.get(draft.get_absolute_url())["ETag"]
    review_submit(article=draft, by=editor)

    assert client.get(draft.get_absolute_url())["ETag"] != first
