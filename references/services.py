"""Writes to the bibliography."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from references.citations import extract_keys
from references.identifiers import normalise_doi, normalise_pmid, normalise_title
from references.models import Reference

STOPWORDS = {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with", "vs", "versus"}


def reference_find_duplicate(
    *, doi: str = "", pmid: str = "", title: str = "", year: int | None = None
) -> Reference | None:
    """The existing reference that is the same work: same DOI, same PMID, or same title and year."""
    doi, pmid = normalise_doi(doi), normalise_pmid(pmid)
    if doi or pmid:
        query = Q()
        if doi:
            query |= Q(doi__iexact=doi)
        if pmid:
            query |= Q(pmid=pmid)
        found = Reference.objects.filter(query).first()
        if found:
            return found
    wanted = normalise_title(title)
    if not wanted:
        return None
    # Narrow in SQL by year, then compare normalised titles in Python (accents, punctuation, case).
    for candidate in Reference.objects.filter(year=year).only("id", "key", "title", "year"):
        if normalise_title(candidate.title) == wanted:
            return Reference.objects.get(pk=candidate.pk)
    return None


def reference_make_key(*, title: str, year: int | None, taken: set[str] = frozenset()) -> str:
    """A short, readable, unused key such as `pharmacological-management-2021`."""
    words = [w for w in normalise_title(title).split() if w not in STOPWORDS][:2] or ["ref"]
    base = slugify("-".join(words + ([str(year)] if year else [])))[:70] or "ref"
    candidate, suffix = base, 1
    while candidate in taken or Reference.objects.filter(key=candidate).exists():
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def unknown_keys(keys) -> list[str]:
    """The keys among `keys` that name no reference, in the order given, without repeats."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    known = set(Reference.objects.filter(key__in=keys).values_list("key", flat=True))
    return [key for key in keys if key not in known]


def validate_citations(text: str, *, field: str, where: str) -> None:
    """Raise a ValidationError on `field` naming each unknown key cited in `text` and where it is."""
    missing = unknown_keys(extract_keys(text))
    if missing:
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _("Unknown reference key “%(key)s” in %(where)s."),
                        code="unknown_citation",
                        params={"key": key, "where": where},
                    )
                    for key in missing
                ]
            }
        )
