"""Readers' error reports on claims: which claim a report is about, the form, the links beside
each claim on the answer page, and the triage (accept, reject, mark fixed, open a draft update).

A claim is named by its publication's number and its position in that publication's frozen
content (section, claim; from 1), never by the working copy's `Claim` row, which a later edit
replaces: the answer page is rendered once per publication, so its links must stay true.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles import follow_ups
from articles.follow_ups import ReaderForm
from articles.models import Article, ErrorReport, ErrorReportEvent, Publication
from articles.rendering import to_plain
from core.text import clean_text

logger = logging.getLogger(__name__)

TRIAGE_PERMISSION = "articles.triage_errorreport"

# --- which claim -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedClaim:
    publication: Publication
    section_number: int
    claim_number: int
    heading: str
    text: str  # the claim's Markdown as published

    @property
    def plain(self) -> str:
        return to_plain(self.text)


class ClaimGone(Exception):
    """The claim is not in the answer readers see now (the answer was updated or withdrawn)."""

    def __init__(self, message: str, *, current_url: str = ""):
        self.current_url = current_url
        super().__init__(message)


def claim_at(publication: Publication, section_number: int, claim_number: int) -> PublishedClaim | None:
    sections = publication.content.get("sections", [])
    if not (1 <= section_number <= len(sections)):
        return None
    section = sections[section_number - 1]
    claims = section.get("claims", [])
    if not (1 <= claim_number <= len(claims)):
        return None
    return PublishedClaim(
        publication, section_number, claim_number, section["heading"], claims[claim_number - 1]["text"]
    )


def _find_text(publication: Publication, text: str) -> PublishedClaim | None:
    for s, section in enumerate(publication.content.get("sections", []), start=1):
        for c, claim in enumerate(section.get("claims", []), start=1):
            if claim["text"] == text:
                return PublishedClaim(publication, s, c, section["heading"], text)
    return None


def locate_claim(article: Article, number: int, section_number: int, claim_number: int) -> PublishedClaim:
    """The published claim a report link names, in the answer readers see now.

    `article` must be current (the caller has applied `articles.public.current_answer`). An
    unknown version or position raises LookupError (404). A link from an earlier version finds
    the same text in the current one (moved or unchanged by the update), else raises ClaimGone (410).
    """
    current = article.current_publication
    if number == current.number:
        found = claim_at(current, section_number, claim_number)
        if found is None:
            raise LookupError("This answer has no such claim.")
        return found
    older = article.publications.filter(number=number).only("content", "number").first()
    if older is None:
        raise LookupError("This answer has no such version.")
    was = claim_at(older, section_number, claim_number)
    if was is None:
        raise LookupError("This answer has no such claim.")
    found = _find_text(current, was.text)
    if found is None:
        raise ClaimGone(
            "This claim has been changed or removed in an update of the answer since you opened the page, "
            "so it can no longer be reported. Please read the current answer and report what you find there.",
            current_url=reverse("articles:detail", kwargs={"slug": article.slug}),
        )
    return found


def report_url(slug: str, number: int, section_number: int, claim_number: int) -> str:
    return reverse(
        "articles:report-error",
        kwargs={"slug": slug, "number": number, "section": section_number, "claim": claim_number},
    )


# --- the links beside each claim on the answer page ------------------------------------------

_CLAIM_OPEN = '<li class="claim">'


def with_report_links(body_html: str, publication: Publication, *, slug: str) -> str:
    """The stored body with a "Report a problem with this claim" link before the end of each
    claim (`<li class="claim">…</li>`, in content order: the renderer's `_answer_body.html`), and
    the script that opens them inline. Static per publication: no query when the page is served.
    Left unchanged (logged) if the body's claims do not match the content's."""
    positions = [
        (s, c, section["heading"])
        for s, section in enumerate(publication.content.get("sections", []), start=1)
        for c, _ in enumerate(section.get("claims", []), start=1)
    ]
    if not positions:
        return body_html
    parts = body_html.split(_CLAIM_OPEN)
    if len(parts) - 1 != len(positions):
        logger.warning(
            "publication %s: %d claims in the body, %d in the content", publication.pk, len(parts) - 1, len(positions)
        )
        return body_html
    out = [parts[0]]
    for (s, c, heading), part in zip(positions, parts[1:], strict=True):
        end = part.find("</li>")
        if end < 0:  # never: a claim is inline Markdown, so escaped text cannot close the item
            return body_html
        link = render_to_string(
            "articles/includes/_claim_report_link.html",
            {"url": report_url(slug, publication.number, s, c), "section": s, "claim": c, "heading": heading},
        ).strip()
        out.append(f"{_CLAIM_OPEN}{part[:end]} {link}{part[end:]}")
    # opens each link's form inline (the form page's own form, fetched when a reader opens it)
    return "".join(out) + render_to_string("articles/includes/_claim_report_script.html").strip()


# --- the form ------------------------------------------------------------------------------------

_URL_START = re.compile(r"^(https?://|www\.)", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):\S", re.IGNORECASE)
# identifiers written scheme-like that are citations, not addresses
_CITATION_PREFIXES = {"doi", "pmid", "pmcid", "pmc", "isbn", "issn", "arxiv"}


class ErrorReportForm(ReaderForm):
    field_order = ["text", "source", "email", "website"]

    text = forms.CharField(
        label="What is wrong?",
        min_length=ErrorReport.MIN_LENGTH,
        max_length=ErrorReport.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": ErrorReport.MAX_LENGTH}),
        error_messages={
            "required": "Please say what is wrong with this claim.",
            "min_length": "Please say what is wrong in at least %(limit_value)d characters.",
            "max_length": "Please keep your report under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    source = forms.CharField(
        label="A source (optional)",
        required=False,
        max_length=ErrorReport.SOURCE_MAX_LENGTH,
        error_messages={
            "max_length": "Please keep the source under %(limit_value)d characters (it has %(show_value)d).",
        },
    )

    def clean_source(self):
        """A web address (http or https, checked) or citation text ("Smith J. Lancet 2020", a DOI)."""
        source = " ".join(clean_text(self.cleaned_data["source"]).split())
        if not source:
            return ""
        if _URL_START.match(source):
            address = source if "://" in source else f"https://{source}"
            try:
                URLValidator(schemes=["http", "https"])(address)
            except ValidationError:
                raise forms.ValidationError(
                    "That web address does not look right: check it (for example https://www.example.org/study), "
                    "or give the source as citation text."
                ) from None
            if len(address) > ErrorReport.SOURCE_MAX_LENGTH:  # "https://" added to a "www." address
                raise forms.ValidationError(
                    self.fields["source"].error_messages["max_length"]
                    % {"limit_value": ErrorReport.SOURCE_MAX_LENGTH, "show_value": len(address)}
                )
            return address
        scheme = _SCHEME.match(source)
        if scheme and scheme.group(1).lower() not in _CITATION_PREFIXES and " " not in source:
            raise forms.ValidationError(
                "Only web addresses starting with http:// or https:// can be given as a link; "
                "otherwise give the source as citation text (authors, title, journal, year)."
            )
        return source


def over_rate_limit(request) -> bool:
    """Count this attempt; True when the client has sent more than ORACLE_ERROR_REPORT_RATE_LIMIT in
    the past hour (with the cache unreachable the report is taken, as follow-up questions are)."""
    return follow_ups.over_rate_limit(
        request, counter="error-report-rate", limit=settings.ORACLE_ERROR_REPORT_RATE_LIMIT
    )


# --- services ------------------------------------------------------------------------------------


class ErrorReportRefused(ValidationError):
    """A triage step that cannot be taken (wrong state, no resolution); nothing was changed."""


def due_date(created=None):
    return timezone.localdate(created) + timedelta(days=settings.ORACLE_ERROR_REPORT_SLA_DAYS)


_REPORTED: list[Callable[..., None]] = []


def on_error_reported(listener: Callable[..., None]) -> None:
    """Register `listener(report_id=…)`, called in the transaction that stores each new report.
    The app that emails the board registers one at start-up (`reviews`); this layer cannot name it."""
    if listener not in _REPORTED:
        _REPORTED.append(listener)


def error_report_create(*, claim: PublishedClaim, text: str, source: str = "", email: str = "") -> ErrorReport:
    """A new report on a published claim, its text as published frozen, due by the service level."""
    with transaction.atomic():
        report = ErrorReport.objects.create(
            publication=claim.publication,
            article_id=claim.publication.article_id,
            section_number=claim.section_number,
            claim_number=claim.claim_number,
            section_heading=claim.heading,
            claim_text=claim.text,
            text=text.strip(),
            source=source,
            email=email,
            due_on=due_date(),
        )
        ErrorReportEvent.objects.create(report=report, action=ErrorReportEvent.Action.RECEIVED)
        for listener in _REPORTED:
            listener(report_id=report.pk)
    return report


def may_triage(user) -> bool:
    return bool(user and user.is_active and user.has_perm(TRIAGE_PERMISSION))


def _locked(report: ErrorReport, by, allowed: tuple[str, ...], step: str, *, triage: bool = True) -> ErrorReport:
    if triage and not may_triage(by):
        raise PermissionDenied(f"{by} may not triage error reports.")
    current = ErrorReport.objects.select_for_update().get(pk=report.pk)
    if current.state not in allowed:
        raise ErrorReportRefused(f"This report is {current.get_state_display().lower()}: it cannot be {step}.")
    return current


def _resolve(report, *, by, state, resolution, action, fixed_in=None):
    report.state = state
    report.resolution = resolution
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.fixed_in = fixed_in
    report.save(update_fields=["state", "resolution", "resolved_by", "resolved_at", "fixed_in"])
    ErrorReportEvent.objects.create(report=report, action=action, by=by, note=resolution)
    return report


def _resolution(text: str) -> str:
    text = clean_text(text or "").strip()
    if not text:
        raise ErrorReportRefused("Write the resolution: what was decided and why. It is recorded with the report.")
    return text


def error_report_accept(*, report: ErrorReport, by, note: str = "") -> ErrorReport:
    """The report is right (or worth checking): it is accepted, still open until fixed."""
    with transaction.atomic():
        report = _locked(report, by, (ErrorReport.State.NEW,), "accepted")
        report.state = ErrorReport.State.ACCEPTED
        report.save(update_fields=["state"])
        ErrorReportEvent.objects.create(
            report=report, action=ErrorReportEvent.Action.ACCEPTED, by=by, note=clean_text(note or "").strip()
        )
    return report


def error_report_reject(*, report: ErrorReport, by, resolution: str) -> ErrorReport:
    """The claim stands: the report is closed with the reason, recorded."""
    resolution = _resolution(resolution)
    with transaction.atomic():
        report = _locked(report, by, ErrorReport.OPEN_STATES, "rejected")
        return _resolve(
            report,
            by=by,
            state=ErrorReport.State.REJECTED,
            resolution=resolution,
            action=ErrorReportEvent.Action.REJECTED,
        )


def fixing_publications(report: ErrorReport):
    """The answer's publications after the one reported on: the candidates for "fixed in"."""
    return Publication.objects.filter(article_id=report.article_id, number__gt=report.publication.number).order_by(
        "-number"
    )


def error_report_fix(*, report: ErrorReport, by, resolution: str, fixed_in: Publication | None = None) -> ErrorReport:
    """The claim was corrected: closed with the resolution and, when there is one, the publication that fixed it."""
    resolution = _resolution(resolution)
    with transaction.atomic():
        report = _locked(report, by, ErrorReport.OPEN_STATES, "marked fixed")
        if fixed_in is not None and not fixing_publications(report).filter(pk=fixed_in.pk).exists():
            raise ErrorReportRefused("The fixing publication must be a later version of the same answer.")
        return _resolve(
            report,
            by=by,
            state=ErrorReport.State.FIXED,
            resolution=resolution,
            action=ErrorReportEvent.Action.FIXED,
            fixed_in=fixed_in,
        )


def error_report_open_update(*, report: ErrorReport, by) -> ErrorReport:
    """An accepted report opens a draft update: recorded in the trail, and the editor is taken to
    the article's change form, which lists its open reports (the working copy is the draft of the
    next publication). Refused while the answer is in review (its text is locked)."""
    if not by.has_perm("articles.change_article"):
        raise PermissionDenied(f"{by} may not edit answers.")
    with transaction.atomic():
        report = _locked(
            report, by, (ErrorReport.State.ACCEPTED,), "used to open an update (accept it first)", triage=False
        )
        if Article.objects.filter(pk=report.article_id).values_list("lock_reason", flat=True).first():
            raise ErrorReportRefused(
                "This answer is in review now: its text can be changed once the review ends "
                "(request changes, or open the update after it is published)."
            )
        ErrorReportEvent.objects.create(report=report, action=ErrorReportEvent.Action.UPDATE_OPENED, by=by)
    return report
