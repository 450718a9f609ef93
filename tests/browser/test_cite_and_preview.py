"""Citing by searching and the live preview, in a real browser, as an editor works: with the mouse
(Cite → search → click a result → the marker is in the text), with the keyboard only (type "[@",
a word, ArrowDown, Enter → the marker at the cursor; Escape closes and returns to the text), in a
claim added in the page, "New reference" created inline and cited, and the preview beside the form
following the text without saving it. axe-core finds no serious or critical violation with the
controls open or closed, and nothing scrolls sideways, at 1,280 and 390 px."""

import datetime

from playwright.sync_api import expect

from articles.models import Article
from references.models import Reference
from tests.helpers import ReferenceFactory, UserFactory, log_in, make_article

DESKTOP = {"width": 1280, "height": 900}


def test_an_editor_cites_by_searching_and_sees_the_preview_follow(
    browser, live_server, transactional_db, admin_page_problems, screenshot
):
    UserFactory(username="editor", first_name="Eddie", groups=["Editors"])
    article = make_article(question="Is baclofen safe for back pain?", slug="is-baclofen-safe")
    ReferenceFactory(
        key="acp-lbp-2017",
        kind=Reference.Kind.GUIDELINE,
        title="Noninvasive treatments for acute, subacute and chronic low back pain",
        authors="Qaseem A, Wilt TJ",
        year=2017,
        doi="10.7326/M16-2367",
    )
    ReferenceFactory(
        key="baclofen-rct", kind=Reference.Kind.RANDOMISED_TRIAL, title="Baclofen for acute back spasm", year=2021
    )
    Reference.objects.filter(key="baclofen-rct").update(retracted_on=datetime.date(2023, 5, 1))
    saved_summary = Article.objects.get(pk=article.pk).summary

    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(page, live_server, "editor", "Eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    problems = admin_page_problems(page, "cite-1-form-closed")

    # -- the mouse: Cite → search → click a result ---------------------------------------------
    summary = page.locator("textarea[name=summary]")
    summary.fill("Short answer. ")
    summary.evaluate("el => el.setSelectionRange(6, 6)")  # the cursor after "Short "
    page.get_by_role("button", name="Cite a source in Summary answer").click()
    search = page.get_by_role("combobox", name="Search references by key, title, author, DOI, PMID or year")
    expect(search).to_be_focused()
    expect(search).to_have_attribute("aria-expanded", "true")
    search.fill("back")
    results = page.get_by_role("listbox", name="References")
    options = results.get_by_role("option")
    expect(options).to_have_count(2)
    retracted = results.get_by_role("option", name="baclofen-rct")
    expect(retracted).to_contain_text("Randomised trial")
    expect(retracted).to_contain_text("Retracted 2023-05-01")
    problems += admin_page_problems(page, "cite-2-search-open")
    results.get_by_role("option", name="acp-lbp-2017").click()
    expect(summary).to_have_value("Short [@acp-lbp-2017]answer. ")
    expect(summary).to_be_focused()
    expect(search).to_be_hidden()

    # -- the keyboard only: "[@", a word, ArrowDown, Enter; Escape closes -------------------------
    claim = page.locator("textarea[name='sections-0-claims-0-text']")
    claim.fill("")
    claim.focus()
    page.keyboard.type("Muscle relaxants help briefly ")
    page.keyboard.type("[@")
    expect(search).to_be_focused()
    page.keyboard.type("2017")
    expect(options).to_have_count(1)
    page.keyboard.press("ArrowDown")  # wraps round to the only result
    expect(search).to_have_attribute("aria-activedescendant", "cite-option-0")
    page.keyboard.press("Enter")
    expect(claim).to_have_value("Muscle relaxants help briefly [@acp-lbp-2017]")
    expect(claim).to_be_focused()
    page.keyboard.type(" in the short term.")
    expect(claim).to_have_value("Muscle relaxants help briefly [@acp-lbp-2017] in the short term.")
    page.keyboard.type(" [@")
    expect(search).to_be_focused()
    page.keyboard.press("Escape")
    expect(search).to_be_hidden()
    expect(claim).to_be_focused()
    page.keyboard.type("nothing]")  # typing goes on where it was
    expect(claim).to_have_value("Muscle relaxants help briefly [@acp-lbp-2017] in the short term. [@nothing]")

    # -- a claim added in the page has its Cite button too ----------------------------------------
    page.locator("#sections-0-claims-group").get_by_text("Add another Claim").click()
    added = page.locator("textarea[name='sections-0-claims-3-text']")
    added.fill("A new claim ")
    page.get_by_role("button", name="Cite a source in New claim text").click()
    search.fill("spasm")
    expect(options).to_have_count(1)
    page.keyboard.press("Enter")
    expect(added).to_have_value("A new claim [@baclofen-rct]")

    # -- New reference, inline: an invalid DOI is refused, then it is added and cited ----------------
    other = page.locator("textarea[name='sections-1-claims-0-text']")
    other.fill("Heat wraps help ")
    page.get_by_role("button", name="Cite a source in Section 2, claim 1 text").click()
    search.fill("heat wrap therapy")
    expect(page.locator(".cite-status")).to_contain_text("No reference matches")
    page.get_by_role("button", name="New reference…").click()
    dialog = page.get_by_role("dialog", name="New reference")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Title")).to_have_value("heat wrap therapy")
    dialog.get_by_label("Year").fill("2006")
    dialog.get_by_label("DOI").fill("not a doi")
    problems += admin_page_problems(page, "cite-3-new-reference-dialog")
    dialog.get_by_role("button", name="Add and cite").click()
    expect(dialog.get_by_label("DOI")).to_be_focused()
    expect(dialog.get_by_label("DOI")).to_have_attribute("aria-invalid", "true")
    expect(dialog).to_contain_text("is not a DOI")
    assert not Reference.objects.filter(title="heat wrap therapy").exists()
    screenshot(page, "cite-4-new-reference-refused", full_page=False)
    dialog.get_by_label("DOI").fill("https://doi.org/10.1097/01.brs.0000214877.19314.b5")
    dialog.get_by_role("button", name="Add and cite").click()
    expect(dialog).to_be_hidden()
    created = Reference.objects.get(title="heat wrap therapy")
    assert created.doi == "10.1097/01.brs.0000214877.19314.b5"
    expect(other).to_have_value(f"Heat wraps help [@{created.key}]")
    expect(other).to_be_focused()

    # -- the live preview follows the text, nothing is saved ---------------------------------------
    toggle = page.get_by_role("button", name="Show preview")
    toggle.click()
    expect(page.get_by_role("button", name="Hide preview")).to_have_attribute("aria-expanded", "true")
    frame = page.frame_locator("iframe.live-preview-frame")
    expect(frame.locator(".summary-answer.audience-default")).to_contain_text("Short")
    summary.fill("Typed a moment ago [@acp-lbp-2017], not saved.")
    expect(frame.locator(".summary-answer.audience-default")).to_contain_text("Typed a moment ago")
    expect(frame.locator(".reference-list li").first).to_contain_text("Noninvasive treatments")
    other.fill("Heat wraps help [@ghost-2031]")
    expect(page.locator(".live-preview-unknown")).to_contain_text("ghost-2031")
    expect(frame.locator(".citation-missing")).to_have_text(["?nothing", "?ghost-2031"])
    page.locator("textarea[name=summary_patient]").fill("In plain words: it may help a little.")
    page.get_by_label("Preview for").select_option("patient")
    expect(frame.locator("html")).to_have_attribute("data-audience", "patient")
    expect(frame.get_by_text("In plain words: it may help a little.")).to_be_visible()
    page.wait_for_timeout(700)
    screenshot(page, "cite-5-live-preview", full_page=False)
    problems += admin_page_problems(page, "cite-6-preview-open")
    assert Article.objects.get(pk=article.pk).summary == saved_summary  # the preview saved nothing
    context.close()

    assert not problems, "\n".join(problems)
    # the refused DOI is a 400 (the dialog says why): the one error the console reports
    assert errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"], errors
