"""The public pages and the admin list at scale: p50/p95 for one client, and SQL queries per page.

    DATABASE_URL=postgres://…/oracle_scale .venv/bin/python bench/scale.py [--answers 100000] [--rounds 40]

On the database DATABASE_URL names (migrated here; SQLite file or PostgreSQL), with at least
`--answers` generated answers (`manage.py generate_demo_data` tops it up: minutes for 100,000).
Each page is requested through the full middleware stack in this process (Django's test client,
production settings, the page cache off, so every request does the work a cache miss does):
an answer page, the home page, a topic's first and a middle page, searches, the admin's article
list (first page and a later one), the sitemap and one of its parts. Prints each page's p50 and
p95 in milliseconds, its queries, and the target it is held to; exits 1 with --check when one
is missed.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oracle.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TARGETS_MS = {"answer": 50, "home": 50, "topic": 50, "search": 50, "admin list": 300}


def timed(client, paths, rounds):
    """(p50, p95, queries of one request) over `rounds` requests cycling through `paths`."""
    for path in paths[:2]:  # warm: templates compiled, connection open
        client.get(path)
    samples = []
    for i in range(rounds):
        path = paths[i % len(paths)]
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(paths[0])
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000, help="generate answers up to this many")
    parser.add_argument("--rounds", type=int, default=40, help="requests per page kind")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from articles.models import Article, Topic

    have = Article.objects.published().filter(slug__startswith="gen-").count()
    if have < args.answers:
        print(f"== generating {args.answers - have:,} answers (have {have:,})", flush=True)
        call_command("generate_demo_data", answers=args.answers)
    settings.ORACLE_PAGE_CACHE = False  # every request does a cache miss's work
    published = Article.objects.published().count()
    print(f"== {published:,} published answers on {connection.vendor} ({connection.settings_dict['NAME']})")

    rng = random.Random(5)
    ids = list(Article.objects.published().values_list("pk", flat=True))
    sample = rng.sample(ids, min(len(ids), 200))
    slugs = list(Article.objects.filter(pk__in=sample).values_list("slug", flat=True))
    rng.shuffle(slugs)
    topics = list(Topic.objects.filter(articles__current_publication__isnull=False).distinct().order_by("slug"))
    topic_pages = []
    for topic in topics:
        count = Article.objects.published().filter(topic=topic).count()
        topic_pages += [f"/topics/{topic.slug}/", f"/topics/{topic.slug}/?page={max(1, count // 20)}"]
    user, _ = get_user_model().objects.get_or_create(
        username="scale-bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    reader, admin = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    admin.force_login(user)
    middle = max(1, published // 200)
    pages = [
        ("answer", reader, [f"/articles/{slug}/" for slug in slugs]),
        ("home", reader, ["/"]),
        ("topic", reader, topic_pages),
        ("search", reader, [f"/search/?q={q}" for q in ("baclofen", "renal+risk", "mivoka", "tizanidine+sedation")]),
        ("admin list", admin, ["/admin/articles/article/", f"/admin/articles/article/?p={middle}"]),
        ("sitemap", reader, ["/sitemap.xml"]),
        ("sitemap part", reader, ["/sitemap-answers-1.xml"]),
    ]
    print(f"{'page':<14}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}   target")
    missed = []
    for name, client, paths in pages:
        rounds = args.rounds if not name.startswith("sitemap") else max(3, args.rounds // 10)
        p50, p95, queries = timed(client, paths, rounds)
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else f"p50 < {target} ms: {'ok' if p50 < target else 'MISSED'}"
        if target is not None and p50 >= target:
            missed.append(name)
        print(f"{name:<14}{p50:>9.1f}{p95:>9.1f}{queries:>9}   {verdict}", flush=True)
    print("")
    print("MISSED " + ", ".join(missed) if missed else "PASS  every target met")
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
