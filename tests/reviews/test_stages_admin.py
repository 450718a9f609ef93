"""Stages in the admin: the board configures workflows; on the review page a member of the stage's
group takes it ("Assign to me"), the board assigns anyone in the group, anyone else gets 403; an
approval by a member of the wrong group is refused naming the stage and its group; the board home
lists what is assigned to me and what is overdue, with due dates, at a constant cost."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Topic
from reviews.models import ReviewStage, ReviewTransition, Workflow, WorkflowStage
from reviews.roles import BOARD, PHARMACISTS
from reviews.services import review_start, review_submit
from tests.helpers import UserFactory, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacist(db):
    return UserFactory(username="pharma", first_name="Pat", last_name="Chemist", groups=[PHARMACISTS])


@pytest.fixture
def two_stage(db):
    topic = Topic.objects.create(name="Anticoagulation", slug="anticoagulation")
    workflow = Workflow.objects.create(name="Two", topic=topic)
    WorkflowStage.objects.create(
        workflow=workflow, position=1, name="Clinical review", group=Group.objects.get(name=BOARD)
    )
    WorkflowStage.objects.create(
        workflow=workflow, position=2, name="Pharmacist sign-off", group=Group.objects.get(name=PHARMACISTS)
    )
    return topic


def test_the_board_configures_a_workflow_with_its_stages_in_the_admin(client, board_member):
    client.force_login(board_member)
    board = Group.objects.get(name=BOARD)
    data = {
        "name": "Site default",
        "topic": "",
        "stages-TOTAL_FORMS": "1",
        "stages-INITIAL_FORMS": "0",
        "stages-MIN_NUM_FORMS": "1",
        "stages-MAX_NUM_FORMS": "1000",
        "stages-0-position": "1",
        "stages-0-name": "Clinical review",
        "stages-0-group": str(board.pk),
        "stages-0-quorum": "2",
        "stages-0-required": "on",
        "stages-0-due_days": "5",
    }
    response = client.post("/admin/reviews/workflow/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    stage = WorkflowStage.objects.get()
    assert (stage.workflow.name, stage.quorum, stage.due_days) == ("Site default", 2, 5)
    assert "Clinical review" in client.get("/admin/reviews/workflow/").content.decode()

    zero = client.post("/admin/reviews/workflow/add/", {**data, "name": "Zero", "topic": "", "stages-0-quorum": "0"})
    assert zero.status_code == 200 and "Ensure this value is greater than or equal to 1." in zero.content.decode()
    again = client.post("/admin/reviews/workflow/add/", {**data, "name": "Another default"})
    assert again.status_code == 200 and "There is a site-wide workflow already" in again.content.decode()
    assert Workflow.objects.count() == 1


def test_the_site_wide_workflow_applies_to_topics_without_one(editor, board_member, settings):
    workflow = Workflow.objects.create(name="Site default")
    WorkflowStage.objects.create(workflow=workflow, name="Board review", group=Group.objects.get(name=BOARD), quorum=2)
    review = review_submit(article=make_article(question="Is x safe?", slug="x"), by=editor)
    stage = ReviewStage.objects.get(review=review)
    assert (stage.name, stage.required_quorum) == ("Board review", 2)


def test_editors_and_pharmacists_cannot_change_workflows(client, editor, pharmacist):
    for user in (editor, pharmacist):
        client.force_login(user)
        assert client.get("/admin/reviews/workflow/add/").status_code == 403


def test_assign_to_me_and_the_boards_assignment_on_the_review_page(
    client, editor, board_member, second_board_member, pharmacist, two_stage
):
    review = review_submit(article=make_article(question="Is y safe?", slug="y", topic=two_stage), by=editor)
    stage = ReviewStage.objects.get(review=review, position=1)
    url = f"/admin/reviews/review/{review.pk}/assign/"

    client.force_login(second_board_member)
    page = client.get(review.workspace_url()).content.decode()
    assert "Assign to me" in page and 'id="stage-assignee-' in page  # the board: anyone in the group
    response = client.post(url, {"stage": stage.pk, "assignee": second_board_member.pk}, follow=True)
    assert "is assigned to board2" in response.content.decode()
    assert ReviewStage.objects.get(pk=stage.pk).assignee == second_board_member
    assert ReviewTransition.objects.filter(review=review, name="assign", by=second_board_member).exists()

    # a forged POST: the editor, and the pharmacist (not in the stage's group), get 403
    for user in (editor, pharmacist):
        client.force_login(user)
        assert client.post(url, {"stage": stage.pk, "assignee": user.pk}).status_code == 403
    assert ReviewStage.objects.get(pk=stage.pk).assignee == second_board_member

    client.force_login(board_member)
    response = client.post(url, {"stage": stage.pk, "assignee": pharmacist.pk}, follow=True)
    assert "is not a member of the group “Medical Advisory Board”" in response.content.decode()
    response = client.post(url, {"stage": "x", "assignee": pharmacist.pk}, follow=True)
    assert "Choose a stage of this review" in response.content.decode()


def test_approving_from_the_wrong_group_is_refused_on_the_review_page(
    client, editor, board_member, pharmacist, two_stage
):
    review = review_start(
        review=review_submit(article=make_article(question="Is z safe?", slug="z", topic=two_stage), by=editor),
        by=board_member,
    )
    client.force_login(pharmacist)
    response = client.post(
        f"/admin/reviews/review/{review.pk}/decide/", {"transition": "approve", "state": review.state}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“Clinical review”, signed by members of the group “Medical Advisory Board”" in page
    assert not review.approvals.exists()

    client.force_login(editor)
    forged = client.post(f"/admin/reviews/review/{review.pk}/decide/", {"transition": "approve", "state": review.state})
    assert forged.status_code == 403


def test_the_board_home_lists_what_is_assigned_to_me_and_what_is_overdue(client, editor, board_member):
    client.force_login(board_member)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as empty:
        client.get("/admin/")
    reviews = [review_submit(article=make_article(question=f"Is {n} safe?", slug=f"n{n}"), by=editor) for n in range(3)]
    ReviewStage.objects.filter(review=reviews[0]).update(due_at=timezone.now() - timedelta(days=1))
    with CaptureQueriesContext(connection) as full:
        page = client.get("/admin/").content.decode()
    assert len(full) == len(empty)

    assigned = page[page.index('id="board-home-assigned"') : page.index('id="board-home-late"')]
    assert "Assigned to you (3)" in assigned and "Is 1 safe? — Clinical review" in assigned
    assert "due " in assigned
    late = page[page.index('id="board-home-late"') : page.index('id="board-home-mine"')]
    assert "Overdue stages (1)" in late and "Is 0 safe? — Clinical review (Dr. Bo Reviewer, MD, FACP)" in late
    assert "Is 1 safe?" not in late


def test_the_article_page_counts_the_approvals_of_every_required_stage(
    client, editor, board_member, pharmacist, two_stage
):
    from reviews.services import review_approve
    from tests.helpers import every_checklist_item

    review = review_start(
        review=review_submit(article=make_article(question="Is w safe?", slug="w", topic=two_stage), by=editor),
        by=board_member,
    )
    review_approve(review=review, by=board_member, ticked=every_checklist_item(review))
    client.force_login(board_member)
    page = client.get(f"/admin/articles/article/{review.article_id}/change/").content.decode()
    assert "Approvals: 1 of 2 required — Dr. Bo Reviewer, MD, FACP." in page


def test_assigning_a_member_whose_disclosures_the_answer_names_shows_the_overlap(
    client, editor, board_member, second_board_member, two_stage
):
    import datetime

    from reviews.models import BoardMember, Disclosure

    member = BoardMember.objects.get_or_create(user=second_board_member, defaults={"display_name": "Dr. Two"})[0]
    Disclosure.objects.create(
        member=member,
        organisation="Acme Pharma",
        relationship=Disclosure.Relationship.SPEAKER,
        products="naproxen",
        starts_on=datetime.date(2024, 1, 1),
    )
    review = review_submit(
        article=make_article(question="Is naproxen safe?", slug="naproxen", topic=two_stage), by=editor
    )
    stage = ReviewStage.objects.get(review=review, position=1)
    client.force_login(board_member)
    client.post(f"/admin/reviews/review/{review.pk}/assign/", {"stage": stage.pk, "assignee": board_member.pk})
    assert "disclosures this answer names" not in client.get(review.workspace_url()).content.decode()

    client.post(f"/admin/reviews/review/{review.pk}/assign/", {"stage": stage.pk, "assignee": second_board_member.pk})
    page = client.get(review.workspace_url()).content.decode()
    assert "The assignee’s disclosures this answer names" in page
    assert "“naproxen” (Speaker, Acme Pharma) appears in the question" in page
