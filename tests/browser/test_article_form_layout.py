"""The article change form fits on a screen (issue 16, Deliver 4), in a real browser, on the demo
baclofen answer: sections fold to their headings (one by one, all at once; remembered across a
refused save, a section with an error opening unfolded), the table of contents jumps to a part of
the form with focus moved there (opening a folded section) and follows the headings typed and the
sections added, claims and sections move with the keyboard (announced; the boxes' names follow),
and what is saved is the order shown, on the draft's preview as in the database. Without
JavaScript everything is shown. axe-core finds no serious or critical violation, folded or
unfolded, and nothing scrolls sideways at 1,280 (preview shown and hidden) or 390 px."""

from playwright.sync_api import expect

from articles.models import Article
from tests.helpers import LITERATURE_THROUGH, PASSWORD, UserFactory, log_in

DESKTOP = {"width": 1280, "height": 900}


def sideways(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def headings(article) -> list[str]:
    return list(Article.objects.get(pk=article.pk).sections.values_list("heading", flat=True))


def claims(article, position) -> list[str]:
    section = Article.objects.get(pk=article.pk).sections.all()[position]
    return list(section.claims.values_list("text", flat=True))


def test_sections_fold_the_contents_jump_and_rows_move_with_the_keyboard(
    browser, live_server, demo_article, admin_page_problems, screenshot
):
    UserFactory(username="editor", groups=["Editors"])
    before_sections = headings(demo_article)
    before_claims = claims(demo_article, 1)
    assert len(before_sections) == 6 and len(before_claims) == 4
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/articles/article/{demo_article.pk}/change/")
    status = page.locator(".form-layout-status")  # the form's live region

    toc = page.get_by_role("navigation", name="On this form")
    toc_sections = toc.locator("[data-toc-sections] a")
    expect(toc_sections).to_have_text([f"{n}. {h}" for n, h in enumerate(before_sections, start=1)])
    for name in ("Medical Advisory Board review", "Summary answer", "Summary for each audience", "Re-review"):
        expect(toc.get_by_role("link", name=name, exact=True)).to_be_visible()
    # the claim's text is in its box only: no row title repeats it above the box
    claim = page.locator("textarea[name='sections-1-claims-2-text']")
    expect(page.locator("#sections-group td.original p")).to_have_count(0)
    expect(claim).to_have_accessible_name("Section 2, claim 3 text")
    expanded_height = page.evaluate("() => document.documentElement.scrollHeight")
    problems = admin_page_problems(page, "form-layout-1-expanded")

    # -- one section folds to its heading, then all of them ------------------------------------------
    toggle = page.get_by_role("button", name="Section 2: Safety Concerns with Baclofen")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(claim).to_be_hidden()
    expect(page.locator("#sections-1 .section-meta")).to_have_text("4 claims")
    expect(page.locator("textarea[name='sections-0-claims-0-text']")).to_be_visible()
    toggle.press("Enter")  # the keyboard unfolds it again
    expect(claim).to_be_visible()
    page.get_by_role("button", name="Collapse all sections").first.click()
    expect(page.locator(".section-toggle[aria-expanded=true]")).to_have_count(0)
    expect(status).to_have_text("All sections collapsed to their headings.")
    collapsed_height = page.evaluate("() => document.documentElement.scrollHeight")
    assert collapsed_height < expanded_height * 0.55, (collapsed_height, expanded_height)
    problems += admin_page_problems(page, "form-layout-2-collapsed")

    # -- the contents jump: focus moves to the section, which unfolds ---------------------------------
    toc.get_by_role("link", name="3. Alternative Treatment Options for Back Pain").click()
    third = page.get_by_role("button", name="Section 3: Alternative Treatment Options for Back Pain")
    expect(third).to_be_focused()
    expect(third).to_have_attribute("aria-expanded", "true")
    expect(page.locator("textarea[name='sections-2-claims-0-text']")).to_be_visible()
    link = toc.get_by_role("link", name="Re-review", exact=True)
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#fieldset-0-4-heading")).to_be_focused()
    # a folded section's claim found by a link elsewhere on the page opens the section
    page.evaluate(
        "() => { const a = document.createElement('a'); a.href = '#id_sections-4-claims-0-text';"
        " a.id = 'probe'; a.textContent = 'probe'; document.querySelector('.field-summary').appendChild(a); }"
    )
    page.locator("#probe").click()
    expect(page.locator("textarea[name='sections-4-claims-0-text']")).to_be_visible()

    # -- the contents follow the page: a heading typed, a section added -------------------------------
    page.get_by_role("button", name="Section 1: Evidence Against Baclofen Use in Back Pain").click()
    page.locator("input[name='sections-0-heading']").fill("Evidence against baclofen for back pain")
    expect(toc_sections.first).to_have_text("1. Evidence against baclofen for back pain")
    expect(page.get_by_role("button", name="Section 1: Evidence against baclofen for back pain")).to_be_visible()
    page.get_by_text("Add another Section").click()
    expect(toc_sections).to_have_count(7)
    expect(toc_sections.last).to_have_text("7. Untitled section")
    page.locator("input[name='sections-6-heading']").fill("When to see a doctor")
    expect(toc_sections.last).to_have_text("7. When to see a doctor")
    page.locator("#sections-6 > h3 .inline-deletelink").click()
    expect(toc_sections).to_have_count(6)

    # -- the keyboard moves a claim up, and a section up ----------------------------------------------
    page.get_by_role("button", name="Expand all sections").first.click()
    up = page.get_by_role("button", name="Move Section 2, claim 3 up")
    up.focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Claim 3 moved to position 2 of 4 in section 2.")
    moved = page.locator("#sections-1-claims-2")
    expect(moved.locator("textarea")).to_have_accessible_name("Section 2, claim 2 text")  # named by its place
    expect(page.locator("#sections-1-claims-1 textarea")).to_have_accessible_name("Section 2, claim 3 text")
    expect(page.get_by_role("button", name="Move Section 2, claim 2 up")).to_be_focused()  # focus stayed
    # the live citation check names the claim by where it now is
    moved.locator("textarea").fill("CNS effects may be additive to alcohol [@ghost-2031]")
    expect(page.locator(".field-citation_problems .readonly")).to_contain_text(
        "Section 2 “Safety Concerns with Baclofen”, claim 2: unknown reference key “ghost-2031”"
    )
    moved.locator("textarea").fill(before_claims[2])
    page.get_by_role("button", name="Move Section 2, claim 2 up").focus()
    order = page.locator("#sections-1 tbody.djn-inline-form:not(.djn-empty-form) textarea")
    expect(order.nth(1)).to_have_value(before_claims[2])
    page.keyboard.press("Enter")  # to the top: Move up is then inert, and says so
    expect(status).to_have_text("Claim 2 moved to position 1 of 4 in section 2.")
    first_up = page.get_by_role("button", name="Move Section 2, claim 1 up")
    expect(first_up).to_have_attribute("aria-disabled", "true")
    page.keyboard.press("Enter")
    expect(order.first).to_have_value(before_claims[2])

    section_up = page.get_by_role("button", name="Move section 3, “Alternative Treatment Options for Back Pain”, up")
    section_up.focus()
    page.keyboard.press("Space")
    expect(status).to_have_text("Section 3, “Alternative Treatment Options for Back Pain”, moved to position 2 of 6.")
    expect(toc_sections.nth(1)).to_have_text("2. Alternative Treatment Options for Back Pain")
    expect(page.locator("#sections-2 .section-toggle")).to_have_accessible_name(
        "Section 2: Alternative Treatment Options for Back Pain"
    )
    expect(page.locator("#sections-1 tbody.djn-inline-form textarea").first).to_have_accessible_name(
        "Section 3, claim 1 text"
    )

    # -- the live preview follows the move; no sideways scrolling with it shown ------------------------
    page.get_by_role("button", name="Show preview").click()
    frame = page.frame_locator("iframe.live-preview-frame")
    expect(frame.locator("body")).to_contain_text("Alternative Treatment Options")
    shown = frame.locator("body").inner_text()
    assert shown.index("Alternative Treatment Options") < shown.index("Safety Concerns with Baclofen")
    assert sideways(page) <= 0
    page.get_by_role("button", name="Collapse all sections").first.click()
    assert sideways(page) <= 0
    problems += admin_page_problems(page, "form-layout-3-preview-collapsed")
    page.get_by_role("button", name="Hide preview").click()

    # -- a refused save keeps what was folded; the section with the error opens -------------------------
    page.locator("#sections-3 .section-toggle").click()  # unfold section 4 (Recent Research …), empty its heading
    page.locator("input[name='sections-3-heading']").fill("")
    page.locator("#sections-3 .section-toggle").click()  # and fold it again
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("Please correct the error below.")).to_be_visible()
    expect(page.locator("#sections-3 .section-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#sections-3 .errorlist")).to_be_visible()
    expect(page.locator("#sections-0 .section-toggle")).to_have_attribute("aria-expanded", "false")
    # the order shown is the order the form came back in
    expect(page.locator("#form-toc [data-toc-sections] a").nth(1)).to_have_text(
        "2. Alternative Treatment Options for Back Pain"
    )
    screenshot(page, "form-layout-4-refused-save", full_page=False)
    assert headings(demo_article) == before_sections  # nothing saved

    # -- saved: the order shown is the order stored, and the preview's -----------------------------------
    page.locator("input[name='sections-3-heading']").fill("Recent Research on Baclofen for Back Pain")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expected = [before_sections[0], before_sections[2], before_sections[1], *before_sections[3:]]
    expected[0] = "Evidence against baclofen for back pain"
    assert headings(demo_article) == expected
    assert claims(demo_article, 2) == [before_claims[2], before_claims[0], before_claims[1], before_claims[3]]
    expect(page.locator("textarea[name='sections-2-claims-0-text']")).to_have_value(before_claims[2])
    page.goto(f"{live_server.url}/admin/articles/article/{demo_article.pk}/preview/")
    shown_order = page.evaluate(
        "(names) => names.map(n => document.body.innerText.indexOf(n))", [expected[1], expected[2], expected[3]]
    )
    assert -1 not in shown_order and shown_order == sorted(shown_order), shown_order
    assert errors == [], errors
    assert not problems, "\n".join(problems)
    context.close()


def test_without_javascript_everything_is_shown(browser, live_server, demo_article, screenshot):
    UserFactory(username="editor", groups=["Editors"])
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/articles/article/{demo_article.pk}/change/")
    toc = page.get_by_role("navigation", name="On this form")
    expect(toc.get_by_role("link", name="2. Safety Concerns with Baclofen")).to_have_attribute("href", "#sections-1")
    expect(page.locator(".section-toggle")).to_have_count(0)
    expect(page.locator("textarea[name='sections-5-claims-2-text']")).to_be_visible()
    assert sideways(page) <= 0
    context.close()


def test_the_locked_view_folds_but_offers_no_moves(browser, live_server, demo_article, admin_page_problems):
    from reviews.services import review_submit

    editor = UserFactory(username="editor", groups=["Editors"])
    demo_article.literature_through = LITERATURE_THROUGH  # set by its editor before submitting
    demo_article.save(update_fields=["literature_through"])
    review_submit(article=demo_article, by=editor, change_summary="Check")
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/articles/article/{demo_article.pk}/change/")
    expect(page.locator(".messagelist .warning")).to_contain_text("locked")
    expect(page.locator(".row-move-button")).to_have_count(0)
    expect(page.locator("#sections-group td.original .djn-drag-handler").first).to_be_hidden()  # nothing to drag
    toc = page.get_by_role("navigation", name="On this form")
    expect(toc.get_by_role("link", name="2. Safety Concerns with Baclofen")).to_be_visible()
    page.get_by_role("button", name="Collapse all sections").first.click()
    expect(page.locator(".section-toggle[aria-expanded=true]")).to_have_count(0)
    toc.get_by_role("link", name="2. Safety Concerns with Baclofen").click()
    expect(page.get_by_role("button", name="Section 2: Safety Concerns with Baclofen")).to_be_focused()
    problems = admin_page_problems(page, "form-layout-5-locked-collapsed")
    assert not problems, "\n".join(problems)
    context.close()
