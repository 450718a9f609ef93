import json
import re

import pytest
from django.urls import reverse

from articles.models import Publication
from articles.publishing import article_publish
from reviews.importing.write import review_import_pages
from tests.helpers import (
    ArticleFactory,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    assert_no_live_script,
    make_article,
)

pytestmark = pytest.mark.django_db

DEMO_URL = "/articles/is-baclofen-safe-for-treating-back-pain/"


@pytest.fixture
def demo_response(client, demo_page):
    review_import_pages([demo_page], publish=True)
    return client.get(DEMO_URL)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_answer_page_shows_everything_a_reader_sees(demo_response):
    html = demo_response.content.decode()
    text = text_of(html)

    assert demo_response.status_code == 200
    assert '<h1 class="answer-question">Is baclofen safe for treating back pain?</h1>' in html
    assert "Medical Advisory Board All articles are reviewed for accuracy by our Medical Advisory Board" in text
    assert "Educational purpose only" in text
    assert re.search(r'tracker-step--done".*Submitted', html) and re.search(r'tracker-step--done".*Under Review', html)
    assert re.search(r'tracker-step--current" aria-current="step">.*Approved', html)
    assert "Last updated: October 17, 2025" in text
    assert f'href="{reverse("editorial-policy")}">View editorial policy' in html
    assert "Reviewed on the previous site, October 17, 2025." in text
    assert (
        "Which best describes you? Your choice helps us use language that's most understandable for you."
        in text.replace("&#x27;", "'")
    )
    for audience in ["Patient or caregiver", "Healthcare professional", "Student"]:
        assert audience in text
    assert "Professional Medical Disclaimer" in text
    assert "Have a follow-up question?" in text
    for heading in [
        "Safety of Baclofen for Back Pain",
        "Evidence Against Baclofen Use in Back Pain",
        "Important Clinical Considerations",
    ]:
        assert f">{heading}</h2>" in html


def test_summary_is_bold_and_carries_its_citation_numbers(demo_response):
    html = demo_response.content.decode()

    summary = re.search(r'<div class="summary-answer audience-default">(.*?)</div>', html, re.S).group(1)
    assert "Baclofen is not recommended for treating back pain" in summary
    assert re.findall(r'href="#ref-(\d+)"', summary) == ["1", "2"]


def test_every_citation_links_to_its_reference_and_back(demo_response):
    html = demo_response.content.decode()

    citation_ids = set(re.findall(r'<a href="#ref-\d+" id="(cite-\d+-\d+)"', html))
    targets = set(re.findall(r'href="#ref-(\d+)"', html))
    reference_ids = re.findall(r'<li class="reference" id="ref-(\d+)" value="(\d+)"', html)
    backlinks = set(re.findall(r'<a href="#(cite-\d+-\d+)" aria-label="Back to citation', html))
    assert [n for n, _ in reference_ids] == ["1", "2", "3", "4", "5", "6", "7"]
    assert targets == {n for n, _ in reference_ids}
    assert backlinks == citation_ids
    # 2 in the summary and 28 in the claims, as printed on the example page
    assert len(citation_ids) == 30


def test_reference_list_shows_kind_title_and_source_in_citation_order(demo_response):
    text = text_of(demo_response.content.decode().split('id="references-heading"')[1])

    assert "Guideline Guideline Directed Topic Overview Dr.Oracle Medical Advisory Board &amp; Editors, 2025" in text
    assert (
        "Research The pharmacological management of chronic lower back pain. Expert opinion on pharmacotherapy, 2021"
        in text
    )
    assert (
        text.index("Medication Selection")
        < text.index("Treatment of Chronic Low Back Pain")
        < text.index("Chinese Medicine")
    )


def test_doi_and_pubmed_links_are_shown_when_present(client):
    ref = ReferenceFactory(doi="10.7326/M16-2367", pmid="28192789", kind="guideline", title="Noninvasive treatments")
    article = ArticleFactory(summary=f"Answer [@{ref.key}]")
    ClaimFactory(section=SectionFactory(article=article), text=f"Claim [@{ref.key}]")
    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'href="https://doi.org/10.7326/M16-2367"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/28192789/"' in html


def test_page_is_cacheable_and_identical_for_every_anonymous_reader(client, demo_page):
    review_import_pages([demo_page], publish=True)

    first = client.get(DEMO_URL)
    client.cookies["oracle_audience"] = "patient"
    second = client.get(DEMO_URL)

    assert first.content == second.content
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert "Cookie" not in first.get("Vary", "")
    assert "Set-Cookie" not in first
    assert client.get(DEMO_URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("sections", [2, 40])
def test_answer_page_query_count_does_not_grow_with_content(client, django_assert_max_num_queries, sections):
    article = make_article(sections=sections, claims_per_section=4, references=12)
    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    with django_assert_max_num_queries(2):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count('<li class="claim">') == sections * 4


def test_unpublished_article_is_not_found(client):
    article = make_article()

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404
    assert "There is no published answer at this address." in response.content.decode()
    assert article.summary not in response.content.decode()
    assert client.get("/articles/no-such-answer/").status_code == 404


def test_readers_see_the_publication_not_later_edits_to_the_draft(client):
    article = make_article()
    article_publish(article=article, origin=Publication.Origin.APPROVAL)
    article.question = "Edited but not reviewed?"
    article.save()
    claim = article.sections.first().claims.first()
    claim.text = "UNREVIEWED TEXT"
    claim.save()

    html = client.get(article.get_absolute_url()).content.decode()

    assert "UNREVIEWED TEXT" not in html
    assert "Edited but not reviewed?" not in html


def test_home_lists_published_answers_only(client):
    published = make_article(question="Is published safe?")
    article_publish(article=published, origin=Publication.Origin.APPROVAL)
    draft = make_article(question="Is draft safe?")

    html = client.get("/").content.decode()

    assert f'href="{published.get_absolute_url()}"' in html
    assert "Is published safe?" in html
    assert draft.question not in html


def test_home_query_count_is_constant(client, django_assert_max_num_queries):
    for _ in range(5):
        article_publish(article=make_article(), origin=Publication.Origin.APPROVAL)

    with django_assert_max_num_queries(3):  # newest, recently updated, topics
        client.get("/")


@pytest.mark.parametrize(
    "payload", ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]
)
def test_hostile_content_in_any_field_never_reaches_the_page_live(client, payload):
    ref = ReferenceFactory(title=f"Title {payload}", source=f"Source {payload}", authors=payload)
    article = ArticleFactory(
        question=f"Question {payload}?", summary_heading=payload, summary=f"{payload} [@{ref.key}]"
    )
    section = SectionFactory(article=article, heading=payload)
    ClaimFactory(section=section, text=f"{payload} [@{ref.key}]")
    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    for url in [article.get_absolute_url(), "/"]:
        html = client.get(url).content.decode()
        # Our own scripts only: oracle.js from /static/, and the JSON-LD data block (not executable),
        # which must parse and hold no "<" that could close its element.
        own = '<script src="/static/js/oracle.js"></script>'
        # and, on an answer page, the script that opens "Report a problem with this claim" inline
        reports = '<script src="/static/articles/error_reports.js" defer></script>'
        html = html.replace(reports, "")
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        for block in blocks:
            assert "<" not in block
            assert payload in str(json.loads(block))
        html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
        assert html.count("<script") == 1 and own in html
        # the page frame has our own follow-up form; the content itself is checked without it
        assert_no_live_script(html.replace(own, ""), allow_tags={"meta", "link", "form", "input"})
        assert html.count("<form") <= 1


def test_audience_choice_is_remembered_in_a_cookie_and_returns_to_the_page(client):
    response = client.get("/audience/", {"choice": "professional", "next": DEMO_URL})

    assert response.status_code == 302
    assert response["Location"] == DEMO_URL + "?audience=professional"
    assert response.cookies["oracle_audience"].value == "professional"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_audience_choice_never_redirects_off_site(client, next_url):
    response = client.get("/audience/", {"choice": "student", "next": next_url})

    assert response["Location"] == "/?audience=student"


def test_unknown_audience_sets_no_cookie(client):
    response = client.get("/audience/", {"choice": "<script>", "next": "/"})

    assert "oracle_audience" not in response.cookies


@pytest.mark.parametrize("url", ["/editorial-policy/", "/advisory-board/"])
def test_trust_pages_are_public(client, url):
    assert client.get(url).status_code == 200


def test_the_assembled_answer_page_is_exactly_the_rendered_template(client, rf, demo_page, settings):
    """The answer page is assembled around its stored parts from a frame rendered once; it must be
    byte for byte what the template renders, question escaping included."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    settings.ORACLE_PAGE_CACHE = False
    [result] = review_import_pages([demo_page], publish=True)
    publication = Publication.objects.get(pk=result.article.current_publication_id)
    Publication.objects.filter(pk=publication.pk).update(question="Is <b>baclofen</b> & co. safe?")
    publication.refresh_from_db()
    url = f"/articles/{result.article.slug}/"

    served = client.get(url).content.decode()
    rendered = render_to_string(
        "articles/article_detail.html",
        {
            "question": publication.question,
            "head_html": mark_safe(publication.head_html),
            "article_html": mark_safe(publication.page_html),
            "audience": "",
        },
        request=rf.get(url),
    )

    assert served == rendered
    assert "<title>Is &lt;b&gt;baclofen&lt;/b&gt; &amp; co. safe? · " in served
    # the no-JavaScript audience choice is rendered from the template as before
    assert '<html lang="en" data-audience="patient">' in client.get(url, {"audience": "patient"}).content.decode()
