"""Static publishing: each public answer page is also stored as a file, for nginx (or a CDN) to serve.

The file is exactly what Django would send an anonymous reader (the same renderer,
`articles.answer_page.current_answer_document`, and the same lookup, `articles.public`). It is
written through Django's storage API (`STORAGES["published"]`: by default files under
ORACLE_PUBLISH_DIR, written atomically, which deploy/nginx.conf serves; any django-storages
backend by setting), with a gzip-9 copy beside it (`index.html.gz`, written first, removed last)
for nginx's `gzip_static`. A withdrawn or never-published answer has no file, so nginx falls back
to Django, which answers 410 or 404.

Files are never written by the request that changed an answer: the change enqueues
`sync_answer_page` in its own transaction (`answer_pages_changed`) and the worker runs it (see
`core/tasks.py`), retried until the storage takes it. `reconcile` makes every file match the
database — the periodic job and `manage.py reconcile_published` — so the site converges after
any fault.
"""

import gzip
import logging
import os
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404

from articles import public
from articles.answer_page import current_answer_document
from articles.public_cache import invalidate_answer_pages, invalidate_public_pages
from core.storage import AtomicPublishStorage
from core.tasks import effect, enqueue

logger = logging.getLogger("oracle.published_files")

ROOT = "articles"


def page_name(slug: str) -> str:
    return f"{ROOT}/{slug}/index.html"


def storage():
    return storages["published"]


def enabled() -> bool:
    """Publishing files is off with the default storage and an empty ORACLE_PUBLISH_DIR."""
    return bool(settings.ORACLE_PUBLISH_DIR) or not isinstance(storage(), AtomicPublishStorage)


def expected_page(slug: str) -> bytes | None:
    """The bytes the answer's file must hold now, or None when it must not exist."""
    try:
        article = public.current_answer(slug)
    except (Http404, public.AnswerWithdrawn):
        return None
    return current_answer_document(article).html.encode()


def _read(files, name: str) -> bytes | None:
    try:
        with files.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def sync_answer_file(slug: str) -> str:
    """Make the answer's stored file match the database: "written", "removed", "unchanged",
    "absent" (no file, none due) or "disabled". Idempotent: it computes the file from the database, whatever ran before."""
    if not enabled():
        return "disabled"
    files = storage()
    name = page_name(slug)
    html = expected_page(slug)
    if html is None:
        removed = False
        for each in (name, name + ".gz"):  # the page first: nginx never serves a page without it
            if files.exists(each):
                files.delete(each)
                removed = True
        if isinstance(files, AtomicPublishStorage):
            try:
                os.rmdir(files.path(f"{ROOT}/{slug}"))  # so the listing knows only published answers
            except OSError:
                pass  # not empty (something else is there) or already gone
        return "removed" if removed else "absent"
    if _read(files, name) == html and files.exists(name + ".gz"):
        return "unchanged"
    # The compressed copy first, then the page: once the page is there, so is its .gz.
    _put(files, name + ".gz", gzip.compress(html, compresslevel=9, mtime=0))
    _put(files, name, html)
    return "written"


def _put(files, name: str, content: bytes) -> None:
    """Store `content` under exactly `name` (the address nginx or a CDN serves)."""
    if files.exists(name) and files.get_available_name(name) != name:
        files.delete(name)  # a storage that never overwrites (in memory, S3 with file_overwrite off)
    saved = files.save(name, ContentFile(content))
    if saved != name:
        raise RuntimeError(f"the publish storage saved {name} as {saved}")


def write_answer_file(slug: str) -> str | None:
    """Write (or remove) the answer's file now; its storage name, or None when it has none."""
    return page_name(slug) if sync_answer_file(slug) in ("written", "unchanged") else None


@effect
def sync_answer_page(*, slug: str, lists: bool = True) -> None:
    """The worker's effect after an answer changed: its file, then its cached pages."""
    sync_answer_file(slug)
    if not invalidate_answer_pages(slug, lists=lists):
        raise RuntimeError("the cache could not be reached to retire the answer's pages; retrying")


def answer_pages_changed(slug: str, *, lists: bool = True) -> None:
    """In the transaction that changed what readers see of one answer: retire its cached pages
    now (the writer's own next request sees the change) and enqueue the durable sync. `lists=False`
    when the change is one the lists do not show (the review state)."""
    try:
        invalidate_answer_pages(slug, lists=lists)
    except Exception:  # the cache is down: the enqueued sync retires them once it is back
        logger.warning("Could not retire the cached pages of %s now; the worker will", slug, exc_info=True)
    enqueue(sync_answer_page, slug=slug, lists=lists, label=f"Update the published page of “{slug}”")


@effect
def retire_all_pages() -> None:
    """The worker's effect after a site-wide change (trust pages, board profiles)."""
    if not invalidate_public_pages():
        raise RuntimeError("the cache could not be reached to retire every page; retrying")


def site_pages_changed() -> None:
    """In the transaction of a change every public page shows: retire them all now, and enqueue
    the durable retirement (a cache that was away for the immediate one still gets it)."""
    try:
        invalidate_public_pages()
    except Exception:
        logger.warning("Could not retire the cached pages now; the worker will", exc_info=True)
    enqueue(retire_all_pages, label="Retire every cached public page")


@dataclass
class Reconciled:
    listed: int = 0  # answers published or with a stored page
    checked: int = 0  # of which compared with what Django serves
    written: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> int:
        return len(self.written) + len(self.removed)

    @property
    def rate(self) -> float:
        return self.listed / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        compared = "" if self.checked == self.listed else f" ({self.checked:,} compared in full)"
        return (
            f"Checked {self.listed:,} answer page(s){compared} in {self.seconds:.1f} s ({self.rate:,.0f}/s): "
            f"{len(self.written):,} written, {len(self.removed):,} removed."
        )


def stored_slugs() -> set[str]:
    files = storage()
    try:
        directories, _ = files.listdir(ROOT)
    except (FileNotFoundError, OSError):
        return set()
    return set(directories)


def reconcile(*, progress=None, changed_since=None) -> Reconciled:
    """Make every published file (and the cached pages of any answer whose file drifted) match
    the database: write missing or stale pages, remove those of withdrawn or never-published
    answers. `progress` wraps the iterable of slugs (a progress bar).

    With `changed_since` (the periodic quick run) the content of a page that exists is compared
    only for answers changed since then; missing and unexpected pages are always found."""
    from django.db.models import Q

    from articles.models import Article

    started = time.monotonic()
    result = Reconciled()
    if not enabled():
        return result
    published = Article.objects.filter(current_publication__isnull=False)
    expected = set(published.values_list("slug", flat=True))
    slugs = expected | stored_slugs()
    result.listed = len(slugs)
    if changed_since is not None:
        files = storage()
        recent = set(
            published.filter(
                Q(updated_at__gte=changed_since) | Q(current_publication__page_rendered_at__gte=changed_since)
            ).values_list("slug", flat=True)
        )
        slugs = {s for s in slugs if s not in expected or s in recent or not files.exists(page_name(s))}
    ordered = sorted(slugs)
    for slug in progress(ordered) if progress else ordered:
        outcome = sync_answer_file(slug)
        result.checked += 1
        if outcome == "written":
            result.written.append(slug)
        elif outcome == "removed":
            result.removed.append(slug)
        if outcome in ("written", "removed"):
            invalidate_answer_pages(slug)
    result.seconds = time.monotonic() - started
    if result.changed:
        logger.warning("Reconcile found drift: %s", result.summary())
    return result


@effect
def reconcile_effect() -> None:
    """The worker's periodic quick run: every page present or absent as it should be, and the
    content of those changed in the last hour checked (the daily full run checks them all)."""
    from datetime import timedelta

    from django.utils import timezone

    reconcile(changed_since=timezone.now() - timedelta(hours=1))


@effect
def reconcile_full_effect() -> None:
    reconcile()
