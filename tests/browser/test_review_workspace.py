"""The board member's path through one review, in a real browser: the admin home says what awaits
them, the review page shows what changed beside the decision, approving without the required
checklist items is refused with the items named, and the attested checklist is in the article's
audit trail. axe-core runs on each of these pages (no serious or critical violation), and none
scrolls sideways at 1,280 px or at 390 px."""

from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article, tell_readers

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "Is naproxen safe for back pain?"
REQUIRED = ["Doses checked against the current label", "Contraindications and interactions covered"]
RECOMMENDED = "The patient summary reads at a general-public level"


class Path:
    """The reviewer's path: each page they land on and each click they make."""

    def __init__(self, page):
        self.page, self.pages, self.clicks = page, 0, 0
        page.on("framenavigated", lambda frame: frame == page.main_frame and self._landed())

    def _landed(self):
        self.pages += 1

    def click(self, locator):
        self.clicks += 1
        locator.click()


def check_page(page, admin_page_problems, name, problems):
    problems += admin_page_problems(page, f"review-workspace-{name}")


def test_a_board_member_reads_and_decides_on_one_page(
    browser, live_server, transactional_db, admin_page_problems, screenshot
):
    from reviews.models import BoardMember, ChecklistItem, Review
    from reviews.services import review_submit

    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    for position, text in enumerate(REQUIRED, start=1):
        ChecklistItem.objects.create(text=text, position=position)
    ChecklistItem.objects.create(text=RECOMMENDED, level=ChecklistItem.Level.RECOMMENDED, position=9)
    article = make_article(question=QUESTION, slug="is-naproxen-safe-for-back-pain")
    review_submit(article=article, by=editor, change_summary="First draft")
    review = Review.objects.get()

    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    log_in(page, live_server, "board", "Bo")
    path = Path(page)
    problems = []

    # the admin home: what awaits them, above the app list
    awaiting = page.locator("section.board-home-section", has=page.locator("#board-home-awaiting"))
    expect(awaiting).to_contain_text("Awaiting review (1)")
    check_page(page, admin_page_problems, "1-home", problems)

    with page.expect_navigation():
        path.click(awaiting.get_by_role("link", name=QUESTION))
    expect(page.locator("h1")).to_have_text(f"Review: {QUESTION}")
    expect(page.locator(".workspace-decision button")).to_have_text(["Start review"])
    check_page(page, admin_page_problems, "2-submitted", problems)

    with page.expect_navigation():
        path.click(page.get_by_role("button", name="Start review"))
    expect(page.locator("ul.messagelist li.success")).to_contain_text("Review started")
    expect(page.locator("#workspace-diff-heading")).to_contain_text("The whole text")
    expect(page.locator(".workspace-diff")).to_contain_text("Claim 1.1")
    expect(page.frame_locator("iframe[name=review-preview]").locator("h1")).to_have_text(QUESTION)
    expect(page.locator(".workspace-decision button")).to_have_text(["Request changes", "Approve"])
    check_page(page, admin_page_problems, "3-under-review", problems)

    # approving without the required items: refused, each named, nothing lost
    page.fill("#decision-comment", "Doses and interactions match the label.")
    path.click(page.get_by_label("No relevant conflict"))  # the declaration (reviews/disclosures.py)
    path.click(page.get_by_label(RECOMMENDED))
    tell_readers(page, change_class="major", click=path.click)  # the class and the literature date: 2 clicks
    with page.expect_navigation():
        path.click(page.get_by_role("button", name="Approve"))
    refusal = page.locator("ul.messagelist li.error")
    expect(refusal).to_have_count(1)
    for text in REQUIRED:
        expect(refusal).to_contain_text(text)
    expect(page.locator("#decision-comment")).to_have_value("Doses and interactions match the label.")
    expect(page.get_by_label(RECOMMENDED)).to_be_checked()
    review.refresh_from_db()
    assert review.state == Review.State.UNDER_REVIEW
    check_page(page, admin_page_problems, "4-refused", problems)

    for text in REQUIRED:
        path.click(page.get_by_label(text))
    with page.expect_navigation():
        path.click(page.get_by_role("button", name="Approve"))
    expect(page.locator("ul.messagelist li.success")).to_have_text("Approved and published as version 1.")
    expect(page.locator(".workspace-approvals")).to_contain_text("Ticked: Doses checked against the current label")
    check_page(page, admin_page_problems, "5-approved", problems)
    reviewer_path = (path.pages, path.clicks)

    # the article's audit trail keeps what was attested
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    trail = page.locator("#review_transitions-group, .inline-group", has_text="Audit trail").first
    for text in REQUIRED + [RECOMMENDED]:
        expect(trail).to_contain_text(f"Ticked: {text}")
    page.locator("summary", has_text="Audit trail").click()
    trail.scroll_into_view_if_needed()
    expect(trail.get_by_text("Ticked: Doses checked against the current label")).to_be_visible()
    screenshot(page, "review-workspace-6-article-audit-trail", full_page=False)
    context.close()

    assert not problems, "\n".join(problems)
    # the refusal is a 400 (the page says why, with everything kept): the one error the console reports
    assert [e for e in errors if not (e[0].endswith("/decide/") and "status of 400" in e[1])] == []
    # home → review page → started → refused → approved: 4 pages after the home, 8 clicks (3 of them
    # ticks, 1 the conflict-of-interest declaration, 2 the class of change and the literature date)
    assert reviewer_path == (4, 10), reviewer_path
