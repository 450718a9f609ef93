import pytest

from articles.rendering import render_content
from tests.helpers import assert_no_live_script


def content(summary="Answer.", claims=("Claim.",), references=None):
    return {
        "question": "Q?",
        "slug": "q",
        "summary_heading": "",
        "summary": summary,
        "sections": [{"heading": "H", "claims": [{"text": c} for c in claims]}],
        "references": references or {},
    }


def ref(key):
    return {
        "key": key,
        "kind": "research",
        "kind_label": "Research",
        "title": key.upper(),
        "authors": "",
        "source": "J",
        "year": 2020,
        "doi": "",
        "doi_url": "",
        "pmid": "",
        "pubmed_url": "",
        "url": "",
    }


def test_citations_are_numbered_by_first_appearance_across_summary_and_claims():
    body = render_content(
        content(summary="S [@b]", claims=["one [@a; @b]", "two [@c] [@a]"], references={k: ref(k) for k in "abc"})
    )

    assert [(r["number"], r["key"]) for r in body.references] == [(1, "b"), (2, "a"), (3, "c")]
    assert '<a href="#ref-1" id="cite-1-1"' in body.summary_html
    assert 'href="#ref-2" id="cite-2-1"' in body.sections[0]["claims"][0]["html"]
    assert 'href="#ref-1" id="cite-1-2"' in body.sections[0]["claims"][0]["html"]
    assert [link["id"] for link in body.references[1]["backlinks"]] == ["cite-2-1", "cite-2-2"]


def test_reference_list_holds_exactly_the_cited_references():
    body = render_content(content(claims=["[@a]"], references={"a": ref("a")}))

    assert [r["key"] for r in body.references] == ["a"]


def test_markdown_is_rendered():
    body = render_content(content(summary="**Bold** and *em*", claims=["`code` and [a link](https://example.org)"]))

    assert "<strong>Bold</strong>" in body.summary_html
    assert "<code>code</code>" in body.sections[0]["claims"][0]["html"]
    assert 'href="https://example.org"' in body.sections[0]["claims"][0]["html"]


def test_a_marker_inside_code_is_literal_text():
    body = render_content(content(claims=["`[@a]` is the syntax"], references={"a": ref("a")}))

    assert "<code>[@a]</code>" in body.sections[0]["claims"][0]["html"]
    assert body.references == []


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "[x](vbscript:msgbox(1))",
    "<iframe src=//evil.example>",
    '[x](https://ok.example "title" onmouseover=alert(1))',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_never_yields_live_html(payload):
    body = render_content(content(summary=payload, claims=[payload]))

    assert_no_live_script(body.summary_html)
    assert_no_live_script(body.sections[0]["claims"][0]["html"])


def test_unknown_key_renders_as_a_visible_problem_not_a_number():
    body = render_content(content(claims=["x [@nope]"]))

    assert "?nope" in body.sections[0]["claims"][0]["html"]
    assert body.references == []


@pytest.mark.parametrize(
    "html",
    ["<script>x</script>", '<a href="javascript:x">a</a>', '<p onclick="x">p</p>', '<a href=" data:text/html,x">a</a>'],
)
def test_the_safety_check_itself_catches_live_html(html):
    with pytest.raises(AssertionError):
        assert_no_live_script(html)
