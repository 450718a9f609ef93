import re
from datetime import datetime

import pytest
from django.db.models import ProtectedError
from reversion.models import Version

from articles.content import article_restore
from articles.history import content_at, diff_content, word_diff
from articles.models import Article, ArticleLocked, Claim, Publication, Section
from articles.publishing import article_withdraw_from_public
from references.models import Reference
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import (
    LITERATURE_THROUGH,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    form_fields,
    make_article,
    save_revision,
)

pytestmark = pytest.mark.django_db


def latest(article):
    return Version.objects.get_for_object(article).first().revision


# --- recording ------------------------------------------------------------------------------


def test_admin_save_records_a_revision_with_user_and_change_summary(client, editor, article):
    client.force_login(editor)
    url = f"/admin/articles/article/{article.pk}/change/"
    data = form_fields(client.get(url).content.decode(), "article_form")
    data["summary"] = "A new summary [@" + Reference.objects.first().key + "]"
    data["change_summary"] = "Tightened the summary"

    client.post(url, data)

    revision = latest(article)
    assert (revision.user, revision.comment) == (editor, "Tightened the summary")
    assert content_at(revision, article.pk)["summary"].startswith("A new summary")


def test_admin_save_without_summary_uses_the_admins_change_message(client, editor, article):
    client.force_login(editor)
    url = f"/admin/articles/article/{article.pk}/change/"
    data = form_fields(client.get(url).content.decode(), "article_form")
    data["question"] = "Is paracetamol safe in pregnancy?"

    client.post(url, data)

    assert "Changed" in latest(article).comment and latest(article).user == editor


def test_submit_and_restore_each_record_a_revision(article, editor, board_member):
    first = latest(article)
    review = review_submit(article=article, by=editor)
    assert latest(article) == review.revision and latest(article).comment == "Submitted for review"
    from reviews.services import review_withdraw

    review_withdraw(review=review, by=editor)

    article_restore(article=article, revision=first, by=editor)

    assert latest(article).comment.startswith("Restored the version of") and latest(article).user == editor


def test_a_claim_edit_alone_is_recorded_with_the_whole_article(article, editor):
    claim = Claim.objects.filter(section__article=article).first()
    claim.text = "Edited claim"

    revision = save_revision(editor, "claim only", claim.save)

    assert latest(article) == revision
    assert content_at(revision, article.pk)["sections"][0]["claims"][0]["text"] == "Edited claim"


# --- diffs ----------------------------------------------------------------------------------


def test_word_diff_marks_the_changed_word_only():
    assert word_diff("Baclofen is not recommended", "Baclofen is rarely recommended") == [
        ("equal", "Baclofen is "),
        ("delete", "not"),
        ("insert", "rarely"),
        ("equal", " recommended"),
    ]


def test_diff_of_a_changed_word_in_a_claim(article, editor):
    before = latest(article)
    claim = Claim.objects.filter(section__article=article).first()
    claim.text = claim.text.replace("Claim", "Statement")
    after = save_revision(editor, "reword", claim.save)

    diff = diff_content(content_at(before, article.pk), content_at(after, article.pk))

    [changed] = [c for s in diff.sections for c in s.claims if c.status != "unchanged"]
    assert changed.status == "changed"
    assert ("delete", "Claim") in changed.segments and ("insert", "Statement") in changed.segments
    assert diff.fields == [] and not diff.order_changed


def test_diff_shows_a_changed_evidence_grade_for_review(article, editor):
    before = latest(article)
    claim = Claim.objects.filter(section__article=article).first()
    claim.grade = "moderate"
    after = save_revision(editor, "graded", claim.save)

    diff = diff_content(content_at(before, article.pk), content_at(after, article.pk))

    [changed] = [c for s in diff.sections for c in s.claims if c.status != "unchanged"]
    assert changed.status == "changed"
    assert changed.note == "evidence grade none → “Moderate”"
    assert not diff.is_empty


def test_diff_shows_an_added_section(article, editor):
    before = latest(article)

    def add():
        section = SectionFactory(article=article, heading="Dosing", position=5)
        ClaimFactory(section=section, text="Take with food.", position=0)
        article.save()

    after = save_revision(editor, "add section", add)
    diff = diff_content(content_at(before, article.pk), content_at(after, article.pk))

    [added] = [s for s in diff.sections if s.status == "added"]
    assert added.heading == [("insert", "Dosing")]
    assert [c.segments for c in added.claims] == [[("insert", "Take with food.")]]


def test_diff_shows_reordered_sections(article, editor):
    before = latest(article)
    first, second = article.sections.all()

    def swap():
        Section.objects.filter(pk=first.pk).update(position=9)
        Section.objects.get(pk=first.pk).save()
        article.save()

    after = save_revision(editor, "reorder", swap)
    diff = diff_content(content_at(before, article.pk), content_at(after, article.pk))

    assert diff.order_changed
    assert [s.moved for s in diff.sections] == [False, True] or [s.moved for s in diff.sections] == [True, False]
    assert all(s.status == "unchanged" for s in diff.sections)


def test_diff_shows_a_changed_citation_and_a_changed_reference(article, editor):
    new_ref = ReferenceFactory(key="new-trial-2024", title="A new trial")
    kept = Reference.objects.get(key=article.summary.split("[@")[1].split("]")[0])
    save_revision(editor, "reference as entered", kept.save)
    before = save_revision(editor, "baseline", article.save)
    claim = Claim.objects.filter(section__article=article).first()
    old_key = claim.text.split("[@")[1].rstrip("]")
    save_revision(editor, "fix reference", lambda: (setattr(kept, "title", "Corrected title"), kept.save()))
    claim.text = claim.text.replace(old_key, "new-trial-2024")
    after = save_revision(editor, "cite the new trial", claim.save)

    diff = diff_content(
        content_at(before, article.pk),
        content_at(after, article.pk),
        old_date=before.date_created,
        new_date=after.date_created,
    )

    statuses = {(r.key, r.status) for r in diff.references}
    assert ("new-trial-2024", "added") in statuses
    [changed] = [r for r in diff.references if r.status == "changed"]
    assert changed.key == kept.key
    assert changed.fields[0].label == "Title"
    assert ("insert", "Corrected") in changed.fields[0].segments
    assert new_ref.key in str(diff.sections)


def test_diff_page_escapes_content_html(client, editor, article):
    before = latest(article)
    article.question = 'Is <script>alert("x")</script> safe?'
    after = save_revision(editor, "hostile", article.save)
    client.force_login(editor)

    page = client.get(
        f"/admin/articles/article/{article.pk}/history/diff/", {"from": before.pk, "to": after.pk}
    ).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    assert "<ins>" in page


def test_diff_page_refuses_revisions_of_other_articles(client, editor, article):
    other = make_article()
    other_revision = save_revision(editor, "other", other.save)
    client.force_login(editor)

    response = client.get(f"/admin/articles/article/{article.pk}/history/diff/", {"to": other_revision.pk})

    assert response.status_code == 404
    assert client.get(f"/admin/articles/article/{article.pk}/history/diff/", {"to": "x"}).status_code == 400


# --- history page ---------------------------------------------------------------------------


def test_history_lists_who_when_comment_and_review_state(client, article, editor, board_member):
    review_submit(article=article, by=editor, change_summary="Ready")
    client.force_login(board_member)

    page = client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()

    assert "First draft" in page and "Submitted for review: Ready" in page
    assert "Submitted" in page and "Not submitted" in page
    assert page.count('name="from"') == 2


def test_history_page_query_count_does_not_grow_with_versions(client, article, editor, board_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(editor)
    url = f"/admin/articles/article/{article.pk}/history/"

    def edits(n):
        for i in range(n):
            article.summary_heading = f"Heading {i}"
            save_revision(editor, f"edit {i}", article.save)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    edits(3)
    few = queries()
    edits(150)  # more than a page
    review_submit(article=article, by=editor)
    many = queries()

    assert many == few
    assert few <= 13  # 13: + the greeting's board profile (the admin names people with credentials)


# --- restore --------------------------------------------------------------------------------


def test_restore_round_trip_brings_back_sections_and_claims(article, editor):
    original = latest(article)
    original_content = content_at(original, article.pk)

    def mangle():
        article.summary = "Mangled"
        article.save()
        article.sections.last().delete()
        claim = Claim.objects.filter(section__article=article).first()
        claim.text = "Mangled claim"
        claim.save()
        SectionFactory(article=article, heading="Extra")

    save_revision(editor, "mangle", mangle)

    article_restore(article=article, revision=original, by=editor)

    restored = content_at(latest(article), article.pk)
    assert {k: v for k, v in restored.items()} == original_content
    assert Version.objects.get_for_object(article).count() == 3  # history kept, nothing rewritten


def test_restore_is_refused_while_a_review_is_open(client, article, editor):
    original = latest(article)
    review_submit(article=article, by=editor)

    with pytest.raises(ArticleLocked):
        article_restore(article=article, revision=original, by=editor)

    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{article.pk}/history/{original.pk}/restore/", follow=True)
    assert "Cannot restore: This article is locked" in response.content.decode()


# --- public history and permalinks ----------------------------------------------------------


def approve(article, editor, board):
    return review_approve(review=review_start(review=review_submit(article=article, by=editor), by=board), by=board)


def test_permalinks_never_change_after_later_edits_and_approvals(client, article, editor, board_member):
    approve(article, editor, board_member)
    first_page = client.get("/articles/is-paracetamol-safe/v/1/").content.decode()
    claim = Claim.objects.filter(section__article=article).first()
    claim.text = "Version two wording " + claim.text.split(" ", 1)[1]
    save_revision(editor, "v2", claim.save)
    approve(article, editor, board_member)

    again = client.get("/articles/is-paracetamol-safe/v/1/").content.decode()

    strip = lambda html: html.split('<div class="version-banner"')[1].split("</div>", 1)[1]  # noqa: E731
    assert strip(again) == strip(first_page)
    assert "Version two wording" not in again
    assert "Read the current version" in again
    assert "Version two wording" in client.get("/articles/is-paracetamol-safe/").content.decode()
    assert "Version two wording" in client.get("/articles/is-paracetamol-safe/v/2/").content.decode()


def test_public_history_lists_versions_with_reviewers_and_summaries(client, article, editor, board_member):
    approve(article, editor, board_member)

    page = client.get("/articles/is-paracetamol-safe/history/").content.decode()

    assert 'href="/articles/is-paracetamol-safe/v/1/"' in page
    assert "Reviewed by Dr. Bo Reviewer, MD, FACP" in page
    assert client.get("/articles/is-paracetamol-safe/v/9/").status_code == 404


def history_items(html):
    """The text of each version listed on a public history page, tags dropped."""
    listing = html.split('class="version-list"')[1].split("</ul>")[0]
    return [re.sub(r"<[^>]+>", " ", item) for item in listing.split('<li class="version">')[1:]]


@pytest.fixture
def imported_then_approved(editor, board_member, demo_page):
    """The demo page imported from the previous site (version 1), then approved again (version 2)."""
    from reviews.importing.write import review_import_pages

    [result] = review_import_pages([demo_page], publish=True)
    article = result.article
    article.summary_patient = "Plain words for patients. " + article.summary[article.summary.index("[@") :]
    article.literature_through = LITERATURE_THROUGH
    save_revision(editor, "Added a summary for patients", article.save)
    approve(article, editor, board_member)
    return article


def test_public_history_times_are_valid_html_datetimes(client, imported_then_approved):
    page = client.get(f"/articles/{imported_then_approved.slug}/history/").content.decode()

    # the publications' times (the literature date is a <time> of a day)
    stamps = re.findall(r'<time datetime="([^"]+T[^"]*)"', page)
    assert len(stamps) == 2
    assert '<time datetime="2025-06-30">' in page
    for stamp in stamps:
        # HTML allows at most three digits of a second's fraction: none are given.
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:?\d\d)", stamp), stamp
    published = [p.published_at for p in imported_then_approved.publications.all()]
    assert {datetime.fromisoformat(s) for s in stamps} == {p.replace(microsecond=0) for p in published}


def test_public_history_names_no_import_file_and_each_version_once(client, imported_then_approved):
    page = client.get(f"/articles/{imported_then_approved.slug}/history/").content.decode()

    assert ".txt" not in page and "baclofen-back-pain.demo" not in page
    assert "Imported from the previous site</p>" in page
    # An <ol> would number each entry before its "Version N": the number would be shown twice.
    assert '<ol class="version-list"' not in page
    second, first = (" ".join(item.split("published")[0].split()) for item in history_items(page))
    assert (second, first) == ("Version 2 current —", "Version 1 —")


def test_an_old_version_says_when_readers_first_saw_it(client, imported_then_approved):
    first = imported_then_approved.publications.get(number=1)
    assert first.reviewed_on != first.published_at.date()  # "Last updated" on the previous site

    page = client.get(f"/articles/{imported_then_approved.slug}/v/1/").content.decode()

    banner = page.split('<div class="version-banner"')[1].split("</div>")[0]
    shown = f"{first.published_at:%B} {first.published_at.day}, {first.published_at.year}"
    assert f'as readers saw it from <time datetime="{first.published_at:%Y-%m-%d}">{shown}</time>.' in banner
    assert "October 17, 2025" not in banner


def test_the_version_banner_has_no_stray_punctuation_between_its_links(client, imported_then_approved):
    page = client.get(f"/articles/{imported_then_approved.slug}/v/1/").content.decode()

    banner = page.split('<div class="version-banner"')[1].split("</div>")[0]
    links = banner.split('class="version-banner-links">')[1].split("</p>")[0]
    assert re.sub(r"<a [^>]+>[^<]*</a>", "", links).strip() == ""
    assert re.findall(r">([^<]+)</a>", links) == ["Read the current version", "All versions"]


def test_unpublished_articles_have_no_public_history(client, article):
    assert client.get("/articles/is-paracetamol-safe/history/").status_code == 404
    assert client.get("/articles/is-paracetamol-safe/v/1/").status_code == 404


# --- no silent loss -------------------------------------------------------------------------


def test_published_article_cannot_be_deleted_and_the_admin_says_why(client, article, editor, board_member, admin_user):
    approve(article, editor, board_member)
    client.force_login(admin_user)

    response = client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"}, follow=True)

    assert "published answers are never deleted" in response.content.decode()
    assert Article.objects.filter(pk=article.pk).exists()
    with pytest.raises(ProtectedError):
        Article.objects.get(pk=article.pk).delete()


def test_cited_reference_cannot_be_deleted_and_the_admin_says_why(client, article, editor, board_member, admin_user):
    approve(article, editor, board_member)
    reference = Reference.objects.get(key=article.summary.split("[@")[1].split("]")[0])
    client.force_login(admin_user)

    response = client.post(f"/admin/references/reference/{reference.pk}/delete/", {"post": "yes"}, follow=True)

    assert "cannot be deleted: published answers cite it" in response.content.decode()
    assert "Is paracetamol safe?" in response.content.decode()
    with pytest.raises(ProtectedError):
        Reference.objects.get(pk=reference.pk).delete()


def test_uncited_reference_can_still_be_deleted(client, admin_user):
    reference = ReferenceFactory()
    client.force_login(admin_user)

    client.post(f"/admin/references/reference/{reference.pk}/delete/", {"post": "yes"})

    assert not Reference.objects.filter(pk=reference.pk).exists()


def test_withdrawal_needs_a_reason_and_readers_see_it(client, article, editor, board_member):
    from django.core.exceptions import PermissionDenied, ValidationError

    approve(article, editor, board_member)
    with pytest.raises(ValidationError, match="reason"):
        article_withdraw_from_public(article=article, by=board_member, reason=" ")
    with pytest.raises(PermissionDenied):
        article_withdraw_from_public(article=article, by=editor, reason="no")

    article_withdraw_from_public(article=article, by=board_member, reason="A dosing error was found.")

    response = client.get("/articles/is-paracetamol-safe/")
    assert response.status_code == 410
    assert "A dosing error was found." in response.content.decode()
    old = client.get("/articles/is-paracetamol-safe/v/1/").content.decode()
    assert "withdrawn from public view" in old and "Do not rely on this version." in old
    assert "Is paracetamol safe?" not in client.get("/").content.decode()
    assert Publication.objects.filter(article=article).count() == 1


def test_withdraw_from_public_in_the_admin(client, article, editor, board_member):
    approve(article, editor, board_member)
    client.force_login(board_member)
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Withdraw this answer from public view" in page

    client.post(f"/admin/articles/article/{article.pk}/withdraw-from-public/", {"reason": "Superseded guidance."})

    assert client.get("/articles/is-paracetamol-safe/").status_code == 410


def test_history_and_diff_render_versions_saved_by_no_user(client, editor, demo_page):
    from reviews.importing.write import review_import_pages

    [result] = review_import_pages([demo_page], publish=True)
    revision = latest(result.article)
    client.force_login(editor)

    history = client.get(f"/admin/articles/article/{result.article.pk}/history/")
    diff = client.get(f"/admin/articles/article/{result.article.pk}/history/diff/", {"to": revision.pk})

    assert history.status_code == 200 and "system" in history.content.decode()
    assert diff.status_code == 200 and "The whole text" in diff.content.decode()
