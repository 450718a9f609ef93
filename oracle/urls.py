import logging

from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache

from articles.public_cache import LISTS, cached_public_page
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


logger = logging.getLogger(__name__)
READY_KEY = "oracle:readyz"


@never_cache
def readyz(request):
    """Readiness: 200 when the database and the cache both answer, else 503 naming what failed
    (without internals: the details go to the log). Load balancers stop sending readers to a
    node that cannot serve them; `/healthz` stays the constant liveness check."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        logger.exception("readiness: the database did not answer")
        checks["database"] = "unavailable"
    try:
        cache.set(READY_KEY, "ok", timeout=10)
        if cache.get(READY_KEY) != "ok":
            raise RuntimeError("the cache did not keep a value")
        checks["cache"] = "ok"
    except Exception:  # noqa: BLE001
        logger.exception("readiness: the cache did not answer")
        checks["cache"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    failed = [name for name, value in checks.items() if value != "ok"]
    return JsonResponse({"ready": ready, "checks": checks, "failed": failed}, status=200 if ready else 503)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("feed/", cached_public_page(LatestAnswersFeed(), scope=LISTS), name="feed"),
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
