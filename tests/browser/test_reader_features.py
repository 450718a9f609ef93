"""What a reader does on an answer page beyond reading it: choosing an audience, asking a
follow-up question, searching, reading on a small phone or on paper, and using the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article, publish_directly

QUESTION = "Is ibuprofen safe?"
SLUG = "is-ibuprofen-safe"
DEFAULT_SUMMARY = "Short answer"
PATIENT_SUMMARY = "Plain words for patients."
STUDENT_SUMMARY = "What the guidelines and trials say, for students."
PATIENT_SECTION = "Questions to ask your pharmacist"
# A word only the published answer's body contains, one only a draft contains, and one only an
# unpublished edit of the published answer contains.
BODY_WORD = "bromelain"
DRAFT_WORD = "butterbur"
EDIT_WORD = "feverfew"
DESKTOP = {"width": 1280, "height": 900}
FOLLOW_UP = "Can I take ibuprofen with my blood pressure tablets?"


# --- helpers --------------------------------------------------------------------------------


def watch(page, errors):
    """Collect the page's console errors and uncaught exceptions in `errors` as (url, text)."""
    page.on("console", lambda m: m.type == "error" and errors.append((m.location.get("url") or page.url, m.text)))
    page.on("pageerror", lambda exc: errors.append((page.url, str(exc))))
    return page


def unexpected(errors, expected_statuses=()):
    """The errors, less Chromium's "Failed to load resource" report of a response the test expects:
    `expected_statuses` holds (url fragment, status) pairs."""

    def expected(url, text):
        return text.startswith("Failed to load resource") and any(
            fragment in url and f"status of {status}" in text for fragment, status in expected_statuses
        )

    return [e for e in errors if not expected(*e)]


def set_claim(article, index, words):
    """Replace the words of the article's `index`-th claim, keeping its citation marker."""
    from articles.models import Claim

    claim = Claim.objects.filter(section__article=article).order_by("section__position", "position")[index]
    marker = re.search(r"\s*\[@[^\]]+\]$", claim.text).group(0)
    claim.text = f"{words}{marker}"
    claim.save()


def open_follow_up_form(page):
    details = page.locator("details.follow-up-details")
    expect(details).not_to_have_attribute("open", re.compile(".*"))
    expect(page.locator("#follow-up-text")).to_be_hidden()
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(page.locator("#follow-up-text")).to_be_visible()


def send(page):
    """Click "Send my question" and return the response the browser ends on."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send my question").click()
    return navigation.value


def summaries(page):
    variants = page.locator(".summary-variants")
    return (
        variants.locator(".summary-answer.audience-default"),
        variants.locator(".summary-answer.audience-only.audience-patient"),
        variants.locator(".summary-answer.audience-only.audience-student"),
    )


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def answer_url(transactional_db, live_server):
    """A published answer with patient and student summaries (no professional one), a section
    only for patients, and a distinctive word in its body; returns its absolute URL."""
    article = make_article(question=QUESTION, slug=SLUG, summary=DEFAULT_SUMMARY)
    article.summary_patient = PATIENT_SUMMARY
    article.summary_student = STUDENT_SUMMARY
    article.save()
    patient_section = article.sections.order_by("position").last()
    patient_section.heading = PATIENT_SECTION
    patient_section.audience = "patient"
    patient_section.save()
    set_claim(article, 1, f"Ibuprofen interacts with {BODY_WORD}, which can raise the risk of bleeding")
    publish_directly(article)
    return f"{live_server.url}/articles/{SLUG}/"


# --- 1. audience ------------------------------------------------------------------------------


def test_switching_audience_changes_the_summary_and_survives_a_reload(page, answer_url):
    errors = []
    watch(page, errors)
    page.set_viewport_size(DESKTOP)
    page.goto(answer_url)
    html = page.locator("html")
    default, patient, student = summaries(page)
    patient_section = page.locator("section.answer-section.audience-only.audience-patient")
    expect(page.locator(".summary-variants")).to_have_class(re.compile(r"\bhas-patient\b.*\bhas-student\b"))
    expect(page.locator(".summary-variants")).not_to_have_class(re.compile(r"\bhas-professional\b"))

    # No choice yet: the version for everyone, and nothing written for one audience.
    expect(html).not_to_have_attribute("data-audience", re.compile(".*"))
    expect(default).to_be_visible()
    expect(default).to_contain_text(DEFAULT_SUMMARY)
    expect(patient).to_be_hidden()
    expect(student).to_be_hidden()
    expect(patient_section).to_be_hidden()
    expect(page.locator(".disclaimer div.audience-default")).to_be_visible()
    expect(page.locator(".disclaimer div.audience-patient")).to_be_hidden()
    choices = page.locator("a.audience-choice")
    expect(choices).to_have_count(3)
    for i in range(3):
        expect(choices.nth(i)).to_have_attribute("aria-pressed", "false")

    # With JavaScript the choice applies in place: no navigation.
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Patient or caregiver").click()
    expect(html).to_have_attribute("data-audience", "patient")
    assert page.url == answer_url
    assert page.evaluate("window.__notReloaded === true")
    expect(patient).to_be_visible()
    expect(patient).to_contain_text(PATIENT_SUMMARY)
    expect(patient.locator(".audience-badge")).to_have_text("Written for patients and caregivers")
    expect(default).to_be_hidden()
    expect(student).to_be_hidden()
    expect(patient_section).to_be_visible()
    expect(patient_section.locator("h2")).to_have_text(PATIENT_SECTION)
    expect(page.locator(".disclaimer div.audience-patient")).to_be_visible()
    expect(page.locator(".disclaimer div.audience-default")).to_be_hidden()
    expect(page.locator('a.audience-choice[data-audience="patient"]')).to_have_attribute("aria-pressed", "true")
    for other in ("professional", "student"):
        expect(page.locator(f'a.audience-choice[data-audience="{other}"]')).to_have_attribute("aria-pressed", "false")
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("oracle_audience") == "patient"

    # The choice is remembered.
    page.reload()
    expect(html).to_have_attribute("data-audience", "patient")
    expect(patient).to_be_visible()
    expect(default).to_be_hidden()
    expect(page.locator('a.audience-choice[data-audience="patient"]')).to_have_attribute("aria-pressed", "true")

    # No version was written for professionals: they read the version for everyone.
    page.get_by_role("button", name="Healthcare professional").click()
    expect(html).to_have_attribute("data-audience", "professional")
    expect(default).to_be_visible()
    expect(default).to_contain_text(DEFAULT_SUMMARY)
    expect(patient).to_be_hidden()
    expect(student).to_be_hidden()
    expect(patient_section).to_be_hidden()
    expect(page.locator(".disclaimer div.audience-default")).to_be_visible()
    expect(page.locator(".disclaimer div.audience-patient")).to_be_hidden()
    expect(page.locator('a.audience-choice[data-audience="professional"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('a.audience-choice[data-audience="patient"]')).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(html).to_have_attribute("data-audience", "professional")
    expect(default).to_be_visible()

    assert unexpected(errors) == []


def test_choosing_an_audience_works_without_javascript(browser, answer_url, screenshot):
    errors = []
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    try:
        page = watch(context.new_page(), errors)
        page.goto(answer_url)
        default, patient, _ = summaries(page)
        expect(default).to_be_visible()
        expect(patient).to_be_hidden()

        page.get_by_role("link", name="Patient or caregiver").click()
        page.wait_for_url(f"{answer_url}?audience=patient")
        expect(page.locator("html")).to_have_attribute("data-audience", "patient")
        expect(patient).to_be_visible()
        expect(patient).to_contain_text(PATIENT_SUMMARY)
        expect(default).to_be_hidden()
        expect(page.locator("section.answer-section.audience-patient")).to_be_visible()
        assert {c["name"]: c["value"] for c in context.cookies()}.get("oracle_audience") == "patient"
        # The chosen link is marked (by CSS alone here).
        page.mouse.move(0, 0)
        chosen = page.locator('a.audience-choice[data-audience="patient"]')
        other = page.locator('a.audience-choice[data-audience="student"]')
        background = "el => getComputedStyle(el).backgroundColor"
        assert chosen.evaluate(background) != other.evaluate(background)
        screenshot(page, "reader-audience-patient-no-js")

        # Another choice replaces the first in the address, rather than adding to it.
        page.get_by_role("link", name="Student").click()
        page.wait_for_url(f"{answer_url}?audience=student")
        expect(page.locator(".summary-answer.audience-student")).to_contain_text(STUDENT_SUMMARY)
        expect(patient).to_be_hidden()
    finally:
        context.close()
    assert unexpected(errors) == []


# --- 2 and 3. follow-up questions -------------------------------------------------------------


def test_a_follow_up_question_is_stored_and_shows_in_the_admin(page, browser, answer_url, live_server, screenshot):
    from django.core.cache import cache

    from articles.models import FollowUpQuestion

    cache.clear()
    UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    errors = []
    watch(page, errors)
    page.set_viewport_size(DESKTOP)
    page.goto(answer_url)
    # The editors are told which audience the question comes from.
    page.get_by_role("button", name="Patient or caregiver").click()

    open_follow_up_form(page)
    page.fill("#follow-up-text", FOLLOW_UP)
    page.fill("#follow-up-email", "reader-at-example.org")
    page.locator(".follow-up").scroll_into_view_if_needed()
    screenshot(page, "reader-follow-up-form-open", full_page=False)

    # A wrong email: nothing is saved, the error says why, and nothing typed is lost.
    response = send(page)
    assert response.status == 400
    assert response.url == f"{answer_url}follow-up/"
    expect(page.locator("h1")).to_have_text("Your follow-up question")
    expect(page.locator(".form-errors")).to_contain_text("Your question was not saved yet")
    expect(page.locator("#follow-up-email-error")).to_contain_text("That email address does not look right")
    expect(page.locator("#follow-up-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#follow-up-email")).to_have_value("reader-at-example.org")
    expect(page.locator("#follow-up-text")).to_have_value(FOLLOW_UP)
    expect(page.locator("#follow-up-text")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("link", name=QUESTION)).to_have_attribute("href", f"/articles/{SLUG}/")
    assert FollowUpQuestion.objects.count() == 0
    screenshot(page, "reader-follow-up-invalid-email")

    page.fill("#follow-up-email", "reader@example.org")
    response = send(page)
    assert response.status == 200
    assert response.url.startswith(f"{answer_url}follow-up/thanks/?r=")
    expect(page.locator("h1")).to_have_text("Thank you — we have your question")
    expect(page.get_by_role("link", name=f"Back to “{QUESTION}”")).to_be_visible()
    screenshot(page, "reader-follow-up-thanks")

    (question,) = FollowUpQuestion.objects.all()
    assert question.article.slug == SLUG
    assert question.text == FOLLOW_UP
    assert question.email == "reader@example.org"
    assert question.audience == "patient"
    assert question.status == FollowUpQuestion.Status.NEW

    # An editor, in their own browser, finds it in the admin.
    context = browser.new_context(viewport=DESKTOP)
    try:
        editor = watch(context.new_page(), errors)
        log_in(editor, live_server, "editor", "Eddie")
        editor.goto(f"{live_server.url}/admin/articles/followupquestion/")
        rows = editor.locator("#result_list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(FOLLOW_UP)
        expect(rows.first).to_contain_text(QUESTION)
        expect(rows.first).to_contain_text("Patient or caregiver")
        expect(rows.first).to_contain_text("New")
        screenshot(editor, "reader-follow-up-admin-list")
        rows.first.get_by_role("link").first.click()
        expect(editor.locator("body")).to_contain_text("reader@example.org")
    finally:
        context.close()

    # The admin's pages name no icon, so Chromium asks for /favicon.ico, which the site lacks.
    assert unexpected(errors, {("/follow-up/", 400), ("/favicon.ico", 404)}) == []


def test_follow_up_questions_are_rate_limited(page, answer_url, settings, screenshot):
    from django.core.cache import cache

    from articles.models import FollowUpQuestion

    cache.clear()
    settings.ORACLE_FOLLOW_UP_RATE_LIMIT = 2
    errors = []
    watch(page, errors)
    page.set_viewport_size(DESKTOP)
    for n in (1, 2):
        page.goto(answer_url)
        open_follow_up_form(page)
        page.fill("#follow-up-text", f"Follow-up question number {n}: what about children?")
        response = send(page)
        assert response.status == 200, n
        expect(page.locator("h1")).to_have_text("Thank you — we have your question")

    page.goto(answer_url)
    open_follow_up_form(page)
    page.fill("#follow-up-text", "Follow-up question number 3: what about the elderly?")
    response = send(page)
    assert response.status == 429
    assert response.headers.get("retry-after") == "3600"
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("You have sent 2 questions in the past hour")
    expect(alert).to_contain_text("try again in an hour")
    expect(alert).to_contain_text("Your question was not saved")
    expect(page.locator("form.follow-up-form")).to_have_count(0)
    expect(page.get_by_role("link", name=QUESTION)).to_be_visible()
    screenshot(page, "reader-follow-up-rate-limited")
    assert sorted(FollowUpQuestion.objects.values_list("text", flat=True)) == [
        "Follow-up question number 1: what about children?",
        "Follow-up question number 2: what about children?",
    ]

    assert unexpected(errors, {("/follow-up/", 429)}) == []


# --- 4. search --------------------------------------------------------------------------------


def test_search_from_the_home_page_finds_published_words_only(page, answer_url, live_server, screenshot):
    from articles.models import Article

    draft = make_article(question="Is butterbur good for migraine?", slug="is-butterbur-good-for-migraine")
    set_claim(draft, 0, f"The {DRAFT_WORD} studies are small")
    assert draft.current_publication_id is None
    # An edit of the published answer that no one has reviewed yet is not searched either.
    published = Article.objects.get(slug=SLUG)
    set_claim(published, 0, f"Ibuprofen and {EDIT_WORD} together")

    errors = []
    watch(page, errors)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox", name="Search answers")
    box.fill(BODY_WORD)
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/search/?q={BODY_WORD}")
    expect(page.get_by_role("searchbox", name="Search answers")).to_have_value(BODY_WORD)
    cards = page.locator("li.answer-card")
    expect(cards).to_have_count(1)
    expect(cards.first.locator("a.answer-card-title")).to_have_text(QUESTION)
    expect(cards.first.locator("mark")).to_have_text([re.compile(BODY_WORD, re.I)])
    expect(cards.first.locator(".answer-card-snippet")).to_contain_text("raise the risk of bleeding")
    expect(page.locator(".search-summary")).to_have_text(f"1 answer for “{BODY_WORD}”")
    screenshot(page, "reader-search-results")
    cards.first.locator("a.answer-card-title").click()
    expect(page).to_have_url(f"{live_server.url}/articles/{SLUG}/")

    for word in (DRAFT_WORD, EDIT_WORD):
        page.goto(f"{live_server.url}/")
        page.get_by_role("searchbox", name="Search answers").fill(word)
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        expect(page.locator("li.answer-card")).to_have_count(0)
        expect(page.locator("p.empty")).to_contain_text(f"No reviewed answer matches “{word}”")
    screenshot(page, "reader-search-no-draft")

    assert unexpected(errors) == []


# --- 5. small screens and paper ---------------------------------------------------------------


def test_answer_page_at_360px_and_in_print(browser, published_page, screenshot):
    errors = []
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2, is_mobile=True)
    try:
        page = watch(context.new_page(), errors)
        page.goto(published_page)
        expect(page.locator("h1")).to_be_visible()
        page.locator("details.follow-up-details > summary").click()
        expect(page.locator("#follow-up-text")).to_be_visible()
        sizes = page.evaluate(
            """() => ({
                scrollWidth: document.scrollingElement.scrollWidth,
                innerWidth: window.innerWidth,
                offenders: [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > 360.5)
                    .filter(el => !el.closest('.skip-link, .visually-hidden, .honeypot'))
                    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')),
            })"""
        )
        assert sizes["innerWidth"] == 360, sizes
        assert sizes["scrollWidth"] <= 360, sizes
        assert sizes["offenders"] == [], sizes
        screenshot(page, "reader-answer-360px")
    finally:
        context.close()

    # On paper: the answer, its references and the disclaimer; not the controls of the screen.
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    try:
        page = watch(context.new_page(), errors)
        page.goto(published_page)
        for selector in (".personalise", ".follow-up", ".site-header nav"):
            expect(page.locator(selector)).to_be_visible()
        page.emulate_media(media="print")
        for selector in (".personalise", ".follow-up", ".site-header nav", ".reference-backlinks >> nth=0"):
            expect(page.locator(selector)).to_be_hidden()
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator(".summary-answer.audience-default")).to_be_visible()
        expect(page.locator(".answer-references")).to_be_visible()
        expect(page.locator("ol.reference-list > li.reference")).to_have_count(7)
        expect(page.locator("#ref-7")).to_be_visible()
        expect(page.locator(".disclaimer")).to_be_visible()
        expect(page.locator(".disclaimer .audience-default h2")).to_have_text("Professional Medical Disclaimer")
        expect(page.locator(".disclaimer div.audience-default")).to_be_visible()
        pdf = screenshot(page, "reader-answer-print").with_suffix(".pdf")
        page.pdf(path=str(pdf), format="A4", print_background=True)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-"), data[:16]
        assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1
    finally:
        context.close()

    assert unexpected(errors) == []


# --- 6. keyboard --------------------------------------------------------------------------------


FOCUS_STYLE = """el => {
    const s = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim().slice(0, 40),
        cls: el.className || '', outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth,
        boxShadow: s.boxShadow, inMain: !!el.closest('main'),
    };
}"""


def _focus_visible(style) -> bool:
    return (style["outlineStyle"] != "none" and style["outlineWidth"] != "0px") or style["boxShadow"] != "none"


def test_keyboard_reaches_skip_link_first_with_visible_focus(page, published_page, screenshot):
    errors = []
    watch(page, errors)
    page.set_viewport_size(DESKTOP)
    page.goto(published_page)

    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_have_attribute("href", "#main")
    expect(focused).to_be_in_viewport()
    style = focused.evaluate(FOCUS_STYLE)
    assert style["outlineStyle"] != "none", style
    assert _focus_visible(style), style
    screenshot(page, "reader-skip-link-focused", full_page=False)

    # Following it skips the header: the next Tab lands in the main content.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    style = page.locator(":focus").evaluate(FOCUS_STYLE)
    assert style["inMain"], style
    assert _focus_visible(style), style

    # Every stop of the page's tab order shows where the focus is.
    page.goto(published_page)
    stops, invisible = [], []
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body || !document.activeElement"):
            break
        style = page.locator(":focus").evaluate(FOCUS_STYLE)
        key = (style["tag"], style["text"], style["cls"])
        if stops and key == stops[0]:
            break
        stops.append(key)
        if not _focus_visible(style):
            invisible.append(style)
        if key[:2] in {("a", "Patient or caregiver"), ("summary", "Ask a follow-up question")}:
            screenshot(page, f"reader-focus-{key[1].split()[0].lower()}", full_page=False)
    assert len(stops) > 20, stops
    assert invisible == [], invisible

    assert unexpected(errors) == []
