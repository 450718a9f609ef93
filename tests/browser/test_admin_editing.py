"""Editing an answer in the admin, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in


@pytest.fixture
def logged_in(page, live_server, transactional_db):
    def login(username, groups):
        UserFactory(username=username, groups=groups)
        log_in(page, live_server, username)
        return page

    return login


def test_citation_problems_update_live_as_the_editor_types(logged_in, live_server, demo_article, screenshot):
    page = logged_in("editor", ["Editors"])
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/admin/articles/article/{demo_article.pk}/change/")
    problems = page.locator(".field-citation_problems .readonly")
    expect(problems).to_contain_text("Every claim cites a source that exists.")

    claim = page.locator("textarea[name='sections-1-claims-2-text']")
    claim.fill("CNS effects may be additive to alcohol [@ghost-2031; @guideline-directed-2025]")

    expect(problems).to_contain_text(
        "Section 2 “Safety Concerns with Baclofen”, claim 3: unknown reference key “ghost-2031”"
    )
    expect(problems).not_to_contain_text("guideline-directed-2025")
    screenshot(page, "admin-live-citation-check", full_page=False)

    claim.fill("CNS effects may be additive to alcohol.")
    expect(problems).to_contain_text("Section 2 “Safety Concerns with Baclofen”, claim 3: cites no source")

    claim.fill("CNS effects may be additive to alcohol [@guideline-directed-2025]")
    expect(problems).to_contain_text("Every claim cites a source that exists.")
    assert errors == []
