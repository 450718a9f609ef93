"""The change form's live preview: the unsaved form rendered as readers will see it.

The page's script (`static/articles/admin/live_preview.js`) POSTs the whole change form as the
editor types; `content_from_form` reads it into a content snapshot (the shape
`articles.snapshots.snapshot_article` freezes) without building a model or saving anything, and
the answer page's renderer (`articles.answer_page.preview_context`, as "Preview this draft" uses)
renders it, citations numbered as they will be and unknown keys marked as the live check marks
them. The document goes back as JSON, shown in a sandboxed frame (`srcdoc`) under the admin's CSP.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from articles.answer_page import preview_context
from articles.audiences import Audience
from core.text import clean_text
from references.citations import extract_keys
from references.models import Reference

# More than any real answer has; a form claiming more is read up to this.
MAX_ROWS = 500


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _text(data, name) -> str:
    return clean_text((data.get(name) or "").replace("\r\n", "\n"))


def _rows(data, prefix):
    """(index, prefix of the row) of each row of an inline formset kept in the form, in the order
    the editor arranged them (their position fields), deleted rows and the empty template left out."""
    total = min(_int(data.get(f"{prefix}-TOTAL_FORMS")), MAX_ROWS)
    rows = [
        (_int(data.get(f"{prefix}-{i}-position"), i), i, f"{prefix}-{i}")
        for i in range(total)
        if not data.get(f"{prefix}-{i}-DELETE")
    ]
    return [(i, row) for _, i, row in sorted(rows)]


def content_from_form(data, *, boxes: dict | None = None) -> dict:
    """A content snapshot of the change form's fields as submitted: nothing is read but the
    references the text cites. `boxes`, when given, is filled with the id of the box that edits
    each claim ("claim-<s>-<c>", counted from 1 in the snapshot's order: `articles.checks`'s
    targets), and of the article's own fields."""
    sections = []
    for _, section in _rows(data, "sections"):
        claims = []
        claim_boxes = []
        for _, claim in _rows(data, f"{section}-claims"):
            text = _text(data, f"{claim}-text")
            if not text.strip():
                continue  # an empty row the editor just added: the form would refuse it, readers never see it
            grade = _text(data, f"{claim}-grade")
            claims.append({"text": text, **({"grade": grade} if grade else {})})
            claim_boxes.append(f"id_{claim}-text")
        heading = _text(data, f"{section}-heading")
        if not heading.strip() and not claims:
            continue
        if boxes is not None:
            boxes.update({f"claim-{len(sections) + 1}-{c}": box for c, box in enumerate(claim_boxes, start=1)})
        audience = data.get(f"{section}-audience", "")
        sections.append(
            {"heading": heading, "audience": audience if audience in Audience.values else "", "claims": claims}
        )
    variants = {
        audience: _text(data, f"summary_{audience}")
        for audience in Audience.values
        if _text(data, f"summary_{audience}").strip()
    }
    summary = _text(data, "summary")
    if boxes is not None:
        boxes.update({"summary": "id_summary", "literature_through": "id_literature_through"})
        boxes.update({f"summary_{audience}": f"id_summary_{audience}" for audience in variants})
    texts = [summary, *variants.values()] + [c["text"] for s in sections for c in s["claims"]]
    keys = list(dict.fromkeys(key for text in texts for key in extract_keys(text)))
    references = {ref.key: ref.as_snapshot() for ref in Reference.objects.filter(key__in=keys)} if keys else {}
    return {
        "question": _text(data, "question"),
        "slug": _text(data, "slug"),
        "summary_heading": _text(data, "summary_heading"),
        "summary": summary,
        "summary_variants": variants,
        "sections": sections,
        "references": {key: references[key] for key in keys if key in references},
        # as the snapshot has it: only when set (a date the form cannot read is left out, as unsaved)
        **({"literature_through": through.isoformat()} if (through := _date(data, "literature_through")) else {}),
    }


def _date(data, name):
    try:
        return forms.DateField().to_python(_text(data, name).strip())
    except forms.ValidationError:
        return None


def live_preview_view(admin, request):
    """POST the change form: {"html": the answer page as readers will see it, "unknown": keys
    that name no reference}. Saves nothing."""
    if not (admin.has_change_permission(request) or admin.has_add_permission(request)):
        raise PermissionDenied
    content = content_from_form(request.POST)
    audience = request.POST.get("preview_audience", "")
    try:  # the page's own links (the audience choices) name the answer's public address, as readers' do
        page_path = reverse("articles:detail", kwargs={"slug": content["slug"]}) if content["slug"] else "/"
    except NoReverseMatch:
        page_path = "/"
    context = preview_context(content, review_state="draft", page_path=page_path)
    context["audience"] = audience if audience in Audience.values else ""
    html = render_to_string("articles/admin/live_preview.html", context, request=request)
    texts = [content["summary"], *content["summary_variants"].values()]
    texts += [claim["text"] for section in content["sections"] for claim in section["claims"]]
    keys = [key for text in texts for key in extract_keys(text)]
    missing = [key for key in dict.fromkeys(keys) if key not in content["references"]]
    response = JsonResponse({"html": html, "unknown": missing, "references": len(content["references"])})
    response["Cache-Control"] = "no-store"
    return response
