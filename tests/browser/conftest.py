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
