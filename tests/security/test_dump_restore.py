"""`pg_dump` then `pg_restore` into a fresh database: every public page comes back byte-identical.

PostgreSQL only (the production database, and what the README's backup procedure documents).
"""

import shutil
import subprocess

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article, Publication
from tests.helpers import build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore: PostgreSQL only"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
    pytest.mark.skipif(shutil.which("pg_restore") is None, reason="pg_restore is not installed"),
]


def _libpq(settings_dict, name=None):
    """Connection arguments for the PostgreSQL command-line tools, and their environment."""
    args = ["--dbname", name or settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {"PGPASSWORD": settings_dict.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}
    return args, env


def public_paths():
    paths = ["/", "/feed/", "/sitemap.xml", "/robots.txt", "/advisory-board/", "/editorial-policy/"]
    paths += ["/evidence-grades/", "/search/?q=safe", "/api/answers/"]
    paths += [f"/topics/{slug}/" for slug in Article.objects.exclude(topic=None).values_list("topic__slug", flat=True)]
    for article in Article.objects.all():
        paths += [f"/articles/{article.slug}/", f"/articles/{article.slug}/history/", f"/api/answers/{article.slug}/"]
    for slug, number in Publication.objects.values_list("article__slug", "number"):
        paths.append(f"/articles/{slug}/v/{number}/")
    return sorted(set(paths))


def render_all(paths):
    client = Client(raise_request_exception=True)
    pages = {}
    for path in paths:
        response = client.get(path)
        pages[path] = (response.status_code, response.content)
    return pages


def test_every_public_page_is_identical_after_dump_and_restore(settings, tmp_path):
    settings.ORACLE_PAGE_CACHE = False  # each page from the database, never from the cache
    build_world()
    paths = public_paths()
    before = render_all(paths)
    assert sum(status == 200 for status, _ in before.values()) >= 20
    assert {status for status, _ in before.values()} <= {200, 404, 410}

    original = dict(connection.settings_dict)
    restored_name = f"{original['NAME']}_restored"
    args, env = _libpq(original)
    dump = tmp_path / "oracle.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *args], env=env, check=True)
    admin_args, _ = _libpq(original, name="postgres")
    subprocess.run(["dropdb", "--if-exists", *admin_args[2:], restored_name], env=env, check=True)
    subprocess.run(["createdb", *admin_args[2:], restored_name], env=env, check=True)
    try:
        restore_args, _ = _libpq(original, name=restored_name)
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *restore_args, str(dump)], env=env, check=True)
        connection.close()
        connection.settings_dict["NAME"] = restored_name
        assert connection.cursor() and connection.settings_dict["NAME"] == restored_name

        after = render_all(paths)

        differing = [path for path in paths if before[path] != after[path]]
        assert not differing, f"pages that differ after the restore: {differing}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original["NAME"]
        subprocess.run(["dropdb", "--if-exists", *admin_args[2:], restored_name], env=env, check=False)
