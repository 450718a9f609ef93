"""Whole-page caching of public pages, invalidated at once by any change readers could see.

Public pages are the same for every reader (personalisation happens in the browser), so a page is
cached by its path and query string alone. Every cached key carries a site-wide *generation*;
publishing, withdrawing, or changing the board or a trust page bumps it, which retires every
cached page at once — simple, and never stale. The bump happens immediately (so the writer's own
next request is fresh) and again after commit (so a page cached from a reader's request during the
transaction, with the old data, is retired too).
"""

import functools
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import set_response_etag

GENERATION_KEY = "oracle:page-generation"
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Language")
# Query parameters that change a public page; a request with any other one is served uncached, so
# made-up query strings cannot fill the cache and push real pages out.
CACHEABLE_PARAMETERS = {"audience", "page"}


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock, not 1: after a cache flush a generation number is never reused,
        # so no process can serve its local copy of a page from before the flush.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def invalidate_public_pages() -> None:
    """Retire every cached public page, now and again once the current transaction commits."""
    _bump()
    transaction.on_commit(_bump)


class _LocalPages:
    """A small per-process copy of hot pages, keyed by generation: a hit costs one small cache
    read (the generation) instead of fetching the whole page from Redis."""

    def __init__(self, size=256):
        self.size = size
        self.items: OrderedDict = OrderedDict()

    def get(self, key):
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key, value):
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


LOCAL = _LocalPages()


def cached_public_page(view):
    """Serve GET/HEAD responses of `view` from the cache; store 200, 404 and 410 responses."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            not settings.ORACLE_PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or not set(request.GET) <= CACHEABLE_PARAMETERS
            or any(len(values) > 1 or len(values[0]) > 20 for _, values in request.GET.lists())
        ):
            return view(request, *args, **kwargs)
        key = f"oracle:page:{generation()}:{request.get_full_path()}"
        hit = LOCAL.get(key)
        if hit is None:
            hit = cache.get(key)
            if hit is not None:
                LOCAL.put(key, hit)
        if hit is not None:
            status, content, headers = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 404, 410) and not response.streaming and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if not response.has_header("ETag"):
                set_response_etag(response)  # once, here, rather than hashing the page on every hit
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            entry = (response.status_code, response.content, headers)
            cache.set(key, entry, settings.ORACLE_PAGE_CACHE_SECONDS)
            LOCAL.put(key, entry)
            response["X-Cache"] = "miss"
        return response

    return wrapper
