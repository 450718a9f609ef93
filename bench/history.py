"""Version history at scale: an article with 1,000 saved versions.

    .venv/bin/python bench/history.py [--versions 1000]            # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/history.py

Prints the time of the admin history page, of the diff between the first and last version, and of
a restore (revert) of the first version, the SQL queries each takes, and the database bytes added
per saved version (article + 6 sections + 24 claims are stored together in each revision).
Targets: history page and diff under 300 ms each.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oracle.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def database_bytes() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('reversion_version') + pg_total_relation_size('reversion_revision')"
            )
            return cursor.fetchone()[0]
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return pages * cursor.fetchone()[0]


def timed(fn, rounds=5):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=1000)
    args = parser.parse_args()

    # A throwaway database of our own, never the test suite's (which may be running).
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench-history.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"oracle_bench_{os.getpid()}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        import reversion
        from django.contrib.auth import get_user_model
        from reversion.models import Version

        from articles.content import article_restore
        from articles.models import Claim
        from tests.helpers import make_article

        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password")
        article = make_article(
            question="Is the benchmark safe?", slug="bench", sections=6, claims_per_section=4, references=8
        )
        claims = list(Claim.objects.filter(section__article=article))

        size_before = database_bytes()
        start = time.perf_counter()
        for n in range(args.versions):
            claim = claims[n % len(claims)]
            claim.text = f"Claim revised {n} times with a little more wording [@{claim.text.split('[@')[1]}"
            with reversion.create_revision():
                reversion.set_user(user)
                reversion.set_comment(f"edit {n}")
                claim.save()
        save_ms = (time.perf_counter() - start) * 1000 / args.versions
        size_after = database_bytes()
        versions = Version.objects.get_for_object(article)
        first, last = versions.last().revision, versions.first().revision

        client = Client()
        client.force_login(user)
        history_url = f"/admin/articles/article/{article.pk}/history/"
        diff_url = f"/admin/articles/article/{article.pk}/history/diff/?from={first.pk}&to={last.pk}"
        client.get(history_url)
        client.get(diff_url)

        history_ms, response = timed(lambda: client.get(history_url))
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as q:
            client.get(history_url)
        history_queries = len(q)
        diff_ms, response = timed(lambda: client.get(diff_url))
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as q:
            client.get(diff_url)
        diff_queries = len(q)
        restore_ms, _ = timed(lambda: article_restore(article=article, revision=first, by=user), rounds=3)

        print(f"database: {connection.vendor}; {args.versions} versions of one article (6 sections, 24 claims)")
        print(f"save one version (claim edit in a revision): {save_ms:8.2f} ms")
        print(
            f"admin history page (100 per page):          {history_ms:8.1f} ms   {history_queries} queries   target < 300 ms"
        )
        print(
            f"diff first -> last version:                 {diff_ms:8.1f} ms   {diff_queries} queries   target < 300 ms"
        )
        print(f"restore (revert) the first version:         {restore_ms:8.1f} ms")
        print(f"database bytes per saved version:           {(size_after - size_before) / args.versions:8.0f} B")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
