"""In a real browser: an editor proposes that a cited source was superseded; readers see nothing
until a board member finds the proposal in the re-review queue and confirms it."""

import pytest
from playwright.sync_api import expect

from tests.helpers import ReferenceFactory, UserFactory, log_in


@pytest.fixture
def demo_article(transactional_db, demo_page):
    from reviews.importing.write import review_import_pages

    (result,) = review_import_pages([demo_page], publish=True)
    return result.article


@pytest.fixture
def second_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_the_board_confirms_an_editors_proposal_and_only_then_readers_see_it(
    page, second_page, live_server, demo_article, screenshot
):
    from articles.models import Publication
    from references.models import Reference

    UserFactory(username="ed", first_name="Ed", last_name="Itor", groups=["Editors"])
    UserFactory(username="bo", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    newer = ReferenceFactory(key="newer-guideline", title="Updated guideline on low back pain", year=2026)
    key = next(iter(Publication.objects.get(pk=demo_article.current_publication_id).content["references"]))
    reference = Reference.objects.get(key=key)
    answer = f"{live_server.url}/articles/{demo_article.slug}/"
    notice = "Superseded by “Updated guideline on low back pain” (2026)."

    # the editor proposes
    log_in(page, live_server, "ed", "Ed")
    page.goto(f"{live_server.url}/admin/references/reference/{reference.pk}/change/")
    page.click("text=Propose a retraction or supersession")
    expect(page.locator("#content-main")).to_contain_text("You are proposing an event")
    page.select_option("#id_kind", "superseded")
    page.fill("#id_occurred_on", "2026-03-02")
    page.select_option("#id_replacement", str(newer.pk))
    page.click("input[value='Propose event']")
    expect(page.locator(".messagelist")).to_contain_text("Proposed. Nothing changes for readers")

    page.goto(answer)
    expect(page.locator(".answer-body")).to_be_visible()
    expect(page.locator(".reference-list .source-notice")).to_have_count(0)

    # the board finds it first thing in the re-review queue, and confirms it
    log_in(second_page, live_server, "bo", "Bo")
    second_page.goto(f"{live_server.url}/admin/reviews/rereviewqueue/")
    box = second_page.locator(".source-events-needing-the-board")
    expect(box).to_contain_text("1 proposed source event waits for a board member")
    screenshot(second_page, "admin-proposed-source-event")
    box.locator(f"text={reference.key} superseded").click()
    second_page.click("#content-main .object-tools >> text=Confirm")
    expect(second_page.locator(".notice-confirmed")).to_have_text(notice)
    expect(second_page.locator("#content-main")).to_contain_text(demo_article.question)
    second_page.fill("#id_reason", "Checked the 2026 guideline.")
    screenshot(second_page, "admin-confirm-source-event")
    second_page.click("input[value='Confirm']")
    expect(second_page.locator(".messagelist")).to_contain_text("Confirmed. Readers now see the notice")
    expect(second_page.locator(".field-decision_list")).to_contain_text("Confirmed by Bo Reviewer")
    screenshot(second_page, "admin-confirmed-source-event")

    # (the editor's browser keeps its copy of the page for its max-age, as any reader's would: a reload asks again)
    page.goto(answer)
    page.reload()
    expect(page.locator(".reference-list .source-notice")).to_have_text(notice)
    second_page.goto(answer)
    expect(second_page.locator(".reference-list .source-notice")).to_have_text(notice)
    screenshot(second_page, "answer-with-confirmed-supersession")
