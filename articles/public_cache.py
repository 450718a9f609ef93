"""Whole-page caching of public pages: bounded, keyed by who may be addressed, retired by scope.

Long because it holds the cache's three guarantees and the per-process generation watcher.

Public pages are the same for every reader (personalisation happens in the browser), so a page is
cached by its scheme, host, path and the few query parameters it really has.

**Nothing anyone can make up fills the cache.** A view declares the parameters it has
(`parameters=("page",)`); any other parameter, a repeated one, or a value the page cannot have (an
audience that does not exist, a page number not written the canonical way) is served uncached.
Views redirect a page number past the last page to the canonical one (`canonical_page_redirect`), and
only 200 and 410 responses are stored — a 404 for a made-up address is never cached. Search result
pages, whose queries are unbounded by nature, share a fixed number of slots (`slots=`): at most that
many entries whatever is asked. A host other than the site's configured ones, and odd ports, are
served uncached too (`cache_host`); pages build every absolute address from `ORACLE_BASE_URL` alone.

**A change retires only the pages that show it.** Every key carries generations: the site-wide one,
plus "lists" (home, topics, search, the feed) or the answer's own (its page, versions, history),
as the view declares (`scope=`). `invalidate_answer_pages(slug)` bumps that answer's and the lists'
generations (only the answer's with `lists=False`: a review state the lists do not show);
`invalidate_public_pages()` bumps the site-wide one, which retires everything (trust
pages, board profiles, topics). A draft save bumps nothing (`articles/signals.py`). Each bump happens
immediately (so the writer's own next request is fresh) and again after commit (so a page cached from
a reader's request during the transaction, with the old data, is retired too).

**Redis trouble never breaks a page or a decision.** A failed cache read serves the page uncached
(and skips the cache for a second, so a dead Redis costs no timeout per request); a failed bump is
logged and reported as False, never raised. The CACHES settings bound every Redis call by timeouts.

With Redis, a cache hit costs no round trip at all: each process keeps the generations in memory and
a background thread subscribed to a Redis channel hears every bump (`GenerationWatcher`). Until the
subscription is confirmed, or whenever it drops, the process reads the generations from the cache on
every request, so a lost connection can make pages slower, never stale.
"""

import functools
import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.utils.cache import set_response_etag
from django.utils.encoding import escape_uri_path

from articles.audiences import Audience
from articles.search import normalise_query

GENERATION_KEY = "oracle:page-generation"
GENERATION_CHANNEL = "oracle:page-generation"
logger = logging.getLogger(__name__)
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Language")
STORED_STATUSES = (200, 410)

# The scopes a cached view can declare. Every key also carries the site-wide generation.
SITE = "site"  # retired only by invalidate_public_pages: trust pages, the board, grades
LISTS = "lists"  # pages listing answers: home, topics, search, the feed (and the sitemap)
ANSWER = "answer"  # the pages of one answer (the view's `slug`): page, versions, history


def answer_scope(slug: str) -> str:
    return f"{ANSWER}:{slug}"


# Query parameters a public page can have, and which values of them are real: a request with any
# other parameter, or another value, is served uncached. Page numbers must be written canonically
# (the view redirects one past the last page); search queries are bounded by slots, not values.
CACHEABLE_PARAMETERS = {
    "audience": lambda value: value in Audience.values,
    "page": lambda value: re.fullmatch(r"[1-9][0-9]{0,5}", value) is not None,
    "q": lambda value: len(value) <= 100,
}
# Longer keys are keyed by their digest: a cache key stays under the 250 characters caches
# accept (a 100-character query of non-Latin text is 900 once percent-encoded).
MAX_KEY_LENGTH = 200
# After a failed cache call, serve uncached for this long rather than wait on Redis per request.
BACKOFF_SECONDS = 1.0
_down_until = 0.0


def _generation_key(name: str) -> str:
    return GENERATION_KEY if name == SITE else f"{GENERATION_KEY}:{name}"


def stored_generations(names) -> dict[str, int]:
    """The generations as the shared cache holds them (one cache read). A scope never bumped is 0;
    only the site-wide one is created on first read (from the clock, not 1: after a cache flush a
    site generation is never reused, so no process serves its local copy of a page from before)."""
    keys = {name: _generation_key(name) for name in names}
    found = cache.get_many(list(keys.values()))
    values = {}
    for name, key in keys.items():
        value = found.get(key)
        if value is None and name == SITE:
            cache.add(key, time.time_ns(), timeout=None)
            value = cache.get(key)
        values[name] = int(value or 0)
    return values


def stored_generation() -> int:
    """The site-wide generation as the shared cache holds it."""
    return stored_generations([SITE])[SITE]


class GenerationWatcher:
    """This process's copy of the generations, kept current by a Redis subscription.

    `current(names)` returns None (meaning: read the cache) until the thread has subscribed *and
    then* read the stored generations — in that order, so no bump can fall between the two — and
    again from the moment the connection fails until it is re-established. A scope not yet known
    (an answer first asked for) is read once and then followed; a read that raced a reconnection is
    used for that request only (`epoch`), so a value from before a lost bump is never kept. The
    thread is started lazily and again after a fork, so each gunicorn worker has its own.

    Announcements are `name=value` (a bare number is the site-wide generation).
    """

    def __init__(
        self,
        redis_url: str,
        read=stored_generations,
        retry_seconds=0.5,
        recheck_seconds=1.0,
        channel=GENERATION_CHANNEL,
        remember=1024,
    ):
        self.redis_url = redis_url
        self.channel = channel
        self.read = read
        self.retry_seconds = retry_seconds
        self.recheck_seconds = recheck_seconds
        self.remember = remember
        self._publisher = None
        self.values: OrderedDict[str, int] = OrderedDict()
        self.epoch = 0
        self.live = False
        self.pid: int | None = None
        self.stopped = threading.Event()
        self._start_lock = threading.Lock()
        self._lock = threading.Lock()

    def current(self, names=(SITE,)) -> dict[str, int] | None:
        if self.pid != os.getpid():
            self._start()
        if not self.live:
            return None
        epoch = self.epoch
        known = {name: value for name in names if (value := self.values.get(name)) is not None}
        if len(known) == len(names):
            return known
        read = self.read([name for name in names if name not in known])
        with self._lock:
            if self.live and self.epoch == epoch:
                for name, value in read.items():
                    self._keep(name, value)
        return {**known, **read}

    @property
    def client_name(self) -> str:
        """How this subscriber shows in Redis' CLIENT LIST."""
        return f"oracle-page-generation-{self.pid}-{id(self):x}"

    def _keep(self, name: str, value: int) -> None:
        old = self.values.get(name)
        self.values[name] = value if old is None else max(old, value)
        self.values.move_to_end(name)
        while len(self.values) > self.remember:  # forgetting is safe: a forgotten scope is read again
            self.values.popitem(last=False)

    def heard(self, name: str, value: int) -> None:
        with self._lock:
            self._keep(name, value)

    def announce(self, name: str, value: int) -> None:
        import redis

        if self._publisher is None:
            self._publisher = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=2)
        self._publisher.publish(self.channel, f"{name}={value}")

    def stop(self) -> None:
        self.stopped.set()
        self.live = False

    def _start(self) -> None:
        with self._start_lock:
            if self.pid == os.getpid():
                return
            self.pid, self.live = os.getpid(), False
            with self._lock:
                self.values.clear()
            threading.Thread(target=self._run, name="oracle-page-generation", daemon=True).start()

    def _recheck(self) -> None:
        with self._lock:
            names = list({SITE, LISTS, *self.values})
        for name, value in self.read(names).items():
            self.heard(name, value)

    def _lost(self) -> None:
        with self._lock:
            self.live = False
            self.epoch += 1
            self.values.clear()

    @staticmethod
    def parse(data) -> tuple[str, int]:
        text = data.decode() if isinstance(data, bytes) else str(data)
        name, _, value = text.rpartition("=")
        return name or SITE, int(value)

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
                self._lost()  # forget what was known before this subscription
                self._recheck()
                self.live = True
                while not self.stopped.is_set():
                    message = pubsub.get_message(ignore_subscribe_messages=True, timeout=self.recheck_seconds)
                    if message and message["type"] == "message":
                        self.heard(*self.parse(message["data"]))
                    elif message is None:
                        # A quiet second: re-read the stored values, so even an announcement
                        # lost in transit delays a fresh page by a second at most.
                        self._recheck()
            except Exception:  # noqa: BLE001 - any failure: fall back to reading, then retry
                if self.live:
                    logger.warning("page generation subscription lost; reading from the cache", exc_info=True)
                self._lost()
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


def generations(names) -> dict[str, int]:
    if WATCHER is not None and (values := WATCHER.current(names)) is not None:
        return values
    return stored_generations(names)


def generation() -> int:
    """The site-wide generation."""
    return generations([SITE])[SITE]


def _announce(name: str, value: int) -> None:
    if WATCHER is not None:
        try:
            WATCHER.announce(name, value)
        except Exception:  # noqa: BLE001 - subscribers re-read the stored value within a second
            logger.exception("could not announce page generation %s=%s", name, value)


def _bump(*names: str) -> bool:
    """Bump each generation; False (logged, never raised) when the cache could not be reached."""
    ok = True
    for name in names:
        key = _generation_key(name)
        try:
            # Created from the clock when missing (SET NX, so concurrent bumps agree), then raised.
            cache.add(key, time.time_ns(), timeout=None)
            try:
                value = cache.incr(key)
            except ValueError:  # flushed between the two calls
                value = time.time_ns()
                cache.set(key, value, timeout=None)
        except Exception:  # noqa: BLE001 - a committed decision must never fail because of the cache
            logger.exception("could not retire cached pages (%s): the cache is unreachable", name)
            ok = False
            continue
        _announce(name, value)
    return ok


def _bump_now_and_after_commit(*names: str) -> bool:
    ok = _bump(*names)
    transaction.on_commit(lambda: _bump(*names))
    return ok


def invalidate_public_pages() -> bool:
    """Retire every cached public page, now and again once the current transaction commits.

    Never raises: returns False (and logs) when the cache could not be reached, so a caller that
    must not miss the invalidation (a durable task) can retry."""
    return _bump_now_and_after_commit(SITE)


def invalidate_answer_pages(slug: str, *, lists: bool = True) -> bool:
    """Retire the cached pages that show the answer at `slug` — its page, versions and history, and
    the lists (the home page, topics, the feed, the sitemap, search results) — now and after
    commit. Other answers' pages and the trust pages stay cached. Never raises, as above.

    `lists=False` for a change the lists do not show (they show publications, the answer's
    address and topic; not its review state or review dates): only the answer's own pages go."""
    return _bump_now_and_after_commit(answer_scope(slug), *([LISTS] if lists else []))


class _LocalPages:
    """A small per-process copy of hot pages, keyed by generation: a hit costs no cache read at all
    while the watcher is live, instead of fetching the whole page from Redis."""

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


def cacheable_hosts() -> set[str]:
    """The host names a cached page may be stored for: the configured base URL's and each exact
    name in ALLOWED_HOSTS (no wildcard), so no header can make up new entries."""
    hosts = {(urlsplit(settings.ORACLE_BASE_URL).hostname or "").lower()}
    hosts.update(split_domain_port(h)[0] for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith("."))
    return hosts


def cache_host(request) -> str | None:
    """The request's host as a cache key knows it, or None when its page must not be stored.

    A known name (`cacheable_hosts`) on the scheme's default port, the base URL's port or the port
    the request really arrived on (SERVER_PORT: a server reached directly); any other port — which a
    `Host` header can name at will — is served uncached, so it neither fills nor poisons the cache.
    """
    domain, port = split_domain_port(request.get_host())
    if domain not in cacheable_hosts():
        return None
    if port in ("", "443" if request.is_secure() else "80"):
        return domain
    if port in (str(urlsplit(settings.ORACLE_BASE_URL).port or ""), request.META.get("SERVER_PORT")):
        return f"{domain}:{port}"
    return None


def _has_only(request, parameters) -> bool:
    for name, values in request.GET.lists():
        value = normalise_query(values[0]) if name == "q" else values[0]
        if name not in parameters or len(values) > 1 or not CACHEABLE_PARAMETERS[name](value):
            return False
    return True


def canonical_page_redirect(request, page):
    """A redirect to the canonical address when `?page=` is not how `page`'s number is written
    (past the last page, not a number, `007`), else None: only real pages get cache entries."""
    raw = request.GET.get("page")
    if raw is None or raw == str(page.number):
        return None
    query = request.GET.copy()
    if page.number == 1:
        query.pop("page")
    else:
        query["page"] = str(page.number)
    return HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))


def _cache_call(call, *args):
    """A cache call that never raises: None after a failure, and no calls for BACKOFF_SECONDS."""
    global _down_until
    if time.monotonic() < _down_until:
        return None
    try:
        return call(*args)
    except Exception:  # noqa: BLE001 - Redis down: serve uncached, never fail the page
        _down_until = time.monotonic() + BACKOFF_SECONDS
        logger.warning("page cache unreachable; serving uncached for %ss", BACKOFF_SECONDS, exc_info=True)
        return None


def cached_public_page(view=None, *, seconds: int | None = None, scope: str = SITE, parameters=(), slots=None):
    """Serve GET/HEAD responses of `view` from the cache; store 200 and 410 responses.

    `scope` says which invalidations retire the page (SITE, LISTS or ANSWER: the `slug` the view
    is called with); `parameters` the query parameters the page has (see CACHEABLE_PARAMETERS);
    `slots` bounds the entries of a page with unbounded parameters (search). `seconds` bounds how
    long an entry lives in the shared cache (default ORACLE_PAGE_CACHE_SECONDS); invalidation by
    generation applies either way.
    """
    if view is None:
        return functools.partial(cached_public_page, seconds=seconds, scope=scope, parameters=parameters, slots=slots)
    parameters = frozenset(parameters)
    unknown = parameters - CACHEABLE_PARAMETERS.keys()
    assert not unknown, f"no rule for the values of {sorted(unknown)} (CACHEABLE_PARAMETERS)"

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        # most hits have no query string: then neither parse one nor sort parameters
        has_query = bool(request.META.get("QUERY_STRING"))
        if (
            not settings.ORACLE_PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or (has_query and not _has_only(request, parameters))
            or (host := cache_host(request)) is None
        ):
            return view(request, *args, **kwargs)
        names = [SITE, answer_scope(kwargs["slug"]) if scope == ANSWER else scope] if scope != SITE else [SITE]
        values = _cache_call(generations, names)
        if values is None:
            return view(request, *args, **kwargs)
        path = cache_path(request) if has_query else escape_uri_path(request.path)
        stamp = "-".join(str(values[name]) for name in names)
        where = f"slot:{int(hashlib.sha256(path.encode()).hexdigest(), 16) % slots}" if slots else path
        key = f"oracle:page:{request.scheme}:{host}:{stamp}:{where}"
        if len(key) > MAX_KEY_LENGTH:  # a long (percent-encoded) query: keep keys short, as caches want
            key = "oracle:page:sha256:" + hashlib.sha256(key.encode()).hexdigest()
        hit = LOCAL.get(key)
        if hit is None:
            hit = _cache_call(cache.get, key)
            if hit is not None:
                LOCAL.put(key, hit)
        if hit is not None and hit[0] == path:  # a slot holds one page at a time
            _, status, content, headers = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code in STORED_STATUSES and not response.streaming and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if not response.has_header("ETag"):
                set_response_etag(response)  # once, here, rather than hashing the page on every hit
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            entry = (path, response.status_code, response.content, headers)
            _cache_call(cache.set, key, entry, seconds or settings.ORACLE_PAGE_CACHE_SECONDS)
            LOCAL.put(key, entry)
            response["X-Cache"] = "miss"
        return response

    return wrapper
