"""The context of an answer page, shared by the public view and the staff preview."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles.audiences import Audience
from articles.rendering import to_plain

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
):
    return {
        "question": question,
        # Stored HTML: rendered by articles.rendering from sanitised Markdown and escaped fields.
        "body_html": mark_safe(body_html),
        "description": Truncator(to_plain(summary)).chars(160),
        "reviewed_on": reviewed_on,
        "review_note": review_note,
        "update_note": update_note,
        "is_pending": is_pending,
        "tracker": tracker(review_state),
        "audiences": Audience.choices,
        "page_path": page_path,
        "is_preview": is_preview,
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


def render_answer_parts(publication, *, slug: str, review_status: str) -> tuple[str, str]:
    """(head, article) HTML of an answer page for `publication`.

    Rendered once when the publication is made (for the approved state) and stored with it, so
    serving the page is a lookup plus a light frame; rendered live only while an update is in
    review (the tracker and a note change). The canonical URL is the configured public address,
    never the request's Host header.
    """
    from articles.seo import json_for_script, medical_web_page

    update_pending = review_status in ("submitted", "under_review")
    path = reverse("articles:detail", kwargs={"slug": slug})
    context = answer_page_context(
        question=publication.question,
        summary=publication.content["summary"],
        body_html=publication.html,
        reviewed_on=publication.reviewed_on,
        review_state=review_status if update_pending else "approved",
        page_path=path,
        review_note=reviewed_note(publication),
        update_note=UPDATE_NOTE if update_pending else "",
    )
    canonical = settings.ORACLE_BASE_URL.rstrip("/") + path
    context.update(
        canonical_url=canonical,
        json_ld=json_for_script(medical_web_page(publication, url=canonical)),
        history_url=reverse("articles:history", kwargs={"slug": slug}),
        article_slug=slug,
        site_name=settings.ORACLE_SITE_NAME,
    )
    head = render_to_string("articles/includes/_answer_head.html", context)
    article = render_to_string("articles/includes/_answer_page.html", context)
    return head, article
