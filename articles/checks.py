"""Content checks: what an editor should look at before the board does, each named by place.

Every check reads a content snapshot (the dict `articles.snapshots.snapshot_article` freezes, which
the change form's unsaved fields are also read into by `articles.admin.live_preview.content_from_form`,
and which a review cycle pins), so the change form's panel, the review page and submission share
this code. Each check has an id, a label and a severity from the site's configuration
(`articles.models.ContentCheckSettings`, edited in the admin): **block** refuses submission
(`articles.problems.submission_problems` lists every blocking finding by place), **warning** is
shown only, **off** is not run. "Literature reviewed through" is not configurable: it always blocks.

The reading level is the Flesch–Kincaid grade (textstat) of what a patient reader sees: the
patient summary (else the summary) and the claims of the sections shown to everyone or to patients,
with citation markers and Markdown removed.
"""

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import textstat
from django.utils import timezone
from django.utils.html import strip_tags
from markdown_it import MarkdownIt

from articles.audiences import Audience
from articles.models import ContentCheckSettings, Severity
from articles.problems import Place, content_claim_places, variant_label
from references.citations import MARKER_RE

PASS = "pass"


@dataclass(frozen=True)
class Finding:
    """One thing a check found: where (a place's label, as `articles.problems` names it), what,
    and which box edits it (`target`: "summary", "summary_<audience>", "claim-<s>-<c>" counted from 1
    in reading order, "reference-<key>", "literature_through"; "" when none)."""

    place: str
    message: str
    target: str = ""


@dataclass(frozen=True)
class CheckResult:
    id: str
    label: str
    severity: str
    findings: list[Finding] = field(default_factory=list)
    configurable: bool = True

    @property
    def status(self) -> str:
        """pass, warning, block, or off."""
        if self.severity == Severity.OFF:
            return Severity.OFF
        return self.severity if self.findings else PASS


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    run: Callable[[dict, ContentCheckSettings], list[Finding]]
    setting: str = ""  # the severity's field on ContentCheckSettings; "" for a check that always blocks


# --- text helpers --------------------------------------------------------------------------------

_markdown = MarkdownIt("commonmark")


def plain_text(text: str) -> str:
    """The words readers read: citation markers and Markdown removed."""
    without_markers = MARKER_RE.sub("", text or "")
    return " ".join(html.unescape(strip_tags(_markdown.render(without_markers))).split())


def _sentence(text: str) -> str:
    """A text as at least one sentence (a claim without a full stop still ends one)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def reading_grade(text: str) -> float | None:
    """The Flesch–Kincaid grade of plain text; None when there are no words to measure."""
    if not textstat.lexicon_count(text):
        return None
    return float(textstat.flesch_kincaid_grade(text))


def normalised(text: str) -> str:
    """A claim's text for comparison: no citation markers, case, punctuation or extra spaces."""
    text = plain_text(text).casefold()
    text = "".join(" " if unicodedata.category(ch).startswith(("P", "S")) else ch for ch in text)
    return " ".join(text.split())


def _claim_target(place: Place, positions: dict[int, str]) -> str:
    return positions.get(id(place.claim), "")


def _claim_positions(content: dict) -> dict[int, str]:
    return {
        id(claim): f"claim-{s}-{c}"
        for s, section in enumerate(content.get("sections", []), start=1)
        for c, claim in enumerate(section.get("claims", []), start=1)
    }


def _shown_to(section: dict, audience: str) -> bool:
    return section.get("audience", "") in ("", audience)


# --- the checks ----------------------------------------------------------------------------------


def check_literature(content, config) -> list[Finding]:
    if content.get("literature_through"):
        return []
    return [
        Finding(
            "Literature reviewed through",
            "is not set: enter the date up to which the evidence was searched (under “Re-review”).",
            "literature_through",
        )
    ]


def check_reading_level(content, config) -> list[Finding]:
    target = float(Decimal(config.reading_target_grade))
    patient = Audience.PATIENT.value
    if content.get("summary_variants", {}).get(patient):
        summary = Place(variant_label(patient), content.get("summary_variants", {})[patient])
        summary_target = f"summary_{patient}"
    else:
        summary = Place("Summary answer", content.get("summary", ""))
        summary_target = "summary"
    positions = _claim_positions(content)
    parts = [(summary, summary_target)] + [
        (place, _claim_target(place, positions))
        for place in content_claim_places(content)
        if _shown_to(place.section, patient)
    ]
    texts = [(place, where, _sentence(plain_text(place.text))) for place, where in parts]
    whole = reading_grade(" ".join(text for _, _, text in texts if text))
    if whole is None or whole <= target:
        return []
    findings = [
        Finding(
            "The patient version",
            f"reads at grade {whole:.1f} (Flesch–Kincaid), above the target of grade {target:g}; "
            "shorter sentences and everyday words lower it.",
            summary_target,
        )
    ]
    for place, where, text in texts:
        grade = reading_grade(text)
        if grade is not None and grade > target:
            findings.append(Finding(place.label, f"reads at grade {grade:.1f}", where))
    return findings


def check_absolute_words(content, config) -> list[Finding]:
    words = config.words()
    if not words:
        return []
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )
    positions = _claim_positions(content)
    findings = []
    for place in content_claim_places(content):
        found = list(dict.fromkeys(m.group(1).lower() for m in pattern.finditer(plain_text(place.text))))
        if found:
            quoted = ", ".join(f"“{w}”" for w in found)
            findings.append(
                Finding(
                    place.label,
                    f"says {quoted}: an absolute word is rarely true of medical evidence.",
                    _claim_target(place, positions),
                )
            )
    return findings


def check_ungraded_claims(content, config) -> list[Finding]:
    positions = _claim_positions(content)
    return [
        Finding(place.label, "has no evidence grade.", _claim_target(place, positions))
        for place in content_claim_places(content)
        if not place.claim.get("grade")
    ]


def check_unlocated_references(content, config) -> list[Finding]:
    return [
        Finding(
            f"Reference “{key}”", "has no DOI, PubMed ID or web address: readers cannot find it.", f"reference-{key}"
        )
        for key, ref in content.get("references", {}).items()
        if not (ref.get("doi") or ref.get("pmid") or ref.get("url"))
    ]


def check_old_guidelines(content, config) -> list[Finding]:
    this_year = timezone.localdate().year
    limit = config.guideline_max_age_years
    findings = []
    for key, ref in content.get("references", {}).items():
        if ref.get("kind") != "guideline":
            continue
        year = ref.get("year")
        if not year:
            findings.append(
                Finding(f"Reference “{key}”", "is a guideline without a year: its age is unknown.", f"reference-{key}")
            )
        elif this_year - year > limit:
            findings.append(
                Finding(
                    f"Reference “{key}”",
                    f"is a guideline from {year}, more than {limit} years old: is there a newer edition?",
                    f"reference-{key}",
                )
            )
    return findings


def check_duplicate_claims(content, config) -> list[Finding]:
    positions = _claim_positions(content)
    first: dict[str, Place] = {}
    findings = []
    for place in content_claim_places(content):
        text = normalised(place.text)
        if not text:
            continue
        if text in first:
            findings.append(
                Finding(place.label, f"says the same as {first[text].label}.", _claim_target(place, positions))
            )
        else:
            first[text] = place
    return findings


def check_audience_without_claims(content, config) -> list[Finding]:
    findings = []
    for audience in content.get("summary_variants", {}):
        if audience not in Audience.values:
            continue
        if not any(s.get("claims") for s in content.get("sections", []) if _shown_to(s, audience)):
            readers = Audience(audience).label.lower()
            findings.append(
                Finding(
                    variant_label(audience),
                    f"readers who chose “{readers}” see this summary but no claims: every section with claims "
                    "is for another audience.",
                    f"summary_{audience}",
                )
            )
    return findings


CHECKS = (
    Check("literature", "Literature reviewed through is set", check_literature),
    Check("reading_level", "Reading level of the patient version", check_reading_level, "reading_level"),
    Check("absolute_words", "Absolute words in claims", check_absolute_words, "absolute_words"),
    Check("ungraded_claims", "Claims without an evidence grade", check_ungraded_claims, "ungraded_claims"),
    Check(
        "unlocated_references",
        "References with no DOI, PMID or URL",
        check_unlocated_references,
        "unlocated_references",
    ),
    Check("old_guidelines", "Old guidelines", check_old_guidelines, "old_guidelines"),
    Check("duplicate_claims", "The same claim twice", check_duplicate_claims, "duplicate_claims"),
    Check(
        "audience_without_claims",
        "An audience's summary without claims for it",
        check_audience_without_claims,
        "audience_without_claims",
    ),
)


def run_checks(content: dict, config: ContentCheckSettings | None = None) -> list[CheckResult]:
    """Every check on a content snapshot, in the panel's order (one query: the configuration)."""
    config = config or ContentCheckSettings.current()
    results = []
    for check in CHECKS:
        severity = getattr(config, check.setting) if check.setting else Severity.BLOCK
        findings = [] if severity == Severity.OFF else check.run(content, config)
        results.append(CheckResult(check.id, check.label, severity, findings, configurable=bool(check.setting)))
    return results


def blocking_problems(results: list[CheckResult]) -> list[str]:
    """Each finding of a check that blocks submission, as the submission refusal lists it."""
    return [
        f"{finding.place}: {finding.message}"
        for result in results
        if result.severity == Severity.BLOCK
        for finding in result.findings
    ]
