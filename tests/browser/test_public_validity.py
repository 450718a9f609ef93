"""Every public page is valid HTML (Nu Html Checker), has no accessibility violation (axe-core)
and fits a phone's screen as well as a desktop's.

The validators come from npm (package.json at the repository root: `npm ci --ignore-scripts`);
the Nu Html Checker also needs Java. Without them these tests are skipped, unless
ORACLE_REQUIRE_BROWSER=1 (as in CI), when they fail instead.
"""

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.helpers import UserFactory, make_article

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DEMO_SLUG = "is-baclofen-safe-for-treating-back-pain"
SECOND_SLUG = "is-ibuprofen-safe"
WITHDRAWN_SLUG = "is-aspirin-safe"

# name, path, status
PAGES = [
    ("home", "/", 200),
    ("answer", f"/articles/{DEMO_SLUG}/", 200),
    ("answer-patient", f"/articles/{DEMO_SLUG}/?audience=patient", 200),
    ("answer-student", f"/articles/{DEMO_SLUG}/?audience=student", 200),
    ("history", f"/articles/{DEMO_SLUG}/history/", 200),
    ("version-old", f"/articles/{DEMO_SLUG}/v/1/", 200),
    ("version-current", f"/articles/{DEMO_SLUG}/v/2/", 200),
    ("topic", "/topics/back-pain/", 200),
    ("search-form", "/search/", 200),
    ("search-hits", "/search/?q=baclofen", 200),
    ("search-no-hits", "/search/?q=zzyzx", 200),
    ("whats-new", "/whats-new/", 200),
    ("evidence-grades", "/evidence-grades/", 200),
    ("editorial-policy", "/editorial-policy/", 200),
    ("advisory-board", "/advisory-board/", 200),
    ("follow-up-thanks", f"/articles/{DEMO_SLUG}/follow-up/thanks/", 200),
    ("report-error-form", f"/articles/{DEMO_SLUG}/report-error/2/1/1/", 200),
    ("report-error-thanks", f"/articles/{DEMO_SLUG}/report-error/thanks/", 200),
    ("report-error-withdrawn", f"/articles/{WITHDRAWN_SLUG}/report-error/1/1/1/", 410),
    ("withdrawn", f"/articles/{WITHDRAWN_SLUG}/", 410),
    ("withdrawn-history", f"/articles/{WITHDRAWN_SLUG}/history/", 200),
    ("not-found", "/articles/no-such-answer/", 404),
]


def _require(missing: str):
    """Skip for want of a validator, or fail when the browser tests are required to run."""
    if os.environ.get("ORACLE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ORACLE_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
    pytest.skip(f"{missing} (set ORACLE_REQUIRE_BROWSER=1 to fail instead)")


@pytest.fixture
def vnu():
    """The command that runs the Nu Html Checker."""
    java = shutil.which("java")
    if java is None:
        _require("Java is not installed: the Nu Html Checker needs it")
    if not VNU.exists():
        _require(f"the Nu Html Checker is not installed at {VNU}: run `npm ci --ignore-scripts`")
    return [java, "-Xss4m", "-jar", str(VNU)]


@pytest.fixture
def site(transactional_db, live_server):
    """The demo content (an imported answer and its reviewed version 2, a topic, a board member),
    a second answer published once, and a withdrawn answer; returns the live server's URL."""
    from django.apps import apps

    from articles.models import Publication
    from articles.publishing import article_publish, article_withdraw_from_public
    from reviews.roles import sync_roles

    sync_roles(apps)  # the transactional tests before this one flushed the migrations' groups
    call_command("setup_demo", stdout=io.StringIO())
    article_publish(
        article=make_article(question="Is ibuprofen safe?", slug=SECOND_SLUG), origin=Publication.Origin.APPROVAL
    )
    withdrawn = make_article(question="Is aspirin safe?", slug=WITHDRAWN_SLUG)
    article_publish(article=withdrawn, origin=Publication.Origin.APPROVAL)
    article_withdraw_from_public(
        article=withdrawn, by=UserFactory(username="chief", is_superuser=True), reason="A source was retracted."
    )
    return live_server.url


def visit(page, base, path, status):
    response = page.goto(base + path)
    assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
    return response


def test_public_pages_are_valid_html(vnu, browser, site, tmp_path):
    """One run of the checker over every page as served (the bytes, not the browser's DOM)."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    files = {}
    for name, path, status in PAGES:
        response = visit(page, site, path, status)
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.body())
    context.close()

    result = subprocess.run(
        [*vnu, "--format", "json", "--also-check-svg", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except ValueError:
        pytest.fail(f"the Nu Html Checker did not report (exit {result.returncode}): {result.stderr[:2000]}")
    names = {f"file:{path}": name for name, path in files.items()}
    errors = [
        f"{names.get(m.get('url'), m.get('url'))}:{m.get('lastLine', '?')}: {m.get('message')} "
        f"[{m.get('extract', '').strip()[:120]}]"
        for m in report["messages"]
        if m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)
    assert len(files) == len(PAGES)


AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return {
    passed: results.passes.length,
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
    })),
  };
}"""


SCREENSHOTS = ("home", "answer", "history", "version-old", "topic", "search-hits")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_public_pages_are_accessible_and_fit_the_screen(axe_source, viewport, browser, site, screenshot):
    """axe-core finds no violation of any impact, and no page scrolls sideways, on a desktop
    and on a phone (the pages' own JavaScript has run: what a reader gets)."""
    context = browser.new_context(bypass_csp=True, viewport=viewport)
    page = context.new_page()
    violations, too_wide = [], []
    for name, path, status in PAGES:
        visit(page, site, path, status)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            too_wide.append(f"{name}: {width}px wide in a {inner}px viewport")
        if name in SCREENSHOTS:
            screenshot(page, f"public-{name}-{viewport['width']}")
        page.add_script_tag(content=axe_source)
        result = page.evaluate(AXE_RUN)
        assert result["passed"] > 10, f"{name}: axe-core checked almost nothing"
        for v in result["violations"]:
            violations.append(f"{name}: {v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'])}")
    context.close()

    assert not violations, "axe-core violations:\n" + "\n".join(violations)
    assert not too_wide, "pages wider than the screen:\n" + "\n".join(too_wide)
