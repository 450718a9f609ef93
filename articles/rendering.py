"""Markdown with citations → sanitised HTML, and the article body readers see.

The same code renders a publication when it is created and a draft preview, so an editor
previews exactly what readers will get.
"""

import html
from dataclasses import dataclass, field

import nh3
from django.template.loader import render_to_string
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from articles import evidence
from articles.audiences import READERS, Audience
from references.citations import MARKER_RE, Numbering, keys_in_marker

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class", "aria-label"},
    "sup": {"class"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}


LINK_FIELDS = ("url", "doi_url", "pubmed_url")


def safe_link(url) -> str:
    """`url` if it is an http(s) address, else '': a reference saved by a path that skipped
    validation must never become a javascript: or data: link on an answer page."""
    url = (url or "").strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return url if scheme in {"http", "https"} else ""


def sanitise(html: str) -> str:
    """Keep only harmless markup: no scripts, handlers, styles, or non-http(s)/mailto URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _citation_rule(state, silent):
    if state.src[state.pos] != "[":
        return False
    match = MARKER_RE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        # Glue the citation to the word before it so its number never wraps onto a line alone
        # (the superscript keeps a small margin instead of the space).
        if state.pending.endswith(" "):
            state.pending = state.pending.rstrip(" ")
        token = state.push("citation", "", 0)
        token.meta = {"keys": keys_in_marker(match.group(0))}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env):
    numbering: Numbering = env["numbering"]
    known: set[str] = env["known"]
    links = []
    for key in tokens[idx].meta["keys"]:
        if key not in known:
            links.append(f'<a class="citation-missing" title="Unknown reference">?{escape(key)}</a>')
            continue
        number, occurrence = numbering.cite(key)
        links.append(
            f'<a href="#ref-{number}" id="cite-{number}-{occurrence}" aria-label="Reference {number}">{number}</a>'
        )
    return '<sup class="citation">' + ", ".join(links) + "</sup>"


def _make_parser() -> MarkdownIt:
    # html=False: raw HTML in content is shown as text, never passed through.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "hr", "table"], ignoreInvalid=True)
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    return md


MARKDOWN = _make_parser()
# Staff-written pages (editorial policy, advisory board) may have headings; no raw HTML either.
PAGE_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable(["image"])


def render_trust_page(text: str) -> SafeString:
    return mark_safe(
        nh3.clean(
            PAGE_MARKDOWN.render(text or ""),
            tags=ALLOWED_TAGS | {"h2", "h3", "hr"},
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer",
        )
    )


def render_block(text: str, env: dict) -> SafeString:
    return mark_safe(sanitise(MARKDOWN.render(text or "", env)))


def render_inline(text: str, env: dict) -> SafeString:
    return mark_safe(sanitise(MARKDOWN.renderInline(text or "", env)))


@dataclass
class RenderedBody:
    summary_heading: str
    summary_html: SafeString
    summary_variants: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    missing_keys: list[str] = field(default_factory=list)


def citation_order(content: dict) -> list[str]:
    """The keys a snapshot cites, in the order readers see them numbered ([1], [2], …), as the
    renderer numbers them. Never the order of `content["references"]`: PostgreSQL's jsonb keeps an
    object's keys in an order of its own (shorter first), so a stored snapshot's mapping comes back
    reordered, and numbering by it would put a notice on the wrong reference."""
    return [reference["key"] for reference in render_content(content).references]


def render_content(content: dict) -> RenderedBody:
    """Render a content snapshot (see `articles.snapshots.snapshot_article`)."""
    references = content.get("references", {})
    numbering = Numbering()
    env = {"numbering": numbering, "known": set(references)}
    summary_html = render_block(content["summary"], env)
    # Audience versions are numbered after the default summary, in a fixed audience order.
    summary_variants = [
        {"audience": audience, "readers": str(READERS[audience]), "html": render_block(text, env)}
        for audience, text in sorted(
            content.get("summary_variants", {}).items(), key=lambda item: Audience.values.index(item[0])
        )
    ]
    sections = [
        {
            "heading": section["heading"],
            "audience": section.get("audience", ""),
            "readers": str(READERS[section["audience"]]) if section.get("audience") else "",
            "claims": [
                {"html": render_inline(claim["text"], env), "grade": evidence.any_grade(claim.get("grade", ""))}
                for claim in section["claims"]
            ],
        }
        for section in content["sections"]
    ]
    cited = [
        {
            "number": numbering.numbers[key],
            "backlinks": [
                {"id": f"cite-{numbering.numbers[key]}-{n}", "label": _backlink_label(n, numbering.occurrences[key])}
                for n in range(1, numbering.occurrences[key] + 1)
            ],
            **references[key],
            **{name: safe_link(references[key].get(name)) for name in LINK_FIELDS},
        }
        for key in numbering.keys
    ]
    return RenderedBody(
        summary_heading=content.get("summary_heading", ""),
        summary_html=summary_html,
        summary_variants=summary_variants,
        sections=sections,
        references=cited,
    )


def _backlink_label(n: int, total: int) -> str:
    if total == 1:
        return "↩"
    # a, b, …, z, aa, ab, … as in Wikipedia's "^ a b c" back-references
    label = ""
    n -= 1
    while True:
        label = chr(ord("a") + n % 26) + label
        n = n // 26 - 1
        if n < 0:
            return label


def render_body_html(content: dict) -> str:
    """The stored HTML of an answer's body: summary, sections and numbered reference list."""
    return render_to_string("articles/includes/_answer_body.html", {"body": render_content(content)})


def to_plain(markdown: str) -> str:
    """What a reader reads, as plain text: Markdown rendered, markup and citation markers dropped."""
    html_text = MARKDOWN.renderInline(MARKER_RE.sub("", markdown or ""), {"numbering": Numbering(), "known": set()})
    return " ".join(html.unescape(strip_tags(html_text)).split())


def plain_text(content: dict) -> tuple[str, str]:
    """(summary, body) as plain text: what search indexes."""
    summary = to_plain(content["summary"])
    # " · " between headings and claims so snippets do not run one into the next
    body = " · ".join(
        [to_plain(text) for text in content.get("summary_variants", {}).values()]
        + [part for s in content["sections"] for part in [s["heading"], *(to_plain(c["text"]) for c in s["claims"])]]
    )
    return summary, body
