"""Structural checks of HTML output: parse it like a browser would and look at what is live."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

SAFE_SCHEMES = {"", "http", "https", "mailto"}
DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "img",
    "style",
    "form",
    "input",
    "base",
    "meta",
    "link",
}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def live_tags(html: str):
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_no_live_script(html: str, *, allow_tags=()):
    """No script-capable element, no event handler attribute, no non-http(s)/mailto URL."""
    for tag, attrs in live_tags(html):
        assert tag not in DANGEROUS_TAGS - set(allow_tags), f"live <{tag}> in output"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            assert name != "style", f"style attribute on <{tag}>"
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in SAFE_SCHEMES, f"{name}={value!r} on <{tag}>"
