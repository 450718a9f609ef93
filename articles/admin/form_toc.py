"""The article change form's table of contents: where each part of the form is, in page order.

Rendered at the top of the form (`templates/articles/admin/_form_toc.html`) so it works without
JavaScript; `static/articles/admin/form_layout.js` keeps its sections' entries in step with the page
(a heading typed, a section added or moved). A higher layer adds the parts it contributes to the page
by putting entries into the context's `form_toc_before` before this runs (the review panel:
`reviews/admin/article.py`).
"""

from django.utils.translation import gettext as _

SECTIONS_PREFIX = "sections"


def form_toc(context) -> list[dict]:
    """[{"target": element id, "label": text, "children": [...]}] for the change form's context."""
    entries = [dict(entry) for entry in context.get("form_toc_before", [])]
    adminform = context.get("adminform")
    if adminform is not None:
        if "summary" in adminform.form.fields:  # an editable summary: its box (a locked one has none)
            entries.append({"target": "id_summary", "label": _("Summary answer")})
        for index, fieldset in enumerate(adminform):
            if fieldset.name:  # Django's fieldset template names its heading so
                entries.append({"target": f"fieldset-0-{index}-heading", "label": str(fieldset.name)})
    for inline in context.get("inline_admin_formsets", []):  # the sections, then what other apps add (trails)
        entry = {"target": f"{inline.formset.prefix}-group", "label": str(inline.opts.verbose_name_plural).capitalize()}
        if inline.formset.prefix == SECTIONS_PREFIX:
            entry["children"] = _sections(inline)
        entries.append(entry)
    return entries


def _sections(inline) -> list[dict]:
    rows = []
    for index, form in enumerate(inline.formset.forms):
        heading = _value(form, "heading")
        position = _value(form, "position")
        try:
            order = int(position)
        except (TypeError, ValueError):
            order = index
        rows.append((order, index, form.prefix, heading.strip()))
    # the order the sections are shown in (nested_admin sorts the forms by their position)
    return [
        {"target": prefix, "label": f"{number}. {heading or _('Untitled section')}"}
        for number, (_order, _index, prefix, heading) in enumerate(sorted(rows), start=1)
    ]


def _value(form, name) -> str:
    if name in form.fields:  # what the editor typed, on a re-render after a refused save
        value = form[name].value()
    else:  # a locked article's read-only form
        value = getattr(form.instance, name, "")
    return "" if value is None else str(value)
