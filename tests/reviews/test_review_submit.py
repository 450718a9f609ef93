import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from reversion.models import Version

from articles.models import Article, Claim, ReviewStatus
from reviews.models import Review, ReviewTransition
from reviews.services import ReviewRefused, review_submit
from tests.helpers import LITERATURE_THROUGH, ArticleFactory, ClaimFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_submit_opens_a_cycle_pinning_the_current_content(draft, editor):
    review = review_submit(article=draft, by=editor, change_summary="New answer")

    assert review.state == Review.State.SUBMITTED
    assert review.submitted_by == editor
    assert review.content["question"] == "Is ibuprofen safe?"
    assert review.content["sections"][0]["claims"][0]["text"].startswith("Claim 1.1")
    pinned = Version.objects.get_for_object(draft).first()
    assert review.revision == pinned.revision
    assert pinned.revision.user == editor
    assert Version.objects.filter(revision=review.revision, content_type__model="claim").count() == 6


def test_submit_locks_the_article_saying_who_holds_it(submitted, draft):
    draft.refresh_from_db()

    assert draft.review_status == ReviewStatus.SUBMITTED
    assert draft.locked_by.username == "editor"
    assert "submitted for review by editor" in draft.lock_reason


def test_submit_is_logged_in_the_audit_trail(submitted, editor):
    log = ReviewTransition.objects.get()

    assert (log.name, log.source, log.target, log.by, log.comment) == (
        "submit",
        "new",
        "submitted",
        editor,
        "First draft",
    )


def test_submit_emails_the_board_after_commit(draft, editor, board_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(article=draft, by=editor)

    [message] = mail.outbox
    assert message.to == [board_member.email]
    assert message.subject == "Review requested: Is ibuprofen safe?"
    assert f"/admin/reviews/review/{Review.objects.get().pk}/preview/" in message.body


def test_emails_show_the_question_as_typed_on_one_line(editor, board_member, draft, django_capture_on_commit_callbacks):
    draft.question = "Is it safe to take <b>ibuprofen</b> & paracetamol if I'm pregnant?\r\nBcc: all@example.org"
    draft.save()

    with django_capture_on_commit_callbacks(execute=True):
        review_submit(article=draft, by=editor, change_summary="Doesn't cite the <i>2021</i> review")

    [message] = mail.outbox
    question = "Is it safe to take <b>ibuprofen</b> & paracetamol if I'm pregnant? Bcc: all@example.org"
    assert message.subject == f"Review requested: {question}"
    assert "&#x27;" not in message.body and "&lt;" not in message.body and "&amp;" not in message.body
    assert "<b>ibuprofen</b> & paracetamol if I'm pregnant?" in message.body
    assert "What changed: Doesn't cite the <i>2021</i> review" in message.body
    headers = message.message()
    assert headers["Bcc"] is None and message.bcc == []
    assert "\n" not in headers["Subject"].replace("\n ", "")  # folded for length at most, never a new header


def test_submit_is_refused_listing_every_reason_and_changes_nothing(editor):
    article = ArticleFactory(summary="  ")
    ClaimFactory(section=SectionFactory(article=article, heading="Risks"), text="Bad [@ghost]")
    SectionFactory(article=article, heading="Empty")

    with pytest.raises(ReviewRefused) as excinfo:
        review_submit(article=article, by=editor)

    assert excinfo.value.messages == [
        "This article cannot be submitted for review:",
        "Section 1 “Risks”, claim 1: unknown reference key “ghost”",
        "The summary answer is empty.",
        "Section 2 “Empty” has no claims.",
        "Literature reviewed through: is not set: enter the date up to which the evidence was searched (under “Re-review”).",
    ]
    assert not Review.objects.exists() and not ReviewTransition.objects.exists()
    assert Article.objects.get(pk=article.pk).lock_reason == ""


def test_submit_is_refused_for_an_article_without_sections(editor):
    with pytest.raises(ReviewRefused, match="no sections"):
        review_submit(article=ArticleFactory(), by=editor)


def test_submit_is_refused_while_import_problems_remain(editor, example_page):
    from reviews.importing.write import review_import_pages

    [result] = review_import_pages([example_page], allow_missing=True)

    with pytest.raises(ReviewRefused) as excinfo:
        review_submit(article=result.article, by=editor)

    assert any("reference 5 is cited on line 45" in m for m in excinfo.value.messages)


def test_a_second_open_cycle_is_refused(submitted, draft, editor):
    with pytest.raises(ReviewRefused, match="already in review"):
        review_submit(article=draft, by=editor)

    assert Review.objects.count() == 1


def test_board_member_cannot_submit(draft, board_member):
    with pytest.raises(PermissionDenied):
        review_submit(article=draft, by=board_member)

    assert not Review.objects.exists()


def test_locked_article_cannot_be_changed_in_code(submitted, draft):
    from articles.models import ArticleLocked, Section

    article = Article.objects.get(pk=draft.pk)
    article.summary = "Sneaky edit"
    claim = Claim.objects.filter(section__article=draft).first()
    claim.text = "Sneaky claim"

    with pytest.raises(ArticleLocked, match="locked: submitted for review by editor"):
        article.save()
    with pytest.raises(ArticleLocked):
        claim.save()
    with pytest.raises(ArticleLocked):
        Section.objects.filter(article=draft).delete()
    with pytest.raises(ArticleLocked):
        ClaimFactory(section=claim.section, text="New claim")

    assert Article.objects.get(pk=draft.pk).summary != "Sneaky edit"
    assert not Claim.objects.filter(text__startswith="Sneaky").exists()


def test_reimporting_a_page_under_review_is_refused_and_writes_nothing(editor, demo_page, write_page):
    from reviews.importing.write import ImportRefused, review_import_pages

    [result] = review_import_pages([demo_page])
    Article.objects.filter(pk=result.article.pk).update(literature_through=LITERATURE_THROUGH)
    review_submit(article=result.article, by=editor)
    changed = write_page(demo_page.read_text().replace("excessive weakness", "marked weakness"))

    with pytest.raises(ImportRefused) as excinfo:
        review_import_pages([changed])

    assert "This article is locked" in excinfo.value.messages[0]
    assert not Claim.objects.filter(text__contains="marked weakness").exists()
