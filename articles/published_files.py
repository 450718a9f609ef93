"""Static publishing: each public answer page is also written as a file, for nginx to serve.

The file is exactly what Django would send an anonymous reader (the same renderer,
`articles.answer_page.current_answer_document`, and the same lookup, `articles.public`),
written atomically after the transaction that changed it commits; a withdrawn answer's file is
removed so nginx falls back to Django, which answers 410. Personalisation needs no server: it is a
cookie and a class applied in the browser.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import Http404

from articles import public
from articles.answer_page import current_answer_document


def _path(slug: str) -> Path:
    return Path(settings.ORACLE_PUBLISH_DIR) / "articles" / slug / "index.html"


def write_answer_file(slug: str) -> Path | None:
    """Write (or remove) the answer's file to match what Django serves now."""
    if not settings.ORACLE_PUBLISH_DIR:
        return None
    path = _path(slug)
    try:
        article = public.current_answer(slug)
    except (Http404, public.AnswerWithdrawn):
        article = None
    if article is None:
        path.unlink(missing_ok=True)
        return None
    html = current_answer_document(article).html
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".index.", suffix=".tmp")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(html.encode())
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)  # readers never see a half-written file
    return path


def refresh_answer_file(slug: str) -> None:
    """Rewrite the file once the current transaction has committed."""
    if settings.ORACLE_PUBLISH_DIR:
        transaction.on_commit(lambda: write_answer_file(slug))
