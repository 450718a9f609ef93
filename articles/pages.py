"""The context of an answer page, shared by the public view and the staff preview."""

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles.audiences import Audience

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


def answer_page_context(*, question, body_html, reviewed_on, review_state, page_path, review_note="", is_preview=False):
    return {
        "question": question,
        # Stored HTML: rendered by articles.rendering from sanitised Markdown and escaped fields.
        "body_html": mark_safe(body_html),
        "description": Truncator(strip_tags(body_html).split("\n\n")[0]).chars(160) if body_html else "",
        "reviewed_on": reviewed_on,
        "review_note": review_note,
        "tracker": tracker(review_state),
        "audiences": Audience.choices,
        "page_path": page_path,
        "is_preview": is_preview,
    }
