"""The content checks panel in a real browser, as an editor works: the panel above the form shows
each check (a repeated claim blocks, an absolute word warns), submitting is refused naming the
place, the finding's link takes the editor to the box, the panel follows the text as it is typed
(nothing saved), and after saving the submission goes through. The board sees the same checks on
the review page. axe-core finds no serious or critical violation and nothing scrolls sideways,
at 1,280 and 390 px."""

from playwright.sync_api import expect

from articles.models import Article, Claim, ContentCheckSettings
from references.citations import extract_keys
from reviews.models import BoardMember, Review
from tests.helpers import UserFactory, log_in, make_article

DESKTOP = {"width": 1280, "height": 900}
REPEAT = "Section 2 “Heading 2”, claim 1"


def test_a_blocking_check_refuses_the_submission_until_the_editor_fixes_it(
    browser, live_server, transactional_db, admin_page_problems, screenshot
):
    UserFactory(username="editor", first_name="Eddie", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD")
    article = make_article(question="Is naproxen safe for back pain?", slug="is-naproxen-safe")
    claims = list(Claim.objects.filter(section__article=article).order_by("section__position", "position"))
    key = [extract_keys(claim.text)[0] for claim in claims]  # the builder's references (keys vary by test order)
    repeated = f"claim 1.1 [@{key[3]}]!"  # the same as claim 1.1, markers aside
    Claim.objects.filter(pk=claims[3].pk).update(text=repeated)
    Claim.objects.filter(pk=claims[1].pk).update(text=f"Naproxen always helps [@{key[1]}].")

    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(page, live_server, "editor", "Eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    panel = page.get_by_role("region", name="Content checks")
    expect(panel).to_be_visible()
    duplicate = panel.locator("[data-check=duplicate_claims]")
    expect(duplicate).to_contain_text("Blocks submission")
    expect(duplicate.get_by_role("link", name=REPEAT)).to_be_visible()
    expect(panel.locator("[data-check=absolute_words]")).to_contain_text("Warning")
    expect(panel.locator("[data-check=literature]")).to_contain_text("Passes")
    expect(panel.locator(".checks-summary")).to_contain_text("1 finding blocks submission")
    # a warning folds to its line (the form stays in view); the editor opens it
    absolute = panel.locator("[data-check=absolute_words] > details")
    expect(absolute.get_by_role("link")).to_be_hidden()
    absolute.locator("summary").click()
    expect(absolute.get_by_role("link", name="Section 1 “Heading 1”, claim 2")).to_be_visible()
    problems = admin_page_problems(page, "checks-1-panel-blocking")

    # -- submitting is refused, naming the place ---------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    error = page.locator("ul.messagelist li.error")
    expect(error.filter(has_text=f"{REPEAT}: says the same as Section 1 “Heading 1”, claim 1.")).to_have_count(1)
    expect(error.filter(has_text="always")).to_have_count(0)  # a warning never refuses
    assert not Review.objects.exists()
    screenshot(page, "checks-2-refused", full_page=False)

    # -- the finding's link goes to the box; the panel follows the text, saving nothing ----------
    page.get_by_role("region", name="Content checks").locator("[data-check=absolute_words] > details > summary").click()
    page.get_by_role("region", name="Content checks").locator("[data-check=duplicate_claims]").get_by_role(
        "link", name=REPEAT
    ).click()
    box = page.locator("textarea[name='sections-1-claims-0-text']")
    expect(box).to_be_focused()
    box.fill(f"Most people with acute back pain improve within six weeks [@{key[0]}].")
    panel = page.get_by_role("region", name="Content checks")
    expect(panel.locator("[data-check=duplicate_claims]")).to_contain_text("Passes")
    expect(panel.locator(".checks-summary")).to_contain_text("Nothing blocks submission")
    expect(panel.locator("[data-check=absolute_words] > details")).to_have_attribute("open", "")  # as they left it
    assert Claim.objects.get(pk=claims[3].pk).text == repeated  # the live check saved nothing
    screenshot(page, "checks-3-box-focused", full_page=False)
    panel.scroll_into_view_if_needed()
    screenshot(page, "checks-4-fixed-live", full_page=False)
    problems += admin_page_problems(page, "checks-5-panel-fixed")

    # -- saved, then submitted -----------------------------------------------------------------------
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
    review = Review.objects.get()
    assert review.state == "submitted" and Article.objects.get(pk=article.pk).is_locked

    # -- the board sees the checks of the submitted content on the review page ---------------------
    context.clear_cookies()
    log_in(page, live_server, "board", "Bo")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/workspace/")
    panel = page.get_by_role("region", name="Content checks")
    expect(panel.locator("[data-check=duplicate_claims]")).to_contain_text("Passes")
    expect(panel.locator("[data-check=absolute_words]")).to_contain_text("Section 1 “Heading 1”, claim 2")
    problems += admin_page_problems(page, "checks-6-review-page")

    # -- the board's configuration screen: one row; a check set to warn no longer blocks ------------
    page.goto(f"{live_server.url}/admin/articles/contentchecksettings/")
    expect(page.locator("h1")).to_have_text("Change content checks")
    problems += admin_page_problems(page, "checks-7-configuration")
    page.locator("#id_duplicate_claims").select_option("warning")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert ContentCheckSettings.current().duplicate_claims == "warning"
    context.close()

    assert not errors, errors
    assert not problems, "\n".join(problems)
