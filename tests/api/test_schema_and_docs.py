from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/answers/"),
    ("get", "/api/answers/{slug}/"),
    ("post", "/api/drafts/"),
    ("get", "/api/drafts/{article_id}/"),
    ("put", "/api/drafts/{article_id}/"),
    ("post", "/api/drafts/{article_id}/submit/"),
    ("get", "/api/drafts/{article_id}/review/"),
}


class _Page(HTMLParser):
    """Every address the page makes the browser load, and every script and style it carries inline."""

    def __init__(self):
        super().__init__()
        self.urls, self.inline_scripts, self.inline_styles, self.scripts = [], [], [], []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline_styles.append(tag)
        if tag == "style":
            self.inline_styles.append("<style>")
        if tag == "script":
            self._in_script = attrs
            self.scripts.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        script = self._in_script
        if script is not None and not script.get("src") and data.strip() and script.get("type") != "application/json":
            self.inline_scripts.append(data.strip()[:80])


def _schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_schema_is_openapi_3_with_every_operation(client):
    schema = _schema(client)

    assert schema["openapi"].startswith("3.")
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert operations == OPERATIONS
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}


def test_schema_documents_every_error_of_each_operation(client):
    paths = _schema(client)["paths"]

    for path, method in [("/api/drafts/", "post"), ("/api/drafts/{article_id}/", "put")]:
        assert set(paths[path][method]["responses"]) >= {"400", "401", "403", "409", "413", "422", "429"}
    unknown_keys = paths["/api/drafts/"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert unknown_keys == {"$ref": "#/components/schemas/UnknownCitationsError"}
    assert set(paths["/api/drafts/{article_id}/review/"]["get"]["responses"]) >= {"401", "403", "404", "429"}
    assert set(paths["/api/answers/{slug}/"]["get"]["responses"]) >= {"200", "304", "404", "410"}
    for path, item in paths.items():
        for method, operation in item.items():
            public = path.startswith("/api/answers/")
            assert ("security" in operation) is not public, (method, path)
            # The HTTP server's own refusals, without a JSON body (a fuzzer's 5 kB query meets them).
            assert {"414", "431"} <= set(operation["responses"]), (method, path)
            assert "content" not in operation["responses"]["414"], (method, path)


def test_no_operation_can_approve_or_publish(client):
    schema = _schema(client)

    for path, item in schema["paths"].items():
        for method, operation in item.items():
            words = f"{path} {operation['operationId']} {operation['summary']}".lower()
            assert "approve" not in words and "publish" not in words.replace("published answer", ""), (method, path)


def test_docs_page_loads_only_our_own_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    assert page.urls, "the page references its assets"
    for url in page.urls:
        assert url.startswith("/") and not url.startswith("//"), url
    assert [script["src"] for script in page.scripts if script.get("src")] == [
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    for url in page.urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert body, url


def test_docs_page_needs_no_inline_script_or_style_under_the_sites_csp(client):
    response = client.get("/api/docs/")

    page = _Page()
    page.feed(response.content.decode())
    assert page.inline_scripts == [] and page.inline_styles == []
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_docs_settings_turn_off_the_online_validator(client):
    content = client.get("/api/docs/").content.decode()

    assert '"validatorUrl": null' in content
    assert '"url": "/api/schema/"' in content
