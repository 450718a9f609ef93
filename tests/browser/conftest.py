"""Browser tests: a real Chromium driven through Playwright against Django's live server.

Browsers cannot be downloaded here, so Playwright launches Debian's Chromium (configured in
tests/conftest.py for every browser test). Without it the tests are skipped, unless
ORACLE_REQUIRE_BROWSER=1 (e.g. in CI), when they fail instead.
"""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE.parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def _in_this_folder(item) -> bool:
    return HERE in Path(item.path).resolve().parents


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item of the session: mark only the tests in this folder (before
    # tests/conftest.py skips the browser tests when Chromium is missing).
    for item in items:
        if _in_this_folder(item):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def screenshot():
    """Save a screenshot of a page as tests/browser/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name, *, full_page=True):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def demo_article(transactional_db, demo):
    """The demo baclofen answer, imported and published, in a database the live server sees."""
    return demo


@pytest.fixture
def published_page(transactional_db, live_server, demo):
    """The demo baclofen answer, imported and published; returns its absolute URL."""
    return f"{live_server.url}/articles/{demo.slug}/"


@pytest.fixture
def axe_source():
    """axe-core's script, to inject into a page (create the context with bypass_csp=True)."""
    if not AXE.exists():
        missing = f"axe-core is not installed at {AXE}: run `npm ci --ignore-scripts`"
        if os.environ.get("ORACLE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ORACLE_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
        pytest.skip(f"{missing} (set ORACLE_REQUIRE_BROWSER=1 to fail instead)")
    return AXE.read_text(encoding="utf-8")


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SERIOUS_AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return {
    passed: results.passes.length,
    violations: results.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
    })),
  };
}"""


@pytest.fixture
def admin_page_problems(axe_source, screenshot):
    """The check every admin screen people work in passes: no axe-core violation of impact serious
    or critical, and no sideways scrolling, at 1,280 and at 390 px (screenshots of both). Call it
    with (page, name); it returns the problems found (empty when there are none). The page's
    context must be created with bypass_csp=True, to inject axe-core."""

    def check(page, name) -> list[str]:
        problems = []
        for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
            page.set_viewport_size(viewport)
            too_wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if too_wide > 0:
                problems.append(f"{name} at {label} px: {too_wide} px wider than the window")
            page.add_script_tag(content=axe_source)
            result = page.evaluate(SERIOUS_AXE_RUN)
            assert result["passed"] > 10, f"{name}: axe-core checked almost nothing"
            problems += [
                f"{name} at {label} px: {v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'])}"
                for v in result["violations"]
            ]
            screenshot(page, f"{name}-{label}")
        page.set_viewport_size(DESKTOP)
        return problems

    return check
