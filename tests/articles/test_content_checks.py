"""The content checks (articles/checks.py): each rule finds what it should, by place, and only that;
the site's configuration (ContentCheckSettings) sets each one's severity and numbers."""

import datetime
from decimal import Decimal

import pytest

from articles.checks import blocking_problems, normalised, plain_text, reading_grade, run_checks
from articles.models import ContentCheckSettings, Severity
from articles.snapshots import load_article, snapshot_article
from tests.helpers import LITERATURE_THROUGH, make_article

pytestmark = pytest.mark.django_db

EASY = "Heat helps. It is safe. Most people get better."
HARD = (
    "Pharmacological anticoagulation substantially reduces symptomatic thromboembolic complications "
    "in hospitalised individuals with considerable cardiovascular multimorbidity."
)


def content(*claims, summary="A short answer.", variants=None, references=None, sections=None, through="2025-06-30"):
    """A content snapshot as articles.snapshots freezes it: one section "Evidence" with `claims`
    (text, or (text, grade)), unless `sections` is given."""
    if sections is None:
        sections = [
            {
                "heading": "Evidence",
                "audience": "",
                "claims": [
                    {"text": c} if isinstance(c, str) else {"text": c[0], "grade": c[1]} for c in claims or ["A fact."]
                ],
            }
        ]
    return {
        "question": "Q?",
        "slug": "q",
        "summary_heading": "",
        "summary": summary,
        "summary_variants": variants or {},
        "sections": sections,
        "references": references or {},
        **({"literature_through": through} if through else {}),
    }


def findings(snapshot, check_id, **config):
    settings = ContentCheckSettings.current()
    for name, value in config.items():
        setattr(settings, name, value)
    [result] = [r for r in run_checks(snapshot, settings) if r.id == check_id]
    return result


def ref(**fields):
    return {"kind": "research", "year": 2024, "doi": "", "pmid": "", "url": "", **fields}


# --- the configuration -------------------------------------------------------------------------


def test_the_migration_seeds_the_defaults():
    config = ContentCheckSettings.objects.get(pk=1)
    assert config.reading_target_grade == Decimal("8.0") and config.guideline_max_age_years == 5
    assert config.duplicate_claims == Severity.BLOCK
    assert {config.reading_level, config.absolute_words, config.ungraded_claims, config.unlocated_references} == {
        Severity.WARNING
    }
    assert config.words() == ["always", "never", "cure", "cures", "cured", "guaranteed", "guarantee", "100%"]


def test_there_is_only_ever_one_row():
    ContentCheckSettings(reading_target_grade=6).save()
    assert ContentCheckSettings.objects.count() == 1 and ContentCheckSettings.current().reading_target_grade == 6


# --- text ---------------------------------------------------------------------------------------


def test_plain_text_drops_citation_markers_and_markdown():
    assert plain_text("It **helps** [@a; @b] a [link](https://x.org) &amp; more.") == "It helps a link & more."


def test_reading_level_of_a_known_text_with_textstat():
    assert reading_grade(EASY) < 3
    assert reading_grade(HARD) > 20
    assert reading_grade("") is None


def test_duplicates_are_compared_without_markers_case_or_punctuation():
    assert normalised("Heat **helps** [@a]!") == normalised("heat helps, [@b]") == "heat helps"


# --- each check --------------------------------------------------------------------------------


def test_literature_date_missing_always_blocks():
    result = findings(content(through=None), "literature")
    assert result.status == "block" and result.findings[0].place == "Literature reviewed through"
    assert findings(content(), "literature").status == "pass"


def test_reading_level_measures_what_patients_see_against_the_target():
    hard = content(EASY, summary=HARD)
    result = findings(hard, "reading_level")
    assert result.status == "warning"
    assert (
        result.findings[0].place == "The patient version"
        and "above the target of grade 8" in result.findings[0].message
    )
    assert [f.place for f in result.findings[1:]] == ["Summary answer"]
    assert findings(content(EASY, summary=EASY), "reading_level").status == "pass"


def test_reading_level_reads_the_patient_summary_and_leaves_out_sections_for_clinicians():
    snapshot = content(
        summary=HARD,
        variants={"patient": EASY},
        sections=[
            {"heading": "For all", "audience": "", "claims": [{"text": EASY}]},
            {"heading": "Clinicians", "audience": "professional", "claims": [{"text": HARD}]},
        ],
    )
    assert findings(snapshot, "reading_level").status == "pass"
    snapshot["sections"][1]["audience"] = "patient"
    result = findings(snapshot, "reading_level")
    assert result.status == "warning"
    assert "Section 2 “Clinicians”, claim 1" in [f.place for f in result.findings]


def test_a_higher_target_lets_harder_text_pass():
    assert findings(content(HARD, summary=HARD), "reading_level", reading_target_grade=Decimal(40)).status == "pass"


def test_absolute_words_are_whole_words_in_any_case():
    snapshot = content("It ALWAYS works [@a].", "It is a cure-all.", "Always-on monitoring.", "Works 100% of the time.")
    result = findings(snapshot, "absolute_words")
    assert [(f.place, f.target) for f in result.findings] == [
        ("Section 1 “Evidence”, claim 1", "claim-1-1"),
        ("Section 1 “Evidence”, claim 2", "claim-1-2"),
        ("Section 1 “Evidence”, claim 3", "claim-1-3"),
        ("Section 1 “Evidence”, claim 4", "claim-1-4"),
    ]
    assert "“always”" in result.findings[0].message and "“100%”" in result.findings[3].message
    assert findings(content("It usually helps; nevertheless, curettage was used."), "absolute_words").status == "pass"


def test_the_word_list_is_configurable():
    snapshot = content("This is proven to help.", "It always helps.")
    result = findings(snapshot, "absolute_words", absolute_word_list="proven\n")
    assert [f.place for f in result.findings] == ["Section 1 “Evidence”, claim 1"]
    assert findings(snapshot, "absolute_words", absolute_word_list="").status == "pass"


def test_claims_without_a_grade():
    result = findings(content(("Graded.", "high"), "Ungraded."), "ungraded_claims")
    assert [f.place for f in result.findings] == ["Section 1 “Evidence”, claim 2"]
    assert findings(content(("Graded.", "high")), "ungraded_claims").status == "pass"


def test_references_with_no_doi_pmid_or_url():
    refs = {"lost": ref(), "doi": ref(doi="10.1/x"), "pmid": ref(pmid="123"), "web": ref(url="https://x.org")}
    result = findings(content(references=refs), "unlocated_references")
    assert [(f.place, f.target) for f in result.findings] == [("Reference “lost”", "reference-lost")]


def test_guidelines_older_than_the_configured_years():
    year = datetime.date.today().year
    refs = {
        "old": ref(kind="guideline", year=year - 6),
        "recent": ref(kind="guideline", year=year - 5),
        "old-trial": ref(kind="randomised_trial", year=year - 30),
        "undated": ref(kind="guideline", year=None),
    }
    result = findings(content(references=refs), "old_guidelines")
    assert [f.place for f in result.findings] == ["Reference “old”", "Reference “undated”"]
    assert f"from {year - 6}" in result.findings[0].message
    assert [
        f.place for f in findings(content(references=refs), "old_guidelines", guideline_max_age_years=10).findings
    ] == ["Reference “undated”"]


def test_the_same_claim_twice_is_named_at_its_repeat():
    snapshot = content(
        sections=[
            {"heading": "A", "audience": "", "claims": [{"text": "Heat helps [@a]."}, {"text": "Rest helps."}]},
            {"heading": "B", "audience": "", "claims": [{"text": "heat HELPS [@b]"}]},
        ]
    )
    result = findings(snapshot, "duplicate_claims")
    assert result.status == "block"
    assert [(f.place, f.message) for f in result.findings] == [
        ("Section 2 “B”, claim 1", "says the same as Section 1 “A”, claim 1.")
    ]
    assert findings(content("Heat helps.", "Heat helps a little."), "duplicate_claims").status == "pass"


def test_an_audience_with_a_summary_but_no_claims_for_it():
    sections = [{"heading": "Clinicians", "audience": "professional", "claims": [{"text": "A fact."}]}]
    snapshot = content(variants={"patient": "Plain words.", "professional": "Terms."}, sections=sections)
    result = findings(snapshot, "audience_without_claims")
    assert [(f.place, f.target) for f in result.findings] == [
        ("Summary answer for patient or caregiver", "summary_patient")
    ]
    sections.append({"heading": "Everyone", "audience": "", "claims": [{"text": "Another."}]})
    assert findings(snapshot, "audience_without_claims").status == "pass"


# --- severities ----------------------------------------------------------------------------------


def test_off_runs_nothing_and_block_lists_every_finding_by_place():
    snapshot = content("It always works.", "It never fails.")
    config = ContentCheckSettings.current()
    config.absolute_words = Severity.OFF
    [result] = [r for r in run_checks(snapshot, config) if r.id == "absolute_words"]
    assert result.status == "off" and not result.findings
    config.absolute_words = Severity.BLOCK
    assert blocking_problems(run_checks(snapshot, config)) == [
        "Section 1 “Evidence”, claim 1: says “always”: an absolute word is rarely true of medical evidence.",
        "Section 1 “Evidence”, claim 2: says “never”: an absolute word is rarely true of medical evidence.",
    ]


def test_a_saved_article_and_its_snapshot_are_checked_alike():
    article = make_article(sections=1, claims_per_section=2, literature_through=LITERATURE_THROUGH)
    results = run_checks(snapshot_article(load_article(article.pk)))
    assert {r.id: r.status for r in results}["literature"] == "pass"
    assert {r.id: r.status for r in results}["ungraded_claims"] == "warning"


def test_content_pinned_before_audiences_or_references_existed_is_checked_too():
    results = run_checks({"summary": "Old.", "sections": [{"heading": "H", "claims": [{"text": "Old claim."}]}]})
    assert {r.id: r.status for r in results}["literature"] == "block"
    assert {r.id: r.status for r in results}["ungraded_claims"] == "warning"
