"""The whole board review of one answer, in a real browser, as issue 15 describes it: an editor
submits; board member A comments on a claim and @mentions the editor; the editor replies, fixes
the claim and resubmits; A resolves the thread, ticks the checklist, declares no conflict and
approves the clinical stage (not yet published); a member of the pharmacist group signs the second
stage; the answer is published and shows the reviewers' disclosures line. axe-core (no serious or
critical violation) and no sideways scrolling at 1,280 and 390 px on every page on the way."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article, tell_readers

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "Is naproxen safe with warfarin?"
SLUG = "naproxen-with-warfarin"
CLAIM = "sections-0-claims-1-text"  # section 1, claim 2
REQUIRED = "Doses checked against the current label"
RECOMMENDED = "The patient summary reads at a general-public level"


class Path:
    """A person's path: each page they land on and each click they make."""

    def __init__(self, page):
        self.page, self.pages, self.clicks = page, 0, 0
        page.on("framenavigated", lambda frame: frame == page.main_frame and self._landed())

    def _landed(self):
        self.pages += 1

    def click(self, locator, *, navigates=True):
        self.clicks += 1
        if navigates:
            with self.page.expect_navigation():
                locator.click()
        else:
            locator.click()


def new_page(browser):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append((page.url, m.text)))
    return page


def panel_transition(page, name, comment=None):
    if comment is not None:
        page.fill("#review-comment", comment)
    with page.expect_navigation():
        page.click(f"section.review-panel button[name=transition][value={name}]")
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)


def test_comment_fix_resolve_two_stages_and_the_disclosures_line(
    browser, live_server, transactional_db, admin_page_problems
):
    from django.contrib.auth.models import Group

    from articles.models import Article, Topic
    from reviews.models import BoardMember, ChecklistItem, CommentThread, Review, Workflow, WorkflowStage
    from reviews.roles import BOARD, PHARMACISTS

    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=[BOARD])
    BoardMember.objects.create(
        user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP", specialty="Anticoagulation"
    )
    pharmacist = UserFactory(username="pharma", first_name="Pat", last_name="Chemist", groups=[PHARMACISTS])
    BoardMember.objects.create(user=pharmacist, display_name="Pat Chemist", credentials="PharmD", is_listed=False)
    ChecklistItem.objects.create(text=REQUIRED, position=1)
    ChecklistItem.objects.create(text=RECOMMENDED, level=ChecklistItem.Level.RECOMMENDED, position=2)
    topic = Topic.objects.create(name="Anticoagulation", slug="anticoagulation")
    workflow = Workflow.objects.create(name="Clinical, then pharmacist", topic=topic)
    WorkflowStage.objects.create(
        workflow=workflow, position=1, name="Clinical review", group=Group.objects.get(name=BOARD)
    )
    WorkflowStage.objects.create(
        workflow=workflow, position=2, name="Pharmacist sign-off", group=Group.objects.get(name=PHARMACISTS)
    )
    article = make_article(question=QUESTION, slug=SLUG, topic=topic)
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    problems = []

    # 1. the editor submits from the article's page
    ed = new_page(browser)
    log_in(ed, live_server, "editor", "Eddie")
    ed.goto(change_url)
    panel_transition(ed, "submit", "First version for review.")
    expect(ed.locator("section.review-panel .review-state")).to_have_text("Submitted")
    first = Review.objects.get()

    # 2. board member A: from the home to the review page; starts, comments on claim 2 mentioning
    #    the editor, and requests changes
    a = new_page(browser)
    log_in(a, live_server, "board", "Bo")
    assigned = a.locator("section.board-home-section", has=a.locator("#board-home-assigned"))
    expect(assigned).to_contain_text(f"{QUESTION} — Clinical review")
    problems += admin_page_problems(a, "board-flow-1-home")
    with a.expect_navigation():
        assigned.get_by_role("link", name=f"{QUESTION} — Clinical review").click()
    with a.expect_navigation():
        a.get_by_role("button", name="Start review").click()
    place = a.locator("li.comment-place", has_text="Section 1, claim 2")
    place.locator("summary", has_text="Add comment").click()
    place.get_by_label("Comment on section 1, claim 2").fill("@editor the dose is wrong: cite the current label.")
    with a.expect_navigation():
        place.get_by_role("button", name="Add comment").click()
    expect(a.locator("ul.messagelist li.success")).to_contain_text("Comment added on section 1, claim 2.")
    thread = CommentThread.objects.get()
    expect(a.locator(f"#thread-{thread.pk}")).to_contain_text("Dr. Bo Reviewer, MD, FACP")
    problems += admin_page_problems(a, "board-flow-2-review-page-commented")
    # the mention reaches the editor by email (a durable effect the server's worker path sends)
    assert any(editor.email in m.to and "mentioned you" in m.subject for m in mail.outbox), [
        m.subject for m in mail.outbox
    ]
    a.fill("#decision-comment", "See my comment on section 1, claim 2.")
    with a.expect_navigation():
        a.get_by_role("button", name="Request changes").click()
    expect(a.locator("ul.messagelist li.success")).to_contain_text("Changes requested")

    # 3. the editor sees the thread beside its claim, replies, fixes the claim and resubmits
    ed.goto(change_url)
    comments = ed.locator("#review-comments")
    expect(comments).to_contain_text("Open comment threads (1)")
    expect(comments).to_contain_text("the dose is wrong")
    # and beside the claim it is about
    beside = ed.locator(
        f"*:has(> textarea[name='{CLAIM}']) ~ .claim-thread-note, td:has(textarea[name='{CLAIM}']) .claim-thread-note"
    )
    expect(beside).to_have_count(1)
    expect(beside).to_contain_text("Dr. Bo Reviewer, MD, FACP: @editor the dose is wrong")
    problems += admin_page_problems(ed, "board-flow-3-change-form-thread")
    comments.locator("summary", has_text="Reply").click()
    comments.get_by_label("Your reply").fill("Fixed: the dose now follows the label.")
    with ed.expect_navigation():
        comments.get_by_role("button", name="Reply").click()
    expect(ed.locator("ul.messagelist li.success")).to_have_text("Reply added.")
    claim = ed.locator(f"textarea[name='{CLAIM}']")
    marker = re.search(r"\s*\[@[^\]]+\]$", claim.input_value()).group(0)
    claim.fill(f"Take 250 mg twice daily, as the label says{marker}")
    with ed.expect_navigation():
        ed.click("input[name=_continue]")
    expect(ed.locator("ul.messagelist li.success")).to_contain_text("was changed successfully")
    panel_transition(ed, "submit", "Dose fixed as the comment asked.")
    second = Review.objects.exclude(pk=first.pk).get()

    # 4. A: the thread carried over, outdated, with the text it was written on; resolves it, starts
    #    the review, ticks the checklist, declares no conflict, approves the clinical stage
    a.goto(f"{live_server.url}/admin/")
    path = Path(a)
    with a.expect_navigation():
        path.click(assigned.get_by_role("link", name=f"{QUESTION} — Clinical review"), navigates=False)
    box = a.locator(f"#thread-{thread.pk}")
    expect(box).to_contain_text("Outdated")
    expect(box).to_contain_text("Fixed: the dose now follows the label.")
    path.click(box.get_by_role("button", name="Resolve"))
    expect(a.locator("ul.messagelist li.success")).to_have_text("Thread resolved.")
    path.click(a.get_by_role("button", name="Start review"))
    path.click(a.get_by_label(REQUIRED), navigates=False)
    path.click(a.get_by_label("No relevant conflict"), navigates=False)
    tell_readers(a, click=lambda locator: path.click(locator, navigates=False))
    problems += admin_page_problems(a, "board-flow-4-review-page-ready")
    path.click(a.get_by_role("button", name="Approve"))
    expect(a.locator("ul.messagelist li.success")).to_contain_text(
        "open now: Pharmacist sign-off (Pat Chemist, PharmD)"
    )
    expect(a.locator(".review-state")).to_have_text("Under review")
    problems += admin_page_problems(a, "board-flow-5-clinical-stage-approved")
    board_path = (path.pages, path.clicks)
    assert Article.objects.get(pk=article.pk).current_publication_id is None  # not before the second stage

    # the article's history: the comment, the resolution and the attested checklist
    a.goto(f"{change_url.removesuffix('change/')}history/")
    trail = a.locator(".review-trail")
    expect(trail).to_contain_text("Resolved the thread — Section 1, claim 2")
    expect(trail).to_contain_text(f"Ticked: {REQUIRED}")
    problems += admin_page_problems(a, "board-flow-6-history")

    # 5. the pharmacist: the queue opens on what is assigned to them; they sign the second stage
    ph = new_page(browser)
    log_in(ph, live_server, "pharma", "Pat")
    ph.goto(f"{live_server.url}/admin/reviews/review/")
    expect(ph.locator("#changelist-filter li.selected").first).to_contain_text("Assigned to me (1)")
    row = ph.locator("#result_list tbody tr", has_text=QUESTION)
    expect(row.locator("td.field-stage")).to_have_text("Pharmacist sign-off")
    problems += admin_page_problems(ph, "board-flow-7-pharmacist-queue")
    with ph.expect_navigation():
        row.get_by_role("link", name="Read and decide").click()
    ph.get_by_label(REQUIRED).check()
    ph.get_by_label("No relevant conflict").check()
    tell_readers(ph, change_class="major")  # the completing approval's class and note are the publication's
    problems += admin_page_problems(ph, "board-flow-8-pharmacist-review-page")
    with ph.expect_navigation():
        ph.get_by_role("button", name="Approve").click()
    expect(ph.locator("ul.messagelist li.success")).to_have_text("Approved and published as version 1.")

    # 6. readers: the fixed text, reviewed by both, with the disclosures line; no comment anywhere
    reader = browser.new_page()
    reader.goto(f"{live_server.url}/articles/{SLUG}/")
    expect(reader.locator("h1")).to_have_text(QUESTION)
    expect(reader.locator("main")).to_contain_text("Take 250 mg twice daily, as the label says")
    expect(reader.locator(".review-disclosures")).to_have_text(
        [
            "Dr. Bo Reviewer, MD, FACP: No relevant conflicts declared.",
            "Pat Chemist, PharmD: No relevant conflicts declared.",
        ]
    )
    expect(reader.locator("body")).not_to_contain_text("the dose is wrong")
    expect(reader.locator("body")).not_to_contain_text("Pharmacist sign-off")
    reader.close()

    second.refresh_from_db()
    assert second.state == Review.State.APPROVED
    assert CommentThread.objects.get().is_resolved
    for p in (ed, a, ph):
        assert p.errors == [], p.errors
    assert not problems, "\n".join(problems)
    # the deciding cycle from A's home: review page → resolved → started → approved: 4 pages;
    # 5 clicks (the link, Resolve, Start review, Approve, and the declaration) plus the tick, the class
    # of change and the literature date
    assert board_path == (4, 8), board_path
