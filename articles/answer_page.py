"""The answer page: the one renderer every path calls.

- `render_answer_parts` renders a publication's head and article HTML; it runs when the
  publication is made and when its stored page is re-rendered (a source notice, a due-for-review
  notice, a template change), and live only while an update is in review.
- `current_answer_document` is the whole page readers get for an answer now: what the public view
  sends and what `articles.published_files` writes for nginx (no HTTP request is faked).
- `preview_context` is the page of unpublished content (the admin's previews, a pending answer).
- `answer_document` puts head and article into the site's frame.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles import cadence
from articles.audiences import Audience
from articles.change_notes import change_label, literature_of
from articles.rendering import citation_order, render_body_html, to_plain

TRACKER_STEPS = [("submitted", "Submitted"), ("under_review", "Under Review"), ("approved", "Approved")]


def tracker(current: str) -> list[dict]:
    states = [state for state, _ in TRACKER_STEPS]
    reached = states.index(current) if current in states else -1
    return [
        {
            "label": label,
            "state": "done" if i < reached else "current" if i == reached else "todo",
        }
        for i, (_, label) in enumerate(TRACKER_STEPS)
    ]


def answer_page_context(
    *,
    question,
    summary,
    body_html,
    reviewed_on,
    review_state,
    page_path,
    review_note="",
    update_note="",
    is_preview=False,
    is_pending=False,
    literature_through=None,
    change_class="",
    change_note="",
):
    return {
        "question": question,
        # Stored HTML: rendered by articles.rendering from sanitised Markdown and escaped fields.
        "body_html": mark_safe(body_html),
        "description": Truncator(to_plain(summary)).chars(160),
        "reviewed_on": reviewed_on,
        # how far the evidence was searched (reviewed content), and what changed (the board's note)
        "literature_through": literature_through,
        "change_label": change_label(change_class) if change_note else "",
        "change_class": change_class,
        "change_note": change_note,
        "review_note": review_note,
        "update_note": update_note,
        "is_pending": is_pending,
        "tracker": tracker(review_state),
        "audiences": Audience.choices,
        "page_path": page_path,
        "is_preview": is_preview,
        "flagged_sources": 0,
        "review_overdue": False,
    }


UPDATE_NOTE = (
    "An update to this answer is under review by our Medical Advisory Board. You are reading the version it approved."
)


def reviewed_note(publication) -> str:
    day = f"{publication.reviewed_on:%B} {publication.reviewed_on.day}, {publication.reviewed_on.year}"
    if publication.origin == "import":
        return f"Reviewed on the previous site, {day}."
    names = [f"{r['name']}, {r['credentials']}" if r.get("credentials") else r["name"] for r in publication.reviewed_by]
    if not names:
        return f"Approved by the Medical Advisory Board on {day}."
    who = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    return f"Reviewed by {who} on {day}."


def reviewer_disclosures(r: dict) -> str | None:
    """One reviewer's conflicts-of-interest line as they declared it when approving (an entry of a
    publication's frozen `reviewed_by`); None for a reviewer who was not asked."""
    conflicts = r.get("conflicts")
    if not conflicts:
        return None
    name = f"{r['name']}, {r['credentials']}" if r.get("credentials") else r["name"]
    if conflicts.get("declared") == "none":
        return f"{name}: No relevant conflicts declared."
    held = "; ".join(
        f"{d['relationship']}, {d['organisation']}" + (f" ({', '.join(d['products'])})" if d.get("products") else "")
        for d in conflicts.get("disclosures") or ()
    )
    statement = (conflicts.get("statement") or "").strip()
    return f"{name} declared a relevant conflict: {statement}" + (f" [{held}]" if held else "")


def conflicts_note(publication) -> list[str]:
    """Beside "Reviewed by": each reviewer's conflicts of interest as they declared them when
    approving (frozen in `reviewed_by`). Nothing for reviewers who were not asked, and so nothing
    at all for publications that predate declarations."""
    return [line for line in map(reviewer_disclosures, publication.reviewed_by or ()) if line]


_NOTICE_PROVIDERS: list[Callable[[list[str]], dict[str, str]]] = []


def register_source_notices(provider: Callable[[list[str]], dict[str, str]]) -> None:
    """Register `provider(keys) -> {key: notice}`: the notices readers see on cited references.
    The app that keeps source events and the board's decisions on them registers one at start-up
    (`reviews`); this layer cannot name it."""
    if provider not in _NOTICE_PROVIDERS:
        _NOTICE_PROVIDERS.append(provider)


def source_notices(publication) -> dict[int, str]:
    """Reference number → the notice readers see on it (retracted or superseded sources only).

    Not from the references as they stand now: from the text the board confirmed, stored with its
    decision, so an edit of a reference changes no notice until the board confirms it again. Not
    from the snapshot either: a retraction confirmed after approval reaches this publication (and
    every other version citing the source) without a new one.
    """
    keys = citation_order(publication.content)
    if not keys:
        return {}
    notices = {}
    for provider in _NOTICE_PROVIDERS:
        notices.update(provider(keys))
    return {keys.index(key) + 1: notice for key, notice in notices.items() if key in keys}


def with_source_notices(body_html: str, notices: dict[int, str]) -> str:
    """The stored body with a notice in each flagged reference and a mark on each citation of it."""
    for number, notice in sorted(notices.items()):
        item = f'<li class="reference" id="ref-{number}" value="{number}">'
        body_html = body_html.replace(
            item,
            f'<li class="reference reference--flagged" id="ref-{number}" value="{number}">\n'
            f'      <strong class="source-notice" role="note">{escape(notice)}</strong>',
        )
        start = f'<a class="citation--flagged" href="#ref-{number}"'
        label = f'aria-label="Reference {number} ({escape(notice)})"'
        body_html = re.sub(
            # Up to the label only: nh3 adds rel="…" after it. A function, not a template, so a
            # backslash in a replacement's title stays text instead of becoming a group reference.
            rf'<a href="#ref-{number}" (id="cite-{number}-\d+") aria-label="Reference {number}"',
            lambda match, start=start, label=label: f"{start} {match.group(1)} {label}",
            body_html,
        )
    return body_html


def publication_context(publication, *, page_path: str, review_state: str = "approved", update_note: str = ""):
    """The answer page's context for a publication, and the source notices on it (reference
    number → notice) — the answer page and a version's permalink alike."""
    notices = source_notices(publication)
    context = answer_page_context(
        question=publication.question,
        summary=publication.content["summary"],
        body_html=with_source_notices(publication.html, notices) if notices else publication.html,
        reviewed_on=publication.reviewed_on,
        review_state=review_state,
        page_path=page_path,
        review_note=reviewed_note(publication),
        update_note=update_note,
        literature_through=publication.literature_through,
        change_class=publication.change_class,
        change_note=publication.change_note,
    )
    context["flagged_sources"] = len(notices)
    context["conflicts_note"] = conflicts_note(publication)
    context.update(provenance_context(publication))
    return context, notices


def related_context(publication) -> dict:
    """The "Related answers" block (template include `_answer_related.html`): the list stored
    with the publication when its page was rendered (articles/related.py), so no query."""
    return {
        "related_answers": [
            {"question": r["question"], "url": reverse("articles:detail", kwargs={"slug": r["slug"]})}
            for r in publication.related_answers or ()
        ]
    }


def provenance_context(publication) -> dict:
    """The "How this answer was made" block (template include `_answer_provenance.html`): from
    the publication's frozen provenance, so the page costs no query for it."""
    from articles.provenance import provenance_sentence

    return {"provenance_note": provenance_sentence(publication)}


def render_answer_parts(publication, *, slug: str, review_status: str, next_review_due=None) -> tuple[str, str]:
    """(head, article) HTML of an answer page for `publication`.

    Rendered once when the publication is made (for the approved state) and stored with it, so
    serving the page is a lookup plus a light frame; rendered live only while an update is in
    review (the tracker and a note change). The canonical URL is the configured public address,
    never the request's Host header.
    """
    from articles.seo import json_for_script, medical_web_page

    update_pending = review_status in ("submitted", "under_review")
    path = reverse("articles:detail", kwargs={"slug": slug})
    context, notices = publication_context(
        publication,
        page_path=path,
        review_state=review_status if update_pending else "approved",
        update_note=UPDATE_NOTE if update_pending else "",
    )
    canonical = settings.ORACLE_BASE_URL.rstrip("/") + path
    # "Report a problem with this claim" beside each claim: the current answer's page only
    from articles.error_reports import with_report_links

    context["body_html"] = mark_safe(with_report_links(context["body_html"], publication, slug=slug))
    context.update(
        canonical_url=canonical,
        json_ld=json_for_script(medical_web_page(publication, url=canonical)),
        history_url=reverse("articles:history", kwargs={"slug": slug}),
        article_slug=slug,
        site_name=settings.ORACLE_SITE_NAME,
        review_overdue=cadence.is_overdue_for_readers(next_review_due),
        # the current page only: a version's permalink lists no answers (they change; it does not)
        **related_context(publication),
    )
    head = render_to_string("articles/includes/_answer_head.html", context)
    article = render_to_string("articles/includes/_answer_page.html", context)
    return head, article


def preview_context(content: dict, *, review_state: str, page_path: str, is_pending: bool = False) -> dict:
    """The answer page's context for content not (yet) published: a content snapshot
    (`articles.snapshots.snapshot_article`, or a review's pinned copy), rendered exactly as the
    public page will render it once approved."""
    return answer_page_context(
        question=content["question"],
        summary=content["summary"],
        body_html=render_body_html(content),
        reviewed_on=None,
        review_state=review_state,
        page_path=page_path,
        is_preview=not is_pending,
        is_pending=is_pending,
        literature_through=literature_of(content),
    )


_FRAME_MARKS = ("\x00question\x00", "\x00head\x00", "\x00article\x00")
_FRAMES: dict = {}


def _frame() -> tuple[str, str, str, str] | None:
    """articles/article_detail.html rendered once per process with markers where an answer's
    question, head and article go, split there; None if the template cannot be split so (then
    the page is rendered as usual). Nothing in the frame depends on the request or the answer.
    Kept per process in production, where templates change only with a deployment (a restart)."""
    key = settings.ORACLE_SITE_NAME
    # In development templates change under the running server: render the frame every time.
    if settings.DEBUG or key not in _FRAMES:
        question, head, article = _FRAME_MARKS
        html = _render_document(question, head, article, audience="")
        parts = None
        if all(html.count(mark) == 1 for mark in _FRAME_MARKS):
            first, rest = html.split(question)
            second, rest = rest.split(head)
            third, fourth = rest.split(article)
            parts = (first, second, third, fourth)
        _FRAMES[key] = parts
    return _FRAMES[key]


def _render_document(question: str, head_html: str, article_html: str, *, audience: str) -> str:
    context = {
        "site_name": settings.ORACLE_SITE_NAME,
        "question": question,
        # Rendered by render_answer_parts from sanitised Markdown and auto-escaped fields.
        "head_html": mark_safe(head_html),
        "article_html": mark_safe(article_html),
        "audience": audience,
    }
    return render_to_string("articles/article_detail.html", context)


def answer_document(question: str, head_html: str, article_html: str, *, audience: str = "") -> str:
    """The whole HTML document of an answer page. The frame is the same for every answer, so
    without an audience it is assembled around the parts, not rendered."""
    frame = None if audience else _frame()
    if frame is None:
        return _render_document(question, head_html, article_html, audience=audience)
    before_title, before_head, before_article, after = frame
    return f"{before_title}{escape(question)}{before_head}{head_html}{before_article}{article_html}{after}"


@dataclass(frozen=True)
class AnswerDocument:
    html: str
    etag: str
    last_modified: float  # a timestamp


def current_answer_document(article, *, audience: str = "") -> AnswerDocument:
    """The page readers get for `article` now (it must have a current publication)."""
    publication = article.current_publication
    if article.has_open_review:
        # An update is in review: the tracker and a note say so (rare; rendered live).
        head_html, article_html = render_answer_parts(
            publication, slug=article.slug, review_status=article.review_status, next_review_due=article.next_review_due
        )
    else:
        head_html, article_html = publication.head_html, publication.page_html
    return AnswerDocument(
        html=answer_document(publication.question, head_html, article_html, audience=audience),
        # A publication never changes; the review state is the only other input to the page
        # (its stored page changes only when re-rendered for a notice: the checksum covers that).
        etag=f'"pub-{publication.page_etag}-{article.review_status}"',
        last_modified=publication.page_modified_at.timestamp(),
    )
