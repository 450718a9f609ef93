"""Every claim cited: an uncited claim blocks submission (a setting), published answers are untouched."""

import pytest
from django.urls import reverse

from articles.models import Article, Claim
from articles.publishing import publication_rerender_page
from reviews.cadence import review_due_run
from reviews.models import Review
from reviews.services import ReviewRefused, review_submit
from tests.helpers import make_article, published_file, reapprove

pytestmark = pytest.mark.django_db


def _uncite(article, section: int, claim: int, text: str) -> Claim:
    """Replace claim `claim` of section `section` (both from 1) with a text citing nothing."""
    target = Claim.objects.filter(section__article=article, section__position=section - 1).order_by("position")[
        claim - 1
    ]
    target.text = text
    target.save()
    return target


def test_submission_is_refused_listing_each_uncited_claim_by_section_and_position(draft, editor):
    _uncite(draft, 1, 2, "Ibuprofen is fine for most people.")
    _uncite(draft, 2, 3, "Take it with food.")

    with pytest.raises(ReviewRefused) as refused:
        review_submit(article=draft, by=editor)

    assert refused.value.messages == [
        "This article cannot be submitted for review:",
        "Section 1 “Heading 1”, claim 2 cites no source: “Ibuprofen is fine for most people.”.",
        "Section 2 “Heading 2”, claim 3 cites no source: “Take it with food.”.",
    ]
    assert not Review.objects.exists()
    assert not Article.objects.get(pk=draft.pk).is_locked


def test_the_admin_submit_button_shows_the_uncited_claims(client, draft, editor):
    _uncite(draft, 2, 1, "Nobody knows.")
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_article_review", args=[draft.pk]), {"transition": "submit"}, follow=True
    )

    page = response.content.decode()
    assert "Section 2 “Heading 2”, claim 1 cites no source: “Nobody knows.”." in page
    assert not Review.objects.exists()


def test_a_claim_citing_an_unknown_key_is_a_citation_problem_not_an_uncited_claim(draft, editor):
    _uncite(draft, 1, 1, "Text [@no-such-ref]")

    with pytest.raises(ReviewRefused) as refused:
        review_submit(article=draft, by=editor)

    assert any("no-such-ref" in m for m in refused.value.messages)
    assert not any("cites no source" in m for m in refused.value.messages)


def test_uncited_claims_may_be_submitted_and_approved_when_the_setting_is_off(draft, editor, board_member, settings):
    settings.ORACLE_REQUIRE_CITED_CLAIMS = False
    _uncite(draft, 1, 2, "Ibuprofen is fine for most people.")

    article = reapprove(draft, editor=editor, board=board_member)

    assert article.current_publication.number == 1
    assert "Ibuprofen is fine for most people." in article.current_publication.page_html


def test_a_publication_made_before_the_rule_keeps_rendering_unchanged(
    client, draft, editor, board_member, settings, django_capture_on_commit_callbacks
):
    # Published when uncited claims were allowed: the rule must not reach into what readers see.
    settings.ORACLE_PAGE_CACHE = False  # every response below is rendered from the database
    settings.ORACLE_REQUIRE_CITED_CLAIMS = False
    _uncite(draft, 1, 2, "An old uncited statement.")
    with django_capture_on_commit_callbacks(execute=True):
        article = reapprove(draft, editor=editor, board=board_member)
    url = article.get_absolute_url()
    before = client.get(url)
    stored = (article.current_publication.head_html, article.current_publication.page_html)
    file_before = published_file(article).read_bytes()
    settings.ORACLE_REQUIRE_CITED_CLAIMS = True

    # the working copy loses another citation; the daily job runs; the stored page is re-checked
    _uncite(article, 2, 1, "A new uncited statement.")
    review_due_run()
    changed = publication_rerender_page(article.current_publication, article=article)
    after = client.get(url)

    assert before.status_code == after.status_code == 200
    assert after.content == before.content
    assert not changed
    article.current_publication.refresh_from_db()
    assert (article.current_publication.head_html, article.current_publication.page_html) == stored
    assert published_file(article).read_bytes() == file_before
    assert b"An old uncited statement." in after.content
    assert b"A new uncited statement." not in after.content


def test_an_uncited_claim_in_a_published_answer_blocks_only_its_next_submission(client, approved, editor, board_member):
    _uncite(approved, 1, 1, "Edited without a source.")

    with pytest.raises(ReviewRefused):
        review_submit(article=approved, by=editor)

    assert client.get(approved.get_absolute_url()).status_code == 200
    assert Article.objects.get(pk=approved.pk).current_publication_id == approved.current_publication_id


def test_a_fresh_article_with_every_claim_cited_is_submitted(draft, editor):
    make_article(question="Unrelated?", slug="unrelated")  # other articles' claims play no part

    review = review_submit(article=draft, by=editor)

    assert review.state == Review.State.SUBMITTED
