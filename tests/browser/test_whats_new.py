"""The reader's side of an approval, in a real browser: the approver classifies the change, keeps
the editor's note for readers and confirms how far the literature was searched; the answer page
shows the note, its class and "Literature reviewed through" apart from "Last updated"; What's new
lists the update. axe-core runs on the review page (serious/critical, and no sideways scrolling at
1,280 and 390 px); the public pages go through tests/browser/test_public_validity.py."""

from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "Is celecoxib safe after a heart attack?"
SLUG = "is-celecoxib-safe-after-a-heart-attack"
NOTE = "Added the 2025 trial of cardiovascular safety; the advice on short courses is unchanged."


def test_the_approver_classifies_and_confirms_and_readers_see_it(
    browser, live_server, transactional_db, admin_page_problems, screenshot
):
    import datetime

    from reviews.models import BoardMember
    from reviews.services import review_start, review_submit

    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    article = make_article(question=QUESTION, slug=SLUG, literature_through=datetime.date(2025, 9, 30))
    review = review_start(review=review_submit(article=article, by=editor, change_summary=NOTE), by=board)

    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    log_in(page, live_server, "board", "Bo")
    problems = []

    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/workspace/")
    slot = page.locator(".workspace-change-note")
    expect(slot.locator("legend")).to_have_text("What changed, for readers")
    expect(page.locator("#change-note")).to_have_value(NOTE)  # the editor's note, proposed
    page.get_by_label("No relevant conflict").check()
    page.locator("#change-class-major").check()

    # without confirming the literature date: refused, the choice kept
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("ul.messagelist li.error")).to_have_text(
        "Confirm that the literature was reviewed through 2025-09-30 (tick the box)."
    )
    expect(page.locator("#change-class-major")).to_be_checked()
    expect(page.locator("#change-note")).to_have_value(NOTE)
    problems += admin_page_problems(page, "whats-new-1-review-page-refused")

    page.get_by_label("I confirm the literature was reviewed through").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("ul.messagelist li.success")).to_have_text("Approved and published as version 1.")
    context.close()

    reader = browser.new_page(viewport=DESKTOP)
    reader.goto(f"{live_server.url}/articles/{SLUG}/")
    header = reader.locator("header.answer-header")
    expect(header.locator(".change-note")).to_have_text(f"Major update {NOTE}")
    expect(header.locator(".literature-through")).to_have_text("Literature reviewed through September 30, 2025")
    expect(header.locator(".last-updated")).not_to_contain_text("Literature")
    screenshot(reader, "whats-new-2-answer-page", full_page=False)

    reader.get_by_role("navigation", name="Site").get_by_role("link", name="What’s new").click()
    expect(reader.locator("h1")).to_have_text("What’s new")
    item = reader.locator(".whats-new-list li").first
    expect(item.get_by_role("link", name=QUESTION)).to_be_visible()
    expect(item.locator(".change-note")).to_have_text(f"Major update {NOTE}")
    screenshot(reader, "whats-new-3-list")
    reader.close()

    assert not problems, "\n".join(problems)
    assert [e for e in errors if not (e[0].endswith("/decide/") and "status of 400" in e[1])] == []
