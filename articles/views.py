import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from articles import evidence
from articles.answer_page import (
    answer_page_context,
    render_answer_parts,
    reviewed_note,
    source_notices,
    with_source_notices,
)
from articles.audiences import AUDIENCE_COOKIE, Audience
from articles.follow_ups import FollowUpForm, follow_up_create, over_rate_limit
from articles.models import Article, Publication, ReviewStatus, SitePage, Topic
from articles.public_cache import cached_public_page
from articles.rendering import render_body_html, render_trust_page
from articles.search import Hit, normalise_query, search_publications
from articles.snapshots import load_article, snapshot_article


def _public(response):
    """Published pages are the same for every reader: let browsers and shared caches keep them."""
    patch_cache_control(response, public=True, max_age=settings.ORACLE_PAGE_MAX_AGE)
    return response


HOME_LIST_SIZE = 10
PAGE_SIZE = 10


def _current_publications():
    return (
        Publication.objects.current()
        .select_related("article")
        .only("question", "reviewed_on", "published_at", "number", "summary_text", "article__slug", "article__topic_id")
    )


@require_safe
@cached_public_page
def home_view(request):
    """Newest answers, recently updated ones, and the topics. Each answer is in one list only:
    "newest" until its first update, then "recently updated"."""
    current = _current_publications().order_by("-published_at")
    newest = current.filter(number=1)
    updated = current.filter(number__gt=1)
    context = {
        "newest": newest[:HOME_LIST_SIZE],
        "updated": updated[:HOME_LIST_SIZE],
        "topics": Topic.objects.filter(articles__current_publication__isnull=False).distinct(),
        "query": "",
    }
    return _public(render(request, "articles/article_list.html", context))


@require_safe
@cached_public_page
def topic_view(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    publications = _current_publications().filter(article__topic=topic).order_by("question")
    page = Paginator(publications, PAGE_SIZE).get_page(request.GET.get("page"))
    return _public(render(request, "articles/topic_detail.html", {"topic": topic, "page": page}))


class CappedPaginator(Paginator):
    """Counts matches only up to SEARCH_COUNT_CAP: a broad query costs a bounded count, and
    readers see "more than 1,000" rather than a number nobody pages through."""

    @cached_property
    def count(self):
        return self.object_list[: SEARCH_COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > SEARCH_COUNT_CAP


SEARCH_COUNT_CAP = 1000


@require_safe
@cached_public_page(seconds=600)
def search_view(request):
    """Search approved answers; any query, however long or odd, gets an ordinary page."""
    query = normalise_query(request.GET.get("q", ""))
    page, hits = None, []
    if query:
        fields = _current_publications().defer(None).defer("content", "html", "head_html", "page_html", "search_vector")
        results, snippets = search_publications(fields, query)
        page = CappedPaginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        found = list(page.object_list)
        marked = snippets(found)
        hits = [Hit(publication=p, snippet=marked.get(p.pk, "")) for p in found]
    response = render(request, "articles/search.html", {"query": query, "page": page, "hits": hits})
    patch_cache_control(response, public=True, max_age=60)
    return response


def _audience_param(request) -> str:
    """?audience=… (the no-JavaScript fallback of the audience choice), when valid."""
    value = request.GET.get("audience", "")
    return value if value in Audience.values else ""


@require_safe
@cached_public_page
def article_detail_view(request, slug):
    """One indexed lookup and a light frame around the HTML stored when the answer was approved."""
    article = (
        Article.objects.select_related("current_publication")
        .only(
            "slug",
            "review_status",
            "current_publication__question",
            "current_publication__head_html",
            "current_publication__page_html",
            "current_publication__published_at",
            "current_publication__page_rendered_at",
            "next_review_due",
        )
        .filter(slug=slug)
        .first()
    )
    if article is None:
        raise Http404("No published answer at this address.")
    publication = article.current_publication
    if publication is None:
        withdrawal = article.withdrawals.first()
        if withdrawal is not None:
            return _withdrawn(request, article, withdrawal)
        if settings.ORACLE_SHOW_PENDING and article.has_open_review:
            return _pending_answer(request, article)
        raise Http404("No published answer at this address.")
    if article.has_open_review:
        # An update is in review: the tracker and a note say so (rare; rendered live).
        head_html, article_html = render_answer_parts(
            publication, slug=article.slug, review_status=article.review_status, next_review_due=article.next_review_due
        )
    else:
        head_html, article_html = publication.head_html, publication.page_html
    audience = _audience_param(request)
    frame = None if audience else _answer_frame(request)
    if frame is not None:
        # The frame is the same for every answer: assembled around the stored parts, not rendered.
        before_title, before_head, before_article, after = frame
        document = (
            f"{before_title}{escape(publication.question)}{before_head}{head_html}{before_article}{article_html}{after}"
        )
        response = HttpResponse(document, content_type="text/html; charset=utf-8")
    else:
        context = {
            "question": publication.question,
            # Rendered by articles.answer_page from sanitised Markdown and auto-escaped fields.
            "head_html": mark_safe(head_html),
            "article_html": mark_safe(article_html),
            "audience": audience,
        }
        response = render(request, "articles/article_detail.html", context)
    # A publication never changes; the review state is the only other input to the page.
    # (its stored page changes only when re-rendered for a notice: the checksum covers that)
    response["ETag"] = f'"pub-{publication.page_etag}-{article.review_status}"'
    response["Last-Modified"] = http_date(publication.page_modified_at.timestamp())
    return _public(response)


_FRAME_MARKS = ("\x00question\x00", "\x00head\x00", "\x00article\x00")
_FRAMES: dict = {}


def _answer_frame(request) -> tuple[str, str, str, str] | None:
    """articles/article_detail.html rendered once per process with markers where an answer's
    question, head and article go, split there; None if the template cannot be split so (then
    the page is rendered as usual). Nothing in the frame depends on the request or the answer."""
    key = settings.ORACLE_SITE_NAME
    if key not in _FRAMES:
        question, head, article = _FRAME_MARKS
        html = render_to_string(
            "articles/article_detail.html",
            {"question": question, "head_html": mark_safe(head), "article_html": mark_safe(article), "audience": ""},
            request=request,
        )
        parts = None
        if all(html.count(mark) == 1 for mark in _FRAME_MARKS):
            first, rest = html.split(question)
            second, rest = rest.split(head)
            third, fourth = rest.split(article)
            parts = (first, second, third, fourth)
        _FRAMES[key] = parts
    return _FRAMES[key]


def _withdrawn(request, article, withdrawal):
    context = {"article": article, "withdrawal": withdrawal, "question": withdrawal.publication.question}
    return render(request, "articles/article_withdrawn.html", context, status=410)


@require_safe
@cached_public_page
def article_history_view(request, slug):
    """Every version readers have been shown, newest first, each with its permanent address."""
    article = get_object_or_404(Article.objects.only("slug", "question", "current_publication"), slug=slug)
    publications = list(
        article.publications.only(
            "number", "question", "reviewed_on", "published_at", "origin", "reviewed_by", "change_summary", "article_id"
        )
    )
    if not publications:
        raise Http404("No published answer at this address.")
    for publication in publications:
        publication.reviewed_note = reviewed_note(publication)
    context = {
        "article": article,
        "question": publications[0].question,
        "publications": publications,
        "withdrawal": article.withdrawals.first() if article.current_publication_id is None else None,
    }
    return _public(render(request, "articles/article_history.html", context))


@require_safe
@cached_public_page
def article_version_view(request, slug, number):
    """Version `number` exactly as readers saw it: its stored HTML never changes."""
    publication = get_object_or_404(
        Publication.objects.select_related("article").only(
            "number",
            "question",
            "content",
            "html",
            "reviewed_on",
            "published_at",
            "origin",
            "reviewed_by",
            "article__slug",
            "article__current_publication",
        ),
        article__slug=slug,
        number=number,
    )
    article = publication.article
    is_current = article.current_publication_id == publication.pk
    # A source retracted or superseded since is flagged on every version, as on the answer page.
    notices = source_notices(publication)
    context = answer_page_context(
        question=publication.question,
        summary=publication.content["summary"],
        body_html=with_source_notices(publication.html, notices) if notices else publication.html,
        reviewed_on=publication.reviewed_on,
        review_state=ReviewStatus.APPROVED,
        page_path=request.path,
        review_note=reviewed_note(publication),
    )
    context.update(
        version=publication,
        is_current=is_current,
        flagged_sources=len(notices),
        withdrawal=None if article.current_publication_id else article.withdrawals.first(),
        canonical_url=request.build_absolute_uri(
            reverse("articles:detail", kwargs={"slug": slug}) if is_current else request.path
        ),
    )
    response = render(request, "articles/article_version.html", context)
    flags = zlib.crc32(repr(sorted(notices.items())).encode())
    response["ETag"] = (
        f'"pub-{publication.pk}-{"current" if is_current else article.current_publication_id}-{flags:08x}"'
    )
    return _public(response)


def _pending_answer(request, article):
    """ORACLE_SHOW_PENDING: an answer never approved, shown while its first review is open.

    The article is locked while its cycle is open, so the working copy is the submitted version.
    """
    article = load_article(article.pk)
    content = snapshot_article(article)
    context = answer_page_context(
        question=article.question,
        summary=article.summary,
        body_html=render_body_html(content),
        reviewed_on=None,
        review_state=article.review_status,
        page_path=request.path,
        is_pending=True,
    )
    context["canonical_url"] = request.build_absolute_uri(request.path)
    page = {
        "question": article.question,
        "head_html": mark_safe(render_to_string("articles/includes/_answer_head.html", context, request)),
        "article_html": mark_safe(render_to_string("articles/includes/_answer_page.html", context, request)),
        "audience": _audience_param(request),
    }
    response = render(request, "articles/article_detail.html", page)
    patch_cache_control(response, public=True, max_age=60)
    return response


@require_safe
def audience_view(request):
    """Remember which audience the reader chose (no account needed) and go back to the page."""
    choice = request.GET.get("choice", "")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if choice in Audience.values:
        # Without JavaScript the cookie alone cannot change a cached page: carry the choice in the URL.
        parts = urlsplit(next_url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "audience"] + [("audience", choice)]
        next_url = urlunsplit(parts._replace(query=urlencode(query)))
    response = HttpResponseRedirect(next_url)
    if choice in Audience.values:
        response.set_cookie(
            AUDIENCE_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    return response


def _same_site(request) -> bool:
    """The form carries no CSRF token (the answer page is cached for everyone), so refuse posts
    that browsers mark as coming from another site."""
    if request.META.get("HTTP_SEC_FETCH_SITE", "same-origin") not in {"same-origin", "same-site", "none"}:
        return False
    origin = request.META.get("HTTP_ORIGIN")
    if origin and origin != "null":
        return url_has_allowed_host_and_scheme(origin + "/", allowed_hosts={request.get_host()})
    return True


@csrf_exempt  # see _same_site: a cached page cannot carry a per-reader token
@require_POST
def follow_up_view(request, slug):
    article = get_object_or_404(_published_for_follow_up(), slug=slug)
    if not _same_site(request):
        return render(
            request,
            "articles/follow_up_form.html",
            {"article": article, "error": "This form must be sent from our own page."},
            status=403,
        )
    if over_rate_limit(request):
        limit = settings.ORACLE_FOLLOW_UP_RATE_LIMIT
        context = {
            "article": article,
            "error": f"You have sent {limit} questions in the past hour, which is as many as we accept from one "
            "connection. Please try again in an hour. Your question was not saved.",
        }
        response = render(request, "articles/follow_up_form.html", context, status=429)
        response["Retry-After"] = "3600"
        return response
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return render(request, "articles/follow_up_form.html", {"article": article, "form": form}, status=400)
    follow_up_create(
        article=article,
        text=form.cleaned_data["text"],
        email=form.cleaned_data["email"],
        audience=form.cleaned_data["audience"],
    )
    return redirect("articles:follow-up-thanks", slug=article.slug)


@require_safe
def follow_up_thanks_view(request, slug):
    article = get_object_or_404(_published_for_follow_up(), slug=slug)
    return render(request, "articles/follow_up_thanks.html", {"article": article})


def _published_for_follow_up():
    """Published answers with their approved question: the working copy's may be an update in review."""
    return (
        Article.objects.published()
        .select_related("current_publication")
        .only("slug", "current_publication__id", "current_publication__question")
    )


@require_safe
@cached_public_page
def editorial_policy_view(request):
    page = SitePage.get(SitePage.Slug.EDITORIAL_POLICY)
    response = render(request, "articles/sitepage_detail.html", {"page": page, "body": render_trust_page(page.body)})
    return _public(response)


@require_safe
@cached_public_page
def evidence_grades_view(request):
    """What the small "Evidence: …" badges on claims mean, in the site's scheme."""
    context = {"scheme": evidence.scheme(), "kind_levels": evidence.kind_levels_for_readers()}
    return _public(render(request, "articles/evidence_grades.html", context))
