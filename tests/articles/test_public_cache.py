"""Whole-page caching of public pages: what is cached, that readers never see a stale page, and the
per-process page generation kept current over Redis pub/sub (real Redis on loopback)."""

import time
import uuid

import pytest
import redis

from articles.models import Claim, Publication
from articles.public_cache import GenerationWatcher
from articles.publishing import article_publish, article_withdraw_from_public
from reviews.models import BoardMember
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import make_article

pytestmark = pytest.mark.django_db
URL = "/articles/is-naproxen-safe/"


@pytest.fixture
def published(editor, board_member):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    review_approve(
        review=review_start(review=review_submit(article=article, by=editor), by=board_member), by=board_member
    )
    return article


def test_answer_page_costs_at_most_two_queries_uncached_and_none_cached(
    client, published, settings, django_assert_max_num_queries, django_assert_num_queries
):
    settings.ORACLE_PAGE_CACHE = False
    with django_assert_max_num_queries(2):
        assert client.get(URL).status_code == 200

    settings.ORACLE_PAGE_CACHE = True
    client.get(URL)
    with django_assert_num_queries(0):
        response = client.get(URL)
    assert response["X-Cache"] == "hit"


@pytest.mark.parametrize("url", ["/", "/feed/", "/editorial-policy/", "/advisory-board/"])
def test_other_public_pages_are_served_from_the_cache(client, published, url, django_assert_num_queries):
    client.get(url)

    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_readers_never_see_stale_content_after_an_approval(
    client, published, editor, board_member, django_capture_on_commit_callbacks
):
    assert "Claim 1.1" in client.get(URL).content.decode()
    claim = Claim.objects.filter(section__article=published).first()
    claim.text = claim.text.replace("Claim 1.1", "Naproxen raises blood pressure")
    claim.save()
    with django_capture_on_commit_callbacks(execute=True):
        review = review_start(review=review_submit(article=published, by=editor), by=board_member)
        review_approve(review=review, by=board_member)

    html = client.get(URL).content.decode()

    assert "Naproxen raises blood pressure" in html
    assert "Claim 1.1 " not in html


def test_readers_never_see_a_withdrawn_answer_from_the_cache(client, published, board_member):
    client.get(URL)
    client.get("/")

    article_withdraw_from_public(article=published, by=board_member, reason="Error found.")

    assert client.get(URL).status_code == 410
    assert "Is naproxen safe?" not in client.get("/").content.decode()


def test_the_tracker_updates_when_an_update_goes_into_review(client, published, editor):
    assert "An update to this answer is under review" not in client.get(URL).content.decode()

    review_submit(article=published, by=editor)

    assert "An update to this answer is under review" in client.get(URL).content.decode()


def test_a_board_profile_change_reaches_the_board_page_at_once(client, published, board_member):
    client.get("/advisory-board/")
    member = BoardMember.objects.get(user=board_member)
    member.specialty = "Rheumatology"
    member.save()

    assert "Rheumatology" in client.get("/advisory-board/").content.decode()


def test_a_404_is_never_cached_so_a_publication_shows_at_once(client):
    article = make_article(question="Is a late answer safe?", slug="late")
    assert client.get("/articles/late/").status_code == 404
    assert "X-Cache" not in client.get("/articles/late/")

    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    assert client.get("/articles/late/").status_code == 200


def test_conditional_requests_get_304(client, published):
    first = client.get(URL)

    assert first.has_header("ETag") and first.has_header("Last-Modified")
    assert "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_staff_messages_never_land_in_a_cached_public_page(client, published, admin_user):
    client.force_login(admin_user)
    client.post(
        f"/admin/articles/article/{published.pk}/withdraw-from-public/", {"reason": ""}
    )  # leaves an error message
    client.get("/")
    client.logout()

    assert "reason readers will see" not in client.get("/").content.decode()


def test_made_up_query_strings_are_served_but_never_cached(client, published):
    response = client.get(URL, {"utm_source": "x"})

    assert response.status_code == 200 and "X-Cache" not in response
    assert client.get(URL, {"audience": "patient"})["X-Cache"] == "miss"
    assert client.get(URL, {"audience": "patient"})["X-Cache"] == "hit"


def test_trust_pages_render_their_first_text_even_without_a_stored_row(client):
    from articles.models import SitePage

    SitePage.objects.all().delete()

    assert "How an answer is made" in client.get("/editorial-policy/").content.decode()
    assert "practising clinicians" in client.get("/advisory-board/").content.decode()


def test_one_page_written_two_ways_is_one_cache_entry(client, published):
    from django.test import RequestFactory

    from articles.public_cache import cache_path

    factory = RequestFactory()
    same = [
        factory.get("/search/?q=back%20%20pain&page=2"),
        factory.get("/search/?page=2&q=+back+pain"),
        factory.get("/search/", {"page": "2", "q": "back\tpain "}),
    ]
    assert {cache_path(request) for request in same} == {"/search/?page=2&q=back+pain"}
    assert cache_path(factory.get("/search/?q=Back+pain")) != cache_path(same[0])  # shown as typed
    assert cache_path(factory.get(URL)) == URL

    assert client.get(URL, {"audience": "patient"})["X-Cache"] == "miss"
    assert client.get(f"{URL}?audience=patient")["X-Cache"] == "hit"


def test_each_cache_announces_bumps_on_a_channel_of_its_own(settings):
    """Redis pub/sub channels are server-wide: sites on other databases or key prefixes of the
    same server (or a benchmark next to a test run) must not hear each other's generations."""
    from django.core.cache import cache

    from articles.public_cache import generation_channel

    channels = {generation_channel("redis://127.0.0.1:6379/5"), generation_channel("redis://127.0.0.1:6379/7")}
    assert len(channels) == 2
    assert generation_channel("redis://127.0.0.1:6379") == generation_channel("redis://127.0.0.1:6379/0")
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "other-site"}}  # a new cache

    assert cache.make_key("x").startswith("other-site")
    assert generation_channel("redis://127.0.0.1:6379/5") not in channels


def test_a_long_query_in_a_script_other_than_latin_is_cached_under_a_short_key(client, published):
    """Percent-encoded, 100 characters of Greek are 600: the key is their digest instead."""
    query = {"q": "π" * 100}

    first = client.get("/search/", query)
    second = client.get("/search/", query)

    assert first.status_code == second.status_code == 200
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert client.get("/search/", {"q": "π" * 99})["X-Cache"] == "miss"


# --- the generation watcher (real Redis on loopback) ---------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/13"
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
    for key in client.scan_iter(f"{KEY}*"):
        client.delete(key)
    client.close()


def _reader(store, reads=None):
    """Read generations as the site does (a scope never bumped is 0), from this test's keys."""

    def read(names):
        if reads is not None:
            reads.append(list(names))
        return {name: int(store.get(KEY if name == "site" else f"{KEY}:{name}") or 0) for name in names}

    return read


def _watcher(store, reads=None, **kwargs):
    return GenerationWatcher(REDIS_URL, read=_reader(store, reads), channel=CHANNEL, **kwargs)


def _eventually(predicate, seconds=3.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def _site(watcher):
    values = watcher.current(["site"])
    return values and values["site"]


def test_a_bump_announced_by_another_process_is_heard_without_reading_the_cache(store):
    reads = []
    watcher = _watcher(store, reads, recheck_seconds=60)
    try:
        assert watcher.current(["site"]) is None  # not subscribed yet: callers read the cache
        assert _eventually(lambda: _site(watcher) == 100)
        reads_when_live = len(reads)
        store.set(KEY, 101)
        store.publish(CHANNEL, "site=101")
        assert _eventually(lambda: _site(watcher) == 101)
        assert len(reads) == reads_when_live  # heard, not polled
        for _ in range(1000):
            watcher.current(["site"])
        assert len(reads) == reads_when_live
    finally:
        watcher.stop()


def test_an_answer_is_read_once_then_followed_by_its_announcements(store):
    reads = []
    watcher = _watcher(store, reads, recheck_seconds=60)
    try:
        assert _eventually(lambda: _site(watcher) == 100)
        store.set(f"{KEY}:answer:a", 7)
        assert watcher.current(["site", "answer:a"]) == {"site": 100, "answer:a": 7}
        reads_after_first = len(reads)
        store.set(f"{KEY}:answer:a", 8)
        store.publish(CHANNEL, "answer:a=8")
        assert _eventually(lambda: watcher.current(["site", "answer:a"]) == {"site": 100, "answer:a": 8})
        assert watcher.current(["site", "answer:b"]) == {"site": 100, "answer:b": 0}  # never bumped
        assert len(reads) == reads_after_first + 1  # b only: a was heard, not read again
    finally:
        watcher.stop()


def test_an_older_or_repeated_announcement_never_moves_the_generation_back(store):
    watcher = _watcher(store, recheck_seconds=60)
    try:
        assert _eventually(lambda: _site(watcher) == 100)
        store.publish(CHANNEL, 250)  # a bare number is the site-wide generation
        assert _eventually(lambda: _site(watcher) == 250)
        store.publish(CHANNEL, "site=120")
        time.sleep(0.2)
        assert _site(watcher) == 250
    finally:
        watcher.stop()


def test_a_lost_announcement_is_caught_up_by_the_periodic_recheck(store):
    watcher = _watcher(store, recheck_seconds=0.2)
    try:
        assert _eventually(lambda: _site(watcher) == 100)
        assert watcher.current(["site", "answer:a"])["answer:a"] == 0
        store.set(KEY, 300)  # stored, never announced
        store.set(f"{KEY}:answer:a", 5)
        assert _eventually(lambda: watcher.current(["site", "answer:a"]) == {"site": 300, "answer:a": 5}, seconds=2)
    finally:
        watcher.stop()


def test_without_a_subscription_callers_fall_back_to_reading_the_cache():
    watcher = GenerationWatcher("redis://127.0.0.1:1/0", read=lambda names: dict.fromkeys(names, 7), retry_seconds=0.05)
    try:
        for _ in range(20):
            assert watcher.current(["site"]) is None
            time.sleep(0.01)
    finally:
        watcher.stop()


def test_a_dropped_connection_falls_back_until_resubscribed(store):
    watcher = _watcher(store, retry_seconds=0.05, recheck_seconds=60)
    try:
        assert _eventually(lambda: _site(watcher) == 100)
        assert watcher.current(["site", "answer:a"])["answer:a"] == 0
        # Kill the subscriber's connection server-side, as a Redis restart would.
        (mine,) = [c["id"] for c in store.client_list(_type="pubsub") if c["name"] == watcher.client_name]
        store.client_kill_filter(_id=mine)
        store.set(KEY, 400)
        store.set(f"{KEY}:answer:a", 9)  # bumped while nobody listened
        # It either notices the loss (falls back to None, then re-reads) or already re-read;
        # it must never keep answering the old values once resubscribed.
        assert _eventually(lambda: watcher.current(["site", "answer:a"]) == {"site": 400, "answer:a": 9})
    finally:
        watcher.stop()
