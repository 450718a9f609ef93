"""Static publishing: each public answer page is also written as a file, for nginx to serve.

The file is exactly what Django would send an anonymous reader (it is rendered by the same view),
written atomically after the transaction that changed it commits; a withdrawn answer's file is
removed so nginx falls back to Django, which answers 410. Personalisation needs no server: it is a
cookie and a class applied in the browser.
"""

import inspect
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.test import RequestFactory


def _path(slug: str) -> Path:
    return Path(settings.ORACLE_PUBLISH_DIR) / "articles" / slug / "index.html"


def _render(slug: str):
    from articles.views import article_detail_view

    base = urlsplit(settings.ORACLE_BASE_URL)
    factory = RequestFactory(
        SERVER_NAME=base.hostname or "localhost",
        SERVER_PORT=str(base.port or (443 if base.scheme == "https" else 80)),
        **({"wsgi.url_scheme": "https"} if base.scheme == "https" else {}),
    )
    request = factory.get(f"/articles/{slug}/")
    # Render straight from the database: unwrap every decorator, the page cache included
    # (`__wrapped__` alone would only peel off require_safe).
    return inspect.unwrap(article_detail_view)(request, slug=slug)


def write_answer_file(slug: str) -> Path | None:
    """Write (or remove) the answer's file to match what Django serves now."""
    if not settings.ORACLE_PUBLISH_DIR:
        return None
    from django.http import Http404

    path = _path(slug)
    try:
        response = _render(slug)
    except Http404:
        response = None
    if response is None or response.status_code != 200:
        path.unlink(missing_ok=True)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".index.", suffix=".tmp")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(response.content)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)  # readers never see a half-written file
    return path


def refresh_answer_file(slug: str) -> None:
    """Rewrite the file once the current transaction has committed."""
    if settings.ORACLE_PUBLISH_DIR:
        transaction.on_commit(lambda: write_answer_file(slug))
