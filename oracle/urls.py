from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from articles.public_cache import cached_public_page
from articles.seo import LatestAnswersFeed, robots_txt_view
from articles.sitemap import sitemap_section_view, sitemap_view
from articles.views import audience_view, editorial_policy_view, evidence_grades_view
from reviews.views import advisory_board_view

# Error pages in the site's design, without internals (oracle/errors.py).
handler400 = "oracle.errors.bad_request"
handler403 = "oracle.errors.permission_denied"
handler404 = "oracle.errors.page_not_found"
handler500 = "oracle.errors.server_error"


def healthz(request):
    """A constant response through the full middleware stack: load balancers' check, and the
    benchmark's measure of the framework's floor."""
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("feed/", cached_public_page(LatestAnswersFeed()), name="feed"),
    path("sitemap.xml", sitemap_view, name="sitemap"),
    path("sitemap-<slug:section>-<int:page>.xml", sitemap_section_view, name="sitemap-section"),
    path("robots.txt", robots_txt_view, name="robots"),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    path("editorial-policy/", editorial_policy_view, name="editorial-policy"),
    path("advisory-board/", advisory_board_view, name="advisory-board"),
    path("evidence-grades/", evidence_grades_view, name="evidence-grades"),
    path("audience/", audience_view, name="audience"),
    path("", include("articles.urls")),
]
