"""What's new (issue 16, Deliver 5): practice-changing and major updates, newest first, paginated,
linked from the site's navigation, with its own Atom feed; withdrawn answers never appear, and
publishing or withdrawing retires the cached page and feed (`articles/change_notes.py`)."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Publication
from articles.publishing import article_withdraw_from_public
from articles.views import WHATS_NEW_PAGE_SIZE
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import LITERATURE_THROUGH, UserFactory, make_article

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def approve(article, *, editor, board, change_class, note):
    review = review_start(review=review_submit(article=article, by=editor), by=board)
    review_approve(
        review=review,
        by=board,
        change_class=change_class,
        change_note=note,
        literature_confirmed=LITERATURE_THROUGH,
    )
    return Article.objects.select_related("current_publication").get(pk=article.pk)


@pytest.fixture
def updates(editor, board_member):
    """One answer per class, published in this order (oldest first)."""
    made = {}
    for n, change_class in enumerate(["practice-changing", "major", "minor", "editorial"]):
        article = make_article(question=f"Is drug {change_class} safe?", slug=f"drug-{change_class}")
        made[change_class] = approve(
            article, editor=editor, board=board_member, change_class=change_class, note=f"Note {change_class}."
        )
        # distinct publication times, newest last
        Publication.objects.filter(pk=made[change_class].current_publication_id).update(
            published_at=timezone.now() - datetime.timedelta(hours=10 - n)
        )
    return made


def test_lists_practice_changing_and_major_updates_newest_first(client, updates):
    response = client.get("/whats-new/")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.index("Is drug major safe?") < html.index("Is drug practice-changing safe?")  # newest first
    assert "Note major." in html and "Note practice-changing." in html
    assert "Practice-changing update" in html and "Major update" in html
    assert "Is drug minor safe?" not in html and "Is drug editorial safe?" not in html
    assert "Public" in response["Cache-Control"].title()


def test_imported_answers_are_not_listed(client, demo):
    assert demo.slug not in client.get("/whats-new/").content.decode()


def test_the_navigation_links_to_it(client, updates):
    html = client.get("/").content.decode()
    assert '<a href="/whats-new/">What’s new</a>' in html


def test_pages_and_their_canonical_numbers(client, editor, board_member):
    board2 = UserFactory(username="board-two", groups=["Medical Advisory Board"])
    for n in range(WHATS_NEW_PAGE_SIZE + 1):
        article = make_article(question=f"Question {n}?", slug=f"question-{n}", sections=1, claims_per_section=1)
        approve(article, editor=editor, board=board_member if n % 2 else board2, change_class="major", note=f"N{n}.")

    first = client.get("/whats-new/").content.decode()
    second = client.get("/whats-new/?page=2")
    assert "Page 1 of 2" in first
    assert second.status_code == 200 and "Question 0?" in second.content.decode()
    assert client.get("/whats-new/?page=3")["Location"].endswith("/whats-new/?page=2")
    assert client.get("/whats-new/?page=01").status_code == 302


def test_the_query_count_does_not_grow_with_the_list(client, updates, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # count, page
        response = client.get("/whats-new/")
    assert response.status_code == 200


def test_a_withdrawn_answer_is_gone_from_the_page_and_the_feed_and_the_cache_is_retired(client, updates, board_member):
    major = updates["major"]
    assert "Is drug major safe?" in client.get("/whats-new/").content.decode()
    assert b"Is drug major safe?" in client.get("/whats-new/feed/").content
    assert client.get("/whats-new/")["X-Cache"] == "hit"
    assert client.get("/whats-new/feed/")["X-Cache"] == "hit"

    article_withdraw_from_public(article=major, by=board_member, reason="Safety signal.")

    page = client.get("/whats-new/")
    feed = client.get("/whats-new/feed/")
    assert "Is drug major safe?" not in page.content.decode()
    assert b"Is drug major safe?" not in feed.content
    assert b"Note major." not in feed.content and b"Note major." not in page.content
    assert page["X-Cache"] != "hit" and feed["X-Cache"] != "hit"


def test_a_new_major_update_retires_the_cached_page(client, updates, editor, board_member):
    client.get("/whats-new/")
    assert client.get("/whats-new/")["X-Cache"] == "hit"

    article = make_article(question="Is a newer drug safe?", slug="newer-drug")
    approve(article, editor=editor, board=board_member, change_class="major", note="Brand new.")

    html = client.get("/whats-new/").content.decode()
    assert html.index("Is a newer drug safe?") < html.index("Is drug major safe?")


def test_the_feed_is_valid_atom_with_plain_text_summaries_and_configured_addresses(
    client, settings, updates, editor, board_member
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    article = make_article(question="Is <b>bold</b> safe?", slug="bold-drug")
    approve(article, editor=editor, board=board_member, change_class="major", note="<script>alert(1)</script> & dose")

    response = client.get("/whats-new/feed/", HTTP_HOST="mirror.example")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # well-formed XML

    assert feed.find(f"{ATOM}title").text == "Oracle: what's new"
    assert {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")} == {
        "alternate": f"{BASE}/whats-new/",
        "self": f"{BASE}/whats-new/feed/",
    }
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Is <b>bold</b> safe? (major update)",
        "Is drug major safe? (major update)",
        "Is drug practice-changing safe? (practice-changing update)",
    ]
    summary = entries[0].find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "<script>alert(1)</script> & dose"  # text, escaped in the XML
    assert b"<script>" not in response.content
    assert entries[0].find(f"{ATOM}id").text == f"{BASE}/articles/bold-drug/v/1/"
    assert entries[0].find(f"{ATOM}link").get("href") == f"{BASE}/articles/bold-drug/"
    assert b"mirror.example" not in response.content


def test_the_page_links_its_feed(client, updates):
    html = client.get("/whats-new/").content.decode()
    assert '''type="application/atom+xml" title="Oracle: what's new" href="/whats-new/feed/"''' in html


def test_the_sitemap_lists_it(client, updates):
    assert f"<loc>{BASE}/whats-new/</loc>".encode() in client.get("/sitemap.xml").content
