"""A reader reports an error in a claim, in a real browser, and the board triages it.

The reader opens "Report a problem with this claim" beside a claim with the keyboard (the
JavaScript control: a disclosure button that opens the form inline, Escape closes it and returns
focus), writes what is wrong and a source, and sends it; the report is in the admin's "Error
reports" queue with the claim as published; a board member accepts it, the answer is corrected
and republished, and the report is marked fixed in that version with a resolution. axe-core
(serious/critical: none) and no sideways scrolling at 1,280 and 390 px on the answer page with the
control open, the form's own page, the queue and the report's page."""

from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article, publish_directly

DESKTOP = {"width": 1280, "height": 900}
SLUG = "is-naproxen-safe-with-warfarin"
WHAT = "The claim gives the adult dose as the dose for children; the label says otherwise."
SOURCE = "https://www.example.org/naproxen-label"


def test_a_reader_reports_a_claim_and_the_board_accepts_and_fixes_it(
    browser, live_server, transactional_db, admin_page_problems, screenshot
):
    from articles.models import Claim, ErrorReport
    from reviews.models import BoardMember

    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    article = make_article(question="Is naproxen safe with warfarin?", slug=SLUG, sections=2, claims_per_section=3)
    publish_directly(article)
    problems, errors = [], []

    # --- the reader, keyboard only ---------------------------------------------------------------
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    page.goto(f"{live_server.url}/articles/{SLUG}/")
    control = page.get_by_role("button", name="Report a problem with this claim (“Heading 2”, claim 3)")
    expect(control).to_have_attribute("aria-expanded", "false")
    control.focus()
    page.keyboard.press("Enter")
    expect(control).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#claim-report-2-3")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("What is wrong?")).to_be_focused()
    screenshot(page, "error-reports-1-answer-inline-form", full_page=False)
    problems += admin_page_problems(page, "error-reports-1-answer-control-open")

    page.keyboard.press("Escape")  # closes, focus back on the control
    expect(panel).to_be_hidden()
    expect(control).to_be_focused()
    page.keyboard.press("Space")
    expect(panel.get_by_label("What is wrong?")).to_be_focused()
    page.keyboard.type(WHAT)
    page.keyboard.press("Tab")
    expect(panel.get_by_label("A source")).to_be_focused()
    page.keyboard.type(SOURCE)
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Your email")).to_be_focused()
    page.keyboard.press("Tab")  # the honeypot is out of the tab order
    expect(panel.get_by_role("button", name="Send my report")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Thank you — we have your report")
    report = ErrorReport.objects.get()
    assert (report.section_number, report.claim_number, report.text, report.source) == (2, 3, WHAT, SOURCE)

    # --- the form's own page (the link without JavaScript), refused and explained ------------------
    page.goto(f"{live_server.url}/articles/{SLUG}/report-error/1/1/2/")
    expect(page.locator(".reported-claim blockquote")).to_contain_text("Claim 1.2")
    page.get_by_label("What is wrong?").fill("short")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my report").click()
    expect(page.locator(".field-error")).to_contain_text("at least 10 characters")
    problems += admin_page_problems(page, "error-reports-2-form-page-refused")
    assert ErrorReport.objects.count() == 1
    context.close()

    # --- the board triages ----------------------------------------------------------------------
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    log_in(page, live_server, "board", "Bo")
    page.goto(f"{live_server.url}/admin/articles/errorreport/")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Claim 2.3")
    expect(row).to_contain_text("Is naproxen safe with warfarin?")
    problems += admin_page_problems(page, "error-reports-3-queue")

    row.locator("th a").click()
    expect(page.locator(".error-report-claim").first).to_contain_text("Claim 2.3")
    expect(page.locator("#content")).to_contain_text(WHAT)
    problems += admin_page_problems(page, "error-reports-4-report-new")
    with page.expect_navigation():
        page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("Accepted")
    # an accepted report opens a draft update: the article's change form lists its open reports
    with page.expect_navigation():
        page.get_by_role("button", name="Open a draft update of the answer").click()
    panel = page.locator(".error-reports-panel")
    expect(panel.locator("h2")).to_have_text("Readers’ error reports: 1 open")
    expect(panel).to_contain_text(WHAT)
    screenshot(page, "error-reports-4b-article-form-panel", full_page=False)
    page.go_back()

    # the correction is approved and published as version 2 (the review itself is tested elsewhere)
    Claim.objects.filter(section__article=article, text__startswith="Claim 2.3").update(
        text="Claim 2.3, corrected for children"
    )
    publish_directly(article)
    page.reload()
    page.locator("#id_fix-resolution").fill("Children's dose corrected against the label.")
    page.locator("#id_fix-fixed_in").select_option(index=1)  # version 2, the only later one
    with page.expect_navigation():
        page.get_by_role("button", name="Mark fixed").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("Marked fixed")
    expect(page.locator(".field-fixed_in_link")).to_contain_text("Version 2")
    problems += admin_page_problems(page, "error-reports-5-report-fixed")
    report.refresh_from_db()
    assert (report.state, report.fixed_in.number, report.resolved_by) == ("fixed", 2, board)
    context.close()

    assert not problems, "\n".join(problems)
    assert [e for e in errors if "status of 400" not in e[1]] == []
