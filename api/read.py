"""The public read API: approved answers as JSON, read only from publications (never a draft)."""

from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from ninja import Query, Router, Schema
from pydantic import Field

from api.errors import ApiError
from api.schemas import AnswerListOut, AnswerOut, Error, WithdrawnError
from articles import evidence, public
from articles.audiences import Audience
from articles.models import Article, Publication
from articles.provenance import provenance_for_api
from articles.seo import absolute
from references.citations import Numbering, extract_keys

router = Router(tags=["Published answers"])


MAX_PAGE = 100_000
REFERENCE_FIELDS = (
    "key",
    "kind",
    "kind_label",
    "title",
    "authors",
    "source",
    "doi",
    "doi_url",
    "pmid",
    "pubmed_url",
    "url",
)


class AnswerFilters(Schema):
    topic: str | None = Field(None, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$", description="A topic's slug.")
    updated_since: datetime | None = Field(
        None, description="Only answers whose current version was published at or after this time (ISO 8601)."
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)


def _public(response, *, etag: str | None = None, last_modified=None) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=settings.ORACLE_PAGE_MAX_AGE)
    if etag:
        response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def _api_url(request, slug: str) -> str:
    # Public, cacheable responses: addresses from ORACLE_BASE_URL, never the request's Host or
    # scheme, so no request can put another host into what a shared cache hands later readers.
    return absolute(reverse("api:answer", kwargs={"slug": slug}))


@router.get(
    "/answers/",
    response={200: AnswerListOut, 304: None, 400: Error, 404: Error},
    url_name="answers",
    summary="List published answers",
)
def answer_list(request, response: HttpResponse, filters: Query[AnswerFilters]):
    """Answers readers can see now, newest publication first, a page at a time.

    Responses carry an `ETag` (send `If-None-Match` to get 304 when nothing changed) and
    `Cache-Control: public`. Withdrawn answers are not listed.
    """
    body = answer_list_data(request, filters)
    _public(response)
    # No ETag here: ConditionalGetMiddleware sets one from the body (any change to the list
    # changes it) and answers If-None-Match with 304. No Last-Modified: a withdrawal changes the
    # list without any newer date in it.
    return body


def answer_list_data(request, filters: AnswerFilters) -> dict:
    """One page of the current publications (two queries), as the list endpoint returns it."""
    publications = (
        Publication.objects.current()
        .select_related("article__topic")
        .only(
            "number",
            "question",
            "summary_text",
            "reviewed_on",
            "published_at",
            "article__slug",
            "article__topic__slug",
            "article__topic__name",
        )
        .order_by("-published_at", "-pk")
    )
    if filters.topic:
        publications = publications.filter(article__topic__slug=filters.topic)
    if filters.updated_since is not None:
        since = filters.updated_since
        if timezone.is_naive(since):
            since = timezone.make_aware(since, timezone.get_default_timezone())
        try:
            since = since.astimezone(UTC)
        except OverflowError:
            raise ApiError(
                400, "updated_since is out of range.", errors=[{"field": "updated_since", "message": "Out of range."}]
            ) from None
        publications = publications.filter(published_at__gte=since)
    count = publications.count()
    start = (filters.page - 1) * filters.page_size
    items = list(publications[start : start + filters.page_size]) if start < count else []

    def page_url(number):
        params = request.GET.copy()
        params["page"] = str(number)
        return absolute(f"{request.path}?{params.urlencode()}")

    body = {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "next": page_url(filters.page + 1) if start + filters.page_size < count else None,
        "previous": page_url(filters.page - 1) if filters.page > 1 else None,
        "results": [
            {
                "slug": p.article.slug,
                "question": p.question,
                "summary": p.summary_text,
                "topic": {"slug": p.article.topic.slug, "name": p.article.topic.name} if p.article.topic else None,
                "version": p.number,
                "reviewed_on": p.reviewed_on,
                "published_at": p.published_at,
                "url": absolute(reverse("articles:detail", kwargs={"slug": p.article.slug})),
                "api_url": _api_url(request, p.article.slug),
            }
            for p in items
        ],
    }
    return body


@router.get(
    "/answers/{slug}/",
    response={200: AnswerOut, 304: None, 404: Error, 410: WithdrawnError},
    url_name="answer",
    summary="Get a published answer",
)
def answer_detail(request, response: HttpResponse, slug: str):
    """The version readers see now: sections, claims with their citation numbers, the numbered
    references, and who reviewed it when. `ETag` and `Last-Modified` allow conditional requests
    (304); a withdrawn answer is 410 with the reason readers are given."""
    article, publication = current_answer(slug)
    etag = f'"api-pub-{publication.pk}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(publication.published_at.timestamp()))
    if not_modified is not None:
        return _public(not_modified, etag=etag, last_modified=publication.published_at)
    _public(response, etag=etag, last_modified=publication.published_at)  # ninja copies these headers
    return answer_data(request, article, publication)


def current_answer(slug: str) -> tuple[Article, Publication]:
    """The article at `slug` and the publication readers see now; 404, or 410 when withdrawn."""
    queryset = Article.objects.select_related("current_publication", "topic").defer(
        "current_publication__page_html",
        "current_publication__head_html",
        "current_publication__search_vector",
        "current_publication__body_text",
        "current_publication__summary_text",
    )
    try:
        article = public.current_answer(slug, queryset)
    except public.AnswerWithdrawn as gone:
        raise ApiError(
            410,
            "This answer has been withdrawn from public view.",
            reason=gone.withdrawal.reason,
            withdrawn_at=gone.withdrawal.at.isoformat(),
        ) from None
    return article, article.current_publication


def _grade(code: str) -> dict | None:
    grade = evidence.any_grade(code) if code else None
    return {"code": grade.code, "label": str(grade.label), "level": grade.level} if grade else None


def answer_data(request, article: Article, publication: Publication) -> dict:
    content = publication.content
    references = content.get("references", {})
    numbering = Numbering()

    def cite(text: str) -> list[int]:
        numbers = []
        for key in extract_keys(text):
            if key in references:
                number, _ = numbering.cite(key)
                if number not in numbers:
                    numbers.append(number)
        return numbers

    summary_citations = cite(content["summary"])
    variants = content.get("summary_variants", {})
    for audience in sorted(variants, key=lambda a: Audience.values.index(a) if a in Audience.values else 99):
        cite(variants[audience])
    sections = [
        {
            "heading": section["heading"],
            "audience": section.get("audience", ""),
            "claims": [
                {"text": claim["text"], "citations": cite(claim["text"]), "grade": _grade(claim.get("grade", ""))}
                for claim in section["claims"]
            ],
        }
        for section in content["sections"]
    ]
    return {
        "slug": article.slug,
        "question": publication.question,
        "version": publication.number,
        "url": absolute(reverse("articles:detail", kwargs={"slug": article.slug})),
        "api_url": _api_url(request, article.slug),
        "topic": {"slug": article.topic.slug, "name": article.topic.name} if article.topic else None,
        "summary_heading": content.get("summary_heading", ""),
        "summary": content["summary"],
        "summary_citations": summary_citations,
        "summary_variants": variants,
        "sections": sections,
        "references": [
            {"number": numbering.numbers[key], **{name: references[key].get(name, "") for name in REFERENCE_FIELDS}}
            | {"year": references[key].get("year")}
            for key in numbering.keys
        ],
        "review": {
            "origin": publication.origin,
            "reviewed_on": publication.reviewed_on,
            "published_at": publication.published_at,
            "reviewers": [
                {"name": r.get("name", ""), "credentials": r.get("credentials", "")} for r in publication.reviewed_by
            ],
            "change_summary": publication.change_summary,
            "change_class": publication.change_class or None,
            "change_note": publication.change_note,
            "literature_through": publication.literature_through,
            "provenance": provenance_for_api(publication),
        },
        "html": publication.html,
    }
