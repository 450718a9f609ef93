"""The article change form's nested sections and claims (django-nested-admin), lock-aware."""

import nested_admin
from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles import evidence
from articles.admin.forms import ClaimForm, SectionForm, claim_name
from articles.models import Claim, Section
from references.citations import extract_keys
from references.models import Reference

# Positions are set by moving rows (the Move up / Move down buttons of form_layout.js, or dragging
# them: nested_admin's sortable), not typed.
ORDER_BY_DRAGGING = {
    models.PositiveIntegerField: {"widget": forms.HiddenInput},
}


def is_locked_view(request, obj) -> bool:
    """Show a locked article read-only; a POST still reaches form validation, which refuses it
    with the editor's text kept on the page (nothing they typed is lost)."""
    article = obj.article if isinstance(obj, Section) else obj
    return bool(article is not None and getattr(article, "is_locked", False) and request.method != "POST")


class LockAwareInlineMixin:
    def has_add_permission(self, request, obj=None):
        return not is_locked_view(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not is_locked_view(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_locked_view(request, obj) and super().has_delete_permission(request, obj)


class ParentKnownFormSet(nested_admin.NestedInlineFormSet):
    """Each row's parent is the formset's own instance, not a copy read again for each row (the
    lock checks and the grade suggestions ask each section for its article, each claim for its
    section): the form's queries do not grow with the number of sections and claims."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if getattr(form.instance, self.fk.attname) == self.instance.pk:
            setattr(form.instance, self.fk.name, self.instance)
        return form


class ClaimFormSet(ParentKnownFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # a checkbox under the "Delete?" heading: say which claim it deletes
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete: %(claim)s") % {
                "claim": claim_name(form.prefix)
            }


class ClaimInline(LockAwareInlineMixin, nested_admin.NestedTabularInline):
    model = Claim
    form = ClaimForm
    formset = ClaimFormSet
    extra = 0
    fields = ["text", "grade", "suggested_grade", "position"]
    readonly_fields = ["suggested_grade"]
    sortable_field_name = "position"
    # each claim's text is edited in its own box: no row title repeating it, truncated, above the box
    # (templates/nesting/admin/inlines/tabular.html)
    hide_row_title = True
    formfield_overrides = {
        **ORDER_BY_DRAGGING,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})},
    }


class SectionInline(LockAwareInlineMixin, nested_admin.NestedStackedInline):
    model = Section
    form = SectionForm
    formset = ParentKnownFormSet
    extra = 0
    fields = ["heading", "audience", "position"]
    sortable_field_name = "position"
    formfield_overrides = {
        **ORDER_BY_DRAGGING,
        models.CharField: {"widget": forms.TextInput(attrs={"size": 80})},
    }
    inlines = [ClaimInline]


def cited_reference_kinds(article) -> dict[str, str]:
    """The kind of every reference the article's saved claims cite, read once per article object
    (two queries for the whole form, not one per claim)."""
    if "_cited_reference_kinds" not in article.__dict__:
        texts = Claim.objects.filter(section__article=article).values_list("text", flat=True)
        keys = {key for text in texts for key in extract_keys(text or "")}
        article._cited_reference_kinds = dict(Reference.objects.filter(key__in=keys).values_list("key", "kind"))
    return article._cited_reference_kinds


def _suggested_grade(self, obj):
    article = obj.section.article if obj and obj.pk and obj.section_id else None
    code = obj.suggested_grade(cited_reference_kinds(article)) if article is not None else ""
    grade = evidence.grade(code)
    if grade is None:
        return "—"
    if obj.grade == code:
        return format_html('<span class="grade-suggestion grade-suggestion--same">{} ✓</span>', grade.label)
    return format_html(
        '<span class="grade-suggestion" title="{}">{}</span>',
        _("From the kinds of the references this claim cites; confirm or choose another."),
        grade.label,
    )


ClaimInline.suggested_grade = admin.display(description=_("suggested"))(_suggested_grade)
