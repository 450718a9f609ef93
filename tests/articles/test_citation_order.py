"""References are numbered in the order readers see them cited, wherever the number is used — the
page's reference list, a source notice on a re-rendered page or permalink, the JSON-LD and the
publication's citation rows — whatever order the stored snapshot's mapping comes back in
(PostgreSQL's jsonb keeps object keys shortest first, not in citation order)."""

import re

import pytest

from articles import answer_page
from articles.models import Publication
from articles.rendering import citation_order, render_body_html
from articles.seo import medical_web_page
from tests.helpers import ArticleFactory, ClaimFactory, ReferenceFactory, SectionFactory, publish_directly

pytestmark = pytest.mark.django_db

LONG = "a-long-key-cited-first-in-the-summary"
SHORT = "b"


def _listed_keys(html: str, content: dict) -> list[str]:
    """The references' titles in the order the rendered reference list numbers them, as keys."""
    by_title = {ref["title"]: key for key, ref in content["references"].items()}
    items = re.findall(r'<li class="reference" id="ref-(\d+)".*?<span class="reference-title">(.*?)</span>', html, re.S)
    return [by_title[title] for _, title in sorted(items, key=lambda item: int(item[0]))]


@pytest.fixture
def publication():
    first = ReferenceFactory(key=LONG, title="The long one")
    second = ReferenceFactory(key=SHORT, title="The short one")
    article = ArticleFactory(summary=f"Short answer [@{first.key}]")
    section = SectionFactory(article=article, heading="Evidence", position=0)
    ClaimFactory(section=section, text=f"A claim [@{second.key}]", position=0)
    publish_directly(article)
    return Publication.objects.get(article=article)  # as stored: on PostgreSQL the mapping is reordered


def test_the_order_is_the_renderers_whatever_the_mappings_order():
    references = {key: {"key": key, "title": key, "kind": "research", "kind_label": "Study"} for key in (SHORT, LONG)}
    content = {
        "question": "Q?",
        "summary": f"Answer [@{LONG}]",
        "sections": [{"heading": "H", "audience": "", "claims": [{"text": f"Claim [@{SHORT}]"}]}],
        "references": references,  # shortest first, as jsonb returns it
    }
    assert citation_order(content) == [LONG, SHORT]
    assert citation_order({**content, "references": dict(reversed(references.items()))}) == [LONG, SHORT]


def test_a_notice_lands_on_the_reference_it_is_about(publication):
    def flag_short(keys):
        return {SHORT: "Retracted in 2026."} if SHORT in keys else {}

    answer_page.register_source_notices(flag_short)
    try:
        notices = answer_page.source_notices(publication)
    finally:
        answer_page._NOTICE_PROVIDERS.remove(flag_short)
    assert notices == {2: "Retracted in 2026."}
    assert _listed_keys(publication.html, publication.content)[1] == SHORT


def test_json_ld_and_citation_rows_follow_the_pages_numbers(publication):
    listed = _listed_keys(render_body_html(publication.content), publication.content)
    assert listed == [LONG, SHORT]
    page = medical_web_page(publication, url="https://example.org/a/")
    assert [work["name"] for work in page["citation"]] == ["The long one", "The short one"]
    rows = dict(publication.citations.values_list("reference__key", "number"))
    assert rows == {LONG: 1, SHORT: 2}
