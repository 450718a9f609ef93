"""The published answer page as a reader's browser shows it."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

QUESTION = "Is baclofen safe for treating back pain?"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}


def _background(locator):
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def test_published_answer_shows_everything_a_reader_needs(page, published_page, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto(published_page)

    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(QUESTION)
    expect(page).to_have_title(re.compile(re.escape(QUESTION)))
    expect(page.locator(".board-banner")).to_contain_text("reviewed for accuracy by our Medical Advisory Board")
    expect(page.locator(".caution")).to_contain_text("Educational purpose only")
    # A published answer is not "pending human review".
    expect(page.locator(".caution")).not_to_contain_text("pending")

    steps = page.locator("ol.tracker > li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("Submitted")
    expect(steps.nth(1)).to_contain_text("Under Review")
    current = page.locator("ol.tracker li.tracker-step--current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Approved")
    expect(current).to_have_attribute("aria-current", "step")

    last_updated = page.locator(".last-updated")
    expect(last_updated).to_contain_text("Last updated: October 17, 2025")
    expect(last_updated.locator("time")).to_have_attribute("datetime", "2025-10-17")

    expect(page.locator(".summary-answer")).to_contain_text("Baclofen is not recommended for treating back pain")
    sections = page.locator(".answer-section")
    expect(sections).to_have_count(6)
    expect(sections.first.locator("h2")).to_have_text("Evidence Against Baclofen Use in Back Pain")
    expect(sections.last.locator("h2")).to_have_text("Important Clinical Considerations")
    for i in range(6):
        expect(sections.nth(i).locator("li.claim").first).to_be_visible()

    references = page.locator("ol.reference-list > li.reference")
    expect(references).to_have_count(7)
    expect(page.locator(".reference-kind")).to_have_text(["Guideline"] * 3 + ["Research"] * 4)
    expect(references.nth(4)).to_contain_text("Ibuprofen Plus Metaxalone, Tizanidine, or Baclofen")
    # Every reference is cited at least once, so each has a way back to the text.
    for i in range(7):
        expect(references.nth(i).locator(".reference-backlinks a").first).to_be_visible()

    expect(page.locator(".disclaimer .audience-default h2")).to_have_text("Professional Medical Disclaimer")
    expect(page.get_by_role("heading", name="Have a follow-up question?")).to_be_visible()

    screenshot(page, "answer-desktop")

    last_updated.get_by_role("link", name="View editorial policy").click()
    expect(page).to_have_url(re.compile(r"/editorial-policy/$"))
    expect(page.locator("h1")).to_have_text("Editorial policy")


def test_citation_links_to_its_reference_and_back(page, published_page):
    page.set_viewport_size(DESKTOP)
    page.goto(published_page)

    # Reference 1 is cited first in the summary; take its citation in the first section, far
    # from the reference list: the back-link must return to this very citation, not the first.
    citation = page.locator('.answer-section .claim sup.citation a[href="#ref-1"]').first
    citation_id = citation.get_attribute("id")
    assert citation_id == "cite-1-2"
    expect(page.locator("#ref-1")).not_to_be_in_viewport()

    citation.click()
    expect(page).to_have_url(re.compile(r"#ref-1$"))
    reference = page.locator("#ref-1")
    assert reference.evaluate("el => el.matches(':target')")
    expect(reference).to_be_in_viewport()
    expect(reference).to_contain_text("Guideline Directed Topic Overview")

    backlink = reference.locator(f'.reference-backlinks a[href="#{citation_id}"]')
    expect(backlink).to_have_count(1)
    backlink.click()
    expect(page).to_have_url(re.compile(f"#{citation_id}$"))
    target = page.locator(f"#{citation_id}")
    assert target.evaluate("el => el.matches(':target')")
    expect(target).to_be_in_viewport()
    expect(reference).not_to_be_in_viewport()


def test_mobile_layout_has_no_horizontal_overflow(browser, published_page, screenshot):
    context = browser.new_context(viewport=MOBILE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(published_page)
        expect(page.locator("h1")).to_have_text(QUESTION)
        sizes = page.evaluate(
            """() => ({
                scrollWidth: document.scrollingElement.scrollWidth,
                innerWidth: window.innerWidth,
                offenders: [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')),
            })"""
        )
        # With is_mobile, Chromium would zoom out to fit wide content: hold innerWidth to the device.
        assert sizes["innerWidth"] == MOBILE["width"], sizes
        assert sizes["scrollWidth"] <= sizes["innerWidth"], sizes
        screenshot(page, "answer-mobile")
    finally:
        context.close()


def test_choosing_an_audience_marks_the_choice(page, published_page):
    page.set_viewport_size(DESKTOP)
    page.goto(published_page)
    html = page.locator("html")
    choices = page.locator("a.audience-choice")
    expect(choices).to_have_text(["Patient or caregiver", "Healthcare professional", "Student"])
    expect(html).not_to_have_attribute("data-audience", re.compile(".*"))
    assert len({_background(choices.nth(i)) for i in range(3)}) == 1

    choices.get_by_text("Healthcare professional").click()
    page.wait_for_url(published_page)
    expect(html).to_have_attribute("data-audience", "professional")
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("oracle_audience") == "professional"

    # Take the pointer off the link so :hover does not count as "marked".
    page.mouse.move(0, 0)
    chosen = _background(page.locator('a.audience-choice[data-audience="professional"]'))
    others = {
        _background(page.locator(f'a.audience-choice[data-audience="{value}"]')) for value in ("patient", "student")
    }
    assert len(others) == 1 and chosen not in others, (chosen, others)


def test_page_loads_nothing_from_elsewhere_and_logs_no_errors(page, published_page, live_server):
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    response = page.goto(published_page, wait_until="networkidle")
    assert response.status == 200
    assert "default-src 'self'" in response.headers.get("content-security-policy", "")

    origin = urlsplit(live_server.url).netloc
    assert requests, "no requests recorded"
    elsewhere = [url for url in requests if urlsplit(url).netloc != origin]
    assert elsewhere == []
    # The page's own stylesheet and script did load (and were not blocked by the CSP).
    assert any(url.endswith("/static/css/oracle.css") for url in requests), requests
    assert any(url.endswith("/static/js/oracle.js") for url in requests), requests
    assert page.locator("body").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(245, 247, 250)"
    assert errors == []


def test_print_hides_personalisation_and_follow_up(page, published_page):
    page.set_viewport_size(DESKTOP)
    page.goto(published_page)
    expect(page.locator(".personalise")).to_be_visible()
    expect(page.locator(".follow-up")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".personalise")).to_be_hidden()
    expect(page.locator(".follow-up")).to_be_hidden()
    # The answer itself still prints.
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".summary-answer")).to_be_visible()
    expect(page.locator("#ref-7")).to_be_visible()
    expect(page.locator(".disclaimer")).to_be_visible()


def test_unpublished_answer_is_not_found(page, transactional_db, live_server, demo_page):
    from reviews.importing.write import review_import_pages

    (result,) = review_import_pages([demo_page], publish=False)
    response = page.goto(f"{live_server.url}/articles/{result.article.slug}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(QUESTION)

    response = page.goto(f"{live_server.url}/articles/no-such-answer/")
    assert response.status == 404
