"""Comments on what they are about: who may comment, reply, resolve and reopen, and when; where a
thread is anchored (kind + position + the text it was written on) and where it is found again in a
later content (moved, outdated, gone); @mentions (one durable email each, unknown names refused);
unresolved threads blocking approval (or only warning); the comment trail."""

import pytest
from django.core.exceptions import PermissionDenied

from articles.models import Article, Claim, Section
from core.models import Effect
from reviews.comments import (
    Anchor,
    CommentRefused,
    comment_reply,
    comment_thread_open,
    comment_thread_reopen,
    comment_thread_resolve,
    locate,
    parse_anchor,
    threads_for_cycle,
)
from reviews.models import Comment, CommentEvent, CommentThread, Review
from reviews.services import ReviewRefused, review_approve, review_request_changes, review_submit
from tests.helpers import UserFactory, every_checklist_item

pytestmark = pytest.mark.django_db

EMAIL = "reviews.notifications.send_email"
CLAIM = "claim:0:1"  # Section 1, claim 2: "Claim 1.2 [@ref-…]"


def claim_text(review, s, c):
    return review.content["sections"][s]["claims"][c]["text"]


def resubmit(review, *, board, editor, change=None):
    """Send the cycle back, let the editor change the working copy, and submit a new cycle."""
    review_request_changes(review=review, by=board, comment="Please fix")
    if change:
        change(Article.objects.get(pk=review.article_id))
    return review_submit(article=Article.objects.get(pk=review.article_id), by=editor)


# --- anchoring ----------------------------------------------------------------------------------


def test_a_thread_records_its_place_and_the_text_it_was_written_on(under_review, board_member):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="The dose is wrong", by=board_member)
    assert (thread.kind, thread.section, thread.claim) == ("claim", 0, 1)
    assert thread.quoted == claim_text(under_review, 0, 1)
    assert thread.opened_in == under_review and thread.article_id == under_review.article_id
    assert [c.body for c in thread.comments.all()] == ["The dose is wrong"]
    assert Anchor.of(thread).label == "Section 1, claim 2"


@pytest.mark.parametrize(
    "token, label",
    [
        ("summary", "The summary"),
        ("heading:1", "Section 2, heading"),
        ("claim:1:2", "Section 2, claim 3"),
    ],
)
def test_every_kind_of_place_can_be_commented_on(under_review, board_member, token, label):
    thread = comment_thread_open(review=under_review, anchor=token, body="Look here", by=board_member)
    assert Anchor.of(thread).label == label and thread.quoted


def test_an_audience_version_and_a_cited_reference_can_be_commented_on(editor, board_member, draft):
    from reviews.services import review_start

    Article.objects.filter(pk=draft.pk).update(summary_patient="Simple words.")
    review = review_start(review=review_submit(article=Article.objects.get(pk=draft.pk), by=editor), by=board_member)
    variant = comment_thread_open(review=review, anchor="variant:patient", body="Too hard", by=board_member)
    assert variant.quoted == "Simple words."
    key = next(iter(review.content["references"]))
    ref = comment_thread_open(review=review, anchor=f"reference:{key}", body="Retracted?", by=board_member)
    assert review.content["references"][key]["title"] in ref.quoted


@pytest.mark.parametrize("token", ["", "claim", "claim:0", "claim:a:b", "claim:-1:0", "variant:martian", "nowhere:1"])
def test_a_place_that_is_not_one_is_refused(token):
    with pytest.raises(CommentRefused):
        parse_anchor(token)


def test_a_place_the_pinned_content_does_not_have_is_refused_and_nothing_is_saved(under_review, board_member):
    with pytest.raises(CommentRefused, match="Section 9, claim 1 is not in the version under review"):
        comment_thread_open(review=under_review, anchor="claim:8:0", body="Hm", by=board_member)
    with pytest.raises(CommentRefused):
        comment_thread_open(review=under_review, anchor="variant:student", body="Hm", by=board_member)
    assert not CommentThread.objects.exists() and not Comment.objects.exists() and not CommentEvent.objects.exists()


# --- bodies -------------------------------------------------------------------------------------


def test_an_empty_or_too_long_comment_is_refused_and_nothing_is_saved(under_review, board_member):
    with pytest.raises(CommentRefused, match="empty"):
        comment_thread_open(review=under_review, anchor=CLAIM, body="  \n ", by=board_member)
    with pytest.raises(CommentRefused, match="at most 4,000 characters; this one has 4,001"):
        comment_thread_open(review=under_review, anchor=CLAIM, body="x" * 4001, by=board_member)
    assert not CommentThread.objects.exists()


def test_invisible_characters_are_removed_from_a_comment(under_review, board_member):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Dose\u200b is\u0007 wrong", by=board_member)
    assert thread.comments.get().body == "Dose is wrong"


# --- who, and when ------------------------------------------------------------------------------


def test_board_members_and_editors_comment_and_reply(under_review, board_member, editor):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite the label", by=board_member)
    comment_reply(thread=thread, body="Done, see the new citation", by=editor)
    assert [c.author for c in thread.comments.all()] == [board_member, editor]


def test_staff_without_a_review_role_may_not_comment_reply_resolve_or_reopen(under_review, board_member):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite the label", by=board_member)
    outsider = UserFactory(username="outsider")  # staff, no group
    inactive = UserFactory(username="gone", groups=["Medical Advisory Board"], is_active=False)
    for user in (outsider, inactive):
        with pytest.raises(PermissionDenied):
            comment_thread_open(review=under_review, anchor=CLAIM, body="Me too", by=user)
        with pytest.raises(PermissionDenied):
            comment_reply(thread=thread, body="Me too", by=user)
        with pytest.raises(PermissionDenied):
            comment_thread_resolve(thread=thread, by=user)
    comment_thread_resolve(thread=thread, by=board_member)
    with pytest.raises(PermissionDenied):
        comment_thread_reopen(thread=thread, by=outsider)
    assert thread.comments.count() == 1


def test_an_editor_may_not_resolve_the_boards_thread_but_the_board_may(under_review, board_member, editor):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite the label", by=board_member)
    with pytest.raises(PermissionDenied):
        comment_thread_resolve(thread=thread, by=editor)
    other = UserFactory(username="board2", groups=["Medical Advisory Board"])
    comment_thread_resolve(thread=thread, by=other)
    thread.refresh_from_db()
    assert thread.is_resolved and thread.resolved_by == other


def test_an_editor_resolves_their_own_thread(under_review, editor):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="I am unsure here", by=editor)
    comment_thread_resolve(thread=thread, by=editor)
    assert CommentThread.objects.get().is_resolved


def test_resolve_and_reopen_refuse_what_is_already_so(under_review, board_member):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="x", by=board_member)
    with pytest.raises(CommentRefused, match="open already"):
        comment_thread_reopen(thread=thread, by=board_member)
    comment_thread_resolve(thread=thread, by=board_member)
    with pytest.raises(CommentRefused, match="already resolved"):
        comment_thread_resolve(thread=thread, by=board_member)
    comment_thread_reopen(thread=thread, by=board_member, body="Not fixed after all")
    thread.refresh_from_db()
    assert not thread.is_resolved and thread.comments.count() == 2


def test_threads_are_opened_while_submitted_under_review_or_sent_back_not_once_closed(submitted, board_member, editor):
    from reviews.services import review_start

    comment_thread_open(review=submitted, anchor=CLAIM, body="Before starting", by=board_member)
    review = review_start(review=submitted, by=board_member)
    review_request_changes(review=review, by=board_member, comment="Fix it")
    comment_thread_open(review=review, anchor="summary", body="While changes are requested", by=editor)
    from reviews.services import review_withdraw

    again = review_submit(article=Article.objects.get(pk=review.article_id), by=editor)
    with pytest.raises(CommentRefused, match="a later cycle exists"):
        comment_thread_open(review=review, anchor="summary", body="On the old cycle", by=board_member)
    review_withdraw(review=again, by=editor)
    with pytest.raises(CommentRefused, match="withdrawn"):
        comment_thread_open(review=again, anchor="summary", body="Too late", by=board_member)
    assert CommentThread.objects.count() == 2


# --- mentions -----------------------------------------------------------------------------------


def test_each_person_mentioned_gets_one_email_through_the_durable_effects(under_review, board_member, editor, settings):
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    other = UserFactory(username="board2", groups=["Medical Advisory Board"])
    before = Effect.objects.filter(name=EMAIL).count()
    comment_thread_open(
        review=under_review,
        anchor=CLAIM,
        body="@editor please cite the label, and @board2 @editor have a look. @board (me) too.",
        by=board_member,
    )
    sent = Effect.objects.filter(name=EMAIL).order_by("pk")[before:]
    assert sorted(e.args["to"] for e in sent) == sorted([editor.email, other.email])
    body = sent[0].args["body"]
    assert f"/admin/reviews/review/{under_review.pk}/workspace/#thread-" in body
    assert claim_text(under_review, 0, 1) in body and "please cite the label" in body
    assert "mentioned you" in sent[0].args["subject"]


def test_an_unknown_or_inactive_mention_is_refused_naming_it_and_nothing_is_saved(under_review, board_member, settings):
    UserFactory(username="left", groups=["Editors"], is_active=False)
    UserFactory(username="reader")  # staff, neither board nor editor
    before = Effect.objects.count()
    with pytest.raises(CommentRefused, match="called @nobody, @left, @reader: check the name"):
        comment_thread_open(review=under_review, anchor=CLAIM, body="@nobody @left @reader look", by=board_member)
    assert not CommentThread.objects.exists() and Effect.objects.count() == before


def test_an_email_address_is_not_a_mention(under_review, board_member):
    comment_thread_open(review=under_review, anchor=CLAIM, body="Write to someone@editor.org", by=board_member)
    assert CommentThread.objects.count() == 1


# --- outdated, moved, carried over --------------------------------------------------------------


def test_a_thread_is_outdated_when_its_claim_changed_and_shows_the_text_it_was_written_on(
    under_review, board_member, editor
):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="The dose is wrong", by=board_member)
    written_on = thread.quoted

    def fix(article):
        claim = Claim.objects.get(section__article=article, section__position=0, position=1)
        Claim.objects.filter(pk=claim.pk).update(text=claim.text.replace("Claim 1.2", "Claim 1.2 at a corrected dose"))

    nxt = resubmit(under_review, board=board_member, editor=editor, change=fix)
    located = locate(thread, nxt.content)
    assert located.outdated and located.anchor.label == "Section 1, claim 2"
    assert located.thread.quoted == written_on


def test_a_claim_that_merely_moved_takes_its_thread_with_it(under_review, board_member, editor):
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Check this", by=board_member)

    def move(article):
        first = Section.objects.get(article=article, position=0)
        a, b = first.claims.order_by("position")[:2]
        Claim.objects.filter(pk=a.pk).update(position=5)  # claim 2 becomes claim 1

    nxt = resubmit(under_review, board=board_member, editor=editor, change=move)
    located = locate(thread, nxt.content)
    assert not located.outdated and located.moved and located.anchor.label == "Section 1, claim 1"


def test_a_thread_whose_section_is_gone_is_outdated_and_nowhere(under_review, board_member, editor):
    thread = comment_thread_open(review=under_review, anchor="claim:1:2", body="Check", by=board_member)

    def drop(article):
        section = Section.objects.get(article=article, position=1)
        Claim.objects.filter(section=section).delete()
        section.delete()

    nxt = resubmit(under_review, board=board_member, editor=editor, change=drop)
    located = locate(thread, nxt.content)
    assert located.outdated and located.anchor is None and "no longer in the text" in located.label


def test_open_threads_carry_over_to_the_next_cycle_and_resolved_ones_stay_with_theirs(
    under_review, board_member, editor
):
    kept = comment_thread_open(review=under_review, anchor=CLAIM, body="Still open", by=board_member)
    done = comment_thread_open(review=under_review, anchor="summary", body="Settled", by=board_member)
    comment_thread_resolve(thread=done, by=board_member)
    nxt = resubmit(under_review, board=board_member, editor=editor)
    assert list(threads_for_cycle(nxt)) == [kept]
    assert set(threads_for_cycle(under_review)) == {kept, done}


# --- blocking approval --------------------------------------------------------------------------


def test_unresolved_threads_refuse_approval_naming_how_many_and_where(under_review, board_member):
    approver = UserFactory(username="board2", groups=["Medical Advisory Board"])
    comment_thread_open(review=under_review, anchor="claim:1:2", body="The dose is wrong", by=board_member)
    comment_thread_open(review=under_review, anchor="summary", body="Too long", by=board_member)
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=under_review, by=approver, ticked=every_checklist_item(under_review))
    message = " ".join(refused.value.messages)
    assert "2 comment threads are still unresolved" in message
    assert "Section 2, claim 3: “The dose is wrong”" in message and "The summary: “Too long”" in message
    assert Review.objects.get(pk=under_review.pk).state == Review.State.UNDER_REVIEW
    assert not under_review.approvals.exists()

    for thread in CommentThread.objects.all():
        comment_thread_resolve(thread=thread, by=board_member)
    review_approve(review=under_review, by=approver, ticked=every_checklist_item(under_review))
    assert Review.objects.get(pk=under_review.pk).state == Review.State.APPROVED


def test_with_the_setting_off_unresolved_threads_do_not_block(under_review, board_member, settings):
    settings.ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL = False
    approver = UserFactory(username="board2", groups=["Medical Advisory Board"])
    comment_thread_open(review=under_review, anchor=CLAIM, body="Minor", by=board_member)
    review_approve(review=under_review, by=approver, ticked=every_checklist_item(under_review))
    assert Review.objects.get(pk=under_review.pk).state == Review.State.APPROVED


def test_the_setting_is_on_by_default():
    from django.conf import settings

    assert settings.ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL is True


# --- the trail ----------------------------------------------------------------------------------


def test_every_comment_resolution_and_reopening_is_in_the_append_only_trail(under_review, board_member, editor):
    from django.core.exceptions import ValidationError

    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="Cite it", by=board_member)
    comment_reply(thread=thread, body="Cited", by=editor)
    comment_thread_resolve(thread=thread, by=board_member)
    comment_thread_reopen(thread=thread, by=editor)
    trail = list(CommentEvent.objects.filter(article_id=under_review.article_id))
    assert [(e.action, e.by) for e in trail] == [
        ("opened", board_member),
        ("replied", editor),
        ("resolved", board_member),
        ("reopened", editor),
    ]
    assert {e.place for e in trail} == {"Section 1, claim 2"} and {e.review for e in trail} == {under_review}
    with pytest.raises(ValidationError):
        trail[0].delete()
    with pytest.raises(ValidationError):
        Comment.objects.update(body="rewritten")


def test_the_mention_email_is_plain_text_never_html_escaped(under_review, board_member, editor, settings):
    from django.core import mail

    from tests.helpers import run_effects

    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    thread = comment_thread_open(review=under_review, anchor=CLAIM, body="First", by=board_member)
    comment_reply(thread=thread, body="@editor it's <b>wrong</b>\nsee the label", by=board_member)
    run_effects()
    (message,) = [m for m in mail.outbox if m.to == [editor.email]]
    assert "it's <b>wrong</b>\nsee the label" in message.body and "&lt;" not in message.body
    assert "\n" not in message.subject and "Dr. Bo Reviewer, MD, FACP mentioned you" in message.subject
