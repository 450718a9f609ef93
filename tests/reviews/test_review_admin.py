import re

import pytest
from django.contrib.messages import get_messages

from articles.models import Article, Claim
from reviews.models import Review
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import CHANGE_FOR_READERS, UserFactory, change_url, form_fields, save_revision

pytestmark = pytest.mark.django_db


def review_url(article):
    return f"/admin/articles/article/{article.pk}/review/"


def buttons(html):
    return re.findall(r'<button type="submit" name="transition" value="([a-z_]+)">([^<]+)</button>', html)


def test_editor_sees_submit_on_a_draft_and_board_sees_nothing(client, draft, editor, board_member):
    client.force_login(editor)
    assert buttons(client.get(change_url(draft)).content.decode()) == [("submit", "Submit for review")]

    client.force_login(board_member)
    page = client.get(change_url(draft)).content.decode()
    assert buttons(page) == []
    assert "No review action is available to you now." in page


def test_buttons_follow_the_state_and_the_role(client, submitted, draft, editor, board_member):
    client.force_login(board_member)
    assert buttons(client.get(change_url(draft)).content.decode()) == [("start_review", "Start review")]

    client.force_login(editor)
    assert buttons(client.get(change_url(draft)).content.decode()) == [("withdraw", "Withdraw")]

    client.post(review_url(draft), {"transition": "withdraw", "review": submitted.pk})
    client.force_login(board_member)
    assert buttons(client.get(change_url(draft)).content.decode()) == []


def test_board_member_under_review_sees_request_changes_and_approve(client, under_review, draft, board_member):
    client.force_login(board_member)

    assert buttons(client.get(change_url(draft)).content.decode()) == [
        ("request_changes", "Request changes"),
        ("approve", "Approve"),
    ]


def test_full_flow_through_the_admin(client, draft, editor, board_member):
    client.force_login(editor)
    client.post(review_url(draft), {"transition": "submit", "comment": "Ready"})
    review = Review.objects.get()
    client.force_login(board_member)
    client.post(review_url(draft), {"transition": "start_review", "review": review.pk})

    response = client.post(
        review_url(draft),
        {"transition": "approve", "review": review.pk, "comment": "Good", "declaration": "none", **CHANGE_FOR_READERS},
        follow=True,
    )

    review.refresh_from_db()
    assert review.state == Review.State.APPROVED
    assert "Approved and published as version 1." in [str(m) for m in get_messages(response.wsgi_request)]
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_request_changes_without_comment_shows_the_reason(client, under_review, draft, board_member):
    client.force_login(board_member)

    response = client.post(review_url(draft), {"transition": "request_changes", "review": under_review.pk}, follow=True)

    assert "a comment is required" in response.content.decode()
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW


@pytest.mark.parametrize("transition", ["approve", "start_review", "request_changes"])
def test_forged_post_for_a_transition_the_editor_may_not_take_is_refused(
    client, under_review, draft, editor, transition
):
    client.force_login(editor)

    response = client.post(review_url(draft), {"transition": transition, "review": under_review.pk, "comment": "x"})

    assert response.status_code == 403
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW


def test_transition_endpoint_refuses_get_and_anonymous(client, submitted, draft):
    assert client.get(review_url(draft)).status_code in {302, 405}
    response = client.post(review_url(draft), {"transition": "start_review", "review": submitted.pk})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    submitted.refresh_from_db()
    assert submitted.state == Review.State.SUBMITTED


def test_a_post_about_a_stale_cycle_changes_nothing(client, submitted, draft, board_member):
    client.force_login(board_member)

    response = client.post(review_url(draft), {"transition": "start_review", "review": submitted.pk + 999}, follow=True)

    assert "changed while you were looking" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Review.State.SUBMITTED


def test_locked_article_is_shown_read_only_with_the_reason(client, submitted, draft, editor):
    client.force_login(editor)

    page = client.get(change_url(draft)).content.decode()

    assert "This article is locked: submitted for review by editor" in page
    assert 'name="summary"' not in page
    assert 'name="sections-0-claims-0-text"' not in page


def test_saving_a_locked_article_is_refused_and_keeps_the_editors_text(client, draft, editor):
    client.force_login(editor)
    data = form_fields(client.get(change_url(draft)).content.decode(), "article_form")
    from reviews.services import review_submit

    review_submit(article=draft, by=editor)  # someone submits while the form is open
    data["summary"] = "My careful rewrite of the summary."

    response = client.post(change_url(draft), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "This article is locked" in page and "your changes are still in the form below" in page
    assert "My careful rewrite of the summary." in page
    assert Article.objects.get(pk=draft.pk).summary != "My careful rewrite of the summary."


def test_review_queue_counts_and_filters(client, submitted, board_member, second_board_member):
    client.force_login(board_member)

    page = client.get("/admin/reviews/review/").content.decode()
    assert "Awaiting review (1)" in page and "Under review by me (0)" in page

    from reviews.services import review_start

    review_start(review=submitted, by=board_member)
    page = client.get("/admin/reviews/review/", {"queue": "mine"}).content.decode()
    assert "Under review by me (1)" in page and "Is ibuprofen safe?" in page
    client.force_login(second_board_member)
    page = client.get("/admin/reviews/review/", {"queue": "mine"}).content.decode()
    assert "Under review by me (0)" in page and "0 reviews" in page


def test_preview_shows_the_pinned_version_not_later_edits(client, under_review, draft, board_member, editor):
    from reviews.services import review_request_changes

    review_request_changes(review=under_review, by=board_member, comment="x")
    claim = Claim.objects.filter(section__article=draft).first()
    claim.text = "LATER EDIT " + claim.text
    claim.save()
    client.force_login(board_member)

    page = client.get(f"/admin/reviews/review/{under_review.pk}/preview/").content.decode()

    assert "Submitted version" in page and "Claim 1.1" in page
    assert "LATER EDIT" not in page


def test_preview_is_closed_to_readers(client, submitted):
    assert client.get(f"/admin/reviews/review/{submitted.pk}/preview/").status_code == 302


def test_quorum_progress_is_shown_on_the_article(client, under_review, draft, board_member, settings):
    settings.ORACLE_REQUIRED_APPROVALS = 2
    review_approve(review=under_review, by=board_member)
    client.force_login(board_member)

    page = client.get(change_url(draft)).content.decode()

    assert "Approvals: 1 of 2 required — Dr. Bo Reviewer, MD, FACP." in page


def test_locked_form_offers_no_save_buttons_and_no_raw_field_data(client, submitted, draft, editor):
    client.force_login(editor)

    page = client.get(change_url(draft)).content.decode()

    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert "is_hidden" not in page


def test_editor_sees_the_boards_request_on_the_article(client, under_review, draft, board_member, editor):
    from reviews.services import review_request_changes

    review_request_changes(review=under_review, by=board_member, comment="Say which trial supports this.")
    client.force_login(editor)

    page = client.get(change_url(draft)).content.decode()

    assert "Last decision: <strong>Changes requested</strong> by Dr. Bo Reviewer" in page
    assert "Say which trial supports this." in page


def test_unpublished_article_has_no_view_on_site_link(client, draft, editor):
    client.force_login(editor)

    assert "View on site" not in client.get(change_url(draft)).content.decode()


def test_a_resubmission_links_to_the_changes_since_the_version_sent_back(
    client, under_review, draft, board_member, editor
):
    from reviews.services import review_request_changes, review_submit

    review_request_changes(review=under_review, by=board_member, comment="Fix claim 1")
    claim = Claim.objects.filter(section__article=draft).first()
    claim.text = "Fixed " + claim.text
    claim.save()
    again = review_submit(article=draft, by=editor)
    client.force_login(board_member)

    page = client.get(change_url(draft)).content.decode()

    expected = (
        f"/admin/articles/article/{draft.pk}/history/diff/?from={under_review.revision_id}&amp;to={again.revision_id}"
    )
    assert f'href="{expected}">What changed since the previous submission' in page
    diff = client.get(expected.replace("&amp;", "&")).content.decode()
    assert "<ins>Fixed </ins>" in diff


def test_reviewer_starting_a_review_lands_on_the_review_page_with_the_diff_since_the_last_publication(
    client, article, editor, board_member
):
    first = review_submit(article=article, by=editor)
    other = UserFactory(username="board-b", groups=["Medical Advisory Board"])
    review_approve(review=review_start(review=first, by=other), by=other)
    claim = Claim.objects.filter(section__article=article).first()
    claim.text = "Updated claim text " + claim.text.split(" ", 1)[1]
    save_revision(editor, "update", claim.save)
    second = review_submit(article=article, by=editor)
    client.force_login(board_member)

    response = client.post(
        f"/admin/articles/article/{article.pk}/review/", {"transition": "start_review", "review": second.pk}
    )

    assert response["Location"] == f"/admin/reviews/review/{second.pk}/workspace/"
    page = client.get(response["Location"]).content.decode()
    assert "What changed since the version readers see now" in page
    assert "<ins>Updated</ins>" in page or "Updated claim text" in page
    # the stand-alone diff is the same comparison
    assert second.changes_url() == (
        f"/admin/articles/article/{article.pk}/history/diff/?to={second.revision_id}&from={first.revision_id}"
    )
