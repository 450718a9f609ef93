"""Readiness (`/readyz`): 200 only when the database and the cache answer, else 503 naming what
failed; liveness (`/healthz`) stays constant, so a load balancer can tell "restart me" from "wait"."""

import pytest

from articles import public_cache

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.django_db
def test_ready_when_the_database_and_cache_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"ready": True, "checks": {"database": "ok", "cache": "ok"}, "failed": []}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_not_ready_with_the_cache_unreachable(client, settings):
    settings.CACHES = DEAD_REDIS
    try:
        response = client.get("/readyz")
    finally:
        public_cache._down_until = 0.0

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert client.get("/healthz").status_code == 200  # alive: only not ready


def test_not_ready_without_the_database(client):
    """No database access at all here (pytest-django refuses every connection of this test)."""
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok"}
    assert "Database access not allowed" not in response.content.decode()  # no internals
    assert client.get("/healthz").content == b"ok\n"
