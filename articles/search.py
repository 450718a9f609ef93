"""Searching approved answers: PostgreSQL full-text search, or a plain fallback on SQLite.

Only current publications are searched, never a working copy. Snippets are built from plain text
and escaped before the highlight marks are added, so content can never inject markup.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SEARCH_CONFIG = "english"
# question above summary above body
SEARCH_VECTOR = (
    SearchVector("question", weight="A", config=SEARCH_CONFIG)
    + SearchVector("summary_text", weight="B", config=SEARCH_CONFIG)
    + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
)
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
START, STOP = "\x02", "\x03"  # highlight sentinels, replaced after escaping


def normalise_query(raw: str) -> str:
    """The query as searched: control characters dropped, whitespace collapsed, 200 characters at most."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


@dataclass
class Hit:
    publication: object
    snippet: SafeString


def _highlighted(text: str) -> SafeString:
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def search_publications(queryset, query: str):
    """(queryset of matching current publications, best first; snippets(publications) -> {pk: html}).

    On PostgreSQL, ranking uses the stored weighted vector (GIN-indexed); the costly highlighted
    snippets are computed afterwards, for the page of results only.
    """
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        results = (
            queryset.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-published_at")
        )

        def snippets(publications) -> dict:
            headlines = (
                queryset.model.objects.filter(pk__in=[p.pk for p in publications])
                .annotate(
                    snippet=SearchHeadline(
                        "body_text",
                        search,
                        config=SEARCH_CONFIG,
                        start_sel=START,
                        stop_sel=STOP,
                        max_words=30,
                        min_words=12,
                        max_fragments=2,
                        fragment_delimiter=" … ",
                    )
                )
                .values_list("pk", "snippet")
            )
            return {pk: _highlighted(text) for pk, text in headlines}

        return results, snippets

    terms = [t for t in re.findall(r"\w+", query.lower()) if len(t) > 1][:MAX_TERMS]
    if not terms:
        return queryset.none(), lambda publications: {}
    condition = Q()
    for term in terms:
        condition &= Q(question__icontains=term) | Q(summary_text__icontains=term) | Q(body_text__icontains=term)
    # question above summary above body, as on PostgreSQL
    rank = sum(
        (
            Case(When(question__icontains=t, then=Value(4)), default=Value(0))
            + Case(When(summary_text__icontains=t, then=Value(2)), default=Value(0))
            + Case(When(body_text__icontains=t, then=Value(1)), default=Value(0))
            for t in terms
        ),
        start=Value(0),
    )
    results = queryset.filter(condition).annotate(rank=rank).order_by("-rank", "-published_at")

    def snippet(publication) -> SafeString:
        text = publication.summary_text + " " + publication.body_text
        lower = text.lower()
        start = min((lower.find(t) for t in terms if t in lower), default=0)
        begin = max(0, start - 80)
        if begin:  # start at a word boundary
            space = text.find(" ", begin, start)
            begin = space + 1 if space != -1 else start
        window = text[begin : start + 200]
        if start + 200 < len(text):
            window = window[: window.rfind(" ")] if " " in window else window
        marked = re.sub("(" + "|".join(map(re.escape, terms)) + ")", START + r"\1" + STOP, window, flags=re.IGNORECASE)
        prefix = "… " if begin else ""
        return _highlighted(prefix + marked + " …")

    return results, lambda publications: {p.pk: snippet(p) for p in publications}
