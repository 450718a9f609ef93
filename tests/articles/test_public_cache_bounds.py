"""The page cache cannot be filled or poisoned: only values a page really has are cached, search
pages share a bounded number of entries, and no request's host or scheme reaches a cached page."""

import uuid

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from articles.public_cache import LISTS, cached_public_page
from tests.helpers import make_article, publish_directly

pytestmark = pytest.mark.django_db
URL = "/articles/is-naproxen-safe/"


@pytest.fixture
def published():
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    publish_directly(article)
    return article


def page_entries() -> list[str]:
    """The cached pages (not the generations) the cache holds (the tests' cache is per-process memory)."""
    return [key for key in cache._cache if ":oracle:page:" in key]


@pytest.mark.parametrize(
    "query",
    [
        {"audience": "martian"},  # not an audience
        {"audience": "patient", "x": "1"},  # a parameter the page does not have
        {"page": "2"},  # a parameter of other pages
        {"audience": ["patient", "student"]},  # repeated
    ],
)
def test_values_a_page_does_not_have_are_served_but_never_cached(client, published, query):
    response = client.get(URL, query)

    assert response.status_code == 200 and "X-Cache" not in response
    assert page_entries() == []


def test_three_hundred_made_up_requests_store_nothing(client, published):
    for n in range(100):
        client.get(URL, {"audience": f"a{n}"})
        client.get(f"/articles/made-up-{n}/")  # 404s are not cached
        client.get("/topics/none/", {"page": str(n + 2)})

    assert page_entries() == []


def test_a_page_number_that_does_not_exist_redirects_to_the_last_real_page(client, published):
    from articles.models import Topic

    topic = Topic.objects.create(name="Pain", slug="pain")
    published.topic = topic
    published.save()
    url = f"/topics/{topic.slug}/"

    past = client.get(url, {"page": "999"})
    not_a_number = client.get(url, {"page": "abc"})
    zeros = client.get(url, {"page": "01"})

    assert (past.status_code, past["Location"]) == (302, url)  # one page of answers: page 1 is the address
    assert not_a_number.status_code == 302 and "X-Cache" not in not_a_number  # not cacheable at all
    assert (zeros.status_code, zeros["Location"]) == (302, url)
    assert page_entries() == []
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url, {"page": "1"})["X-Cache"] == "miss"  # a real page, written as it is
    assert len(page_entries()) == 2


def test_a_version_written_with_leading_zeros_redirects_to_its_one_address(client, published):
    response = client.get(f"{URL}v/0001/")

    assert (response.status_code, response["Location"]) == (301, f"{URL}v/1/")
    assert page_entries() == []


def test_search_pages_share_a_bounded_number_of_entries():
    """Search queries are unbounded by nature: whatever is asked, a page has at most `slots` entries."""
    calls = []

    @cached_public_page(scope=LISTS, parameters=("q",), slots=4)
    def view(request):
        calls.append(request.GET["q"])
        return HttpResponse(f"results for {request.GET['q']}")

    factory = RequestFactory()
    for n in range(60):
        response = view(factory.get("/search/", {"q": f"query {n}"}))
        assert response.content.decode() == f"results for query {n}"  # a slot never serves another query

    assert len(page_entries()) <= 4
    assert view(factory.get("/search/", {"q": "query 59"}))["X-Cache"] == "hit"


def test_the_search_view_is_bounded_the_same_way(client, published):
    for _ in range(40):
        assert client.get("/search/", {"q": f"naproxen {uuid.uuid4().hex}"}).status_code == 200

    from articles.views import SEARCH_CACHE_SLOTS

    assert 0 < len(page_entries()) <= min(40, SEARCH_CACHE_SLOTS)


# --- host and scheme -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/feed/", f"{URL}v/1/", URL, f"{URL}history/", "/"])
def test_an_attackers_port_and_scheme_never_reach_a_later_readers_page(client, published, path):
    """`Host: 127.0.0.1:31337` and `X-Forwarded-Proto: https` on the first (uncached) request."""
    poisoned = client.get(path, HTTP_HOST="127.0.0.1:31337", HTTP_X_FORWARDED_PROTO="https")
    later = client.get(path)

    assert poisoned.status_code == later.status_code == 200
    assert "X-Cache" not in poisoned  # a port the site does not serve on: never stored
    for response in (poisoned, later):
        assert b"31337" not in response.content
        assert b"https://127.0.0.1" not in response.content
    if path != "/" and not path.endswith("history/"):  # pages with absolute addresses: from ORACLE_BASE_URL
        assert b"http://127.0.0.1:8000/" in later.content


def test_the_key_holds_the_scheme_and_host(client, published):
    assert client.get(URL)["X-Cache"] == "miss"
    assert client.get(URL, HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https")["X-Cache"] == "miss"  # its own
    assert client.get(URL, HTTP_HOST="127.0.0.1:8000")["X-Cache"] == "miss"  # the base URL's host
    assert client.get(URL, HTTP_HOST="127.0.0.1:8000")["X-Cache"] == "hit"
    assert {key.split(":oracle:page:")[1].split(":")[0] for key in page_entries()} == {"http", "https"}


def test_a_pending_answers_canonical_address_is_the_configured_one(client, settings, editor):
    from reviews.services import review_submit

    settings.ORACLE_SHOW_PENDING = True
    review_submit(article=make_article(question="Is a new answer safe?", slug="pending"), by=editor)

    html = client.get("/articles/pending/", HTTP_HOST="localhost:31337").content.decode()

    assert '<link rel="canonical" href="http://127.0.0.1:8000/articles/pending/">' in html
    assert "31337" not in html


def test_a_server_reached_directly_on_its_own_port_is_cached(client, published):
    """gunicorn without a proxy: Host names the port the request really came in on."""
    direct = {"HTTP_HOST": "127.0.0.1:18299", "SERVER_PORT": "18299"}

    assert client.get(URL, **direct)["X-Cache"] == "miss"
    assert client.get(URL, **direct)["X-Cache"] == "hit"
    assert "X-Cache" not in client.get(URL, HTTP_HOST="127.0.0.1:18298", SERVER_PORT="18299")
