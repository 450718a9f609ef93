"""The content checks in the admin: the site's configuration screen, and the checks panel.

The panel (`templates/articles/admin/_checks_panel.html`) is shown on the article's change form
and on the board's review page. On the change form it is rendered from the saved article first and
refreshed as the editor types (`static/articles/admin/checks_panel.js` POSTs the unsaved form to
`content-checks/`, read by `live_preview.content_from_form`; nothing is saved); on the review
page it checks the cycle's pinned content. Each finding links to the box that edits its place
where the page has one.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.admin.live_preview import content_from_form
from articles.checks import run_checks
from articles.models import ContentCheckSettings, Severity

STATUS_LABELS = {
    "pass": _("Passes"),
    Severity.WARNING: _("Warning"),
    Severity.BLOCK: _("Blocks submission"),
    Severity.OFF: _("Off"),
}


def saved_form_boxes(content: dict) -> dict[str, str]:
    """Which box of the change form edits each target of a saved article's snapshot: its inline rows
    are in the content's order (both by position)."""
    boxes = {"summary": "id_summary", "literature_through": "id_literature_through"}
    boxes.update({f"summary_{a}": f"id_summary_{a}" for a in content.get("summary_variants", {})})
    for s, section in enumerate(content.get("sections", [])):
        for c in range(len(section.get("claims", []))):
            boxes[f"claim-{s + 1}-{c + 1}"] = f"id_sections-{s}-claims-{c}-text"
    return boxes


def checks_panel_context(content: dict, *, boxes: dict[str, str] | None = None, live_url: str = "") -> dict:
    """What the panel template shows: each check with its status and findings, each finding with
    the address of the box that edits it (`boxes`: target → element id) or of its reference."""
    results = run_checks(content)
    checks = []
    for result in results:
        findings = []
        for finding in result.findings:
            href = ""
            if boxes and finding.target in boxes:
                href = f"#{boxes[finding.target]}"
            elif finding.target.startswith("reference-"):
                href = reverse("admin:references_reference_changelist") + "?q=" + finding.target[len("reference-") :]
            findings.append({"place": finding.place, "message": finding.message, "href": href})
        checks.append(
            {
                "id": result.id,
                "label": result.label,
                "status": result.status,
                "status_label": STATUS_LABELS[result.status],
                "findings": findings,
            }
        )
    blocking = sum(len(c["findings"]) for c in checks if c["status"] == Severity.BLOCK)
    warnings = sum(len(c["findings"]) for c in checks if c["status"] == Severity.WARNING)
    return {"checks": checks, "blocking": blocking, "warnings": warnings, "live_url": live_url}


def content_checks_view(admin_, request):
    """POST the change form: {"html": the checks panel's body for the unsaved content}. Saves nothing."""
    if not (admin_.has_change_permission(request) or admin_.has_add_permission(request)):
        raise PermissionDenied
    boxes: dict[str, str] = {}
    content = content_from_form(request.POST, boxes=boxes)
    context = checks_panel_context(content, boxes=boxes)
    html = render_to_string("articles/admin/_checks_panel_body.html", context, request=request)
    response = JsonResponse({"html": html, "blocking": context["blocking"], "warnings": context["warnings"]})
    response["Cache-Control"] = "no-store"
    return response


class ContentCheckSettingsAdmin(admin.ModelAdmin):
    """The one configuration row: which checks block submission, warn or are off, and their numbers."""

    fieldsets = [
        (_("Reading level of the patient version"), {"fields": ["reading_level", "reading_target_grade"]}),
        (_("Absolute words in claims"), {"fields": ["absolute_words", "absolute_word_list"]}),
        (_("Claims without an evidence grade"), {"fields": ["ungraded_claims"]}),
        (_("References with no DOI, PMID or URL"), {"fields": ["unlocated_references"]}),
        (_("Old guidelines"), {"fields": ["old_guidelines", "guideline_max_age_years"]}),
        (_("The same claim twice"), {"fields": ["duplicate_claims"]}),
        (_("An audience's summary without claims for it"), {"fields": ["audience_without_claims"]}),
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return False  # one row, made by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ContentCheckSettings.objects.get_or_create(pk=1)
        return redirect("admin:articles_contentchecksettings_change", 1)
