"""Staff watch the effects of decisions in the admin (Core › Effects): an administrator finds the
failed one, reads its last error and retries it, in a real browser; axe-core finds no violation of
impact serious or critical, and no page scrolls sideways, at 1,280 and 390 px."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from core import tasks
from core.models import Effect
from tests.helpers import UserFactory, log_in, run_effects

DESKTOP = {"width": 1280, "height": 900}


@tasks.effect
def publish_to_a_full_disk(*, slug: str) -> None:
    raise OSError(f"[Errno 28] No space left on device: 'publish/articles/{slug}/index.html'")


@tasks.effect
def publish_fine(*, slug: str) -> None:
    return None


@pytest.fixture
def effects(settings, transactional_db):
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    settings.ORACLE_EFFECT_MAX_ATTEMPTS = 1
    with transaction.atomic():
        tasks.enqueue(publish_to_a_full_disk, slug="is-baclofen-safe", label="Update the published page of “baclofen”")
        tasks.enqueue(publish_fine, slug="is-ibuprofen-safe", label="Update the published page of “ibuprofen”")
    run_effects()
    failed = Effect.objects.get(status="failed")
    assert Effect.objects.filter(status="done").count() == 1
    return failed


def test_an_administrator_finds_a_failed_effect_reads_its_error_and_retries_it(
    browser, live_server, effects, admin_page_problems
):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    log_in(page, live_server, "admin")
    problems = []

    page.goto(f"{live_server.url}/admin/core/effect/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="Failed").first.click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("No space left on device")
    problems += admin_page_problems(page, "effects-list")

    rows.first.get_by_role("link").first.click()
    expect(page.locator(".field-last_error")).to_contain_text("No space left on device")
    problems += admin_page_problems(page, "effects-detail")

    page.go_back()
    rows.first.locator("input[type=checkbox]").check()
    page.select_option("select[name=action]", "retry_now")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 effect(s) will be retried now")
    effects.refresh_from_db()
    assert effects.status == "pending"
    assert not problems, "\n".join(problems)
    context.close()


def test_an_editor_cannot_open_the_effects(browser, live_server, effects):
    UserFactory(username="editor", groups=["Editors"])
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "editor")
    response = page.goto(f"{live_server.url}/admin/core/effect/")
    assert response.status == 403
    context.close()
