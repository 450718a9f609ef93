"""Finding a reference to cite while writing: by key, title, author, DOI, PMID or year.

One query whatever the number of results (the replacement's key is joined), at most `LIMIT` rows.
Every word of the query must match one of the fields; a DOI (bare or as a doi.org link), a PMID
("PMID: 123") and a year are also recognised as themselves. Whether a source is retracted or
superseded is on the reference itself: the fields the board's confirmed source events set.
"""

import re

from django.db.models import Case, IntegerField, Q, Value, When

from references.identifiers import DOI_PREFIXES
from references.models import Reference

LIMIT = 20
MAX_QUERY_LENGTH = 200
_YEAR = re.compile(r"^(1[5-9]|2[0-2])\d\d$")
_PMID = re.compile(r"^(?:pmid:?)?(\d{1,9})$", re.IGNORECASE)


class QueryTooLong(ValueError):
    pass


def _word_filter(word: str) -> Q:
    bare = DOI_PREFIXES.sub("", word)
    match = Q(key__icontains=word) | Q(title__icontains=word) | Q(authors__icontains=word)
    match |= Q(doi__icontains=bare)
    pmid = _PMID.match(word)
    if pmid:
        match |= Q(pmid__startswith=pmid.group(1))
    if _YEAR.match(word):
        match |= Q(year=int(word))
    return match


def reference_search(query: str, *, limit: int = LIMIT) -> list[dict]:
    """The references matching `query` (best first: the key itself, then keys starting with it,
    then the newest), as plain data for the citation search; the newest when `query` is empty."""
    query = " ".join((query or "").split())
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(f"Search with at most {MAX_QUERY_LENGTH} characters.")
    rows = Reference.objects.select_related("superseded_by").only(
        "key", "kind", "title", "authors", "year", "doi", "pmid", "retracted_on", "superseded_by", "superseded_by__key"
    )
    if query:
        for word in query.split(" "):
            rows = rows.filter(_word_filter(word))
        first = query.split(" ")[0]
        rows = rows.annotate(
            rank=Case(
                When(key__iexact=first, then=Value(0)),
                When(key__istartswith=first, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("rank", "-year", "key")
    else:
        rows = rows.order_by("-updated_at", "key")
    return [_as_result(ref) for ref in rows[: max(0, min(limit, LIMIT))]]


def _as_result(ref: Reference) -> dict:
    replacement = ref.superseded_by
    return {
        "key": ref.key,
        "title": ref.title,
        "authors": ref.authors,
        "year": ref.year,
        "kind": ref.kind,
        "kind_label": str(ref.get_kind_display()),
        "doi": ref.doi,
        "pmid": ref.pmid,
        "retracted": ref.retracted_on is not None,
        "retracted_on": ref.retracted_on.isoformat() if ref.retracted_on else None,
        "superseded": replacement is not None,
        "superseded_by": replacement.key if replacement is not None else None,
    }
