"""The public pages of readers' error reports (`articles/error_reports.py`): the form naming a
claim (GET shows it as published, POST creates the report) and the thanks page.

Like the follow-up form, the form carries no CSRF token (it is also opened inline from the answer
page, which is cached for everyone): cross-site posts are refused by `views._same_site`. Neither
page is cached: they are not the same for every reader once a reader has typed into them.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from articles import public
from articles.error_reports import (
    ClaimGone,
    ErrorReportForm,
    error_report_create,
    locate_claim,
    over_rate_limit,
    report_url,
)
from articles.follow_ups import rate_limited
from articles.models import Article
from articles.views import _same_site


def _answer(slug):
    """The answer readers see now, or the refusal: 404 (never published), 410 (withdrawn)."""
    queryset = Article.objects.select_related("current_publication").only(
        "slug",
        "current_publication__id",
        "current_publication__number",
        "current_publication__question",
        "current_publication__content",
        "current_publication__article_id",
    )
    return public.current_answer(slug, queryset)


def _page(request, context, status=200):
    response = render(request, "articles/error_report_form.html", context, status=status)
    add_never_cache_headers(response)
    return response


@csrf_exempt  # see views._same_site: the answer page that opens this form inline is cached
@require_http_methods(["GET", "HEAD", "POST"])
def report_error_view(request, slug, number, section, claim):
    try:
        article = _answer(slug)
    except public.AnswerWithdrawn as gone:
        context = {
            "article": gone.article,
            "error": "This answer has been withdrawn from public view, so its claims can no longer be reported.",
        }
        gone.article.current_publication = gone.withdrawal.publication  # its question, for the heading
        return _page(request, context, status=410)
    try:
        found = locate_claim(article, number, section, claim)
    except LookupError as missing:
        raise Http404(str(missing)) from None
    except ClaimGone as gone:
        return _page(request, {"article": article, "error": str(gone), "current_url": gone.current_url}, status=410)
    here = report_url(article.slug, found.publication.number, found.section_number, found.claim_number)
    if request.method != "POST":
        if request.path != here:  # a link from an earlier version: the same claim in the current one
            return redirect(here)
        return _page(request, {"article": article, "claim": found, "form": ErrorReportForm()})
    context = {"article": article, "claim": found}
    if not _same_site(request):
        return _page(request, {**context, "error": "This form must be sent from our own page."}, status=403)
    if over_rate_limit(request):
        return rate_limited(
            lambda error: _page(request, {**context, "error": error}, status=429),
            limit=settings.ORACLE_ERROR_REPORT_RATE_LIMIT,
            sent="reports",
            kept="report",
        )
    form = ErrorReportForm(request.POST)
    if not form.is_valid():
        return _page(request, {**context, "form": form}, status=400)
    error_report_create(
        claim=found,
        text=form.cleaned_data["text"],
        source=form.cleaned_data["source"],
        email=form.cleaned_data["email"],
    )
    return redirect("articles:report-error-thanks", slug=article.slug)


@require_safe
def report_error_thanks_view(request, slug):
    try:
        article = _answer(slug)
    except public.AnswerWithdrawn:
        raise Http404(public.NOT_FOUND) from None
    response = render(request, "articles/error_report_thanks.html", {"article": article})
    add_never_cache_headers(response)
    return response
