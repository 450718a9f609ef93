"""Evidence grades per claim: one scheme per site, suggested from the kinds of the cited sources.

Two schemes are supported (setting ORACLE_EVIDENCE_SCHEME):
- "grade": GRADE certainty of evidence — high, moderate, low, very low;
- "strength_quality": strength of recommendation (1 strong, 2 weak) × quality of evidence
  (A high, B moderate, C low) — 1A … 2C, as used by UpToDate-style publishers.

A grade is never set automatically: the editor confirms it, and the board reviews it with the rest
of the claim. The suggestion is the best level of evidence among the claim's cited references.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    level: int  # 4 high … 1 very low: comparable across schemes
    description: str


SCHEMES = {
    "grade": {
        "name": "GRADE",
        "grades": [
            Grade("high", "High", 4, "Further research is very unlikely to change our confidence in the estimate."),
            Grade(
                "moderate", "Moderate", 3, "Further research is likely to have an important impact on our confidence."
            ),
            Grade("low", "Low", 2, "Further research is very likely to change the estimate."),
            Grade("very_low", "Very low", 1, "Any estimate of effect is very uncertain."),
        ],
    },
    "strength_quality": {
        "name": "Strength of recommendation × quality of evidence",
        "grades": [
            Grade("1A", "1A", 4, "Strong recommendation, high-quality evidence."),
            Grade("1B", "1B", 3, "Strong recommendation, moderate-quality evidence."),
            Grade("1C", "1C", 2, "Strong recommendation, low-quality evidence."),
            Grade("2A", "2A", 4, "Weak recommendation, high-quality evidence."),
            Grade("2B", "2B", 3, "Weak recommendation, moderate-quality evidence."),
            Grade("2C", "2C", 1, "Weak recommendation, low- or very-low-quality evidence."),
        ],
    },
}

# Every code of every scheme, for the model field's choices (validation narrows to the site's scheme).
ALL_CHOICES = [(g.code, g.label) for scheme in SCHEMES.values() for g in scheme["grades"]]

# The level of evidence a kind of source usually supports (4 high … 1 very low).
KIND_LEVEL = {
    "systematic_review": 4,
    "guideline": 4,
    "randomised_trial": 3,
    "drug_label": 3,
    "research": 2,
    "observational": 2,
    "textbook": 1,
    "case_report": 1,
    "expert_opinion": 1,
    "other": 1,
}
# Suggestions in the strength × quality scheme: strong recommendations only from the best evidence.
_SQ_SUGGESTION = {4: "1A", 3: "1B", 2: "2C", 1: "2C"}
_GRADE_SUGGESTION = {4: "high", 3: "moderate", 2: "low", 1: "very_low"}


def scheme_key() -> str:
    key = settings.ORACLE_EVIDENCE_SCHEME
    return key if key in SCHEMES else "grade"


def scheme() -> dict:
    return SCHEMES[scheme_key()]


def grades() -> list[Grade]:
    return scheme()["grades"]


def choices() -> list[tuple[str, str]]:
    return [(g.code, g.label) for g in grades()]


def grade(code: str) -> Grade | None:
    """The grade of the site's scheme with this code (None for blank or another scheme's code)."""
    return next((g for g in grades() if g.code == code), None)


def any_grade(code: str) -> Grade | None:
    """The grade with this code in any scheme: a publication keeps the label it was approved with."""
    return next((g for s in SCHEMES.values() for g in s["grades"] if g.code == code), None)


def suggest(kinds) -> str:
    """The suggested grade code for a claim citing references of these kinds ('' when none)."""
    levels = [KIND_LEVEL.get(kind, 1) for kind in kinds]
    if not levels:
        return ""
    best = max(levels)
    return (_SQ_SUGGESTION if scheme_key() == "strength_quality" else _GRADE_SUGGESTION)[best]


def invalid_grade_message(code: str) -> str:
    return str(
        _("“%(code)s” is not a grade of this site's scheme (%(scheme)s): choose one of %(choices)s.")
        % {"code": code, "scheme": scheme()["name"], "choices": ", ".join(label for _, label in choices())}
    )


def kind_levels_for_readers() -> list[dict]:
    """Kinds of source, best evidence first, with the grade each suggests on its own."""
    from references.models import Reference

    labels = dict(Reference.Kind.choices)
    ordered = sorted(KIND_LEVEL.items(), key=lambda item: (-item[1], str(labels.get(item[0], item[0]))))
    by_code = {g.code: g for s in SCHEMES.values() for g in s["grades"]}
    return [{"kind": str(labels.get(kind, kind)), "suggests": by_code[suggest([kind])].label} for kind, _ in ordered]
