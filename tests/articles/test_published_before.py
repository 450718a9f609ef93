"""A publication made before re-review cadence, source events and grades existed renders unchanged."""

from datetime import date, timedelta

import pytest

from articles.answer_page import render_answer_parts
from articles.models import Article, Claim, Publication
from articles.publishing import article_publish
from articles.snapshots import load_article, snapshot_article
from reviews.cadence import refresh_overdue_notices, review_due_run
from reviews.source_events import reference_record_event
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

LEGACY = "<!-- rendered by an older Oracle -->"


@pytest.fixture
def legacy(approved):
    """The approved answer, its stored page as an older version of the templates rendered it."""
    publication = approved.current_publication
    Publication.objects.filter(pk=publication.pk).update(
        head_html=LEGACY + publication.head_html, page_html=LEGACY + publication.page_html
    )
    return Article.objects.select_related("current_publication").get(pk=approved.pk)


def test_the_stored_page_is_served_byte_for_byte_whatever_else_happens(client, legacy, editor, settings):
    settings.ORACLE_PAGE_CACHE = False  # each response below comes from the database
    url = legacy.get_absolute_url()
    before = client.get(url)

    claims = list(Claim.objects.filter(section__article=legacy))
    claims[0].text = "Now without a source."  # the working copy moves on
    claims[0].save()
    claims[1].grade = "high"
    claims[1].save()
    settings.ORACLE_EVIDENCE_SCHEME = "strength_quality"
    review_due_run()
    refresh_overdue_notices(legacy.next_review_due + timedelta(days=10))  # overdue, but within grace
    other = make_article(question="Other?", slug="other")
    article_publish(article=other, origin=Publication.Origin.APPROVAL)
    unrelated = other.current_publication.citations.get(number=1).reference
    reference_record_event(reference=unrelated, kind="retracted", occurred_on=date(2024, 3, 5), by=editor)
    after = client.get(url)

    assert before.status_code == after.status_code == 200
    assert LEGACY.encode() in after.content
    assert after.content == before.content
    assert after["ETag"] == before["ETag"]


def test_its_content_has_the_shape_it_always_had_so_its_fingerprint_is_unchanged(approved):
    content = approved.current_publication.content

    claims = [claim for section in content["sections"] for claim in section["claims"]]

    assert claims and all(set(claim) == {"text"} for claim in claims)
    assert snapshot_article(load_article(approved.pk)) == content  # nothing to review again


def test_rendered_afresh_it_carries_no_badge_notice_or_graded_claims(approved):
    head, page = render_answer_parts(
        approved.current_publication,
        slug=approved.slug,
        review_status="approved",
        next_review_due=approved.next_review_due,
    )

    assert (head, page) == (approved.current_publication.head_html, approved.current_publication.page_html)
    for trace in ("evidence-grade", "source-notice", "source-alert", "review-due-notice", "citation--flagged"):
        assert trace not in page
    assert "hasPart" not in head
