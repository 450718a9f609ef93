"""Searching approved answers: PostgreSQL full-text search, or a plain fallback on SQLite.

Only current publications are searched, never a working copy. Snippets are built from plain text
and escaped before the highlight marks are added, so content can never inject markup.

On PostgreSQL a search costs a bounded amount of work however many answers match. Ranking reads
each candidate's whole weighted vector (TOASTed: a few kilobytes to fetch and decompress per row),
so only a capped set of candidates is ranked: the newest CANDIDATES + 1 matches, found through the
full-text (GIN) index for a selective query or by walking the newest publications until enough
match for a broad one — PostgreSQL's planner picks whichever costs less. The candidates are ranked,
the best CANDIDATES are paged through, and no query counts every match: readers see "more than
200 answers" and are invited to narrow the search. Pages of results are cached per query and per
page-cache generation (articles.public_cache), so a repeated search costs no query at all.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, Func, Q, TextField, Value, When
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
# Matches ranked per search on PostgreSQL (the newest ones): readers page through these, best first.
CANDIDATES = 200
START, STOP = "\x02", "\x03"  # highlight sentinels, replaced after escaping
# Content is cleaned of control characters when saved (core.text), and the sentinels are removed
# from the text again before marking: a publication stored earlier cannot make its own <mark>.
_SENTINELS = {ord(START): None, ord(STOP): None}


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


class RankedPublications:
    """Publications in ranked order, paged like a queryset: counting them costs nothing (the ids
    are known) and a page costs one query, which also computes the page's highlighted snippets."""

    ordered = True  # for Paginator: the order is the ranking

    def __init__(self, queryset, ids: list[int], *, snippet=None, more_than: int | None = None):
        self.queryset, self.ids, self.snippet, self.more_than = queryset, ids, snippet, more_than
        self._items = None

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return RankedPublications(self.queryset, self.ids[key], snippet=self.snippet, more_than=self.more_than)
        if not isinstance(key, int):  # a template's `results.more_than` tries results["more_than"] first
            raise TypeError(f"RankedPublications indices must be integers or slices, not {type(key).__name__}")
        return list(self)[key]

    def __iter__(self):
        if self._items is None:
            rows = self.queryset.filter(pk__in=self.ids).order_by()
            if self.snippet is not None:
                rows = rows.annotate(search_snippet=self.snippet)
            by_pk = {row.pk: row for row in rows} if self.ids else {}
            self._items = [by_pk[pk] for pk in self.ids if pk in by_pk]
        return iter(self._items)


def search_publications(queryset, query: str):
    """(matching current publications, best first; snippets(publications) -> {pk: html}).

    The results carry `more_than`: None when every match is among them, else how many they hold
    (more matched, and were not ranked: see the module's docstring).

    On PostgreSQL, ranking uses the stored weighted vector (GIN-indexed) of a capped set of
    candidates, in one query; a page of results and its highlighted snippets (costly: computed for
    that page only) take one more.
    """
    if connection.vendor == "postgresql":
        from articles.models import Article

        search = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        # From the article side the join is a single foreign key, which PostgreSQL estimates
        # well (the publication side's "current" condition is two correlated ones, estimated as
        # one row, which leads it to rank every match before limiting).
        # A query the index cannot answer ("-baclofen": every answer but …; "a or -b") would
        # read every publication: querytree() says 'T' for those, a constant PostgreSQL folds
        # before running anything, so they find nothing rather than cost a scan.
        candidates = (
            Article.objects.filter(current_publication__search_vector=search)
            .alias(indexable=Func(search, function="querytree", output_field=TextField()))
            .exclude(indexable="T")
            .order_by("-current_publication_id")
            .values("current_publication_id")[: CANDIDATES + 1]
        )
        ranked = list(
            queryset.filter(pk__in=candidates)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-published_at", "-pk")
            .values_list("pk", flat=True)
        )
        headline = SearchHeadline(
            Func(F("body_text"), Value(START + STOP), Value(""), function="translate", output_field=TextField()),
            search,
            config=SEARCH_CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        results = RankedPublications(
            queryset.defer("body_text"),  # the snippet is made in the database: never load whole bodies
            ranked[:CANDIDATES],
            snippet=headline,
            more_than=CANDIDATES if len(ranked) > CANDIDATES else None,
        )

        def snippets(publications) -> dict:
            # made with the page (RankedPublications): no query here
            marked = ((p.pk, getattr(p, "search_snippet", None)) for p in publications)
            return {pk: _highlighted(text) for pk, text in marked if text is not None}

        return results, snippets

    terms = [t for t in re.findall(r"\w+", query.lower()) if len(t) > 1][:MAX_TERMS]
    if not terms:
        results = queryset.none()
        results.more_than = None
        return results, lambda publications: {}
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
    results.more_than = None  # SQLite, for development: every match is ranked

    def snippet(publication) -> SafeString:
        text = (publication.summary_text + " " + publication.body_text).translate(_SENTINELS)
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


# --- answers like a text: related answers, and matches for a reader's follow-up question ---------

# Words too common to say two answers are alike (PostgreSQL's english configuration drops its own
# stop words; the SQLite fallback drops these).
_COMMON = frozenset(
    "the and for are but not you all any can had her was one our out has have him his how its may "
    "new now see two way who did get let say she too use what when where which while with this that "
    "than then them they their there these those from into over such only also been being does doing "
    "about after again could would should will your yours some more most other very just like".split()
)
SIMILAR_TERMS = 12


def similarity_terms(text: str) -> list[str]:
    """The distinct words of `text` that say what it is about (at most SIMILAR_TERMS, first first)."""
    words = re.findall(r"\w+", normalise_query(text).lower())
    return list(dict.fromkeys(w for w in words if len(w) > 2 and not w.isdigit() and w not in _COMMON))[:SIMILAR_TERMS]


def similar_publications(queryset, text: str, *, limit: int, require_match: bool = True) -> list:
    """Up to `limit` publications of `queryset` most like `text` (any of its words: a question or
    an answer's summary is not a search for all of them), best first, then newest.

    `require_match=False` also returns publications sharing no word (ranked last): answers of the
    same topic are related by the topic alone. Bounded like the search: at most CANDIDATES are
    ranked (the newest matches, or the newest of the queryset)."""
    terms = similarity_terms(text)
    if not terms and require_match:
        return []
    if connection.vendor == "postgresql":
        if terms:
            search = SearchQuery(" or ".join(terms), search_type="websearch", config=SEARCH_CONFIG)
            candidates = queryset.filter(search_vector=search) if require_match else queryset
            newest = candidates.order_by("-published_at", "-pk").values("pk")[:CANDIDATES]
            ranked = queryset.filter(pk__in=newest).annotate(rank=SearchRank(F("search_vector"), search))
        else:
            newest = queryset.order_by("-published_at", "-pk").values("pk")[:CANDIDATES]
            ranked = queryset.filter(pk__in=newest).annotate(rank=Value(0.0))
        return list(ranked.order_by("-rank", "-published_at", "-pk")[:limit])
    condition = Q()
    for term in terms:
        condition |= Q(question__icontains=term) | Q(summary_text__icontains=term) | Q(body_text__icontains=term)
    rank = sum(
        (
            Case(When(question__icontains=t, then=Value(4)), default=Value(0))
            + Case(When(summary_text__icontains=t, then=Value(2)), default=Value(0))
            + Case(When(body_text__icontains=t, then=Value(1)), default=Value(0))
            for t in terms
        ),
        start=Value(0),
    )
    results = queryset.filter(condition) if require_match else queryset
    return list(results.annotate(rank=rank).order_by("-rank", "-published_at", "-pk")[:limit])
