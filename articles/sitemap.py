"""The sitemap: one file while the site has at most `ORACLE_SITEMAP_PAGE_SIZE` addresses (the
protocol's limit, 50,000, by default), else `/sitemap.xml` is a sitemap index of the parts
`/sitemap-<section>-<page>.xml`, as the protocol requires. Django's sitemaps framework pages the
sections; every address is built from ORACLE_BASE_URL, like the canonical links of the pages.
"""

import datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from articles.models import Article, Publication, SitePage, Topic
from articles.public_cache import LISTS, cached_public_page

# https://www.sitemaps.org/protocol.html: at most 50,000 URLs in one file, and in one index.
PROTOCOL_LIMIT = 50_000


def page_size() -> int:
    return min(settings.ORACLE_SITEMAP_PAGE_SIZE, PROTOCOL_LIMIT)


def _absolute(path: str) -> str:
    return settings.ORACLE_BASE_URL.rstrip("/") + path


class _PublicSitemap(Sitemap):
    """Addresses from ORACLE_BASE_URL; pages of `page_size()` addresses."""

    @property
    def limit(self):
        return page_size()

    def get_protocol(self, protocol=None):
        return urlsplit(settings.ORACLE_BASE_URL).scheme or "https"

    def get_domain(self, site=None):
        base = urlsplit(settings.ORACLE_BASE_URL)
        return base.netloc + base.path.rstrip("/")

    @cached_property
    def paginator(self):  # once per sitemap: the framework's property makes one (and counts) on every use
        return Paginator(self._items(), self.limit)

    def section_lastmod(self):
        """The newest lastmod of the whole section, in one query (None: the section has none)."""
        return None


class AnswerSitemap(_PublicSitemap):
    """Every published answer, oldest first: a new answer lands on the last page, so the earlier
    pages stay as they were."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        # (slug, published at): no model instance per address
        return Article.objects.published().order_by("pk").values_list("slug", "current_publication__published_at")

    @cached_property
    def paginator(self):
        paginator = Paginator(self._items(), self.limit)
        paginator.count = Article.objects.published().count()  # from the index alone, without the items' join
        return paginator

    def location(self, item):
        return f"/articles/{item[0]}/"  # articles:detail, without a reverse() per address

    def lastmod(self, item):
        return item[1]

    def section_lastmod(self):
        return _newest_publication(Article.objects.filter(current_publication=OuterRef("pk")))


class TopicSitemap(_PublicSitemap):
    """Topics with at least one published answer (the others show readers an empty page)."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        published = Article.objects.published().filter(topic=OuterRef("pk"))
        newest = _newest_first().filter(
            Exists(Article.objects.filter(current_publication=OuterRef("pk"), topic=OuterRef(OuterRef("pk"))))
        )
        return (
            Topic.objects.filter(Exists(published))
            .annotate(updated=Subquery(newest.values("published_at")[:1]))
            .order_by("slug")
        )

    def lastmod(self, item):
        return item.updated

    def section_lastmod(self):
        return _newest_publication(Article.objects.filter(current_publication=OuterRef("pk"), topic__isnull=False))


def _newest_first():
    return Publication.objects.order_by("-published_at")


def _newest_publication(shown_by):
    """When the newest current publication shown by the articles `shown_by` was published: the
    index on published_at walked newest first, up to the first one shown (not a Max over all)."""
    return _newest_first().filter(Exists(shown_by)).values_list("published_at", flat=True).first()


class PagesSitemap(_PublicSitemap):
    priority = 0.5

    def items(self):
        return ["articles:home", "articles:whats-new", "evidence-grades", *SitePage.Slug.values]

    def location(self, item):
        return reverse(item)  # the trust pages' URLs are named by their slugs


SITEMAPS = {"answers": AnswerSitemap, "topics": TopicSitemap, "pages": PagesSitemap}


def _day(value, zone) -> str:
    """A lastmod as the protocol's W3C date, in the site's time zone."""
    if isinstance(value, datetime.datetime):
        value = (value.astimezone(zone) if timezone.is_aware(value) else value).date()
    return value.isoformat()


def _xml(lines, lastmod=None) -> HttpResponse:
    """The document, written directly: Django's template costs half a millisecond per address,
    which is 25 s for a part of 50,000."""
    response = HttpResponse("".join(lines), content_type="application/xml")
    if lastmod:
        response["Last-Modified"] = http_date(lastmod.timestamp())
    return response


def _urlset(urls) -> HttpResponse:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    zone = timezone.get_current_timezone()
    for url in urls:
        lines.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            lines.append(f"<lastmod>{_day(url['lastmod'], zone)}</lastmod>")
        if url["changefreq"]:
            lines.append(f"<changefreq>{url['changefreq']}</changefreq>")
        if url["priority"]:
            lines.append(f"<priority>{url['priority']}</priority>")
        lines.append("</url>\n")
    lines.append("</urlset>\n")
    return _xml(lines)


def _index(parts) -> HttpResponse:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for location, lastmod in parts:
        lines.append(f"<sitemap><loc>{escape(location)}</loc>")
        if lastmod:
            lines.append(f"<lastmod>{timezone.localtime(lastmod).isoformat(timespec='seconds')}</lastmod>")
        lines.append("</sitemap>\n")
    lines.append("</sitemapindex>\n")
    latest = max((lastmod for _location, lastmod in parts if lastmod), default=None)
    return _xml(lines, latest)


@require_safe
@cached_public_page(scope=LISTS)
@x_robots_tag
def sitemap_view(request):
    """Every address in one file while they fit in one, else the index of the parts."""
    sitemaps = {name: cls() for name, cls in SITEMAPS.items()}
    if sum(sitemap.paginator.count for sitemap in sitemaps.values()) <= page_size():
        return _urlset(url for sitemap in sitemaps.values() for url in sitemap.get_urls(page=1))
    parts = []
    for name, sitemap in sitemaps.items():
        lastmod = sitemap.section_lastmod()
        for page in sitemap.paginator.page_range:
            location = _absolute(reverse("sitemap-section", kwargs={"section": name, "page": page}))
            parts.append((location, lastmod))
    return _index(parts)


@require_safe
@cached_public_page(scope=LISTS)
@x_robots_tag
def sitemap_section_view(request, section, page):
    """One part of the index: page `page` of a section (404 for a section or page there is not)."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    try:
        urls = SITEMAPS[section]().get_urls(page=page)
    except (EmptyPage, PageNotAnInteger) as missing:
        raise Http404("No such sitemap page.") from missing
    return _urlset(urls)
