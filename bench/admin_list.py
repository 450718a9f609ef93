"""The admin's article list with the bench data set: time and SQL queries (used by http_bench.py)."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oracle.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article  # noqa: E402

user, _ = get_user_model().objects.get_or_create(
    username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
)
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
url = "/admin/articles/article/"
client.get(url)
samples = []
for _ in range(5):
    start = time.perf_counter()
    assert client.get(url).status_code == 200
    samples.append((time.perf_counter() - start) * 1000)
with CaptureQueriesContext(connection) as queries:
    client.get(url)
count = len(queries)
with CaptureQueriesContext(connection) as queries:
    client.get(url, {"q": "safe"})  # a search narrows the list; the query count must not change with size
fewer = len(queries)
print(
    json.dumps(
        {
            "articles": Article.objects.count(),
            "admin_list_ms": statistics.median(samples),
            "queries": count,
            "queries_fewer": fewer,
            "queries_constant": abs(count - fewer) <= 1,
        }
    )
)
