"""The review page: one page per cycle with what changed and the decision beside it. Who may see it,
who may decide on it, what a refusal keeps, and how many queries it costs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Claim
from reviews.models import ChecklistItem, Review, ReviewTransition
from reviews.services import review_start, review_submit
from tests.helpers import (
    CHANGE_FOR_READERS,
    UserFactory,
    change_url,
    every_checklist_item,
    make_article,
    reapprove,
    save_revision,
)

pytestmark = pytest.mark.django_db


def workspace(review):
    return f"/admin/reviews/review/{review.pk}/workspace/"


def decide(review):
    return f"/admin/reviews/review/{review.pk}/decide/"


def buttons(html):
    return re.findall(r'<button type="submit" name="transition" value="([a-z_]+)">', html)


def error_messages(html):
    return re.findall(r'<li class="error">(.*?)</li>', html, re.S)


@pytest.fixture
def checklist():
    return [
        ChecklistItem.objects.create(text="Doses checked against the current label", position=10),
        ChecklistItem.objects.create(text="Contraindications and interactions covered", position=20),
        ChecklistItem.objects.create(
            text="The patient summary reads at a general-public level",
            level=ChecklistItem.Level.RECOMMENDED,
            position=30,
        ),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, under_review):
    response = client.get(workspace(under_review))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

    response = client.post(
        decide(under_review), {"transition": "approve", "state": "under_review", **CHANGE_FOR_READERS}
    )
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW


def test_an_editor_may_read_the_page_but_deciding_is_403_and_changes_nothing(client, under_review, editor, checklist):
    client.force_login(editor)
    page = client.get(workspace(under_review)).content.decode()
    assert buttons(page) == []
    assert "No decision is available to you now" in page

    for name in ("approve", "request_changes"):
        response = client.post(
            decide(under_review),
            {
                "transition": name,
                "state": "under_review",
                "comment": "Looks fine",
                "checklist": [i.pk for i in checklist],
            },
        )
        assert response.status_code == 403
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW
    assert not under_review.approvals.exists()


def test_deciding_refuses_get(client, under_review, board_member):
    client.force_login(board_member)
    assert client.get(decide(under_review)).status_code == 405


def test_start_review_on_the_article_page_lands_on_the_review_page(client, submitted, draft, board_member):
    client.force_login(board_member)
    response = client.post(
        f"/admin/articles/article/{draft.pk}/review/", {"transition": "start_review", "review": submitted.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == workspace(submitted)
    page = client.get(response["Location"]).content.decode()
    assert "Review started." in page
    assert "The whole text (a first review" in page
    assert buttons(page) == ["request_changes", "approve"]
    # the article's page and the queue link to it
    assert f'href="{workspace(submitted)}"' in client.get(change_url(draft)).content.decode()
    assert f'href="{workspace(submitted)}"' in client.get("/admin/reviews/review/").content.decode()


def test_start_review_from_the_review_page(client, submitted, board_member):
    client.force_login(board_member)
    assert buttons(client.get(workspace(submitted)).content.decode()) == ["start_review"]

    response = client.post(decide(submitted), {"transition": "start_review", "state": "submitted"}, follow=True)

    assert response.redirect_chain == [(workspace(submitted), 302)]
    submitted.refresh_from_db()
    assert (submitted.state, submitted.reviewer) == (Review.State.UNDER_REVIEW, board_member)


def test_a_re_review_shows_the_words_that_changed_since_readers_last_saw_it(
    client, approved, editor, board_member, second_board_member
):
    claim = Claim.objects.filter(section__article=approved).order_by("section__position", "position").first()
    marker = claim.text[claim.text.index(" [@") :]
    save_revision(editor, "Dose corrected", lambda: Claim.objects.filter(pk=claim.pk).update(text="Take 5 mg" + marker))
    Article.objects.get(pk=approved.pk).save()
    review = review_start(review=review_submit(article=approved, by=editor), by=second_board_member)
    client.force_login(second_board_member)

    page = client.get(workspace(review)).content.decode()

    assert "What changed since the version readers see now" in page
    assert "<ins>Take 5 mg</ins>" in page or re.search(r"<ins>[^<]*Take[^<]*</ins>", page)


def test_approving_without_the_required_items_is_refused_naming_them_and_keeping_the_comment(
    client, under_review, board_member, checklist
):
    doses, interactions, reading = checklist
    client.force_login(board_member)

    response = client.post(
        decide(under_review),
        {
            "transition": "approve",
            "state": "under_review",
            "comment": "Checked the doses.",
            "checklist": [doses.pk],
            "declaration": "none",
            **CHANGE_FOR_READERS,
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    [message] = error_messages(page)
    assert "Contraindications and interactions covered" in message and "Doses checked" not in message
    assert ">Checked the doses.</textarea>" in page  # nothing the reviewer wrote is lost
    assert f'value="{doses.pk}" id="checklist-{doses.pk}" checked' in page
    assert f'value="{interactions.pk}" id="checklist-{interactions.pk}">' in page
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW
    assert not under_review.approvals.exists()


def test_approving_with_the_items_ticked_publishes_and_the_history_shows_the_attestation(
    client, under_review, board_member, checklist, draft
):
    doses, interactions, reading = checklist
    client.force_login(board_member)

    response = client.post(
        decide(under_review),
        {
            "transition": "approve",
            "state": "under_review",
            "checklist": [doses.pk, interactions.pk],
            "declaration": "none",
            **CHANGE_FOR_READERS,
        },
        follow=True,
    )

    assert "Approved and published as version 1." in response.content.decode()
    under_review.refresh_from_db()
    assert under_review.state == Review.State.APPROVED
    doses.text = "Edited afterwards"
    doses.save()
    trail = client.get(change_url(draft)).content.decode()
    assert "Ticked: Doses checked against the current label" in trail
    assert "Ticked: Contraindications and interactions covered" in trail
    assert "Not ticked: The patient summary reads at a general-public level (recommended)" in trail
    assert "Edited afterwards" not in trail
    page = client.get(workspace(under_review)).content.decode()
    assert "This cycle is closed: approved" in page
    assert "Ticked: Doses checked against the current label" in page


def test_a_decision_on_a_review_that_moved_meanwhile_is_refused_with_the_comment_kept(
    client, under_review, board_member
):
    client.force_login(board_member)
    response = client.post(
        decide(under_review), {"transition": "request_changes", "state": "submitted", "comment": "Fix claim 2."}
    )

    assert response.status_code == 409
    assert ">Fix claim 2.</textarea>" in response.content.decode()
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW


def test_request_changes_without_a_comment_is_refused(client, under_review, board_member):
    client.force_login(board_member)
    response = client.post(decide(under_review), {"transition": "request_changes", "state": "under_review"})

    assert response.status_code == 400
    assert "a comment is required" in " ".join(error_messages(response.content.decode()))
    assert not ReviewTransition.objects.filter(name="request_changes").exists()


def test_the_preview_frame_shows_each_audience_and_may_be_framed_only_by_the_site(client, under_review, board_member):
    client.force_login(board_member)
    response = client.get(f"/admin/reviews/review/{under_review.pk}/preview/?audience=patient")

    assert '<html lang="en" data-audience="patient">' in response.content.decode()
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    other = client.get(f"/admin/reviews/review/{under_review.pk}/preview/?audience=<script>")
    assert "data-audience" not in other.content.decode().split(">", 2)[1]


def _queries(client, review):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(workspace(review)).status_code == 200
    return len(queries)


def test_the_review_page_costs_the_same_queries_however_long_the_answer_and_the_checklist(client, editor, board_member):
    client.force_login(board_member)
    small = make_article(question="Is a small thing safe?", slug="small", sections=1, claims_per_section=1)
    big = make_article(question="Is a big thing safe?", slug="big", sections=6, claims_per_section=5, references=8)
    ChecklistItem.objects.create(text="One")
    small_review = review_start(review=review_submit(article=small, by=editor), by=board_member)
    big_review = review_start(review=review_submit(article=big, by=editor), by=board_member)
    _queries(client, small_review)  # warm the session and content types

    few = _queries(client, small_review)
    for n in range(5):
        ChecklistItem.objects.create(text=f"Item {n}")
    many = _queries(client, big_review)

    assert few == many
    # session, user, permissions ×2, review, base, revisions, versions, references, approvals, checklist,
    # previous cycle; the stages, the user's groups, the open stage's group (whom the board may assign),
    # the user's board profile (the admin greets them by name); the approver's disclosures, the cycle's
    # schedules, the comment threads, the open stages' assignees' disclosures; the content checks' configuration
    assert many <= 21, f"{many} queries"


def test_the_review_page_of_a_cycle_with_approvals_costs_no_query_per_approval(
    client, editor, board_member, second_board_member, settings
):
    settings.ORACLE_REQUIRED_APPROVALS = 3
    third = UserFactory(username="board3", groups=["Medical Advisory Board"])
    ChecklistItem.objects.create(text="One")
    article = make_article(question="Is it safe?", slug="is-it-safe")
    review = review_start(review=review_submit(article=article, by=editor), by=board_member)
    from reviews.services import review_approve

    client.force_login(third)
    review_approve(review=review, by=board_member, ticked=every_checklist_item(review))
    _queries(client, review)
    one = _queries(client, review)
    review_approve(review=review, by=second_board_member, ticked=every_checklist_item(review))

    assert _queries(client, review) == one


def test_reapprove_helper_ticks_every_item(editor, board_member, approved, checklist):
    article = reapprove(approved, editor=editor, board=board_member)
    assert article.current_publication.number == 2


def test_the_article_pages_approve_button_is_held_to_the_same_checklist(
    client, under_review, board_member, checklist, draft
):
    doses, interactions, _ = checklist
    client.force_login(board_member)
    url = f"/admin/articles/article/{draft.pk}/review/"

    refused = client.post(
        url,
        {"transition": "approve", "review": under_review.pk, "declaration": "none", **CHANGE_FOR_READERS},
        follow=True,
    )
    assert "Contraindications and interactions covered" in " ".join(error_messages(refused.content.decode()))
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW

    client.post(
        url,
        {
            "transition": "approve",
            "review": under_review.pk,
            "checklist": [doses.pk, interactions.pk],
            "declaration": "none",
            **CHANGE_FOR_READERS,
        },
    )
    under_review.refresh_from_db()
    assert under_review.state == Review.State.APPROVED
