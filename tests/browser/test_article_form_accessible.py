"""The article change form, as an editor and as a board member meet it, in a real browser: every
claim's text and grade has a name a screen reader announces, no claim's text is repeated above its
own box, the claims table fits (its Delete column in view), and axe-core finds no violation of
impact serious or critical, with no sideways scrolling, at 1,280 and 390 px."""

import pytest
from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, reapprove

DESKTOP = {"width": 1280, "height": 900}


def open_change_form(browser, live_server, article, username, **user):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    log_in(page, live_server, username, user.get("first_name"))
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    return context, page


def test_an_editor_can_reach_and_name_every_claim_field(browser, live_server, demo_article, admin_page_problems):
    UserFactory(username="editor", groups=["Editors"])
    context, page = open_change_form(browser, live_server, demo_article, "editor")
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    claim = page.locator("textarea[name='sections-1-claims-2-text']")
    expect(claim).to_have_accessible_name("Section 2, claim 3 text")
    expect(page.locator("select[name='sections-1-claims-2-grade']")).to_have_accessible_name(
        "Section 2, claim 3 evidence grade"
    )
    # the claim's text is in its box only, not repeated as a line above it
    text = claim.input_value()
    assert text
    expect(page.locator("td.original p", has_text=text[:30])).to_have_count(0)  # no row title (hide_row_title)

    # the Delete column of every claims table is inside the window at 1,280 px
    delete = page.locator("input[name='sections-1-claims-2-DELETE']")
    box = delete.bounding_box()
    assert box is not None and box["x"] + box["width"] <= DESKTOP["width"], box

    problems = admin_page_problems(page, "article-form-editor")

    # a claim the editor adds in the page has a name too
    page.locator("#sections-1-claims-group").get_by_text("Add another Claim").click()
    added = page.locator("textarea[name='sections-1-claims-4-text']")
    expect(added).to_have_accessible_name("New claim text")
    expect(page.locator("select[name='sections-1-claims-4-grade']")).to_have_accessible_name("New claim evidence grade")

    # the live citation check still answers as the editor types
    citation = page.locator(".field-citation_problems .readonly")
    claim.fill("CNS effects may be additive to alcohol [@ghost-2031]")
    expect(citation).to_contain_text("ghost-2031")
    assert not problems, "\n".join(problems)
    assert not errors, errors
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_board_member_reads_the_form_and_its_review_panel(browser, live_server, demo_article, admin_page_problems):
    from reviews.models import BoardMember

    editor = UserFactory(username="editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD")
    comment = "Checked the dose ranges against the guideline; the sedation warning reads well."
    reapprove(demo_article, editor=editor, board=board, change_summary="Wording", comment=comment)
    context, page = open_change_form(browser, live_server, demo_article, "board", first_name="Bo")
    panel = page.locator(".review-panel")
    expect(panel).to_contain_text("Medical Advisory Board review")
    expect(panel.locator(".review-comment")).to_have_text(comment)  # the last decision's comment, legible
    assert panel.locator(".review-comment").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 12
    expect(page.locator("select[name='sections-0-claims-0-grade']")).to_have_accessible_name(
        "Section 1, claim 1 evidence grade"
    )

    problems = admin_page_problems(page, "article-form-board")
    assert not problems, "\n".join(problems)
    context.close()
