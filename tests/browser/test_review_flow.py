"""The Medical Advisory Board review, end to end: an editor and a board member, each in their own browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article, tell_readers

QUESTION = "Is ibuprofen safe for back pain?"
SLUG = "is-ibuprofen-safe-for-back-pain"
CLAIM = "sections-0-claims-0-text"
FIRST_EDIT = "Ibuprofen relieves acute back pain"
SECOND_EDIT = "Ibuprofen relieves acute back pain in adults"


@pytest.fixture
def open_browser(browser, page, live_server, transactional_db):
    """`open_browser(who)`: a page for one person; the first is pytest-playwright's `page`, the others
    each get their own browser context (their own cookies, so their own login).

    Every page's console errors and uncaught exceptions are collected in `open_browser.errors` as
    (who, url, text); a Content-Security-Policy violation is reported there as a console error.
    """
    contexts = []
    errors = []

    def watch(p, who):
        p.on("console", lambda m: m.type == "error" and errors.append((who, m.location.get("url") or p.url, m.text)))
        p.on("pageerror", lambda exc: errors.append((who, p.url, str(exc))))
        return p

    def new_page(who):
        if not contexts:
            contexts.append(page.context)
            return watch(page, who)
        context = browser.new_context()
        contexts.append(context)
        return watch(context.new_page(), who)

    new_page.errors = errors
    yield new_page
    for context in contexts[1:]:
        context.close()


def panel(p):
    return p.locator("section.review-panel")


def transition(p, name, comment=None):
    """Click one of the review panel's buttons, with an optional comment; the page redirects back."""
    if comment is not None:
        p.fill("#review-comment", comment)
    with p.expect_navigation():
        p.click(f"section.review-panel button[name=transition][value={name}]")


def expect_buttons(p, labels):
    expect(panel(p).locator("button[name=transition]")).to_have_text(labels)


def expect_message(p, level, text):
    expect(p.locator(f"ul.messagelist li.{level}")).to_contain_text([text])


def expect_success(p):
    """The action's success message, and no error (the wording belongs to the app, not this test)."""
    expect(p.locator("ul.messagelist li.success")).to_have_count(1)
    expect(p.locator("ul.messagelist li.error")).to_have_count(0)


def start_review(board, change_url, take_screenshot=None):
    """Start the review; wherever the app then takes the reviewer, come back to the article."""
    transition(board, "start_review")
    expect_success(board)
    if take_screenshot:
        take_screenshot(board)
    if board.url != change_url:
        board.goto(change_url)
    expect(panel(board).locator(".review-state")).to_have_text("Under review")
    expect_buttons(board, ["Request changes", "Approve"])


def edit_claim(p, new_text):
    """Replace the first claim's words, keeping its citation marker, and save and continue editing."""
    claim = p.locator(f"textarea[name='{CLAIM}']")
    old = claim.input_value()
    marker = re.search(r"\s*\[@[^\]]+\]$", old).group(0)
    claim.fill(f"{new_text}{marker}")
    with p.expect_navigation():
        p.click("input[name=_continue]")
    expect_message(p, "success", "was changed successfully")
    expect(p.locator(f"textarea[name='{CLAIM}']")).to_have_value(f"{new_text}{marker}")


def expect_public_404(reader, url):
    response = reader.goto(url)
    assert response.status == 404
    expect(reader.locator("h1")).to_have_text("We couldn't find that page")


def unexpected(errors, *, not_found):
    """The errors, less Chromium's "Failed to load resource" reports of the 404s the test expects."""
    return [
        e for e in errors if not (e[1] in not_found and e[2].startswith("Failed to load resource") and "404" in e[2])
    ]


def test_an_edit_goes_through_review_to_the_public_page(open_browser, live_server, screenshot):
    from reviews.models import BoardMember

    UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board_user = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board_user, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    article = make_article(question=QUESTION, slug=SLUG)
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    public_url = f"{live_server.url}/articles/{SLUG}/"

    editor = open_browser("editor")
    board = open_browser("board")
    reader = open_browser("reader")
    errors = open_browser.errors
    expect_public_404(reader, public_url)

    # 1. The editor edits a claim, saves, and submits the article for review.
    log_in(editor, live_server, "editor", "Eddie")
    editor.goto(change_url)
    expect(panel(editor).locator(".review-state")).to_have_text("Not submitted")
    expect_buttons(editor, ["Submit for review"])
    edit_claim(editor, FIRST_EDIT)
    transition(editor, "submit", "Reworded the first claim about pain relief.")
    expect_success(editor)
    expect(panel(editor).locator(".review-state")).to_have_text("Submitted")
    expect(panel(editor)).to_contain_text(re.compile(r"submitted by Eddie Editor", re.I))
    expect(panel(editor)).to_contain_text("What changed: Reworded the first claim about pain relief.")
    expect_buttons(editor, ["Withdraw"])
    expect_message(editor, "warning", "This article is locked: submitted for review by Eddie Editor")
    expect(editor.locator(f"textarea[name='{CLAIM}']")).to_have_count(0)
    expect(editor.locator("#id_question")).to_have_count(0)
    expect(editor.locator("#article_form")).to_contain_text(f"{FIRST_EDIT} [@")
    expect_public_404(reader, public_url)
    screenshot(editor, "review-flow-1-editor-submitted")

    # 2. A board member starts the review and requests changes; a comment is required.
    log_in(board, live_server, "board", "Bo")
    board.goto(change_url)
    expect(panel(board).locator(".review-state")).to_have_text("Submitted")
    expect_buttons(board, ["Start review"])
    screenshot(board, "review-flow-2a-board-sees-submitted")
    start_review(board, change_url, lambda p: screenshot(p, "review-flow-2b-after-start-review"))
    expect(panel(board)).to_contain_text("Bo Reviewer")

    transition(board, "request_changes", "")
    expect_message(board, "error", "a comment is required to request changes")
    expect(panel(board).locator(".review-state")).to_have_text("Under review")
    expect_buttons(board, ["Request changes", "Approve"])
    screenshot(board, "review-flow-2c-comment-required")
    transition(board, "request_changes", "Say which trial supports this.")
    expect_success(board)
    expect(panel(board).locator(".review-state")).to_have_text("Changes requested")
    screenshot(board, "review-flow-2d-changes-requested")

    # 3. The editor reloads: the article is editable again; they edit the claim and submit again.
    editor.reload()
    expect(panel(editor).locator(".review-state")).to_have_text("Changes requested")
    expect(editor.locator("ul.messagelist li.warning")).to_have_count(0)
    expect(editor.locator(f"textarea[name='{CLAIM}']")).to_be_editable()
    expect_buttons(editor, ["Submit for review"])
    screenshot(editor, "review-flow-3a-editor-sees-changes-requested")
    edit_claim(editor, SECOND_EDIT)
    transition(editor, "submit", "Named the population the trial studied.")
    expect_success(editor)
    expect(panel(editor).locator(".review-state")).to_have_text("Submitted")
    expect(editor.locator(f"textarea[name='{CLAIM}']")).to_have_count(0)

    # 4. The board member starts the new review, previews the submitted version and approves it.
    board.goto(change_url)
    expect(panel(board)).to_contain_text("What changed: Named the population the trial studied.")
    start_review(board, change_url, lambda p: screenshot(p, "review-flow-4a-after-second-start-review"))
    board.get_by_role("link", name="Preview the submitted version").click()
    expect(board.locator(".preview-banner")).to_contain_text("Submitted version")
    expect(board.locator(".preview-banner")).to_contain_text("under review")
    expect(board.locator(".answer-body")).to_contain_text(SECOND_EDIT)
    expect(board.locator("ol.tracker li.tracker-step--current")).to_contain_text("Under Review")
    screenshot(board, "review-flow-4b-preview-submitted-version")
    board.go_back()
    expect(board).to_have_url(change_url)
    expect_buttons(board, ["Request changes", "Approve"])
    board.get_by_label("No relevant conflict").check()  # the approver declares (reviews/disclosures.py)
    tell_readers(board)  # classifies the change, confirms the literature date (articles/change_notes.py)
    transition(board, "approve", "Supported by the cited trial.")
    expect_success(board)
    expect(panel(board).locator(".review-state")).to_have_text("Approved")
    expect(panel(board)).to_contain_text("approved on")
    screenshot(board, "review-flow-4c-approved")

    # 5. Readers see the approved version, signed by the board member.
    article.refresh_from_db()
    publication = article.current_publication
    assert publication is not None
    day = f"{publication.reviewed_on:%B} {publication.reviewed_on.day}, {publication.reviewed_on.year}"
    response = reader.goto(public_url)
    assert response.status == 200
    expect(reader.locator("h1")).to_have_text(QUESTION)
    expect(reader.locator(".answer-body")).to_contain_text(SECOND_EDIT)
    expect(reader.locator("ol.tracker li.tracker-step--current")).to_contain_text("Approved")
    expect(reader.locator("p.review-note")).to_have_text(f"Reviewed by Dr. Bo Reviewer, MD, FACP on {day}.")
    expect(reader.locator(".caution")).not_to_contain_text("pending")
    screenshot(reader, "review-flow-5-public-page", full_page=True)

    # The public page was 404 while unpublished, as it should be; the site has no favicon (yet).
    assert unexpected(errors, not_found={public_url, f"{live_server.url}/favicon.ico"}) == []
