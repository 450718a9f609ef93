import json
import re
import xml.etree.ElementTree as ET

import pytest
from reversion.models import Version

from articles.models import Publication, SitePage
from articles.publishing import article_publish
from reviews.importing.write import review_import_pages
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import make_article, publish_directly

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


# schema.org's MedicalAudienceType: the only audienceType values a MedicalAudience may carry.
MEDICAL_AUDIENCE_TYPES = {"Clinician", "MedicalResearcher", "Patient"}


def test_json_ld_audiences_are_valid_schema_org_audiences(client, editor, board_member):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    article.summary_patient = "Usually, for a few days."
    article.summary_student = "What the trials say."
    article.save()
    review_approve(
        review=review_start(review=review_submit(article=article, by=editor), by=board_member), by=board_member
    )

    audiences = json_ld(client.get("/articles/is-naproxen-safe/").content.decode())["audience"]

    assert len(audiences) == 3  # professionals (the default summary), patients, students
    for audience in audiences:
        if audience["@type"] == "MedicalAudience":
            assert audience["audienceType"] in MEDICAL_AUDIENCE_TYPES
    assert {a.get("audienceType") for a in audiences} >= {"Clinician", "Patient"}
    assert {"@type": "EducationalAudience", "educationalRole": "student"} in audiences


def test_json_ld_citations_carry_their_doi_pmid_and_url(client):
    from references.models import Reference

    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe", references=3)
    with_all, doi_only, bare = Reference.objects.order_by("pk")
    Reference.objects.filter(pk=with_all.pk).update(
        doi="10.1000/xyz123", pmid="12345678", url="https://example.org/study"
    )
    Reference.objects.filter(pk=doi_only.pk).update(doi="10.1000/abc")
    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    citations = {c["name"]: c for c in json_ld(client.get("/articles/is-naproxen-safe/").content.decode())["citation"]}

    assert citations[with_all.title]["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1000/xyz123"},
        {"@type": "PropertyValue", "propertyID": "PMID", "value": "12345678"},
    ]
    assert citations[with_all.title]["url"] == "https://example.org/study"
    assert citations[doi_only.title]["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.1000/abc",
    }
    assert citations[doi_only.title]["url"] == "https://doi.org/10.1000/abc"
    assert "identifier" not in citations[bare.title] and "url" not in citations[bare.title]


def test_json_ld_never_breaks_out_of_its_script_element(client):
    article = make_article(question="Is </script><script>alert(1)</script> <!-- safe?", slug="hostile")
    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    html = client.get("/articles/hostile/").content.decode()

    data = json_ld(html)
    assert data["name"] == "Is </script><script>alert(1)</script> <!-- safe?"
    assert html.count("<script") == 3  # oracle.js, the JSON-LD block and error_reports.js


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
    assert entry.find(f"{ATOM}link").get("href") == "http://127.0.0.1:8000/articles/is-ibuprofen-safe/"
    assert entry.find(f"{ATOM}updated").text.startswith(str(approved.published_at.year))


def test_atom_entries_have_absolute_ids_and_the_board_as_author(client, settings, approved, editor, board_member):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    article = approved.article
    article.summary_patient = "Usually, for a few days or less."
    article.save()
    review_approve(
        review=review_start(review=review_submit(article=article, by=editor), by=board_member), by=board_member
    )

    # Addresses come from ORACLE_BASE_URL, never from the Host header of the request.
    feed = ET.fromstring(client.get("/feed/", HTTP_HOST="mirror.example").content)

    base = "http://127.0.0.1:8000"
    assert feed.find(f"{ATOM}id").text == f"{base}/"
    assert {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")} == {
        "alternate": f"{base}/",
        "self": f"{base}/feed/",
    }
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text == f"{base}/articles/is-ibuprofen-safe/v/2/"  # a new id for each version
    assert entry.find(f"{ATOM}link").get("href") == f"{base}/articles/is-ibuprofen-safe/"
    author = entry.find(f"{ATOM}author")
    assert author.find(f"{ATOM}name").text == "Oracle Medical Advisory Board"
    assert author.find(f"{ATOM}uri").text == f"{base}/advisory-board/"
    assert "mirror.example" not in ET.tostring(feed, encoding="unicode")


def test_feed_and_sitemap_hold_no_drafts(client, approved):
    make_article(question="Is a draft safe?", slug="draft-only")

    assert b"draft-only" not in client.get("/feed/").content
    assert b"draft-only" not in client.get("/sitemap.xml").content


def sitemap_urls(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return {u.find(f"{ns}loc").text: u.find(f"{ns}lastmod") for u in root.findall(f"{ns}url")}


def test_sitemap_has_answers_with_lastmod(client, approved):
    urls = sitemap_urls(client)

    assert urls["http://127.0.0.1:8000/articles/is-ibuprofen-safe/"].text == approved.published_at.date().isoformat()
    assert "http://127.0.0.1:8000/editorial-policy/" in urls
    assert "http://127.0.0.1:8000/advisory-board/" in urls


def test_sitemap_lists_the_evidence_grades_and_the_topics_with_answers(client, approved):
    from articles.models import Topic

    topic = Topic.objects.create(name="Pain relief", slug="pain-relief")
    Topic.objects.create(name="Empty topic", slug="empty-topic")
    make_article(
        question="Is a draft safe?", slug="draft-only", topic=Topic.objects.create(name="Drafts", slug="drafts")
    )
    article = approved.article
    article.topic = topic
    article.save()

    urls = sitemap_urls(client)

    assert "http://127.0.0.1:8000/evidence-grades/" in urls
    assert urls["http://127.0.0.1:8000/topics/pain-relief/"].text == approved.published_at.date().isoformat()
    assert client.get("/topics/pain-relief/").status_code == 200
    # a topic readers would find empty is not offered to search engines
    assert not any("/topics/empty-topic/" in url or "/topics/drafts/" in url for url in urls)


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_parts(client):
    """(the index's part addresses, path → the addresses each part lists); fails unless /sitemap.xml is an index."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP_NS}sitemapindex"
    parts = [s.find(f"{SITEMAP_NS}loc").text for s in root.findall(f"{SITEMAP_NS}sitemap")]
    listed = {}
    for address in parts:
        path = address.removeprefix("http://127.0.0.1:8000")
        part = client.get(path)
        assert part.status_code == 200, path
        assert part["Content-Type"] == "application/xml"
        urlset = ET.fromstring(part.content)
        assert urlset.tag == f"{SITEMAP_NS}urlset"
        listed[path] = [u.find(f"{SITEMAP_NS}loc").text for u in urlset.findall(f"{SITEMAP_NS}url")]
    return parts, listed


def test_sitemap_is_one_file_while_every_address_fits_in_one(client, approved, settings):
    settings.ORACLE_SITEMAP_PAGE_SIZE = 50

    root = ET.fromstring(client.get("/sitemap.xml").content)

    assert root.tag == f"{SITEMAP_NS}urlset"
    assert "http://127.0.0.1:8000/articles/is-ibuprofen-safe/" in sitemap_urls(client)


def test_sitemap_becomes_an_index_of_parts_past_the_page_size(client, approved, settings):
    settings.ORACLE_SITEMAP_PAGE_SIZE = 2
    more = [publish_directly(make_article(question=f"Is drug {n} safe?", slug=f"drug-{n}")) for n in range(4)]
    make_article(question="Is a draft safe?", slug="draft-only")

    parts, listed = sitemap_parts(client)

    assert parts[:3] == [
        "http://127.0.0.1:8000/sitemap-answers-1.xml",
        "http://127.0.0.1:8000/sitemap-answers-2.xml",
        "http://127.0.0.1:8000/sitemap-answers-3.xml",
    ]
    assert all(len(urls) <= 2 for urls in listed.values())
    everything = [url for urls in listed.values() for url in urls]
    assert len(everything) == len(set(everything)), "an address is in two parts"
    answers = {f"http://127.0.0.1:8000/articles/{p.article.slug}/" for p in [approved, *more]}
    assert answers <= set(everything)
    assert not any("draft-only" in url for url in everything)
    # the trust pages and the home are still listed, in parts of their own
    assert "http://127.0.0.1:8000/editorial-policy/" in everything
    assert "http://127.0.0.1:8000/" in everything
    index = ET.fromstring(client.get("/sitemap.xml").content)
    newest = max(p.published_at for p in [approved, *more]).date().isoformat()
    assert index.find(f"{SITEMAP_NS}sitemap/{SITEMAP_NS}lastmod").text.startswith(newest)


def test_sitemap_parts_that_do_not_exist_are_404_and_appear_once_they_do(client, approved, settings):
    settings.ORACLE_SITEMAP_PAGE_SIZE = 2

    for path in ("/sitemap-answers-2.xml", "/sitemap-answers-0.xml", "/sitemap-drafts-1.xml", "/sitemap-answers-x.xml"):
        assert client.get(path).status_code == 404, path
    for n in range(2):
        publish_directly(make_article(question=f"Is drug {n} safe?", slug=f"drug-{n}"))

    # the 404 was not kept: the page exists now that there are three answers
    assert client.get("/sitemap-answers-2.xml").status_code == 200


def test_a_sitemap_part_costs_the_same_queries_for_more_answers(
    client, approved, settings, django_assert_max_num_queries
):
    settings.ORACLE_SITEMAP_PAGE_SIZE = 100
    settings.ORACLE_PAGE_CACHE = False
    for n in range(6):
        publish_directly(make_article(question=f"Is drug {n} safe?", slug=f"drug-{n}"))

    with django_assert_max_num_queries(2):  # the count and the page
        response = client.get("/sitemap-answers-1.xml")

    assert response.content.count(b"<url>") == 7


def test_robots_txt_points_to_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()

    assert "Disallow: /admin/" in text
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text


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


HOSTILE_SUMMARY = "Take <img src=x onerror=alert(1)> or &lt;img src=y onerror=alert(2)&gt; with food"


@pytest.fixture
def hostile(editor, board_member):
    article = make_article(question="Is \u202eibuprofen\u202c safe?", slug="hostile", summary=HOSTILE_SUMMARY)
    review_approve(
        review=review_start(review=review_submit(article=article, by=editor), by=board_member), by=board_member
    )
    return article


def test_feed_summaries_are_plain_text_that_feed_readers_never_render(client, hostile):
    response = client.get("/feed/")
    [entry] = ET.fromstring(response.content).findall(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")

    assert summary.get("type") == "text"  # shown as written, never parsed as HTML
    assert summary.text.startswith("Take <img src=x onerror=alert(1)> or <img src=y onerror=alert(2)> with food")
    assert entry.find(f"{ATOM}title").get("type") in (None, "text")
    assert entry.find(f"{ATOM}title").text == "Is ibuprofen safe?"  # the direction override removed
    assert b'type="html"' not in response.content


def test_json_ld_of_a_hostile_summary_is_inert_text(client, hostile):
    html = client.get("/articles/hostile/").content.decode()
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)

    assert "<" not in block and ">" not in block  # cannot close the script element
    data = json.loads(block)
    assert data["description"].startswith("Take <img src=x onerror=alert(1)>")
    assert data["name"] == "Is ibuprofen safe?"
    assert "<img" not in html.replace(block, "")  # nowhere on the page as markup


def test_the_feed_of_a_publication_stored_with_control_characters_is_still_valid_xml(client, hostile):
    # Stored before content was cleaned on save (a publication is immutable: only a raw update).
    Publication.objects.filter(article=hostile).update(summary_text="Bad\x02 and\x03 worse \u200bzero")

    summary = ET.fromstring(client.get("/feed/").content).find(f"{ATOM}entry/{ATOM}summary")

    assert summary.text == "Bad and worse zero"
