"""Fixtures that tests in several folders use, the autouse isolation of every test (cache, publish
directory), and the browser configuration shared by tests/browser/ and the API docs page."""

import os
from pathlib import Path

import pytest

from tests.helpers import DEMO_PAGE, EXAMPLE_PAGE, UserFactory, every_checklist_item, make_article, save_revision

# Playwright's sync API runs an event loop in this thread; the ORM calls made by browser tests and
# their fixtures alongside it are still synchronous, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked `browser` (tests/browser/, the API docs page) are skipped without Chromium, unless
    ORACLE_REQUIRE_BROWSER=1, when they fail instead. Tests marked `own_database` run once, in the
    SQLite pass: they never touch the configured database (each builds its own), so the PostgreSQL
    pass would repeat them unchanged."""
    from django.db import connection

    if connection.vendor != "sqlite":
        once = pytest.mark.skip(reason="builds its own database: run in the SQLite pass (tests/conftest.py)")
        for item in items:
            if "own_database" in item.keywords:
                item.add_marker(once)
    if CHROMIUM.exists() or _browser_required():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (set ORACLE_REQUIRE_BROWSER=1 to fail instead)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright launches Debian's Chromium (browsers cannot be downloaded here)."""
    # Only reached when Chromium is present or required: tests were skipped otherwise.
    if not CHROMIUM.exists():
        pytest.fail(f"ORACLE_REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM}", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "checklist: keeps the approval checklist the migration seeds (other tests approve without one)"
    )
    config.addinivalue_line(
        "markers",
        "own_database: never touches the configured database (builds its own), so it runs in the SQLite pass only",
    )


@pytest.fixture(autouse=True)
def _seeded_checklist_set_aside(request):
    """The migration seeds required checklist items, which every approval must tick. Tests that are
    not about the checklist approve without ticking (`review_approve(review=…, by=…)`), so for them
    the seeded items are retired, in the test's own transaction; tests marked `checklist` (and the
    fixtures `approved` and `reapprove`, which tick every item) keep them."""
    if request.node.get_closest_marker("checklist"):
        return
    if not (request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)):
        return
    request.getfixturevalue("_django_db_helper")
    from reviews.models import ChecklistItem

    ChecklistItem.objects.filter(retired=False).update(retired=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached pages and rate-limit counters must not leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _publish_dir(settings, tmp_path):
    """Static answer files go to a temporary directory, never into the working tree."""
    settings.ORACLE_PUBLISH_DIR = str(tmp_path / "publish")


@pytest.fixture
def example_page():
    return EXAMPLE_PAGE


@pytest.fixture
def demo_page():
    return DEMO_PAGE


@pytest.fixture
def demo(demo_page):
    """The demo baclofen answer, imported and published; the article."""
    from reviews.importing.write import review_import_pages

    [result] = review_import_pages([demo_page], publish=True)
    return result.article


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editors"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True)


@pytest.fixture
def write_page(tmp_path):
    """Write a page file from text (or bytes) and return its path."""

    def write(content, name="page.txt"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def board_member(db):
    from reviews.models import BoardMember

    user = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(
        user=user, display_name="Dr. Bo Reviewer", credentials="MD, FACP", specialty="Internal medicine"
    )
    return user


@pytest.fixture
def second_board_member(db):
    return UserFactory(username="board2", groups=["Medical Advisory Board"])


@pytest.fixture
def draft(db):
    return make_article(question="Is ibuprofen safe?", slug="is-ibuprofen-safe")


@pytest.fixture
def article(editor):
    """A draft with a first revision saved by the editor ("First draft"), as the admin would save it."""
    article = make_article(
        question="Is paracetamol safe?", slug="is-paracetamol-safe", sections=2, claims_per_section=2
    )
    save_revision(editor, "First draft", lambda: article.save())
    return article


@pytest.fixture
def submitted(draft, editor):
    from reviews.services import review_submit

    return review_submit(article=draft, by=editor, change_summary="First draft")


@pytest.fixture
def under_review(submitted, board_member):
    from reviews.services import review_start

    return review_start(review=submitted, by=board_member)


@pytest.fixture
def approved(under_review, board_member):
    """The draft, approved by the board: published as version 1 (re-read with its publication)."""
    from articles.models import Article
    from reviews.services import review_approve

    review_approve(review=under_review, by=board_member, ticked=every_checklist_item(under_review))
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)
