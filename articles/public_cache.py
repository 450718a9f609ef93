"""Whole-page caching of public pages, invalidated at once by any change readers could see.

Public pages are the same for every reader (personalisation happens in the browser), so a page is
cached by its path and query string alone. Every cached key carries a site-wide *generation*;
publishing, withdrawing, or changing the board or a trust page bumps it, which retires every
cached page at once — simple, and never stale. The bump happens immediately (so the writer's own
next request is fresh) and again after commit (so a page cached from a reader's request during the
transaction, with the old data, is retired too).

With Redis, a cache hit costs no round trip at all: each process keeps the generation in memory
and a background thread subscribed to a Redis channel hears every bump (`GenerationWatcher`).
Until the subscription is confirmed, or whenever it drops, the process reads the generation from
the cache on every request as before, so a lost connection can make pages slower, never stale.
"""

import functools
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import set_response_etag
from django.utils.encoding import escape_uri_path

from articles.search import normalise_query

GENERATION_KEY = "oracle:page-generation"
GENERATION_CHANNEL = "oracle:page-generation"
logger = logging.getLogger(__name__)
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Language")
# Query parameters that change a public page, with the longest value cached; a request with any
# other parameter (or a longer value) is served uncached, so made-up query strings cannot fill the
# cache and push real pages out. Search queries are cached briefly (see search_view).
CACHEABLE_PARAMETERS = {"audience": 20, "page": 20, "q": 100}
# Longer cache paths are keyed by their digest: a cache key stays under the 250 characters caches
# accept (a 100-character query of non-Latin text is 900 once percent-encoded).
MAX_KEY_PATH = 180


def stored_generation() -> int:
    """The generation as the shared cache holds it (one cache read)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock, not 1: after a cache flush a generation number is never reused,
        # so no process can serve its local copy of a page from before the flush.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


class GenerationWatcher:
    """This process's copy of the generation, kept current by a Redis subscription.

    `current()` returns None (meaning: read the cache) until the thread has subscribed *and then*
    read the stored generation — in that order, so no bump can fall between the two — and again
    from the moment the connection fails until it is re-established. The thread is started lazily
    and again after a fork, so each gunicorn worker has its own.
    """

    def __init__(
        self, redis_url: str, read=stored_generation, retry_seconds=0.5, recheck_seconds=1.0, channel=GENERATION_CHANNEL
    ):
        self.redis_url = redis_url
        self.channel = channel
        self.read = read
        self.retry_seconds = retry_seconds
        self.recheck_seconds = recheck_seconds
        self._publisher = None
        self.value: int | None = None
        self.live = False
        self.pid: int | None = None
        self.stopped = threading.Event()
        self._start_lock = threading.Lock()

    def current(self) -> int | None:
        if self.pid != os.getpid():
            self._start()
        return self.value if self.live else None

    @property
    def client_name(self) -> str:
        """How this subscriber shows in Redis' CLIENT LIST."""
        return f"oracle-page-generation-{self.pid}-{id(self):x}"

    def heard(self, value: int) -> None:
        self.value = value if self.value is None else max(self.value, value)

    def announce(self, value: int) -> None:
        import redis

        if self._publisher is None:
            self._publisher = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=2)
        self._publisher.publish(self.channel, value)

    def stop(self) -> None:
        self.stopped.set()
        self.live = False

    def _start(self) -> None:
        with self._start_lock:
            if self.pid == os.getpid():
                return
            self.pid, self.live, self.value = os.getpid(), False, None
            threading.Thread(target=self._run, name="oracle-page-generation", daemon=True).start()

    def _run(self) -> None:
        import redis

        while not self.stopped.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self.redis_url,
                    socket_connect_timeout=2,
                    health_check_interval=10,
                    client_name=self.client_name,
                )
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                while (message := pubsub.get_message(timeout=5)) is None or message["type"] != "subscribe":
                    pass
                self.value = None
                self.heard(self.read())
                self.live = True
                while not self.stopped.is_set():
                    message = pubsub.get_message(ignore_subscribe_messages=True, timeout=self.recheck_seconds)
                    if message and message["type"] == "message":
                        self.heard(int(message["data"]))
                    elif message is None:
                        # A quiet second: re-read the stored value, so even an announcement
                        # lost in transit delays a fresh page by a second at most.
                        self.heard(self.read())
            except Exception:  # noqa: BLE001 - any failure: fall back to reading, then retry
                if self.live:
                    logger.warning("page generation subscription lost; reading from the cache", exc_info=True)
                self.live = False
                self.stopped.wait(self.retry_seconds)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: BLE001, S110 - closing a dead connection
                        pass


def generation_channel(redis_url: str) -> str:
    """The channel bumps are announced on, named after the Redis database and the cache's key for
    the generation: pub/sub channels are server-wide, and two sites (or a site and a benchmark)
    sharing one Redis server on different databases or key prefixes must never hear each other —
    a watcher keeps the highest generation it hears, so a foreign one would freeze its pages."""
    from redis.connection import parse_url

    return f"{GENERATION_CHANNEL}:{parse_url(redis_url).get('db', 0)}:{cache.make_key(GENERATION_KEY)}"


def _make_watcher() -> GenerationWatcher | None:
    backend = settings.CACHES["default"]
    if backend["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return None
    location = backend["LOCATION"]
    url = location if isinstance(location, str) else location[0]
    return GenerationWatcher(url, channel=generation_channel(url))


WATCHER = _make_watcher()


def generation() -> int:
    if WATCHER is not None and (value := WATCHER.current()) is not None:
        return value
    return stored_generation()


def _announce(value: int) -> None:
    if WATCHER is not None:
        try:
            WATCHER.announce(value)
        except Exception:  # noqa: BLE001 - subscribers re-read the stored value within a second
            logger.exception("could not announce page generation %s", value)


def _bump() -> None:
    try:
        value = cache.incr(GENERATION_KEY)
    except ValueError:
        value = time.time_ns()
        cache.set(GENERATION_KEY, value, timeout=None)
    _announce(value)


def invalidate_public_pages() -> None:
    """Retire every cached public page, now and again once the current transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def invalidate_answer_pages(slug: str) -> None:
    """Retire the cached pages that show the answer at `slug` (its page, versions and history, the
    home page, its topic, the feed, the sitemap, search results), now and after commit.

    Today this retires every page (as `invalidate_public_pages`); callers that change one answer
    call this, so that narrowing it changes no caller."""
    invalidate_public_pages()


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


def cache_path(request) -> str:
    """The page's address as the cache knows it: parameters in a fixed order and the search query
    as the search sees it (`normalise_query`), so `?q=back%20%20pain&page=2` and
    `?page=2&q=back+pain` — the same page — are one entry."""
    params = sorted((name, normalise_query(value) if name == "q" else value) for name, value in request.GET.items())
    path = escape_uri_path(request.path)
    return f"{path}?{urlencode(params)}" if params else path


def cached_public_page(view=None, *, seconds: int | None = None):
    """Serve GET/HEAD responses of `view` from the cache; store 200, 404 and 410 responses.

    `seconds` bounds how long an entry lives in the shared cache (default ORACLE_PAGE_CACHE_SECONDS);
    invalidation by generation applies either way.
    """
    if view is None:
        return functools.partial(cached_public_page, seconds=seconds)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        # most hits have no query string: then neither parse one nor sort parameters
        has_query = bool(request.META.get("QUERY_STRING"))
        if (
            not settings.ORACLE_PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or (
                has_query
                and any(
                    name not in CACHEABLE_PARAMETERS or len(values) > 1 or len(values[0]) > CACHEABLE_PARAMETERS[name]
                    for name, values in request.GET.lists()
                )
            )
        ):
            return view(request, *args, **kwargs)
        path = cache_path(request) if has_query else escape_uri_path(request.path)
        if len(path) > MAX_KEY_PATH:  # a long (percent-encoded) query: keep keys short, as caches want
            path = "sha256:" + hashlib.sha256(path.encode()).hexdigest()
        key = f"oracle:page:{generation()}:{path}"
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
            cache.set(key, entry, seconds or settings.ORACLE_PAGE_CACHE_SECONDS)
            LOCAL.put(key, entry)
            response["X-Cache"] = "miss"
        return response

    return wrapper
