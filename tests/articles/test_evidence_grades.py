"""Evidence grades per claim: one scheme per site, suggested from the sources, confirmed and reviewed,
shown to readers as a badge and in the JSON-LD."""

import json
import re

import pytest
from django.core.exceptions import ValidationError

from articles import evidence
from articles.models import Article, Claim
from articles.snapshots import load_article, snapshot_article
from references.models import Reference
from reviews.services import content_fingerprint, review_approve, review_start, review_submit
from tests.helpers import (
    LITERATURE_THROUGH,
    ArticleFactory,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    change_url,
    form_fields,
    reapprove,
)

pytestmark = pytest.mark.django_db

Kind = Reference.Kind


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no <select name={name}>"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def _article(*kinds_per_claim, question="Does heat help back pain?", slug="heat-back-pain"):
    """An article with one section; claim i cites one new reference of each kind in kinds_per_claim[i]."""
    article = ArticleFactory(question=question, slug=slug, summary="Yes.", literature_through=LITERATURE_THROUGH)
    section = SectionFactory(article=article, heading="Evidence", position=0)
    first = None
    for position, kinds in enumerate(kinds_per_claim):
        refs = [ReferenceFactory(kind=kind) for kind in kinds]
        first = first or refs[0]
        markers = "; ".join(f"@{r.key}" for r in refs)
        ClaimFactory(section=section, text=f"Statement {position + 1} [{markers}]", position=position)
    article.summary = f"Yes [@{first.key}]."
    article.save()
    return article


def _claims(article):
    return list(Claim.objects.filter(section__article=article).order_by("position"))


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


# --- the scheme and the suggestion -------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "codes"),
    [
        ("grade", ["", "high", "moderate", "low", "very_low"]),
        ("strength_quality", ["", "1A", "1B", "1C", "2A", "2B", "2C"]),
    ],
)
def test_the_admin_claim_inline_offers_only_the_sites_scheme(client, editor, settings, scheme, codes):
    settings.ORACLE_EVIDENCE_SCHEME = scheme
    article = _article([Kind.GUIDELINE])
    client.force_login(editor)

    page = client.get(change_url(article)).content.decode()

    assert _options(page, "sections-0-claims-0-grade") == codes


@pytest.mark.parametrize(
    ("kinds", "grade_scheme", "strength_quality"),
    [
        ([Kind.GUIDELINE], "high", "1A"),
        ([Kind.SYSTEMATIC_REVIEW], "high", "1A"),
        ([Kind.RANDOMISED_TRIAL], "moderate", "1B"),
        ([Kind.OBSERVATIONAL], "low", "2C"),
        ([Kind.CASE_REPORT], "very_low", "2C"),
        ([Kind.EXPERT_OPINION], "very_low", "2C"),
        ([Kind.CASE_REPORT, Kind.GUIDELINE], "high", "1A"),  # the strongest source counts
    ],
)
def test_the_suggestion_follows_the_strongest_kind_of_source_cited(settings, kinds, grade_scheme, strength_quality):
    [claim] = _claims(_article(kinds))

    settings.ORACLE_EVIDENCE_SCHEME = "grade"
    assert claim.suggested_grade() == grade_scheme
    settings.ORACLE_EVIDENCE_SCHEME = "strength_quality"
    assert claim.suggested_grade() == strength_quality


def test_a_guideline_or_systematic_review_suggests_a_higher_grade_than_a_case_report():
    guideline, review, case = _claims(_article([Kind.GUIDELINE], [Kind.SYSTEMATIC_REVIEW], [Kind.CASE_REPORT]))

    def level(claim):
        return evidence.grade(claim.suggested_grade()).level

    assert level(guideline) > level(case)
    assert level(review) > level(case)


def test_the_admin_shows_the_suggestion_but_never_applies_it(client, editor):
    article = _article([Kind.GUIDELINE], [Kind.CASE_REPORT])
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    data = form_fields(page, "article_form")

    response = client.post(change_url(article), data)

    assert '<span class="grade-suggestion"' in page and ">High</span>" in page and ">Very low</span>" in page
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [c.grade for c in _claims(article)] == ["", ""]


def test_the_editor_confirms_a_grade_in_the_admin(client, editor):
    article = _article([Kind.GUIDELINE])
    client.force_login(editor)
    data = form_fields(client.get(change_url(article)).content.decode(), "article_form")
    data["sections-0-claims-0-grade"] = "moderate"  # lower than suggested: the editor decides

    response = client.post(change_url(article), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _claims(article)[0].grade == "moderate"
    page = client.get(change_url(article)).content.decode()
    assert 'title="From the kinds of the references this claim cites; confirm or choose another.">High' in page


# --- refusing a grade of another scheme --------------------------------------------------------


def test_a_grade_of_another_scheme_is_refused_with_a_clear_message():
    [claim] = _claims(_article([Kind.GUIDELINE]))
    claim.grade = "1A"

    with pytest.raises(ValidationError) as refused:
        claim.full_clean()

    assert refused.value.message_dict["grade"] == [
        "“1A” is not a grade of this site's scheme (GRADE): choose one of High, Moderate, Low, Very low."
    ]


def test_the_admin_refuses_a_posted_grade_of_another_scheme(client, editor):
    article = _article([Kind.GUIDELINE])
    client.force_login(editor)
    data = form_fields(client.get(change_url(article)).content.decode(), "article_form")
    data["sections-0-claims-0-grade"] = "1A"

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert _claims(article)[0].grade == ""


def test_the_admin_says_which_grades_the_site_accepts(client, editor):
    article = _article([Kind.GUIDELINE])
    client.force_login(editor)
    data = form_fields(client.get(change_url(article)).content.decode(), "article_form")
    data["sections-0-claims-0-grade"] = "1A"

    response = client.post(change_url(article), data)

    assert (
        "“1A” is not a grade of this site&#x27;s scheme (GRADE): choose one of High, Moderate, Low, Very low."
        in response.content.decode()
    )


def test_after_the_site_changes_scheme_an_old_grade_is_shown_and_must_be_changed(client, editor, settings):
    article = _article([Kind.GUIDELINE])
    Claim.objects.filter(pk=_claims(article)[0].pk).update(grade="high")
    settings.ORACLE_EVIDENCE_SCHEME = "strength_quality"
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    data = form_fields(page, "article_form")

    response = client.post(change_url(article), data)

    assert "high (not in this site&#x27;s scheme)" in page
    assert response.status_code == 200
    assert (
        "“high” is not a grade of this site&#x27;s scheme (Strength of recommendation × quality of evidence): "
        "choose one of 1A, 1B, 1C, 2A, 2B, 2C." in response.content.decode()
    )


def test_a_draft_with_a_grade_of_another_scheme_cannot_be_submitted(editor, settings):
    article = _article([Kind.GUIDELINE])
    Claim.objects.filter(pk=_claims(article)[0].pk).update(grade="high")
    settings.ORACLE_EVIDENCE_SCHEME = "strength_quality"

    with pytest.raises(ValidationError) as refused:
        review_submit(article=article, by=editor)

    assert any("“high” is not a grade of this site's scheme" in m for m in refused.value.messages)


# --- what readers see: only what the board approved ----------------------------------------------


def test_readers_see_the_confirmed_grade_as_a_badge_linking_to_the_scheme_page(client, editor, board_member):
    article = _article([Kind.GUIDELINE], [Kind.GUIDELINE])
    confirmed, unconfirmed = _claims(article)
    confirmed.grade = "low"  # the editor's grade, below the suggested "high"
    confirmed.save()

    article = reapprove(article, editor=editor, board=board_member)
    page = client.get(article.get_absolute_url()).content.decode()

    badges = re.findall(r'<a class="evidence-grade[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert badges == [("/evidence-grades/#grade-low", "Evidence: Low")]
    claims = [c for s in article.current_publication.content["sections"] for c in s["claims"]]
    assert [c.get("grade") for c in claims] == ["low", None]  # the suggestion was never applied
    assert Claim.objects.get(pk=unconfirmed.pk).grade == ""


def test_the_json_ld_carries_the_graded_claims(client, editor, board_member):
    article = _article([Kind.GUIDELINE], [Kind.CASE_REPORT], [Kind.RESEARCH])
    first, second, _ = _claims(article)
    first.grade, second.grade = "high", "very_low"
    first.save()
    second.save()

    article = reapprove(article, editor=editor, board=board_member)
    data = _json_ld(client.get(article.get_absolute_url()).content.decode())

    assert data["@type"] == "MedicalWebPage"
    assert data["hasPart"] == [
        {
            "@type": "Claim",
            "text": "Statement 1",
            "evidenceLevel": "https://schema.org/EvidenceLevelA",
            "description": "Evidence grade: High",
        },
        {
            "@type": "Claim",
            "text": "Statement 2",
            "evidenceLevel": "https://schema.org/EvidenceLevelC",
            "description": "Evidence grade: Very low",
        },
    ]


def test_an_ungraded_answer_has_no_badge_and_no_graded_claims_in_its_json_ld(client, approved):
    page = client.get(approved.get_absolute_url()).content.decode()

    assert "evidence-grade" not in page
    assert "hasPart" not in _json_ld(page)


def test_changing_only_a_grade_after_approval_needs_a_new_review_before_readers_see_it(
    client, editor, board_member, settings
):
    settings.ORACLE_PAGE_CACHE = False
    article = reapprove(_article([Kind.GUIDELINE]), editor=editor, board=board_member)
    url = article.get_absolute_url()
    before = client.get(url).content
    published = article.current_publication

    claim = _claims(article)[0]
    claim.grade = "high"
    claim.save()
    working = snapshot_article(load_article(article.pk))

    assert content_fingerprint(working) != content_fingerprint(published.content)
    assert client.get(url).content == before  # readers still see the approved version
    review = review_submit(article=article, by=editor, change_summary="Graded")
    assert review.content["sections"][0]["claims"][0]["grade"] == "high"  # frozen for the board

    review_approve(review=review_start(review=review, by=board_member), by=board_member)
    article = Article.objects.select_related("current_publication").get(pk=article.pk)
    assert article.current_publication.number == 2
    assert b"Evidence: High" in client.get(url).content


def test_a_grade_keeps_its_approved_label_when_the_site_later_changes_scheme(client, editor, board_member, settings):
    article = _article([Kind.GUIDELINE])
    claim = _claims(article)[0]
    claim.grade = "moderate"
    claim.save()
    article = reapprove(article, editor=editor, board=board_member)

    settings.ORACLE_EVIDENCE_SCHEME = "strength_quality"

    assert b"Evidence: Moderate" in client.get(article.get_absolute_url()).content


# --- the page that explains the scheme ---------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "name", "codes"),
    [
        ("grade", "GRADE", ["high", "moderate", "low", "very_low"]),
        ("strength_quality", "Strength of recommendation × quality of evidence", ["1A", "1B", "1C", "2A", "2B", "2C"]),
    ],
)
def test_the_evidence_grades_page_explains_the_sites_scheme(client, settings, scheme, name, codes):
    settings.ORACLE_EVIDENCE_SCHEME = scheme

    response = client.get("/evidence-grades/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"<strong>{name}</strong>" in page
    assert re.findall(r'<dt id="grade-([^"]+)">', page) == codes
    for grade in evidence.grades():
        assert grade.description in page
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", page)
    assert rows[0][0] in {"Guideline", "Systematic review"}
    assert ("Case report", evidence.grade(evidence.suggest([Kind.CASE_REPORT])).label) in rows
