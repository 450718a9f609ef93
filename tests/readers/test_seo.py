import json
import re
import xml.etree.ElementTree as ET

import pytest
from reversion.models import Version

from articles.models import Publication, SitePage
from articles.publishing import article_publish
from reviews.importing.write import review_import_pages
from reviews.services import review_approve, review_start, review_submit
from tests.factories import make_article

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def json_ld(html):
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


@pytest.fixture
def approved(editor, board_member):
    article = make_article(question="Is ibuprofen safe?", slug="is-ibuprofen-safe")
    article.summary_patient = "Usually, for a few days."
    article.save()
    review = review_approve(
        review=review_start(review=review_submit(article=article, by=editor), by=board_member), by=board_member
    )
    return review.publication


def test_json_ld_is_a_medical_web_page_with_review_citations_and_audience(client, approved):
    data = json_ld(client.get("/articles/is-ibuprofen-safe/").content.decode())

    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == "Is ibuprofen safe?"
    assert data["lastReviewed"] == approved.reviewed_on.isoformat()
    assert data["reviewedBy"] == [{"@type": "Person", "name": "Dr. Bo Reviewer", "honorificSuffix": "MD, FACP"}]
    assert [c["name"] for c in data["citation"]] == [r["title"] for r in approved.content["references"].values()]
    assert {"@type": "MedicalAudience", "audienceType": "Patient"} in data["audience"]
    assert data["url"] == "http://127.0.0.1:8000/articles/is-ibuprofen-safe/"  # ORACLE_BASE_URL, not the Host header


def test_json_ld_never_breaks_out_of_its_script_element(client):
    article = make_article(question="Is </script><script>alert(1)</script> <!-- safe?", slug="hostile")
    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    html = client.get("/articles/hostile/").content.decode()

    data = json_ld(html)
    assert data["name"] == "Is </script><script>alert(1)</script> <!-- safe?"
    assert html.count("<script") == 2  # oracle.js and the JSON-LD block


def test_imported_answers_credit_the_previous_sites_review(client, demo_page):
    review_import_pages([demo_page], publish=True)

    data = json_ld(client.get("/articles/is-baclofen-safe-for-treating-back-pain/").content.decode())

    assert data["reviewedBy"][0]["@type"] == "Organization"
    assert data["lastReviewed"] == "2025-10-17"
    assert len(data["citation"]) == 7


def test_open_graph_and_canonical_tags(client, approved):
    html = client.get("/articles/is-ibuprofen-safe/", {"audience": "patient"}).content.decode()

    assert '<link rel="canonical" href="http://127.0.0.1:8000/articles/is-ibuprofen-safe/">' in html
    assert '<meta property="og:title" content="Is ibuprofen safe?">' in html
    assert '<meta property="og:type" content="article">' in html


def test_atom_feed_lists_new_and_updated_answers(client, approved):
    response = client.get("/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Is ibuprofen safe?"
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/articles/is-ibuprofen-safe/"
    assert entry.find(f"{ATOM}updated").text.startswith(str(approved.published_at.year))


def test_feed_and_sitemap_hold_no_drafts(client, approved):
    make_article(question="Is a draft safe?", slug="draft-only")

    assert b"draft-only" not in client.get("/feed/").content
    assert b"draft-only" not in client.get("/sitemap.xml").content


def test_sitemap_has_answers_with_lastmod(client, approved):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

    urls = {u.find(f"{ns}loc").text: u.find(f"{ns}lastmod") for u in root.findall(f"{ns}url")}
    assert urls["http://testserver/articles/is-ibuprofen-safe/"].text == approved.published_at.date().isoformat()
    assert "http://testserver/editorial-policy/" in urls


def test_robots_txt_points_to_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()

    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_trust_pages_are_edited_in_the_admin_and_versioned(client, editor):
    client.force_login(editor)
    page = SitePage.objects.get(slug="editorial-policy")

    response = client.post(
        f"/admin/articles/sitepage/{page.pk}/change/",
        {"title": "Editorial policy", "body": "## Our rules\n\nWe cite **everything**. <script>x</script>"},
    )

    assert response.status_code == 302
    html = client.get("/editorial-policy/").content.decode()
    assert "<h2>Our rules</h2>" in html and "<strong>everything</strong>" in html
    assert "<script>x</script>" not in html
    assert Version.objects.get_for_object(page).get().revision.user == editor


def test_every_answer_links_to_the_editorial_policy(client, approved):
    assert (
        'href="/editorial-policy/">View editorial policy' in client.get("/articles/is-ibuprofen-safe/").content.decode()
    )
