"""In a real browser: two editors on one draft, and a retracted source as readers and the board see it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in


@pytest.fixture
def second_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_the_second_editor_sees_what_the_first_changed_and_keeps_their_text(
    page, second_page, live_server, demo_article, screenshot
):
    from articles.models import Article

    UserFactory(username="ann", first_name="Ann", last_name="First", groups=["Editors"])
    UserFactory(username="ben", first_name="Ben", last_name="Second", groups=["Editors"])
    change_url = f"{live_server.url}/admin/articles/article/{demo_article.pk}/change/"
    log_in(page, live_server, "ann", "Ann")
    log_in(second_page, live_server, "ben", "Ben")
    page.goto(change_url)
    second_page.goto(change_url)

    claim = page.locator("textarea[name='sections-1-claims-0-text']")
    claim.fill(claim.input_value().replace("significant", "well-documented"))
    page.fill("#id_change_summary", "Sharper wording")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    second_page.fill("#id_summary", "Ben's summary. " + second_page.locator("#id_summary").input_value())
    second_page.click("input[name=_continue]")

    conflict = second_page.locator("section.edit-conflict")
    expect(conflict).to_contain_text("Saved by Ann First")
    expect(conflict).to_contain_text("Sharper wording")
    expect(conflict.locator("ins").first).to_be_visible()
    expect(second_page.locator(".errorlist.nonfield")).to_contain_text("Not saved")
    expect(second_page.locator("#id_summary")).to_have_value(
        "Ben's summary. " + Article.objects.get(pk=demo_article.pk).summary
    )
    screenshot(second_page, "admin-edit-conflict", full_page=False)

    second_page.click("input[name=_continue]")  # having read it: apply Ben's version on top
    expect(second_page.locator(".messagelist")).to_contain_text("was changed successfully")
    stored = Article.objects.get(pk=demo_article.pk)
    assert stored.summary.startswith("Ben's summary.")
    assert "well-documented" in stored.sections.get(position=1).claims.order_by("position").first().text


def test_readers_see_a_retraction_on_its_citation_and_the_board_sees_the_alert_first(
    page, second_page, live_server, demo_article, screenshot
):
    from articles.models import Publication
    from reviews.source_events import reference_record_event

    board = UserFactory(username="bo", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    publication = Publication.objects.get(pk=demo_article.current_publication_id)
    key = next(iter(publication.content["references"]))
    from references.models import Reference

    reference = Reference.objects.get(key=key)
    reference_record_event(
        reference=reference,
        kind="retracted",
        occurred_on=date(2026, 3, 2),
        notice_url="https://example.org/retraction-notice",
        by=board,
    )

    page.goto(f"{live_server.url}/articles/{demo_article.slug}/")
    expect(page.locator(".source-alert")).to_contain_text("retracted or superseded")
    expect(page.locator(".reference-list .source-notice")).to_contain_text("Retracted on March 2, 2026")
    screenshot(page, "answer-with-retracted-source")

    log_in(second_page, live_server, "bo", "Bo")
    second_page.goto(f"{live_server.url}/admin/reviews/rereviewqueue/")
    expect(second_page.locator("#content h1")).to_contain_text("1 with source alerts")
    first_row = second_page.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text(demo_article.question)
    screenshot(second_page, "admin-rereview-queue")
