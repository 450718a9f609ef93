"""What changed, and how far the evidence was searched (issue 16, Deliver 5 and 6): the board
classifies each approval's change and approves the note readers see; "literature reviewed
through" is reviewed content the approver confirms. The rules are in `articles/change_notes.py`
and `reviews.services.review_approve`; readers see only what a completing approval recorded."""

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.change_notes import NOT_ASKED, ChangeClass, change_problems
from articles.history import content_at
from articles.models import Article, Publication
from articles.publishing import latest_revision
from articles.snapshots import load_article, snapshot_article
from reviews.models import Review, ReviewApproval
from reviews.services import ReviewRefused, content_fingerprint, review_approve, review_start, review_submit
from tests.helpers import LITERATURE_THROUGH, UserFactory, every_checklist_item, make_article, save_revision

pytestmark = pytest.mark.django_db

TOLD = {
    "change_class": "major",
    "change_note": "New trial data on bleeding risk added.",
    "literature_confirmed": LITERATURE_THROUGH.isoformat(),
}


def content(**fields):
    return {"literature_through": LITERATURE_THROUGH.isoformat(), **fields}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def json_ld(html):
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


# --- the rules ---------------------------------------------------------------------------------


def test_a_program_that_asks_no_one_is_not_checked():
    assert change_problems(change_class=NOT_ASKED, change_note="", literature_confirmed=None, content={}) == []


def test_a_complete_decision_has_no_problems():
    assert change_problems(content=content(), **TOLD) == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"change_class": ""}, "Classify the change for readers"),
        ({"change_class": "huge"}, "“huge” is not a class of change"),
        ({"change_note": "   "}, "Write the note readers see"),
        ({"change_note": "x" * 1001}, "keep it to 1000"),
        ({"literature_confirmed": ""}, "Confirm that the literature was reviewed through 2025-06-30"),
        ({"literature_confirmed": "2025-06-29"}, "Confirm that the literature was reviewed through 2025-06-30"),
        ({"literature_confirmed": "not a date"}, "Confirm that the literature was reviewed through"),
    ],
)
def test_each_missing_or_bad_part_is_refused_with_a_clear_message(given, expected):
    [problem] = change_problems(content=content(), **(TOLD | given))
    assert expected in problem


def test_a_missing_or_future_literature_date_is_refused():
    [missing] = change_problems(content={}, **TOLD)
    assert "has no “Literature reviewed through” date" in missing
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    [future] = change_problems(content={"literature_through": tomorrow}, **TOLD | {"literature_confirmed": tomorrow})
    assert "is in the future" in future


def test_the_article_refuses_a_literature_date_in_the_future():
    article = make_article(literature_through=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        article.full_clean()


# --- the literature date is reviewed content ----------------------------------------------------


def test_the_literature_date_is_in_the_snapshot_and_so_in_the_fingerprint():
    article = make_article()
    before = snapshot_article(load_article(article.pk))
    assert before["literature_through"] == "2025-06-30"
    article.literature_through = datetime.date(2025, 7, 31)
    article.save()
    assert content_fingerprint(snapshot_article(load_article(article.pk))) != content_fingerprint(before)


def test_content_without_a_literature_date_keeps_its_fingerprint():
    article = make_article(literature_through=None)
    assert "literature_through" not in snapshot_article(load_article(article.pk))


def test_changing_the_date_after_submission_refuses_the_approval(under_review, board_member):
    Article.objects.filter(pk=under_review.article_id).update(literature_through=datetime.date(2025, 1, 1))
    with pytest.raises(ReviewRefused, match="has changed since it was submitted"):
        review_approve(review=under_review, by=board_member, **TOLD | {"literature_confirmed": "2025-01-01"})


def test_the_history_compares_the_literature_date_as_text(article, editor):
    article.literature_through = datetime.date(2025, 9, 1)
    save_revision(editor, "Searched again", lambda: article.save())
    assert content_at(latest_revision(article), article.pk)["literature_through"] == "2025-09-01"


# --- approval --------------------------------------------------------------------------------


def test_the_completing_approval_gives_the_publication_its_class_note_and_date(under_review, board_member):
    review = review_approve(review=under_review, by=board_member, comment="Fine.", **TOLD)

    publication = review.publication
    assert (publication.change_class, publication.change_note) == ("major", "New trial data on bleeding risk added.")
    assert publication.literature_through == LITERATURE_THROUGH


def test_a_refused_decision_records_nothing(under_review, board_member):
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=under_review, by=board_member, change_class="", change_note="", literature_confirmed="")

    assert len(refused.value.messages) == 3  # class, note, the literature date: every reason at once
    assert not ReviewApproval.objects.exists()
    assert not Publication.objects.exists()
    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW


def test_programs_publish_without_a_class_or_a_note(under_review, board_member):
    review = review_approve(review=under_review, by=board_member)
    assert (review.publication.change_class, review.publication.change_note) == ("", "")
    assert review.publication.literature_through == LITERATURE_THROUGH  # content: always frozen


def test_the_importer_s_publications_have_no_class(demo):
    publication = demo.current_publication
    assert (publication.change_class, publication.change_note, publication.literature_through) == ("", "", None)


def test_with_a_quorum_of_two_the_completing_approval_s_values_win(settings, submitted, board_member):
    settings.ORACLE_REQUIRED_APPROVALS = 2
    second = UserFactory(username="board-two", groups=["Medical Advisory Board"])
    review = review_start(review=submitted, by=board_member)
    review = review_approve(review=review, by=board_member, **TOLD | {"change_class": "minor", "change_note": "First."})
    assert review.publication is None
    review = review_approve(
        review=review, by=second, **TOLD | {"change_class": "practice-changing", "change_note": "Last."}
    )
    assert (review.publication.change_class, review.publication.change_note) == ("practice-changing", "Last.")
    # each approval keeps what its approver said (append-only)
    assert list(review.approvals.order_by("at", "id").values_list("change_class", "change_note")) == [
        ("minor", "First."),
        ("practice-changing", "Last."),
    ]


def test_the_class_and_note_are_immutable(approved):
    publication = approved.current_publication
    publication.change_note = "Rewritten afterwards"
    with pytest.raises(ValidationError, match="immutable"):
        publication.save()


# --- readers ---------------------------------------------------------------------------------


@pytest.fixture
def noted(under_review, board_member):
    review_approve(review=under_review, by=board_member, **TOLD)
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)


def test_the_answer_page_shows_the_note_its_class_and_the_literature_date(client, noted):
    html = client.get(noted.get_absolute_url()).content.decode()
    text = text_of(html)

    assert "Major update New trial data on bleeding risk added." in text
    assert 'class="change-class change-class--major"' in html
    assert "Literature reviewed through June 30, 2025" in text
    assert '<time datetime="2025-06-30">' in html
    # separate from "Last updated"
    assert text.index("Last updated") < text.index("Literature reviewed through")


def test_the_note_is_escaped(under_review, board_member, client):
    review = review_approve(
        review=under_review, by=board_member, **TOLD | {"change_note": "<script>alert(1)</script> & more"}
    )
    html = client.get(review.publication.article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_the_answer_page_keeps_its_query_count(client, noted, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # as tests/articles/test_answer_page.py: the stored page
        response = client.get(noted.get_absolute_url())
    assert b"New trial data" in response.content


def test_json_ld_carries_the_literature_date_and_the_change(client, noted):
    data = json_ld(client.get(noted.get_absolute_url()).content.decode())

    assert data["temporalCoverage"] == "../2025-06-30"
    assert data["correction"] == {
        "@type": "CorrectionComment",
        "name": "Major update",
        "text": "New trial data on bleeding risk added.",
        "datePublished": noted.current_publication.published_at.isoformat(),
    }


def test_json_ld_without_a_note_or_date_is_as_before(client, demo):
    data = json_ld(client.get(demo.get_absolute_url()).content.decode())
    assert "correction" not in data and "temporalCoverage" not in data


def test_the_public_history_lists_every_note_and_class(client, noted, editor, board_member):
    article = noted
    article.summary = article.summary + " More."
    article.save()
    review = review_start(review=review_submit(article=article, by=editor, change_summary="ZQXEDITOR"), by=board_member)
    second = UserFactory(username="board-two", groups=["Medical Advisory Board"])
    review_approve(review=review, by=second, **TOLD | {"change_class": "editorial", "change_note": "Wording."})

    text = text_of(client.get(f"/articles/{article.slug}/history/").content.decode())
    assert "Editorial update Wording." in text
    assert "Major update New trial data on bleeding risk added." in text
    # the editor's summary for the board is not what readers are told once the board wrote a note
    assert "ZQXEDITOR" not in text


def test_the_api_gives_the_class_note_and_literature_date(client, noted):
    review = client.get(f"/api/answers/{noted.slug}/").json()["review"]
    assert review["change_class"] == "major"
    assert review["change_note"] == "New trial data on bleeding risk added."
    assert review["literature_through"] == "2025-06-30"


def test_the_api_gives_nulls_for_an_import(client, demo):
    review = client.get(f"/api/answers/{demo.slug}/").json()["review"]
    assert (review["change_class"], review["change_note"], review["literature_through"]) == (None, "", None)


def test_no_unapproved_note_reaches_readers(client, noted, editor, board_member):
    """The editor's proposal for a cycle in review, and a note in a refused approval, are nowhere public."""
    article = noted
    article.summary = article.summary + " Pending."
    article.save()
    review = review_start(
        review=review_submit(article=article, by=editor, change_summary="ZQXPROPOSEDNOTE"), by=board_member
    )
    second = UserFactory(username="board-two", groups=["Medical Advisory Board"])
    with pytest.raises(ReviewRefused):
        review_approve(review=review, by=second, change_class="", change_note="ZQXREFUSEDNOTE", literature_confirmed="")

    pages = [
        article.get_absolute_url(),
        f"/articles/{article.slug}/history/",
        f"/articles/{article.slug}/v/1/",
        "/whats-new/",
        "/whats-new/feed/",
        "/feed/",
        f"/api/answers/{article.slug}/",
        "/api/answers/",
    ]
    for page in pages:
        body = client.get(page).content.decode()
        assert "ZQXPROPOSEDNOTE" not in body and "ZQXREFUSEDNOTE" not in body, page


# --- the board's screens ------------------------------------------------------------------------


def decide(review):
    return f"/admin/reviews/review/{review.pk}/decide/"


def test_the_decision_panel_proposes_the_editor_s_note_and_shows_the_date(client, under_review, board_member):
    client.force_login(board_member)
    html = client.get(f"/admin/reviews/review/{under_review.pk}/workspace/").content.decode()

    assert "What changed, for readers" in html
    assert '<textarea id="change-note" name="change_note" rows="3" maxlength="1000"' in html
    assert ">First draft</textarea>" in html  # the editor's change summary, proposed
    assert 'name="literature_confirmed" value="2025-06-30"' in html
    for value in ChangeClass.values:
        assert f'id="change-class-{value}"' in html


def test_a_refused_approval_keeps_the_class_and_note(client, under_review, board_member):
    client.force_login(board_member)
    response = client.post(
        decide(under_review),
        {
            "transition": "approve",
            "state": "under_review",
            "declaration": "none",
            "change_class": "major",
            "change_note": "My own note",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Confirm that the literature was reviewed through 2025-06-30 (tick the box)." in html
    assert 'value="major" id="change-class-major" checked' in html
    assert ">My own note</textarea>" in html
    assert not Publication.objects.exists()


def test_the_panel_says_when_the_editor_set_no_date(client, editor, board_member):
    """A cycle submitted before submission required the date (articles.checks): its pinned content has none."""
    review = review_start(review=review_submit(article=make_article(), by=editor), by=board_member)
    content = {name: value for name, value in review.content.items() if name != "literature_through"}
    Review.objects.filter(pk=review.pk).update(content=content, content_hash=content_fingerprint(content))
    client.force_login(board_member)

    html = client.get(f"/admin/reviews/review/{review.pk}/workspace/").content.decode()
    assert "has not set “Literature reviewed through” on the article" in html
    response = client.post(
        decide(review), {"transition": "approve", "state": "under_review", "declaration": "none", **TOLD}
    )
    assert response.status_code == 400
    assert "has no “Literature reviewed through” date" in response.content.decode()


def test_approving_from_the_article_page_takes_the_same_fields(client, under_review, board_member):
    client.force_login(board_member)
    url = f"/admin/articles/article/{under_review.article_id}/review/"
    page = client.get(f"/admin/articles/article/{under_review.article_id}/change/").content.decode()
    assert 'name="literature_confirmed" value="2025-06-30"' in page

    client.post(url, {"transition": "approve", "review": under_review.pk, "declaration": "none", **TOLD})

    publication = Article.objects.get(pk=under_review.article_id).current_publication
    assert (publication.change_class, publication.literature_through) == ("major", LITERATURE_THROUGH)


def test_a_forged_approval_by_an_editor_is_refused_and_records_nothing(client, under_review, editor):
    client.force_login(editor)
    response = client.post(
        decide(under_review), {"transition": "approve", "state": "under_review", "declaration": "none", **TOLD}
    )
    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_the_editor_sets_the_date_on_the_article_form(client, article, editor):
    client.force_login(editor)
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'name="literature_through"' in html


def test_the_re_review_queue_sorts_by_the_approved_literature_date(client, admin_user, editor, board_member):
    old = make_article(question="Old search?", slug="old-search", literature_through=datetime.date(2020, 1, 1))
    new = make_article(question="New search?", slug="new-search", literature_through=datetime.date(2025, 1, 1))
    for article, through in ((new, "2025-01-01"), (old, "2020-01-01")):
        review = review_start(review=review_submit(article=article, by=editor), by=board_member)
        review_approve(
            review=review,
            by=board_member,
            ticked=every_checklist_item(review),
            **TOLD | {"literature_confirmed": through},
        )
    Article.objects.update(next_review_due=timezone.localdate())  # both due: in the queue
    client.force_login(admin_user)

    url = "/admin/reviews/rereviewqueue/"
    listing = client.get(url)
    assert listing.status_code == 200
    header = listing.content.decode()
    order = re.search(
        r'<th scope="col" class="sortable column-literature_through">\s*<div class="text"><a href="([^"]+)"', header
    )
    assert order, "the literature column is sortable"
    text = text_of(client.get(url + order.group(1).replace("&amp;", "&")).content.decode())
    assert text.index("Old search?") < text.index("New search?")


def test_restoring_a_version_restores_its_literature_date(article, editor):
    from articles.content import article_restore

    first = latest_revision(article)
    article.literature_through = datetime.date(2025, 9, 1)
    save_revision(editor, "Searched again", lambda: article.save())

    restored = article_restore(article=article, revision=first, by=editor)
    assert Article.objects.get(pk=restored.pk).literature_through == LITERATURE_THROUGH
