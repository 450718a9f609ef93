"""Comments in the admin: the review page's outline with "Add comment" beside each place and the
threads beside what they are about; the actions as POSTs (a forged one gets 403, a refused one keeps
the text); the change form's open threads linked to the box that edits their claim (outdated when
the working copy changed); the history's trail; the queries; and that no comment ever reaches a
reader page, the public API or the feed."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Claim
from reviews.comments import comment_reply, comment_thread_open, comment_thread_resolve
from reviews.models import CommentThread, Review
from reviews.services import review_approve, review_request_changes
from tests.helpers import UserFactory, change_url, every_checklist_item

pytestmark = pytest.mark.django_db

CLAIM = "claim:0:1"
MARKER = "ZQXCOMMENTBODY"


def workspace(review):
    return f"/admin/reviews/review/{review.pk}/workspace/"


def add_url(review):
    return f"/admin/reviews/review/{review.pk}/comments/add/"


def action_url(thread, action):
    return f"/admin/reviews/review/comments/{thread.pk}/{action}/"


def page_of(response):
    return response.content.decode()


def test_the_review_page_outlines_the_pinned_content_with_add_comment_beside_each_place(
    client, under_review, board_member
):
    client.force_login(board_member)
    html = page_of(client.get(workspace(under_review)))
    # summary, 2 headings, 6 claims, 4 references
    assert html.count('<summary>Add comment<span class="visually-hidden"> on ') == 13
    for token in ("summary", "heading:0", "claim:0:1", "claim:1:2"):
        assert f'name="anchor" value="{token}"' in html
    assert "Section 1, claim 2</span> " + under_review.content["sections"][0]["claims"][1]["text"] in html


def test_a_board_member_adds_a_comment_beside_the_claim_and_it_is_shown_escaped_with_line_breaks(
    client, under_review, board_member
):
    client.force_login(board_member)
    response = client.post(add_url(under_review), {"anchor": CLAIM, "body": "<b>Dose</b> wrong\nsee label"})
    thread = CommentThread.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/workspace/#thread-{thread.pk}")
    html = page_of(client.get(workspace(under_review)))
    assert "&lt;b&gt;Dose&lt;/b&gt; wrong<br>see label" in html and "<b>Dose</b>" not in html
    # beside its claim: inside that place's list item
    place = re.search(r'<li class="comment-place comment-place--claim" id="place-\d+">(.*?)</li>\s*<li', html, re.S)
    assert place and "Section 1, claim 1" in place.group(1)  # the first claim has none
    claim2 = html.split("Section 1, claim 2</span>")[1].split('class="comment-place ')[0]
    assert f'id="thread-{thread.pk}"' in claim2 and "Resolve" in claim2 and "Reply" in claim2


def test_a_refused_comment_says_why_and_keeps_the_text(client, under_review, board_member):
    client.force_login(board_member)
    response = client.post(add_url(under_review), {"anchor": CLAIM, "body": "@nobody look at this"})
    assert response.status_code == 400
    html = page_of(response)
    assert "No active board member or editor is called @nobody" in html
    assert ">@nobody look at this</textarea>" in html
    assert not CommentThread.objects.exists()


def test_forged_posts_get_403_and_change_nothing(client, under_review, board_member):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    outsider = UserFactory(username="outsider")  # staff without a role: cannot even see reviews
    client.force_login(outsider)
    assert client.post(add_url(under_review), {"anchor": CLAIM, "body": "x"}).status_code == 403
    for action in ("reply", "resolve", "reopen"):
        assert client.post(action_url(thread, action), {"body": "x"}).status_code == 403

    # a reader of reviews who neither submits nor reviews
    from django.contrib.auth.models import Permission

    reader = UserFactory(username="reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_review"))
    client.force_login(reader)
    assert client.post(add_url(under_review), {"anchor": CLAIM, "body": "x"}).status_code == 403
    assert client.post(action_url(thread, "reply"), {"body": "x"}).status_code == 403
    assert client.post(action_url(thread, "resolve")).status_code == 403
    assert thread.comments.count() == 1 and not CommentThread.objects.get().is_resolved


def test_the_actions_refuse_get_and_unknown_actions(client, under_review, board_member):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    client.force_login(board_member)
    assert client.get(action_url(thread, "resolve")).status_code == 405
    assert client.get(add_url(under_review)).status_code == 405
    assert client.post(action_url(thread, "delete")).status_code == 404


def test_reply_resolve_and_reopen_from_the_review_page(client, under_review, board_member, editor):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    client.force_login(editor)
    response = client.post(action_url(thread, "reply"), {"body": "Cited the label"})
    assert response.status_code == 302 and response["Location"].endswith(f"#thread-{thread.pk}")
    assert client.post(action_url(thread, "resolve")).status_code == 403  # the board's thread
    client.force_login(board_member)
    client.post(action_url(thread, "resolve"))
    html = page_of(client.get(workspace(under_review)))
    assert "Resolved</span> by Dr. Bo Reviewer" in html and ">Reopen</button>" in html
    assert "No unresolved comment threads." in html
    client.post(action_url(thread, "reopen"))
    assert not CommentThread.objects.get().is_resolved


def test_an_empty_reply_is_refused_with_a_message(client, under_review, board_member):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    client.force_login(board_member)
    response = client.post(action_url(thread, "reply"), {"body": "  "}, follow=True)
    assert "Write a comment first: it is empty." in page_of(response)
    assert thread.comments.count() == 1


def test_approving_on_the_review_page_with_unresolved_threads_is_refused_naming_them(
    client, under_review, board_member
):
    approver = UserFactory(username="board2", groups=["Medical Advisory Board"])
    comment_thread_open(review=under_review, anchor=CLAIM, body="The dose is wrong", by=board_member)
    client.force_login(approver)
    html = page_of(client.get(workspace(under_review)))
    assert "1 unresolved comment thread: approval is refused until every thread is resolved." in html
    response = client.post(
        f"/admin/reviews/review/{under_review.pk}/decide/",
        {"transition": "approve", "state": "under_review", "checklist": every_checklist_item(under_review)},
    )
    assert response.status_code == 400
    assert "1 comment thread is still unresolved: Section 1, claim 2: “The dose is wrong”" in page_of(response)
    assert Review.objects.get(pk=under_review.pk).state == Review.State.UNDER_REVIEW


def test_with_the_setting_off_the_review_page_only_warns(client, under_review, board_member, settings):
    settings.ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL = False
    comment_thread_open(review=under_review, anchor=CLAIM, body="Minor", by=board_member)
    client.force_login(board_member)
    html = page_of(client.get(workspace(under_review)))
    assert "1 unresolved comment thread: approving is possible, but check they are settled." in html


def test_the_editor_sees_each_open_thread_on_the_change_form_linked_to_its_claims_box(
    client, under_review, board_member, editor
):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite the label", by=board_member)
    done = comment_thread_open(review=under_review, anchor="summary", body="Settled", by=board_member)
    comment_thread_resolve(thread=done, by=board_member)
    review_request_changes(review=under_review, by=board_member, comment="See the comments")
    client.force_login(editor)
    html = page_of(client.get(change_url(under_review.article)))
    assert "Open comment threads (1)" in html and "Settled" not in html.split('id="review-comments"')[1][:3000]
    assert f'id="thread-{thread.pk}-panel"' in html
    assert '<a href="#id_sections-0-claims-1-text">Go to the text</a>' in html
    assert 'id="id_sections-0-claims-1-text"' in html  # the box it links to
    assert '<input type="hidden" name="next" value="article">' in html

    response = client.post(action_url(thread, "reply"), {"body": "Fixed", "next": "article"})
    assert response["Location"] == change_url(under_review.article) + "#review-comments"
    assert [c.body for c in thread.comments.all()] == ["Cite the label", "Fixed"]


def test_on_the_change_form_a_thread_whose_claim_changed_in_the_working_copy_is_outdated(
    client, under_review, board_member, editor
):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite the label", by=board_member)
    review_request_changes(review=under_review, by=board_member, comment="See the comments")
    claim = Claim.objects.get(section__article=under_review.article, section__position=0, position=1)
    Claim.objects.filter(pk=claim.pk).update(text="Rewritten claim")
    client.force_login(editor)
    html = page_of(client.get(change_url(under_review.article)))
    panel = html.split(f'id="thread-{thread.pk}-panel"')[1].split("</article>")[0]
    assert "Outdated" in panel and "The text changed; it was written on:" in panel and thread.quoted in panel


def test_the_history_shows_comments_and_each_approvals_attested_checklist(client, under_review, board_member, editor):
    from reviews.models import ChecklistItem

    ChecklistItem.objects.create(text="Doses checked against the label", position=1)
    approver = UserFactory(username="board2", groups=["Medical Advisory Board"])
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite <it>", by=board_member)
    comment_thread_resolve(thread=thread, by=board_member)
    review_approve(review=under_review, by=approver, ticked=every_checklist_item(under_review))
    client.force_login(editor)
    html = page_of(client.get(f"/admin/articles/article/{under_review.article_id}/history/"))
    trail = html.split('id="review-trail-heading"')[1]
    assert "Opened a thread — Section 1, claim 2" in trail and "Cite &lt;it&gt;" in trail
    assert "Resolved the thread — Section 1, claim 2" in trail
    assert "Ticked: Doses checked against the label" in trail
    assert trail.index("Opened a thread") < trail.index("Ticked: Doses")


def test_the_change_form_has_the_comment_trail(client, under_review, board_member, editor):
    comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    client.force_login(editor)
    html = page_of(client.get(change_url(under_review.article)))
    assert "Comment trail" in html and "opened a thread" in html


def _queries(client, review):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(workspace(review)).status_code == 200
    return len(queries)


def test_the_review_pages_queries_do_not_grow_with_threads_and_comments(client, under_review, board_member, editor):
    client.force_login(board_member)
    comment_thread_open(review=under_review, anchor=CLAIM, body="One", by=board_member)
    _queries(client, under_review)
    few = _queries(client, under_review)
    for n in range(8):
        thread = comment_thread_open(review=under_review, anchor=f"claim:1:{n % 3}", body=f"T{n}", by=board_member)
        comment_reply(thread=thread, body="Reply", by=editor)
        comment_reply(thread=thread, body="Again", by=board_member)
    comment_thread_resolve(thread=thread, by=board_member)
    assert _queries(client, under_review) == few


def test_the_change_forms_queries_do_not_grow_with_threads(client, under_review, board_member, editor):
    client.force_login(editor)
    comment_thread_open(review=under_review, anchor=CLAIM, body="One", by=board_member)
    url = change_url(under_review.article)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        thread = comment_thread_open(review=under_review, anchor=f"claim:1:{n % 3}", body=f"T{n}", by=board_member)
        comment_reply(thread=thread, body="Reply", by=editor)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_no_comment_reaches_the_answer_page_its_history_the_public_api_or_the_feed(
    client, under_review, board_member, settings
):
    settings.ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL = False
    approver = UserFactory(username="board2", groups=["Medical Advisory Board"])
    resolved = comment_thread_open(review=under_review, anchor="summary", body=f"{MARKER} resolved", by=board_member)
    comment_reply(thread=resolved, body=f"{MARKER} reply", by=board_member)
    comment_thread_resolve(thread=resolved, by=board_member)
    comment_thread_open(review=under_review, anchor=CLAIM, body=f"{MARKER} open", by=board_member)
    review_approve(review=under_review, by=approver, ticked=every_checklist_item(under_review))
    article = Article.objects.get(pk=under_review.article_id)
    assert article.current_publication_id
    client.logout()
    for url in (
        f"/articles/{article.slug}/",
        f"/articles/{article.slug}/history/",
        f"/articles/{article.slug}/v/1/",
        f"/api/answers/{article.slug}/",
        "/api/answers/",
        "/feed/",
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert MARKER.encode() not in body, url


def test_resolve_is_offered_only_to_who_may_resolve(client, under_review, board_member, editor):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    own = comment_thread_open(review=under_review, anchor="summary", body="My own doubt", by=editor)
    client.force_login(editor)
    html = page_of(client.get(workspace(under_review)))
    theirs = html.split(f'id="thread-{thread.pk}"')[1].split("</article>")[0]
    mine = html.split(f'id="thread-{own.pk}"')[1].split("</article>")[0]
    assert ">Resolve</button>" not in theirs and ">Reply</button>" in theirs
    assert ">Resolve</button>" in mine


def test_while_the_article_is_locked_the_panel_shows_threads_without_links_to_missing_boxes(
    client, under_review, board_member
):
    comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    client.force_login(board_member)
    html = page_of(client.get(change_url(under_review.article)))
    assert "Open comment threads (1)" in html and "Cite it" in html
    assert "Go to the text" not in html
