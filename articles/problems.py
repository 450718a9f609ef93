"""Whether an answer's content can go to review or to readers, and where each problem is.

One walk over the content (`places`) names every text by where it is, in reading order; each check
reads it. The checks read sections and claims through the prefetch cache when there is one
(`articles.snapshots.load_article`), so a whole report costs a fixed number of queries.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from articles import evidence
from articles.audiences import Audience
from references.citations import CitationProblem, extract_keys
from references.services import unknown_keys


@dataclass(frozen=True)
class Place:
    """A text of the article and where it is: the summary, an audience version of it, or a claim."""

    label: str
    text: str
    section: object = None  # the Section of a claim
    claim: object = None  # the Claim itself


def claim_places(article) -> Iterator[Place]:
    for s_index, section in enumerate(article.sections.all(), start=1):
        for c_index, claim in enumerate(section.claims.all(), start=1):
            label = claim_label(s_index, section.heading, c_index)
            yield Place(label=label, text=claim.text, section=section, claim=claim)


def claim_label(s_index: int, heading: str, c_index: int) -> str:
    return f"Section {s_index} “{heading}”, claim {c_index}"


def variant_label(audience: str) -> str:
    return f"Summary answer for {Audience(audience).label.lower()}"


def places(article) -> Iterator[Place]:
    """The summary, its audience versions and every claim, in reading order."""
    yield Place(label="Summary answer", text=article.summary)
    for audience, text in article.summary_variants().items():
        yield Place(label=variant_label(audience), text=text)
    yield from claim_places(article)


def content_claim_places(content: dict) -> Iterator[Place]:
    """`claim_places` of a content snapshot (`articles.snapshots`): `section` and `claim` are its dicts."""
    for s_index, section in enumerate(content.get("sections", []), start=1):
        for c_index, claim in enumerate(section.get("claims", []), start=1):
            label = claim_label(s_index, section["heading"], c_index)
            yield Place(label=label, text=claim["text"], section=section, claim=claim)


def content_places(content: dict) -> Iterator[Place]:
    """`places` of a content snapshot: the same texts, named the same way."""
    yield Place(label="Summary answer", text=content.get("summary", ""))
    for audience, text in content.get("summary_variants", {}).items():
        yield Place(label=variant_label(audience), text=text)
    yield from content_claim_places(content)


def cited_keys(article) -> list[str]:
    return list(dict.fromkeys(key for place in places(article) for key in extract_keys(place.text)))


def citation_problems(article) -> list[CitationProblem]:
    """Every unresolved citation in the summary and the claims, each with where it is."""
    cited = [(place.label, extract_keys(place.text)) for place in places(article)]
    missing = set(unknown_keys(key for _, keys in cited for key in keys))
    recorded = {p["key"]: p for p in article.import_problems if isinstance(p, dict) and "key" in p}
    problems = []
    for label, keys in cited:
        for key in dict.fromkeys(keys):
            if key not in missing:
                continue
            if key in recorded:
                message = f"{recorded[key]['message']} (cited as [@{key}])"
            else:
                message = f"unknown reference key “{key}”"
            problems.append(CitationProblem(field=label, key=key, message=message))
    return problems


def publication_problems(article) -> list[str]:
    """Why the article cannot go to review or to readers as it stands; empty when it can."""
    problems = [str(p) for p in citation_problems(article)]
    if not (article.summary or "").strip():
        problems.append(_("The summary answer is empty."))
    sections = list(article.sections.all())
    if not sections:
        problems.append(_("The article has no sections."))
    for index, section in enumerate(sections, start=1):
        if not section.claims.all():
            problems.append(_("Section %(n)s “%(heading)s” has no claims.") % {"n": index, "heading": section.heading})
    return problems


def uncited_claims(article) -> list[str]:
    """A problem for each claim that cites nothing."""
    return [
        _("%(place)s cites no source: “%(claim)s”.") % {"place": place.label, "claim": place.claim}
        for place in claim_places(article)
        if not extract_keys(place.text)
    ]


def submission_problems(article) -> list[str]:
    """Why the article cannot go to review: its publication problems, uncited claims (when the site
    requires citations), grades outside the site's scheme, and every finding of a content check
    that blocks submission (`articles.checks`: the literature date, and those the site set to block)."""
    from articles import checks
    from articles.snapshots import snapshot_article

    problems = publication_problems(article)
    if settings.ORACLE_REQUIRE_CITED_CLAIMS:
        problems += uncited_claims(article)
    problems += [
        f"{place.label}: {evidence.invalid_grade_message(place.claim.grade)}"
        for place in claim_places(article)
        if place.claim.grade and evidence.grade(place.claim.grade) is None
    ]
    return problems + checks.blocking_problems(checks.run_checks(snapshot_article(article)))
