"""The per-process page generation kept current over Redis pub/sub (real Redis on loopback)."""

import time
import uuid

import pytest
import redis

from articles.public_cache import GenerationWatcher

REDIS_URL = "redis://127.0.0.1:6379/9"
# Unique per run: test runs on the same machine must not hear each other.
KEY = CHANNEL = f"test:oracle:page-generation:{uuid.uuid4().hex}"


@pytest.fixture
def store():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.set(KEY, 100)
    yield client
    client.delete(KEY)
    client.close()


def _watcher(store, **kwargs):
    return GenerationWatcher(REDIS_URL, read=lambda: int(store.get(KEY)), channel=CHANNEL, **kwargs)


def _eventually(predicate, seconds=3.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_a_bump_announced_by_another_process_is_heard_without_reading_the_cache(store):
    reads = []
    watcher = GenerationWatcher(
        REDIS_URL, read=lambda: reads.append(1) or int(store.get(KEY)), recheck_seconds=60, channel=CHANNEL
    )
    try:
        assert watcher.current() is None  # not subscribed yet: callers read the cache
        assert _eventually(lambda: watcher.current() == 100)
        reads_when_live = len(reads)
        store.set(KEY, 101)
        store.publish(CHANNEL, 101)
        assert _eventually(lambda: watcher.current() == 101)
        assert len(reads) == reads_when_live  # heard, not polled
        for _ in range(1000):
            watcher.current()
        assert len(reads) == reads_when_live
    finally:
        watcher.stop()


def test_an_older_or_repeated_announcement_never_moves_the_generation_back(store):
    watcher = _watcher(store, recheck_seconds=60)
    try:
        assert _eventually(lambda: watcher.current() == 100)
        store.publish(CHANNEL, 250)
        assert _eventually(lambda: watcher.current() == 250)
        store.publish(CHANNEL, 120)
        time.sleep(0.2)
        assert watcher.current() == 250
    finally:
        watcher.stop()


def test_a_lost_announcement_is_caught_up_by_the_periodic_recheck(store):
    watcher = _watcher(store, recheck_seconds=0.2)
    try:
        assert _eventually(lambda: watcher.current() == 100)
        store.set(KEY, 300)  # stored, never announced
        assert _eventually(lambda: watcher.current() == 300, seconds=2)
    finally:
        watcher.stop()


def test_without_a_subscription_callers_fall_back_to_reading_the_cache():
    watcher = GenerationWatcher("redis://127.0.0.1:1/0", read=lambda: 7, retry_seconds=0.05)
    try:
        for _ in range(20):
            assert watcher.current() is None
            time.sleep(0.01)
    finally:
        watcher.stop()


def test_a_dropped_connection_falls_back_until_resubscribed(store):
    watcher = _watcher(store, retry_seconds=0.05, recheck_seconds=60)
    try:
        assert _eventually(lambda: watcher.current() == 100)
        # Kill the subscriber's connection server-side, as a Redis restart would.
        (mine,) = [c["id"] for c in store.client_list(_type="pubsub") if c["name"] == watcher.client_name]
        store.client_kill_filter(_id=mine)
        store.set(KEY, 400)
        # It either notices the loss (falls back to None, then re-reads) or already re-read;
        # it must never keep answering the old value once resubscribed.
        assert _eventually(lambda: watcher.current() == 400)
    finally:
        watcher.stop()
