"""Browser tests: a real Chromium driven through Playwright against Django's live server.

Browsers cannot be downloaded here, so Playwright launches Debian's Chromium. Without it the
tests are skipped, unless ORACLE_REQUIRE_BROWSER=1 (e.g. in CI), when they fail instead.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by tests and
# fixtures alongside it are still synchronous, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = HERE / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_required() -> bool:
    return os.environ.get("ORACLE_REQUIRE_BROWSER") == "1"


def _in_this_folder(item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item of the session: touch only the tests in this folder.
    missing = not CHROMIUM.exists()
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (set ORACLE_REQUIRE_BROWSER=1 to fail instead)")
    for item in items:
        if not _in_this_folder(item):
            continue
        item.add_marker(pytest.mark.browser)
        if missing and not _browser_required():
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Only reached when Chromium is present or required: tests were skipped otherwise.
    if not CHROMIUM.exists():
        pytest.fail(f"ORACLE_REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM}", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


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
def published_page(transactional_db, live_server, demo_page):
    """The demo baclofen answer, imported and published; returns its absolute URL."""
    from reviews.importing.write import review_import_pages

    (result,) = review_import_pages([demo_page], publish=True)
    return f"{live_server.url}/articles/{result.article.slug}/"
