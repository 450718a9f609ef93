"""The public pages: home, topics, What's new, search, an answer and its history and versions, the
audience choice, follow-up questions and the trust pages. Long because each public page is one short
view here (error reports have their own module, `error_report_views.py`)."""

import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from articles import evidence, public
from articles.answer_page import (
    answer_document,
    current_answer_document,
    preview_context,
    publication_context,
    reviewed_note,
)
from articles.audiences import AUDIENCE_COOKIE, Audience
from articles.change_notes import change_label, whats_new
from articles.follow_ups import (
    FollowUpForm,
    follow_up_create,
    follow_up_matches,
    over_rate_limit,
    question_for_thanks,
    rate_limited,
    thanks_token,
)
from articles.models import Article, Publication, SitePage, Topic
from articles.provenance import provenance_sentence
from articles.public_cache import ANSWER, LISTS, cached_public_page, canonical_page_redirect
from articles.rendering import render_trust_page
from articles.search import Hit, normalise_query, search_publications
from articles.seo import absolute
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


CARD_FIELDS = ("question", "reviewed_on", "published_at", "number", "summary_text")


def _listed_publications():
    """Current publications for the lists: found through the article's one link to its current
    publication (an Exists PostgreSQL estimates well; `Publication.objects.current()` joins on two
    correlated columns, estimated as one row, and reads every answer before sorting)."""
    shown = Article.objects.filter(current_publication=OuterRef("pk"))
    return (
        Publication.objects.filter(Exists(shown))
        .select_related("article")
        .only(*CARD_FIELDS, "article__slug", "article__topic_id")
    )


@require_safe
@cached_public_page(scope=LISTS)
def home_view(request):
    """Newest answers, recently updated ones, and the topics. Each answer is in one list only:
    "newest" until its first update, then "recently updated"."""
    current = _listed_publications().order_by("-published_at")  # publication_published_at, newest first
    newest = current.filter(number=1)
    updated = current.filter(number__gt=1)
    context = {
        "newest": newest[:HOME_LIST_SIZE],
        "updated": updated[:HOME_LIST_SIZE],
        # Exists, not a join made DISTINCT: one probe of the partial index per topic
        "topics": Topic.objects.filter(Exists(Article.objects.published().filter(topic=OuterRef("pk")))),
        "query": "",
    }
    return _public(render(request, "articles/article_list.html", context))


@require_safe
@cached_public_page(scope=LISTS, parameters=("page",))
def topic_view(request, slug):
    """A topic's published answers, by question, a page at a time: the count and the page's ids
    come from the partial index article_topic_published alone, then only that page is read."""
    topic = get_object_or_404(Topic, slug=slug)
    ids = Article.objects.published().filter(topic=topic).order_by("question", "pk").values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    if redirect_to := canonical_page_redirect(request, page):
        return redirect_to
    articles = Article.objects.select_related("current_publication").only(
        "slug", "current_publication", *(f"current_publication__{name}" for name in CARD_FIELDS)
    )
    on_page = list(page.object_list)
    by_pk = {article.pk: article for article in articles.filter(pk__in=on_page)}
    page.object_list = []
    for pk in on_page:
        if pk in by_pk and by_pk[pk].current_publication is not None:  # unless withdrawn in between
            publication = by_pk[pk].current_publication
            publication.article = by_pk[pk]
            page.object_list.append(publication)
    return _public(render(request, "articles/topic_detail.html", {"topic": topic, "page": page}))


WHATS_NEW_PAGE_SIZE = 20


@require_safe
@cached_public_page(scope=LISTS, parameters=("page",))
def whats_new_view(request):
    """Practice-changing and major updates, newest first, a page at a time (`articles/change_notes.py`):
    the board's notes only, and only of answers readers can see now (withdrawn ones are gone)."""
    page = Paginator(whats_new(), WHATS_NEW_PAGE_SIZE).get_page(request.GET.get("page"))
    if redirect_to := canonical_page_redirect(request, page):
        return redirect_to
    for publication in page.object_list:
        publication.change_label = change_label(publication.change_class)
    return _public(render(request, "articles/whats_new.html", {"page": page}))


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
# Search result pages share this many cache entries, whatever readers (or anyone) ask.
SEARCH_CACHE_SLOTS = 512


@require_safe
@cached_public_page(seconds=600, scope=LISTS, parameters=("q", "page"), slots=SEARCH_CACHE_SLOTS)
def search_view(request):
    """Search approved answers; any query, however long or odd, gets an ordinary page."""
    query = normalise_query(request.GET.get("q", ""))
    page, hits = None, []
    if query:
        fields = _current_publications().defer(None).defer("content", "html", "head_html", "page_html", "search_vector")
        results, snippets = search_publications(fields, query)
        page = CappedPaginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        if redirect_to := canonical_page_redirect(request, page):
            return redirect_to
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
@cached_public_page(scope=ANSWER, parameters=("audience",))
def article_detail_view(request, slug):
    """One indexed lookup and a light frame around the HTML stored when the answer was approved."""
    queryset = Article.objects.select_related("current_publication").only(
        "slug",
        "review_status",
        "current_publication__question",
        "current_publication__head_html",
        "current_publication__page_html",
        "current_publication__published_at",
        "current_publication__page_rendered_at",
        "next_review_due",
    )
    try:
        article = public.current_answer(slug, queryset, allow_pending=True)
    except public.AnswerWithdrawn as gone:
        return _withdrawn(request, gone.article, gone.withdrawal)
    if article.current_publication_id is None:
        return _pending_answer(request, article)
    document = current_answer_document(article, audience=_audience_param(request))
    response = HttpResponse(document.html, content_type="text/html; charset=utf-8")
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.last_modified)
    return _public(response)


def _withdrawn(request, article, withdrawal):
    context = {"article": article, "withdrawal": withdrawal, "question": withdrawal.publication.question}
    return render(request, "articles/article_withdrawn.html", context, status=410)


@require_safe
@cached_public_page(scope=ANSWER)
def article_history_view(request, slug):
    """Every version readers have been shown, newest first, each with its permanent address."""
    article = get_object_or_404(Article.objects.only("slug", "question", "current_publication"), slug=slug)
    publications = list(
        article.publications.only(
            "number",
            "question",
            "reviewed_on",
            "published_at",
            "origin",
            "reviewed_by",
            "change_summary",
            "change_class",
            "change_note",
            "literature_through",
            "provenance",
            "article_id",
        )
    )
    if not publications:
        raise Http404("No published answer at this address.")
    for publication in publications:
        publication.reviewed_note = reviewed_note(publication)
        publication.change_label = change_label(publication.change_class)
        publication.provenance_note = provenance_sentence(publication)
    context = {
        "article": article,
        "question": publications[0].question,
        "publications": publications,
        "withdrawal": article.withdrawals.first() if article.current_publication_id is None else None,
    }
    return _public(render(request, "articles/article_history.html", context))


@require_safe
@cached_public_page(scope=ANSWER)
def article_version_view(request, slug, number):
    """Version `number` exactly as readers saw it: its stored HTML never changes."""
    canonical_path = reverse("articles:version", kwargs={"slug": slug, "number": number})
    if request.path != canonical_path:  # /v/007/: one address (and cache entry) per version
        return redirect(canonical_path, permanent=True)
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
            "provenance",
            "change_class",
            "change_note",
            "literature_through",
            "article__slug",
            "article__current_publication",
        ),
        article__slug=slug,
        number=number,
    )
    article = publication.article
    is_current = article.current_publication_id == publication.pk
    # A source retracted or superseded since is flagged on every version, as on the answer page.
    context, notices = publication_context(publication, page_path=canonical_path)
    context.update(
        version=publication,
        is_current=is_current,
        withdrawal=None if article.current_publication_id else article.withdrawals.first(),
        # From the configured public address, never the request's Host header (cached pages).
        canonical_url=absolute(reverse("articles:detail", kwargs={"slug": slug}) if is_current else canonical_path),
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
    context = preview_context(
        snapshot_article(load_article(article.pk)),
        review_state=article.review_status,
        page_path=request.path,
        is_pending=True,
    )
    context["canonical_url"] = absolute(request.path)  # never the request's host (cached pages)
    head = render_to_string("articles/includes/_answer_head.html", context, request)
    body = render_to_string("articles/includes/_answer_page.html", context, request)
    response = HttpResponse(
        answer_document(context["question"], head, body, audience=_audience_param(request)),
        content_type="text/html; charset=utf-8",
    )
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
    that browsers mark as coming from another site. `Origin: null` (a sandboxed frame, a page
    opened from a file, a cross-site redirect) is refused unless Sec-Fetch-Site says same-origin."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None and fetch_site not in {"same-origin", "same-site", "none"}:
        return False
    origin = request.META.get("HTTP_ORIGIN")
    if origin == "null":
        return fetch_site == "same-origin"
    if origin:
        return url_has_allowed_host_and_scheme(origin + "/", allowed_hosts={request.get_host()})
    return True


@csrf_exempt  # see _same_site: a cached page cannot carry a per-reader token
@require_POST
@never_cache  # a refusal names what one reader sent: no cache keeps it, as the error-report form's
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
        return rate_limited(
            lambda error: render(
                request, "articles/follow_up_form.html", {"article": article, "error": error}, status=429
            ),
            limit=settings.ORACLE_FOLLOW_UP_RATE_LIMIT,
            sent="questions",
            kept="question",
        )
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return render(request, "articles/follow_up_form.html", {"article": article, "form": form}, status=400)
    question = follow_up_create(
        article=article,
        text=form.cleaned_data["text"],
        email=form.cleaned_data["email"],
        audience=form.cleaned_data["audience"],
    )
    thanks = reverse("articles:follow-up-thanks", kwargs={"slug": article.slug})
    return redirect(f"{thanks}?{urlencode({'r': thanks_token(question)})}")


@require_safe
def follow_up_thanks_view(request, slug):
    """After a question: the answers that best match it, and that it reached the editors.

    The question is found by the signed token the redirect carries (`?r=`); the page is for this
    reader only: `private, no-store`, never in the public page cache, and no Referer leaves it."""
    article = get_object_or_404(_published_for_follow_up(), slug=slug)
    question = question_for_thanks(request.GET.get("r", ""), article=article)
    context = {"article": article, "asked": question is not None}
    if question is not None:
        context.update(question=question.text, matches=follow_up_matches(question))
    response = render(request, "articles/follow_up_thanks.html", context)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


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
