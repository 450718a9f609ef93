from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from articles.audiences import AUDIENCE_COOKIE, Audience
from articles.models import Article, Publication
from articles.pages import answer_page_context


def _public(response):
    """Published pages are the same for every reader: let browsers and shared caches keep them."""
    patch_cache_control(response, public=True, max_age=settings.ORACLE_PAGE_MAX_AGE)
    return response


@require_safe
def home_view(request):
    publications = (
        Publication.objects.current()
        .select_related("article")
        .only("question", "reviewed_on", "published_at", "article__slug")
        .order_by("-published_at")
    )
    return _public(render(request, "articles/article_list.html", {"publications": publications}))


@require_safe
def article_detail_view(request, slug):
    article = (
        Article.objects.select_related("current_publication")
        .only("slug", "current_publication")
        .filter(slug=slug, current_publication__isnull=False)
        .first()
    )
    if article is None:
        raise Http404("No published answer at this address.")
    publication = article.current_publication
    context = answer_page_context(
        question=publication.question,
        summary=publication.content["summary"],
        body_html=publication.html,
        reviewed_on=publication.reviewed_on,
        review_state="approved",
        page_path=request.path,
        review_note=(
            f"Reviewed on the previous site, {publication.reviewed_on:%B} {publication.reviewed_on.day}, {publication.reviewed_on.year}."
            if publication.origin == Publication.Origin.IMPORT
            else ""
        ),
    )
    context["canonical_url"] = request.build_absolute_uri(request.path)
    response = render(request, "articles/article_detail.html", context)
    # A publication never changes, so its id identifies the page's content.
    response["ETag"] = f'"pub-{publication.pk}"'
    return _public(response)


@require_safe
def audience_view(request):
    """Remember which audience the reader chose (no account needed) and go back to the page."""
    choice = request.GET.get("choice", "")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if choice in Audience.values:
        response.set_cookie(AUDIENCE_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    return response
