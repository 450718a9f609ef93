"""What one answer page costs, measured in-process: SQL queries and milliseconds.

    DJANGO_SETTINGS_MODULE=oracle.settings_test .venv/bin/python bench/answer_render.py [--rounds 500]

Builds a throwaway test database (SQLite unless DATABASE_URL says otherwise), imports and publishes
the demo answer, then times (a) serving the answer page through the test client and the full middleware stack (the test
client's instrumentation inflates this), the view function alone,
(b) rendering the page frame alone around the stored body, and (c) the one-off work done at
publication: loading the article from the ORM and rendering its body.
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def use_private_database():
    """A throwaway database of our own, never the test suite's (which may be running)."""
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"oracle_bench_{os.getpid()}"


def timed(fn, rounds):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=500)
    args = parser.parse_args()

    use_private_database()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from articles.answer_page import render_answer_parts
        from articles.models import Article
        from articles.rendering import render_body_html
        from articles.snapshots import load_article, snapshot_article
        from reviews.importing.write import review_import_pages

        [result] = review_import_pages([Path(settings.BASE_DIR) / "demo" / "baclofen-back-pain.demo.txt"], publish=True)
        url = result.article.get_absolute_url()
        client = Client()
        settings.ORACLE_PAGE_CACHE = False
        client.get(url)  # warm caches (templates, URL resolver)

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        size = len(response.content)
        # Read now: every request start clears the connection's query log.
        query_count = len(queries.captured_queries)

        page_ms = timed(lambda: client.get(url), args.rounds)
        settings.ORACLE_PAGE_CACHE = True
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        cached_query_count = len(queries.captured_queries)
        cached_ms = timed(lambda: client.get(url), args.rounds)
        settings.ORACLE_PAGE_CACHE = False
        from django.test import RequestFactory

        from articles.views import article_detail_view

        factory = RequestFactory()
        slug = result.article.slug
        view_ms = timed(lambda: article_detail_view(factory.get(url), slug=slug), args.rounds)
        publication = (
            Article.objects.select_related("current_publication").get(pk=result.article.pk).current_publication
        )
        frame = {
            "question": publication.question,
            "head_html": publication.head_html,
            "article_html": publication.page_html,
            "site_name": "Oracle",
        }
        frame_ms = timed(lambda: render_to_string("articles/article_detail.html", frame), args.rounds)
        parts_ms = timed(
            lambda: render_answer_parts(publication, slug=slug, review_status="approved"), max(args.rounds // 5, 20)
        )
        orm_ms = timed(lambda: snapshot_article(load_article(result.article.pk)), max(args.rounds // 5, 20))
        content = snapshot_article(load_article(result.article.pk))
        body_ms = timed(lambda: render_body_html(content), max(args.rounds // 5, 20))

        print(f"database: {connection.vendor}; answer page {size:,} bytes; {args.rounds} rounds")
        print(f"answer page, SQL queries per request:          {query_count}")
        print(f"answer page, SQL queries with the page cache:  {cached_query_count}")
        print(f"answer page, full request in-process:          p50 {page_ms[0]:.2f} ms   p99 {page_ms[1]:.2f} ms")
        print(f"answer page, page cache hit in-process:        p50 {cached_ms[0]:.2f} ms   p99 {cached_ms[1]:.2f} ms")
        print(f"answer view alone (no middleware):             p50 {view_ms[0]:.2f} ms   p99 {view_ms[1]:.2f} ms")
        print(f"  of which page frame template:                p50 {frame_ms[0]:.2f} ms   p99 {frame_ms[1]:.2f} ms")
        print(f"at publication only, whole page parts render:  p50 {parts_ms[0]:.2f} ms   p99 {parts_ms[1]:.2f} ms")
        print(f"at publication only, ORM load + snapshot:      p50 {orm_ms[0]:.2f} ms   p99 {orm_ms[1]:.2f} ms")
        print(f"at publication only, body render (Markdown):   p50 {body_ms[0]:.2f} ms   p99 {body_ms[1]:.2f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
