"""The context of an answer page, shared by the public view and the staff preview."""

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
