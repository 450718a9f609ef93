"""A two-stage review in a real browser: a topic whose workflow is "Clinical review" by the board,
then "Pharmacist sign-off" by the pharmacists. The board member approves the first stage and the
answer is NOT published; the queue shows the second stage assigned to the pharmacist; the
pharmacist signs it from the queue and the answer is published. axe-core (no serious or critical
violation) and no sideways scrolling at 1,280 and 390 px on the queue and the review page."""

from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article, tell_readers

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "Is naproxen safe with warfarin?"


def test_a_pharmacist_signs_the_second_stage_and_only_then_the_answer_is_published(
    browser, live_server, transactional_db, admin_page_problems
):
    from django.contrib.auth.models import Group

    from articles.models import Article, Topic
    from reviews.models import BoardMember, Review, ReviewStage, Workflow, WorkflowStage
    from reviews.roles import BOARD, PHARMACISTS
    from reviews.services import review_submit

    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=[BOARD])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    pharmacist = UserFactory(username="pharma", first_name="Pat", last_name="Chemist", groups=[PHARMACISTS])
    BoardMember.objects.create(
        user=pharmacist, display_name="Pat Chemist", credentials="PharmD", specialty="Anticoagulation", is_listed=False
    )
    topic = Topic.objects.create(name="Anticoagulation", slug="anticoagulation")
    workflow = Workflow.objects.create(name="Clinical, then pharmacist", topic=topic)
    WorkflowStage.objects.create(
        workflow=workflow, position=1, name="Clinical review", group=Group.objects.get(name=BOARD), due_days=7
    )
    WorkflowStage.objects.create(
        workflow=workflow,
        position=2,
        name="Pharmacist sign-off",
        group=Group.objects.get(name=PHARMACISTS),
        due_days=3,
    )
    article = make_article(question=QUESTION, slug="naproxen-warfarin", topic=topic)
    review_submit(article=article, by=editor, change_summary="First draft")
    review = Review.objects.get()

    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    problems = []

    # the board member: the home says what is assigned; the review page shows both stages
    log_in(page, live_server, "board", "Dr. Bo Reviewer")
    assigned = page.locator("section.board-home-section", has=page.locator("#board-home-assigned"))
    expect(assigned).to_contain_text("Assigned to you (1)")
    expect(assigned).to_contain_text(f"{QUESTION} — Clinical review")
    with page.expect_navigation():
        assigned.get_by_role("link", name=f"{QUESTION} — Clinical review").click()
    stages = page.locator(".workspace-stages")
    expect(stages.locator("li.stage")).to_have_count(2)
    expect(stages.locator("#stage-1")).to_contain_text("Clinical review · Open")
    expect(stages.locator("#stage-1")).to_contain_text("Assignee: Dr. Bo Reviewer, MD, FACP")
    expect(stages.locator("#stage-2")).to_contain_text("Pharmacist sign-off · Waiting")
    with page.expect_navigation():
        page.get_by_role("button", name="Start review").click()
    page.get_by_label("No relevant conflict").check()
    tell_readers(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text(
        "Approval recorded. The answer is published when every required stage is complete; "
        "open now: Pharmacist sign-off (Pat Chemist, PharmD)."
    )
    expect(page.locator(".review-state")).to_have_text("Under review")
    expect(stages.locator("#stage-1")).to_contain_text("Completed")
    expect(stages.locator("#stage-2")).to_contain_text("Assignee: Pat Chemist, PharmD")
    problems += admin_page_problems(page, "stages-1-review-page-after-stage-1")
    assert Article.objects.get(pk=article.pk).current_publication_id is None  # not yet published
    assert Review.objects.get(pk=review.pk).state == Review.State.UNDER_REVIEW

    # the queue (all): the cycle at its second stage, assigned to the pharmacist, with its due date
    page.goto(f"{live_server.url}/admin/reviews/review/?queue=all")
    row = page.locator("#result_list tbody tr", has_text=QUESTION)
    expect(row.locator("td.field-stage")).to_have_text("Pharmacist sign-off")
    expect(row.locator("td.field-assignee")).to_have_text("Pat Chemist, PharmD")
    second = ReviewStage.objects.get(review=review, position=2)
    expect(row.locator("td.field-due")).not_to_have_text("—")
    problems += admin_page_problems(page, "stages-2-queue-board")
    context.clear_cookies()

    # the pharmacist: the queue opens on what is assigned to them; they sign from the review page
    log_in(page, live_server, "pharma", "Pat Chemist")
    page.goto(f"{live_server.url}/admin/reviews/review/")
    expect(page.locator("#changelist-filter li.selected").first).to_contain_text("Assigned to me (1)")
    row = page.locator("#result_list tbody tr", has_text=QUESTION)
    expect(row.locator("td.field-stage")).to_have_text("Pharmacist sign-off")
    problems += admin_page_problems(page, "stages-3-queue-pharmacist")
    with page.expect_navigation():
        row.get_by_role("link", name="Read and decide").click()
    expect(page.locator(".workspace-decision button")).to_have_text(["Request changes", "Approve"])
    problems += admin_page_problems(page, "stages-4-review-page-pharmacist")
    page.fill("#decision-comment", "Interaction with warfarin is stated correctly.")
    page.get_by_label("No relevant conflict").check()
    tell_readers(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("ul.messagelist li.success")).to_have_text("Approved and published as version 1.")
    expect(stages.locator("#stage-2")).to_contain_text("Completed")
    problems += admin_page_problems(page, "stages-5-published")
    context.close()

    second.refresh_from_db()
    assert second.state == ReviewStage.State.COMPLETED
    assert Article.objects.get(pk=article.pk).current_publication.number == 1
    reader = browser.new_page()
    reader.goto(f"{live_server.url}/articles/naproxen-warfarin/")
    expect(reader.locator("h1")).to_have_text(QUESTION)
    expect(reader.locator("body")).not_to_contain_text("Pharmacist sign-off")
    reader.close()

    assert not problems, "\n".join(problems)
    assert errors == [], errors
