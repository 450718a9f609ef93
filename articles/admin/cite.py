"""Citing while writing, on the article change form: the reference search behind the "Cite" button
(and `[@`), and "New reference", which adds one to the bibliography without leaving the article.

Both are JSON views mounted by `ArticleAdmin.get_urls`; the page's script is
`static/articles/admin/cite.js`. A new reference is validated as the reference admin validates it
(the model's DOI and PMID normalisation, its unique DOI and PMID), and a work already in the
bibliography is named instead of being added twice.
"""

import reversion
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from references.models import Reference
from references.search import QueryTooLong, reference_search
from references.services import reference_find_duplicate, reference_make_key


class NewReferenceForm(forms.ModelForm):
    """The "New reference" dialog: the reference admin's fields, the key optional (made from the
    title and year when left empty)."""

    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Reference
        fields = ["kind", "title", "authors", "source", "year", "doi", "pmid", "url", "key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="newref", **kwargs)
        self.fields["key"].required = False
        self.fields["key"].help_text = _("Optional: made from the title and year when left empty.")
        for field in self.fields.values():
            if isinstance(field.widget, forms.TextInput | forms.URLInput | forms.NumberInput):
                field.widget.attrs.setdefault("size", 40)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            duplicate = reference_find_duplicate(
                doi=cleaned.get("doi", ""),
                pmid=cleaned.get("pmid", ""),
                title=cleaned.get("title", ""),
                year=cleaned.get("year"),
            )
        except ValueError:
            duplicate = None  # the model's own validation names the bad identifier
        if duplicate is not None:
            raise forms.ValidationError(
                _("This work is already in the bibliography as [@%(key)s]: cite it by that key."),
                code="duplicate",
                params={"key": duplicate.key},
            )
        return cleaned

    def _post_clean(self):
        if not self.cleaned_data.get("key") and self.cleaned_data.get("title"):
            self.cleaned_data["key"] = reference_make_key(
                title=self.cleaned_data["title"], year=self.cleaned_data.get("year")
            )
        super()._post_clean()


def cite_search_view(admin, request):
    """GET ?q=: at most 20 references, each with its kind and whether it is retracted or superseded."""
    if not request.user.has_perm("references.view_reference"):
        raise PermissionDenied
    try:
        results = reference_search(request.GET.get("q", ""))
    except QueryTooLong as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"results": results})


def new_reference_view(admin, request):
    """POST the dialog's fields: the created reference's key, or every field's errors (nothing created)."""
    if not request.user.has_perm("references.add_reference"):
        raise PermissionDenied
    form = NewReferenceForm(request.POST)
    if not form.is_valid():
        errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Added from an article's “New reference” dialog")
            reference = form.save()
    except IntegrityError:
        # someone added the same key, DOI or PMID a moment ago: the constraint refused this one
        message = _("A reference with this key, DOI or PubMed ID was added a moment ago: search for it and cite it.")
        return JsonResponse({"errors": {"__all__": [str(message)]}}, status=409)
    return JsonResponse({"reference": reference_search(reference.key, limit=1)[0]}, status=201)
