"""Hostile and broken input: property tests (hypothesis) for the citation parser, the Markdown
renderer and the importer, and hostile posts to the admin's forms.

Any input either succeeds or fails with the documented error and a clear message: never an
unhandled exception, a 500, a partial write, or live markup (script, event handler, javascript: URL)
in what readers get. Example counts are bounded so the file runs in well under 30 s.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from articles.rendering import render_block, render_body_html, render_inline, render_trust_page, to_plain
from references.citations import MARKER_RE, Numbering, extract_keys, format_marker
from references.models import KEY_PATTERN, Reference
from reviews.importing.parse import PageFormatError, parse_page, read_page_text
from tests.helpers import EXAMPLE_PAGE, assert_no_live_script, build_world, form_fields, live_tags

settings.register_profile(
    "security",
    deadline=None,
    database=None,  # no example database written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("security")

FAST = settings(max_examples=300)
MEDIUM = settings(max_examples=120)
DB = settings(max_examples=30)
HTTP = settings(max_examples=12)

# What attackers and broken pastes put into text fields.
FRAGMENTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example>",
    "<style>body{display:none}</style>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus '",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "[y]: javascript:alert(1)\n\n[z][y]",
    "![i](https://evil.example/i.png)",
    "<https://example.org/ok>",
    "[ok](https://example.org/a?b=c&d=e)",
    "[@ref-1]",
    "[@ref-1; @ref-2]",
    "[@missing-key]",
    "[@",
    "[ @ref-1 , @ref-2 ]",
    "[@ref-1]]",
    "@ref-1",
    "**bold** _em_ `code`",
    "<!-- comment -->",
    "-->",
    "&lt;script&gt;",
    "&#x3C;script&#x3E;",
    "\x00",
    "\u2028\u2029",
    "\u202e",
    "# heading\n",
    "> quote\n",
    "- item\n",
    "1. item\n",
    "    indented code\n",
    "```\nfenced <script>\n```\n",
    "\n\n",
    "|a|b|\n|-|-|\n|1|2|\n",
]

hostile_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=12).map("".join),
)
key = st.from_regex(rf"\A{KEY_PATTERN}\Z", fullmatch=True).filter(lambda k: len(k) <= 80)


def assert_page_has_no_live_injection(html: str):
    """For whole pages (which have their own static scripts): no handler attribute, no inline or
    foreign script, no javascript:/data:/vbscript: URL anywhere."""
    for tag, attrs in live_tags(html):
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                scheme = urlsplit(re.sub(r"[\x00-\x20]", "", value)).scheme.lower()
                assert scheme in {"", "http", "https", "mailto"}, f"{name}={value!r} on <{tag}>"
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/") or attrs.get("type") == "application/ld+json", attrs


def assert_sanitised(html: str):
    assert "<script" not in html.lower()
    assert_no_live_script(html)


# --- the citation parser -----------------------------------------------------------------------


@FAST
@given(hostile_text)
def test_citation_parser_takes_any_text(text):
    keys = extract_keys(text)

    assert all(re.fullmatch(KEY_PATTERN, k) for k in keys)
    numbering = Numbering()
    numbering.see(text)
    assert sorted(numbering.numbers.values()) == list(range(1, len(set(keys)) + 1))
    assert numbering.keys == list(dict.fromkeys(keys))


@FAST
@given(st.lists(key, min_size=1, max_size=8), hostile_text, hostile_text)
def test_a_formatted_marker_reads_back_as_its_keys(keys, before, after):
    # text that ends in a partial marker or an unmatched "[" may swallow ours: keep them apart
    text = f"{before} {format_marker(keys)} {after}"
    assume(not MARKER_RE.search(before) and not MARKER_RE.search(after))
    assume("[" not in before and "]" not in after)

    assert extract_keys(text) == keys


# --- the Markdown renderer ---------------------------------------------------------------------


def _reference(key, title="A study", url="", authors="", source="", doi="", pmid=""):
    ref = Reference(key=key, kind=Reference.Kind.RESEARCH, title=title, authors=authors, source=source, year=2020)
    ref.url, ref.doi, ref.pmid = url, doi, pmid
    return ref.as_snapshot()


@FAST
@given(hostile_text)
def test_markdown_renders_any_text_sanitised(text):
    env = {"numbering": Numbering(), "known": {"ref-1", "ref-2"}}

    for html in (render_block(text, env), render_inline(text, env), render_trust_page(text)):
        assert_sanitised(html)
    to_plain(text)


@MEDIUM
@given(
    summary=hostile_text,
    heading=hostile_text,
    claims=st.lists(hostile_text, min_size=1, max_size=4),
    title=hostile_text,
    authors=hostile_text,
    source=hostile_text,
)
def test_an_answer_body_renders_any_content_sanitised(summary, heading, claims, title, authors, source):
    content = {
        "question": "Q?",
        "summary_heading": heading,
        "summary": summary + " [@ref-1]",
        "summary_variants": {"patient": summary},
        "sections": [{"heading": heading, "audience": "", "claims": [{"text": c + " [@ref-2]"} for c in claims]}],
        "references": {
            "ref-1": _reference("ref-1", title=title, authors=authors, source=source),
            "ref-2": _reference("ref-2", url="https://example.org/ok"),
        },
    }

    assert_sanitised(render_body_html(content))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>x</script>"])
def test_a_reference_url_is_never_a_live_script(url):
    content = {
        "question": "Q?",
        "summary_heading": "",
        "summary": "Yes [@ref-1]",
        "summary_variants": {},
        "sections": [{"heading": "H", "audience": "", "claims": [{"text": "C [@ref-1]"}]}],
        "references": {"ref-1": _reference("ref-1", url=url)},
    }

    assert_sanitised(render_body_html(content))


# --- the importer: parsing ---------------------------------------------------------------------

EXAMPLE_LINES = EXAMPLE_PAGE.read_text(encoding="utf-8").splitlines()


@st.composite
def page_texts(draw):
    """The example page, broken: lines dropped, duplicated, swapped and replaced by hostile text."""
    lines = list(EXAMPLE_LINES)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["drop", "dup", "insert", "swap", "replace"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if not lines:
            lines.append(draw(hostile_text))
        elif op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(
                i, draw(st.one_of(hostile_text, st.sampled_from(["• ", "References", "Guideline", "x, 2020"])))
            )
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = draw(hostile_text)
    return "\n".join(lines)


any_page = st.one_of(page_texts(), hostile_text)


@MEDIUM
@given(any_page)
def test_parse_page_returns_a_page_or_a_page_format_error(text):
    try:
        page = parse_page("page.txt", text)
    except PageFormatError as exc:
        assert str(exc).startswith("page.txt"), str(exc)
        assert exc.message.strip()
        return

    assert page.question and page.summary.text and page.sections
    assert all(section.claims for section in page.sections)


@MEDIUM
@given(st.binary(max_size=400))
def test_reading_any_bytes_gives_text_or_a_page_format_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "page.txt"
    path.write_bytes(data)

    try:
        text = read_page_text(path, max_bytes=1024)
    except PageFormatError as exc:
        assert str(exc).startswith(str(path))
        return

    assert isinstance(text, str) and text.strip() and "\x00" not in text


# --- the importer: the service and the command write all or nothing ---------------------------


def _row_counts():
    from django.apps import apps

    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"articles", "references", "reviews", "reversion"}
    }


@pytest.mark.django_db
@DB
@given(pages=st.lists(any_page, min_size=1, max_size=2), publish=st.booleans(), allow_missing=st.booleans())
def test_import_writes_everything_or_nothing(tmp_path_factory, pages, publish, allow_missing):
    from reviews.importing.write import ImportRefused, review_import_pages

    folder = tmp_path_factory.mktemp("pages")
    paths = []
    for n, text in enumerate(pages):
        paths.append(folder / f"page-{n}.txt")
        paths[-1].write_text(text, encoding="utf-8", errors="surrogatepass")
    with transaction.atomic():
        before = _row_counts()
        try:
            results = review_import_pages(paths, publish=publish, allow_missing=allow_missing)
        except ImportRefused as exc:
            assert exc.messages
            for message in exc.messages:
                assert message.strip()
                assert any(str(p) in message for p in paths) or message.startswith("Nothing was imported"), message
            assert _row_counts() == before, "a refused import wrote something"
        else:
            assert len(results) == len(paths)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=10)
@given(text=any_page)
def test_import_command_succeeds_or_says_why(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("cmd") / "page.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")

    with transaction.atomic():
        before = _row_counts()
        try:
            call_command("import_article", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
        except CommandError as exc:
            assert str(path) in str(exc)
            assert _row_counts() == before
        transaction.set_rollback(True)


# --- hostile posts to the admin and the public forms -------------------------------------------


def _post_form(client, url, form_id, values):
    page = client.get(url)
    assert page.status_code == 200, url
    fields = form_fields(page.content.decode(), form_id)
    for name in list(fields):
        for suffix, value in values.items():
            if name == suffix or name.endswith(f"-{suffix}"):
                fields[name] = value
    return client.post(url, fields)


@pytest.mark.django_db
@HTTP
@given(question=hostile_text, summary=hostile_text, heading=hostile_text, claim=hostile_text, slug=hostile_text)
def test_hostile_article_edits_never_fail_the_admin(world_once, question, summary, heading, claim, slug):
    client = Client(raise_request_exception=True)
    client.force_login(world_once.editor)
    url = f"/admin/articles/article/{world_once.unsubmitted.pk}/change/"

    with transaction.atomic():
        response = _post_form(
            client,
            url,
            "article_form",
            {"question": question, "summary": summary, "heading": heading, "text": claim, "change_summary": claim},
        )
        transaction.set_rollback(True)

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.django_db
@HTTP
@given(title=hostile_text, url=st.one_of(hostile_text, st.sampled_from(["javascript:alert(1)", "https://x.org/"])))
def test_hostile_references_never_fail_the_admin(world_once, title, url):
    client = Client(raise_request_exception=True)
    client.force_login(world_once.editor)

    with transaction.atomic():
        response = _post_form(
            client,
            "/admin/references/reference/add/",
            "reference_form",
            {"key": "hostile-ref", "title": title, "url": url, "authors": title, "source": title, "doi": title},
        )
        saved = Reference.objects.filter(key="hostile-ref").first()
        transaction.set_rollback(True)

    assert response.status_code in (200, 302)
    if saved is not None:
        assert saved.url == "" or urlsplit(saved.url).scheme in {"http", "https", "ftp", "ftps"}


@pytest.mark.django_db
@HTTP
@given(body=hostile_text)
def test_a_hostile_trust_page_is_served_sanitised(world_once, body, settings):
    client = Client(raise_request_exception=True)
    client.force_login(world_once.admin)
    settings.ORACLE_PAGE_CACHE = False

    with transaction.atomic():
        response = _post_form(
            client, f"/admin/articles/sitepage/{world_once.site_page.pk}/change/", "sitepage_form", {"body": body}
        )
        page = Client().get("/editorial-policy/")
        transaction.set_rollback(True)

    assert response.status_code in (200, 302)
    assert page.status_code == 200
    assert_page_has_no_live_injection(page.content.decode())


@pytest.mark.django_db
@HTTP
@given(text=hostile_text, email=hostile_text, query=hostile_text)
def test_hostile_reader_input_never_fails_the_site(world_once, text, email, query, settings):
    settings.ORACLE_FOLLOW_UP_RATE_LIMIT = 10_000
    client = Client(raise_request_exception=True)
    slug = world_once.unsubmitted.slug

    with transaction.atomic():
        asked = client.post(f"/articles/{slug}/follow-up/", {"text": text, "email": email, "audience": text})
        transaction.set_rollback(True)
    found = client.get("/search/", {"q": query, "page": text}, follow=True)

    assert asked.status_code in (302, 400)
    assert found.status_code == 200
    assert len(found.redirect_chain) <= 1  # a page number that is not one: once to the canonical page
    assert_page_has_no_live_injection(found.content.decode())
    if asked.status_code == 400:
        assert_page_has_no_live_injection(asked.content.decode())


@pytest.mark.django_db
@HTTP
@given(text=hostile_text, source=hostile_text, email=hostile_text)
def test_hostile_error_reports_never_fail_the_site(world_once, text, source, email, settings):
    """Readers' error reports on a claim (articles/error_reports.py): stored cleaned or refused
    with the reason, and the refusal page (which repeats what was typed) injects nothing."""
    settings.ORACLE_ERROR_REPORT_RATE_LIMIT = 10_000
    client = Client(raise_request_exception=True)
    path = f"/articles/{world_once.unsubmitted.slug}/report-error/1/1/1/"

    with transaction.atomic():
        sent = client.post(path, {"text": text, "source": source, "email": email})
        transaction.set_rollback(True)

    assert sent.status_code in (302, 400)
    if sent.status_code == 400:
        assert_page_has_no_live_injection(sent.content.decode())


@pytest.fixture
def world_once(db):
    """The security world, built once per test (hypothesis runs many examples against it)."""
    return build_world()
