"""How much anyone can put in the page cache: keys and bytes in Redis after N made-up requests,
this checkout side by side with another revision (default `main`).

    .venv/bin/python bench/cache_bound.py [--requests 3000] [--against main] [--redis redis://127.0.0.1:6379/14]

Each revision runs in its own process (the other one from `git archive`, so its own code), on a
throwaway SQLite database with three published answers in one topic, against the given Redis
database under a key prefix of its own (deleted afterwards). The requests are the same seeded
sequence for both: answer pages with made-up `audience` values, topic pages with made-up page
numbers, searches with made-up queries and pages, and made-up answer addresses — what a crawler or
an attacker sends. Printed: page entries stored, their bytes (Redis MEMORY USAGE), and entries per
hundred requests.
"""

import argparse
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def made_up_requests(count: int, seed: int = 14):
    """(path, params) pairs, the same for every run with the same seed."""
    rng = random.Random(seed)

    def word(n):
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))

    slugs = ["answer-0", "answer-1", "answer-2"]
    for n in range(count):
        kind = n % 5
        if kind == 0:
            yield f"/articles/{rng.choice(slugs)}/", {"audience": word(rng.randint(1, 20))}
        elif kind == 1:
            yield "/topics/pain/", {"page": str(rng.randint(2, 10**6))}
        elif kind == 2:
            yield "/search/", {"q": " ".join(word(rng.randint(3, 9)) for _ in range(rng.randint(1, 8)))[:100]}
        elif kind == 3:
            yield "/search/", {"q": "claim", "page": str(rng.randint(1, 10**5))}
        else:
            yield f"/articles/{word(12)}/", {}


def measure(code: Path, requests: int, redis_url: str) -> dict:
    """Run inside a child process whose sys.path starts at `code`: serve the requests, count keys."""
    sys.path.insert(0, str(code))
    os.chdir(code)
    os.environ["DJANGO_SETTINGS_MODULE"] = "oracle.settings_test"
    os.environ["REDIS_URL"] = redis_url
    prefix = f"bench-cache-bound-{uuid.uuid4().hex[:12]}"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    # override_settings also drops the cache connections made at start-up without the prefix
    override_settings(CACHES={"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}).enable()
    settings.ORACLE_PAGE_CACHE = True
    connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    import redis

    store = redis.Redis.from_url(redis_url)
    try:
        from articles.models import Topic
        from tests.helpers import make_article, publish_directly

        topic = Topic.objects.create(name="Pain", slug="pain")
        for n in range(3):
            publish_directly(make_article(question=f"Is answer {n} safe?", slug=f"answer-{n}", topic=topic))
        client = Client()
        statuses = {}
        for path, params in made_up_requests(requests):
            status = client.get(path, params).status_code
            statuses[status] = statuses.get(status, 0) + 1
        keys = [key for key in store.scan_iter(f"{prefix}:*", count=1000) if b"oracle:page:" in key]
        size = sum(store.memory_usage(key) or 0 for key in keys)
        return {"entries": len(keys), "bytes": size, "statuses": statuses}
    finally:
        for key in store.scan_iter(f"{prefix}:*", count=1000):
            store.delete(key)
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(code: Path, requests: int, redis_url: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", str(code), "--requests", str(requests)]
        + ["--redis", redis_url],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")},
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"the run on {code} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--against", default="main", help="the git revision to compare with")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.requests, args.redis)))
        return

    with tempfile.TemporaryDirectory() as other:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", other], input=archive.stdout, check=True)
        results = {
            args.against: run(Path(other), args.requests, args.redis),
            "this checkout": run(ROOT, args.requests, args.redis),
        }

    print(
        f"{args.requests} made-up requests (answer ?audience=, topic ?page=, search ?q= and ?page=, made-up addresses)"
    )
    print(f"{'':16}{'page entries':>14}{'bytes':>14}{'entries/100 req':>17}  statuses")
    for name, figures in results.items():
        per = 100 * figures["entries"] / args.requests
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(figures["statuses"].items()))
        print(f"{name:16}{figures['entries']:>14,}{figures['bytes']:>14,}{per:>17.1f}  {statuses}")


if __name__ == "__main__":
    main()
