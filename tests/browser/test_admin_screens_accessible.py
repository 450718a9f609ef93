"""Every admin screen the board and the editors work in, beyond the flows that visit them: the
word diff between two versions, a review cycle's record, the workflows and their stages, a board
member's profile with their disclosures, the checklist, the schedules and the source alerts. Each
has no axe-core violation of impact serious or critical, and none scrolls sideways, at 1,280 and
at 390 px (`admin_page_problems`)."""

import datetime

from playwright.sync_api import expect

from tests.helpers import UserFactory, log_in, make_article, save_revision

DESKTOP = {"width": 1280, "height": 900}


def test_the_boards_other_admin_screens_are_accessible(browser, live_server, transactional_db, admin_page_problems):
    from django.contrib.auth.models import Group

    from articles.models import Article, Topic
    from reviews.disclosures import NO_CONFLICT
    from reviews.models import BoardMember, ChecklistItem, Disclosure, Review, Workflow, WorkflowStage
    from reviews.roles import BOARD, PHARMACISTS
    from reviews.schedules import schedule_withdrawal
    from reviews.services import review_approve, review_start, review_submit

    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=[BOARD])
    member = BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    Disclosure.objects.create(
        member=member,
        organisation="Acme Pharma Inc.",
        relationship=Disclosure.Relationship.ADVISORY_BOARD,
        products="naproxen\nibuprofen",
        starts_on=datetime.date(2024, 1, 1),
    )
    ChecklistItem.objects.create(text="Doses checked against the current label", position=1)
    topic = Topic.objects.create(name="Pain", slug="pain")
    workflow = Workflow.objects.create(name="Clinical, then pharmacist", topic=topic)
    WorkflowStage.objects.create(
        workflow=workflow, position=1, name="Clinical review", group=Group.objects.get(name=BOARD)
    )
    WorkflowStage.objects.create(
        workflow=workflow, position=2, name="Pharmacist sign-off", group=Group.objects.get(name=PHARMACISTS)
    )
    article = make_article(question="Is naproxen safe for back pain?", slug="naproxen-back-pain")
    first = save_revision(editor, "First draft", article.save)
    article.summary = f"{article.summary} Take it with food."
    second = save_revision(editor, "With food", article.save)
    review = review_start(review=review_submit(article=article, by=editor), by=board)
    review_approve(
        review=review,
        by=board,
        ticked=[i.pk for i in ChecklistItem.objects.all()],
        declaration=NO_CONFLICT,
    )
    schedule_withdrawal(
        article=Article.objects.get(pk=article.pk),
        by=board,
        due_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30),
        reason="Superseded by the new guideline.",
    )

    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    log_in(page, live_server, "board", "Bo")
    screens = {
        "diff": (
            f"/admin/articles/article/{article.pk}/history/diff/?from={first.pk}&to={second.pk}",
            "Take it with food",
        ),
        "review-record": (f"/admin/reviews/review/{Review.objects.get().pk}/change/", "Clinical review"),
        "workflows": ("/admin/reviews/workflow/", "Clinical, then pharmacist"),
        "workflow": (f"/admin/reviews/workflow/{workflow.pk}/change/", "Pharmacist sign-off"),
        "board-member": (f"/admin/reviews/boardmember/{member.pk}/change/", "Acme Pharma Inc."),
        "checklist": ("/admin/reviews/checklistitem/", "Doses checked against the current label"),
        "schedules": ("/admin/reviews/schedule/", "Withdraw from public view"),
        "source-alerts": ("/admin/reviews/sourcealert/", "Select source alert to view"),
    }
    problems = []
    for name, (url, shown) in screens.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (name, response.status)
        expect(page.locator("#content")).to_contain_text(shown)
        problems += admin_page_problems(page, f"admin-screen-{name}")
    context.close()
    assert not problems, "\n".join(problems)
    assert errors == [], errors
