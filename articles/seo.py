"""What search engines and feed readers get: Atom feed, robots.txt, JSON-LD (the sitemap: `articles.sitemap`)."""

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from articles import evidence
from articles.audiences import SCHEMA_AUDIENCE, Audience
from articles.change_notes import change_label, whats_new
from articles.models import Publication, SitePage
from articles.rendering import citation_order, to_plain
from core.text import clean_text

# JSON inside <script> must not be able to close the element or open a comment, whatever the content.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_for_script(data) -> str:
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_SAFE))


def absolute(path: str) -> str:
    """The public address of a path on this site: from ORACLE_BASE_URL, never the request's Host
    header (a cached feed or sitemap must not carry whatever host one request named)."""
    return settings.ORACLE_BASE_URL.rstrip("/") + path


BOARD_NAME = f"{settings.ORACLE_SITE_NAME} Medical Advisory Board"


def medical_web_page(publication, *, url: str) -> dict:
    """schema.org MedicalWebPage for one publication."""
    content = publication.content
    if publication.origin == Publication.Origin.IMPORT:
        reviewers = [{"@type": "Organization", "name": f"{BOARD_NAME} (previous site)"}]
    else:
        reviewers = [
            {
                "@type": "Person",
                "name": r["name"],
                **({"honorificSuffix": r["credentials"]} if r.get("credentials") else {}),
            }
            for r in publication.reviewed_by
        ] or [{"@type": "Organization", "name": BOARD_NAME}]
    audiences = [Audience.PROFESSIONAL, *(a for a in content.get("summary_variants", {}) if a != Audience.PROFESSIONAL)]
    citations = [_cited_work(content["references"][key]) for key in citation_order(content)]
    graded = _graded_claims(content)
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": clean_text(publication.question),
        "headline": clean_text(publication.question),
        "url": url,
        "description": clean_text(publication.summary_text)[:300],
        "lastReviewed": publication.reviewed_on.isoformat(),
        "dateModified": publication.published_at.isoformat(),
        "reviewedBy": reviewers,
        "citation": citations,
        "audience": [dict(SCHEMA_AUDIENCE[a]) for a in audiences],
        "version": publication.number,
        "publisher": {"@type": "Organization", "name": settings.ORACLE_SITE_NAME},
    }
    if graded:  # only answers with graded claims carry them, so older pages stay as they were
        page["hasPart"] = graded
    if publication.literature_through:
        # How far the evidence was searched: the period the content covers, open at its start
        # (ISO 8601 interval, as schema.org's temporalCoverage allows).
        page["temporalCoverage"] = f"../{publication.literature_through.isoformat()}"
    _provenance(page, publication)
    if publication.change_note:
        # What changed in this version, as the board approved it for readers: schema.org's
        # CreativeWork.correction, the property publishers use for update notes.
        page["correction"] = {
            "@type": "CorrectionComment",
            "name": change_label(publication.change_class),
            "text": clean_text(publication.change_note),
            "datePublished": publication.published_at.isoformat(),
        }
    return page


def _provenance(page: dict, publication) -> None:
    """How the answer was made (articles/provenance.py), with schema.org terms that never make a
    machine an author: `author`, `creator` and `contributor` take a Person or Organization, so an
    automated drafting system is none of them; the page `isBasedOn` a SoftwareApplication (a
    CreativeWork: what the text was derived from). `creditText` carries the sentence readers see
    (editors counted, not named; approvers named, as `reviewedBy` names them)."""
    from articles.provenance import AUTOMATED, provenance_sentence

    provenance = publication.provenance or {}
    drafted = provenance.get("drafted_by") or {}
    systems = [drafted.get("system")] if drafted.get("kind") == AUTOMATED else []
    systems += [c.get("system") for c in provenance.get("clients") or () if c.get("kind") == AUTOMATED]
    based_on = [
        {"@type": "SoftwareApplication", "name": clean_text(name), "applicationCategory": "Automated drafting system"}
        for name in dict.fromkeys(filter(None, systems))
    ]
    if based_on:  # every automated system that wrote words of this version, the drafting one first
        page["isBasedOn"] = based_on[0] if len(based_on) == 1 else based_on
    sentence = provenance_sentence(publication)
    if sentence:
        page["creditText"] = clean_text(sentence)


SCHOLARLY_KINDS = {"research", "systematic_review", "randomised_trial", "observational", "case_report"}


def _cited_work(ref: dict) -> dict:
    """A cited reference as schema.org: its DOI and PubMed id as identifiers, and its address."""
    work = {
        "@type": "ScholarlyArticle" if ref["kind"] in SCHOLARLY_KINDS else "CreativeWork",
        "name": ref["title"],
    }
    if ref.get("year"):
        work["datePublished"] = str(ref["year"])
    if ref.get("source"):
        work["publisher"] = ref["source"]
    identifiers = [
        {"@type": "PropertyValue", "propertyID": scheme, "value": ref[field]}
        for scheme, field in (("DOI", "doi"), ("PMID", "pmid"))
        if ref.get(field)
    ]
    if identifiers:
        work["identifier"] = identifiers[0] if len(identifiers) == 1 else identifiers
    url = ref.get("url") or ref.get("doi_url") or ref.get("pubmed_url")
    if url:
        work["url"] = url
    return work


# schema.org's MedicalEvidenceLevel: A (high), B (moderate), C (low, very low)
_SCHEMA_EVIDENCE = {4: "https://schema.org/EvidenceLevelA", 3: "https://schema.org/EvidenceLevelB"}


def _graded_claims(content: dict) -> list[dict]:
    """Each graded claim as a schema.org Claim with its evidence level and the grade as labelled."""
    parts = []
    for section in content.get("sections", []):
        for claim in section["claims"]:
            grade = evidence.any_grade(claim.get("grade", ""))
            if grade is None:
                continue
            parts.append(
                {
                    "@type": "Claim",
                    "text": to_plain(claim["text"]),
                    "evidenceLevel": _SCHEMA_EVIDENCE.get(grade.level, "https://schema.org/EvidenceLevelC"),
                    "description": f"Evidence grade: {grade.label}",
                }
            )
    return parts


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose summaries are plain text (`type="text"`): feed readers show them as written and
    never render them, so no summary can put markup (or a script) in a reader's feed reader."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestAnswersFeed(Feed):
    """Atom: every address absolute and from ORACLE_BASE_URL; each entry's id is the permanent
    address of its version, and its author the Medical Advisory Board that reviewed it."""

    feed_type = PlainTextAtomFeed
    title = f"{settings.ORACLE_SITE_NAME}: new and updated answers"
    subtitle = "Evidence-based answers reviewed by our Medical Advisory Board."
    author_name = settings.ORACLE_SITE_NAME
    item_author_name = BOARD_NAME

    def link(self):
        return absolute(reverse("articles:home"))

    def feed_url(self):
        return absolute(reverse("feed"))

    def author_link(self):
        return absolute(reverse("articles:home"))

    def item_author_link(self):
        return absolute(SitePage(slug=SitePage.Slug.ADVISORY_BOARD).get_absolute_url())

    def items(self):
        return (
            Publication.objects.current()
            .select_related("article")
            .only("question", "summary_text", "published_at", "reviewed_on", "number", "article__slug")
            .order_by("-published_at")[:50]
        )

    # Titles and summaries are plain text (Atom's default for titles; see PlainTextAtomFeed), and
    # cleaned again here for publications stored before content was cleaned on save: XML refuses
    # control characters, and direction overrides would reorder the title a reader sees.
    def item_title(self, item):
        question = clean_text(item.question)
        return question if item.number == 1 else f"{question} (updated)"

    def item_description(self, item):
        return clean_text(item.summary_text)

    def item_link(self, item):
        return absolute(reverse("articles:detail", kwargs={"slug": item.article.slug}))

    def item_guid(self, item):
        # The version's permanent address: a new version is a new entry, an unchanged one keeps its id.
        return absolute(reverse("articles:version", kwargs={"slug": item.article.slug, "number": item.number}))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


class WhatsNewFeed(LatestAnswersFeed):
    """Atom of What's new: the practice-changing and major updates (`articles.change_notes.whats_new`),
    each summarised by the board's note for readers, as plain text."""

    title = f"{settings.ORACLE_SITE_NAME}: what's new"
    subtitle = "Practice-changing and major updates to our answers, approved by our Medical Advisory Board."

    def link(self):
        return absolute(reverse("articles:whats-new"))

    def feed_url(self):
        return absolute(reverse("articles:whats-new-feed"))

    def items(self):
        return whats_new()[:50]

    def item_title(self, item):
        return f"{clean_text(item.question)} ({change_label(item.change_class).lower()})"

    def item_description(self, item):
        return clean_text(item.change_note)


@require_safe
def robots_txt_view(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /audience/",
        "Disallow: /_nested_admin/",
        f"Sitemap: {absolute(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
