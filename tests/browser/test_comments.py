"""Comments on what they are about, in a real browser: a board member comments on a claim on the
review page mentioning the editor (who gets an email); the editor sees the thread beside its claim
on the change form and replies; the claim is fixed and resubmitted; on the next cycle's review page
the thread is carried over, marked outdated with the text it was written on, and the board member
resolves it; the history lists it all. axe-core (serious/critical) and sideways scrolling at 1,280 and 390 px on each page."""

from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "Is naproxen safe for back pain?"


def test_a_board_member_comments_the_editor_replies_and_the_thread_is_resolved(
    browser, live_server, transactional_db, admin_page_problems, settings
):
    from articles.models import Article, Claim
    from core.models import Effect
    from reviews.models import BoardMember, CommentThread, Review
    from reviews.services import review_start, review_submit

    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    article = make_article(question=QUESTION, slug="is-naproxen-safe-for-back-pain")
    review = review_start(review=review_submit(article=article, by=editor, change_summary="First draft"), by=board)
    problems = []

    # the board member comments on claim 2 of section 1, mentioning the editor
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server, "board", "Bo")
    page.goto(f"{live_server.url}{review.workspace_url()}")
    place = page.locator("li.comment-place", has_text="Section 1, claim 2")
    place.locator("summary", has_text="Add comment").click()
    place.get_by_label("Comment on section 1, claim 2").fill("@editor the dose is wrong.\nCite the current label.")
    with page.expect_navigation():
        place.get_by_role("button", name="Add comment").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("Comment added on section 1, claim 2.")
    thread = CommentThread.objects.get()
    box = page.locator(f"#thread-{thread.pk}")
    expect(box).to_contain_text("the dose is wrong.")
    expect(box).to_contain_text("Dr. Bo Reviewer")
    expect(page.locator(".comment-warning")).to_contain_text("1 unresolved comment thread")
    problems += admin_page_problems(page, "comments-1-review-page-with-thread")
    assert Effect.objects.filter(name="reviews.notifications.send_email", args__to=editor.email).exists()

    page.fill("#decision-comment", "See the comment on section 1, claim 2.")
    with page.expect_navigation():
        page.get_by_role("button", name="Request changes").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("Changes requested")

    # the editor sees the thread beside its claim on the change form, and replies there
    editor_context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    editor_page = editor_context.new_page()
    log_in(editor_page, live_server, "editor", "Eddie")
    editor_page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    panel = editor_page.locator("#review-comments")
    expect(panel).to_contain_text("Open comment threads (1)")
    expect(panel).to_contain_text("Section 1, claim 2")
    expect(panel.get_by_role("link", name="Go to the text")).to_have_attribute("href", "#id_sections-0-claims-1-text")
    expect(editor_page.locator("#id_sections-0-claims-1-text")).to_have_count(1)
    problems += admin_page_problems(editor_page, "comments-2-change-form-with-thread")
    panel.locator("summary", has_text="Reply").click()
    panel.get_by_label("Your reply").fill("Fixed: the dose now follows the label.")
    with editor_page.expect_navigation():
        panel.get_by_role("button", name="Reply").click()
    expect(editor_page.locator("ul.messagelist li.success")).to_have_text("Reply added.")
    expect(editor_page.locator("#review-comments")).to_contain_text("Fixed: the dose now follows the label.")
    editor_context.close()

    # the claim is fixed and the article resubmitted; the board member starts the new cycle
    claim = Claim.objects.get(section__article=article, section__position=0, position=1)
    Claim.objects.filter(pk=claim.pk).update(text=claim.text.replace("Claim 1.2", "Claim 1.2, at the label's dose"))
    second = review_start(review=review_submit(article=Article.objects.get(pk=article.pk), by=editor), by=board)

    # on the new cycle's page: carried over, outdated, with the text it was written on; resolved
    page.goto(f"{live_server.url}{second.workspace_url()}")
    box = page.locator(f"#thread-{thread.pk}")
    expect(box).to_contain_text("Outdated")
    expect(box).to_contain_text(thread.quoted)
    expect(box).to_contain_text("Fixed: the dose now follows the label.")
    with page.expect_navigation():
        box.get_by_role("button", name="Resolve").click()
    expect(page.locator("ul.messagelist li.success")).to_have_text("Thread resolved.")
    expect(page.locator(f"#thread-{thread.pk}")).to_contain_text("Resolved")
    expect(page.locator("#review-comments")).to_contain_text("No unresolved comment threads.")
    problems += admin_page_problems(page, "comments-3-review-page-resolved")

    # the article's history: every comment and resolution beside the decisions
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    trail = page.locator(".review-trail")
    expect(trail).to_contain_text("Opened a thread — Section 1, claim 2")
    expect(trail).to_contain_text("Fixed: the dose now follows the label.")
    expect(trail).to_contain_text("Resolved the thread — Section 1, claim 2")
    expect(trail).to_contain_text("Request changes: Under review → Changes requested")
    problems += admin_page_problems(page, "comments-4-history")
    context.close()

    assert CommentThread.objects.get().is_resolved
    assert Review.objects.get(pk=second.pk).state == Review.State.UNDER_REVIEW
    assert not problems, "\n".join(problems)
