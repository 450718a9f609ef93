"""Review stages (reviews/stages.py): a workflow per topic, copied onto each cycle at submission;
stages open in order, each completes at its own quorum of its own group, and the answer is
published only when the last required stage completes; assignees (suggested by specialty, taken
or assigned), due dates, and the daily reminder of overdue stages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Article, ReviewStatus, Topic
from core.tasks import run_periodic
from reviews.models import BoardMember, Review, ReviewStage, ReviewTransition, StageReminder, Workflow, WorkflowStage
from reviews.roles import BOARD, PHARMACISTS
from reviews.services import ReviewRefused, review_approve, review_request_changes, review_start, review_submit
from reviews.stages import remind_overdue, stage_assign, suggest_assignee
from tests.helpers import UserFactory, effects, every_checklist_item, make_article, run_effects

pytestmark = pytest.mark.django_db

Stage = ReviewStage.State


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Pain and analgesia", slug="pain")


@pytest.fixture
def pharmacist(db):
    user = UserFactory(username="pharma", first_name="Pat", last_name="Chemist", groups=[PHARMACISTS])
    BoardMember.objects.create(user=user, display_name="Pat Chemist", credentials="PharmD", specialty="Pharmacy")
    return user


def two_stage_workflow(topic, *, pharmacist_required=True, board_quorum=1, pharmacist_quorum=1):
    workflow = Workflow.objects.create(name="Clinical then pharmacist", topic=topic)
    WorkflowStage.objects.create(
        workflow=workflow, position=1, name="Clinical review", group=Group.objects.get(name=BOARD), quorum=board_quorum
    )
    WorkflowStage.objects.create(
        workflow=workflow,
        position=2,
        name="Pharmacist sign-off",
        group=Group.objects.get(name=PHARMACISTS),
        quorum=pharmacist_quorum,
        required=pharmacist_required,
        due_days=3,
    )
    return workflow


def submit(editor, topic, slug="q"):
    return review_submit(article=make_article(question=f"Is {slug} safe?", slug=slug, topic=topic), by=editor)


def approve(review, user, comment=""):
    return review_approve(review=review, by=user, comment=comment, ticked=every_checklist_item(review))


def states(review):
    return [(s.name, s.state) for s in ReviewStage.objects.filter(review=review).order_by("position")]


def test_without_a_workflow_a_cycle_has_one_clinical_review_stage_of_the_board(submitted, settings):
    stage = ReviewStage.objects.get(review=submitted)
    assert (stage.name, stage.group.name, stage.required, stage.state) == ("Clinical review", BOARD, True, Stage.OPEN)
    settings.ORACLE_REQUIRED_APPROVALS = 3
    assert stage.required_quorum == 3  # the setting, read when it counts, as before stages
    assert stage.due_at == stage.opened_at + timedelta(days=7)


def test_stages_run_in_order_and_only_the_last_required_one_publishes(editor, board_member, pharmacist, topic):
    two_stage_workflow(topic)
    review = submit(editor, topic)
    assert states(review) == [("Clinical review", Stage.OPEN), ("Pharmacist sign-off", Stage.WAITING)]
    review_start(review=review, by=board_member)

    review = approve(review, board_member)

    assert review.state == ReviewStatus.UNDER_REVIEW  # every stage reads "Under review" to the public
    assert review.publication is None and Article.objects.get(pk=review.article_id).current_publication_id is None
    assert states(review) == [("Clinical review", Stage.COMPLETED), ("Pharmacist sign-off", Stage.OPEN)]
    second = ReviewStage.objects.get(review=review, position=2)
    assert second.assignee == pharmacist
    assert second.due_at == second.opened_at + timedelta(days=3)
    note = ReviewTransition.objects.filter(review=review, name="approve").get().comment
    assert "Clinical review: approval 1 of 1 required; stage completed; now open: Pharmacist sign-off" in note
    assert "assigned to Pat Chemist, PharmD" in note

    review = approve(review, pharmacist)

    assert review.state == ReviewStatus.APPROVED and review.publication.number == 1
    assert states(review) == [("Clinical review", Stage.COMPLETED), ("Pharmacist sign-off", Stage.COMPLETED)]
    assert [a.stage.name for a in review.approvals.order_by("at")] == ["Clinical review", "Pharmacist sign-off"]


def test_each_stage_has_its_own_quorum(editor, board_member, second_board_member, pharmacist, topic):
    two_stage_workflow(topic, board_quorum=2)
    review = review_start(review=submit(editor, topic), by=board_member)

    approve(review, board_member)
    assert states(review)[0] == ("Clinical review", Stage.OPEN)
    approve(review, second_board_member)
    assert states(review) == [("Clinical review", Stage.COMPLETED), ("Pharmacist sign-off", Stage.OPEN)]


def test_a_member_of_the_wrong_group_is_refused_naming_the_stage_and_its_group(
    editor, board_member, second_board_member, pharmacist, topic
):
    two_stage_workflow(topic)
    review = review_start(review=submit(editor, topic), by=board_member)

    with pytest.raises(ReviewRefused) as refused:
        approve(review, pharmacist)  # stage 1 is the board's
    assert any("“Clinical review”" in m and "“Medical Advisory Board”" in m for m in refused.value.messages)

    approve(review, board_member)
    with pytest.raises(ReviewRefused) as refused:
        approve(review, second_board_member)  # stage 2 is the pharmacists'
    assert any("“Pharmacist sign-off”" in m and "“Pharmacists”" in m for m in refused.value.messages)
    assert review.approvals.count() == 1 and Review.objects.get(pk=review.pk).state == ReviewStatus.UNDER_REVIEW


def test_someone_without_the_approve_permission_gets_403_at_any_stage(editor, board_member, topic):
    two_stage_workflow(topic)
    review = review_start(review=submit(editor, topic), by=board_member)
    approve(review, board_member)
    with pytest.raises(PermissionDenied):
        approve(review, editor)


def test_an_optional_stage_may_be_signed_while_open_and_never_blocks(editor, board_member, pharmacist, topic):
    workflow = Workflow.objects.create(name="Optional pharmacist first", topic=topic)
    WorkflowStage.objects.create(
        workflow=workflow, position=1, name="Pharmacist note", group=Group.objects.get(name=PHARMACISTS), required=False
    )
    WorkflowStage.objects.create(
        workflow=workflow, position=2, name="Clinical review", group=Group.objects.get(name=BOARD)
    )
    review = review_start(review=submit(editor, topic), by=board_member)
    assert states(review) == [("Pharmacist note", Stage.OPEN), ("Clinical review", Stage.OPEN)]

    approve(review, pharmacist)  # signed while open
    assert states(review)[0] == ("Pharmacist note", Stage.COMPLETED)

    other = review_start(review=submit(editor, topic, slug="r"), by=board_member)
    other = approve(other, board_member)  # the optional stage unsigned: published all the same
    assert other.state == ReviewStatus.APPROVED
    assert states(other) == [("Pharmacist note", Stage.SKIPPED), ("Clinical review", Stage.COMPLETED)]


def test_an_optional_stage_after_the_last_required_one_is_skipped_at_publication(editor, board_member, topic):
    two_stage_workflow(topic, pharmacist_required=False)
    review = approve(review_start(review=submit(editor, topic), by=board_member), board_member)
    assert review.state == ReviewStatus.APPROVED
    assert states(review)[1] == ("Pharmacist sign-off", Stage.SKIPPED)


def test_a_running_cycle_keeps_its_stages_when_the_workflow_is_edited(editor, board_member, pharmacist, topic):
    workflow = two_stage_workflow(topic)
    review = review_start(review=submit(editor, topic), by=board_member)

    workflow.stages.filter(position=2).delete()  # the board drops the pharmacist stage
    workflow.stages.filter(position=1).update(name="Renamed", quorum=5)

    review = approve(review, board_member)
    assert review.state == ReviewStatus.UNDER_REVIEW  # still waits for its own second stage
    assert states(review) == [("Clinical review", Stage.COMPLETED), ("Pharmacist sign-off", Stage.OPEN)]
    assert approve(review, pharmacist).state == ReviewStatus.APPROVED
    later = submit(editor, topic, slug="later")
    assert states(later) == [("Renamed", Stage.OPEN)]


def test_request_changes_at_stage_two_returns_the_article_to_the_editor(editor, board_member, pharmacist, topic):
    two_stage_workflow(topic)
    review = approve(review_start(review=submit(editor, topic), by=board_member), board_member)

    review = review_request_changes(review=review, by=pharmacist, comment="The dose in claim 2 is wrong.")

    assert review.state == ReviewStatus.CHANGES_REQUESTED and review.publication is None
    article = Article.objects.get(pk=review.article_id)
    assert article.review_status == ReviewStatus.CHANGES_REQUESTED and article.locked_by is None
    next_cycle = review_submit(article=article, by=editor)
    assert states(next_cycle) == [("Clinical review", Stage.OPEN), ("Pharmacist sign-off", Stage.WAITING)]


def test_the_suggested_assignee_shares_a_word_of_their_specialty_with_the_topic(editor, board_member, topic):
    pain = UserFactory(username="paindoc", groups=[BOARD])
    BoardMember.objects.create(user=pain, display_name="Dr. Ana Pain", specialty="PAIN medicine")
    review = submit(editor, topic)
    assert ReviewStage.objects.get(review=review).assignee == pain

    # without a match: the member with the fewest open stages assigned
    other_topic = Topic.objects.create(name="Cardiology", slug="cardio")
    second = submit(editor, other_topic, slug="heart")
    assert ReviewStage.objects.get(review=second).assignee == board_member  # pain already has one
    stage = ReviewStage.objects.get(review=second)
    assert suggest_assignee(stage, second) == board_member


def test_the_submitter_is_never_suggested(topic):
    both = UserFactory(username="both", groups=[BOARD, "Editors"])
    review = submit(both, topic)  # a board member who also edits submits
    assert ReviewStage.objects.get(review=review).assignee is None


def test_a_member_may_take_a_stage_and_the_board_assigns_anyone_in_the_group(
    editor, board_member, second_board_member, pharmacist, topic
):
    two_stage_workflow(topic)
    review = review_start(review=submit(editor, topic), by=board_member)
    stage = ReviewStage.objects.get(review=review, position=1)
    assert stage.assignee == board_member

    stage_assign(stage=stage, assignee=second_board_member, by=second_board_member)  # "Assign to me"
    assert ReviewStage.objects.get(pk=stage.pk).assignee == second_board_member
    row = ReviewTransition.objects.filter(review=review, name="assign").get()
    assert row.by == second_board_member and "was Dr. Bo Reviewer, MD, FACP" in row.comment
    assigned = [e for e in effects() if "stage assigned" in e.label]
    assert assigned[-1].args["to"] == second_board_member.email

    with pytest.raises(PermissionDenied):
        stage_assign(stage=stage, assignee=board_member, by=pharmacist)  # not in the group, not the board
    with pytest.raises(PermissionDenied):
        stage_assign(stage=stage, assignee=editor, by=editor)
    with pytest.raises(ReviewRefused, match="not a member of the group “Medical Advisory Board”"):
        stage_assign(stage=stage, assignee=pharmacist, by=board_member)  # the board: only members of the group
    stage_assign(stage=stage, assignee=board_member, by=second_board_member)  # the board assigns someone else
    assert ReviewStage.objects.get(pk=stage.pk).assignee == board_member


def test_a_pharmacist_may_take_their_stage_but_not_give_it_to_someone_else(editor, board_member, pharmacist, topic):
    two_stage_workflow(topic)
    other = UserFactory(username="pharma2", groups=[PHARMACISTS])
    review = approve(review_start(review=submit(editor, topic), by=board_member), board_member)
    stage = ReviewStage.objects.get(review=review, position=2)
    with pytest.raises(PermissionDenied, match="Only the board"):
        stage_assign(stage=stage, assignee=other, by=pharmacist)
    stage_assign(stage=stage, assignee=other, by=other)
    assert ReviewStage.objects.get(pk=stage.pk).assignee == other


def test_a_stage_not_open_cannot_be_assigned(editor, board_member, pharmacist, topic):
    two_stage_workflow(topic)
    review = review_start(review=submit(editor, topic), by=board_member)
    waiting = ReviewStage.objects.get(review=review, position=2)
    with pytest.raises(ReviewRefused, match="not open"):
        stage_assign(stage=waiting, assignee=pharmacist, by=board_member)


def test_overdue_assignees_are_reminded_once_a_day(editor, board_member, topic, settings):
    review = submit(editor, topic)
    stage = ReviewStage.objects.get(review=review)
    ReviewStage.objects.filter(pk=stage.pk).update(due_at=timezone.now() - timedelta(days=1))
    mail.outbox.clear()

    assert remind_overdue() == 1
    assert remind_overdue() == 0  # the same day: nothing more
    run_effects()
    overdue = [m for m in mail.outbox if m.subject.startswith("Overdue")]
    assert len(overdue) == 1 and overdue[0].to == [board_member.email]
    assert overdue[0].subject == f"Overdue (Clinical review): {review.article.question}"
    assert "Dr. Bo Reviewer, MD, FACP, the stage “Clinical review” assigned to you was due" in overdue[0].body

    tomorrow = timezone.now() + timedelta(days=1)
    assert remind_overdue(tomorrow) == 1  # the next day: once more
    assert StageReminder.objects.filter(stage=stage).count() == 2


def test_the_periodic_job_reminds_once_however_often_workers_offer_it(editor, board_member, topic):
    review = submit(editor, topic)
    ReviewStage.objects.filter(review=review).update(due_at=timezone.now() - timedelta(hours=1))
    now = timezone.now()
    assert "overdue_stages" in run_periodic(now)
    assert "overdue_stages" not in run_periodic(now)
    run_effects()
    assert StageReminder.objects.count() == 1
    assert len([e for e in effects() if "overdue" in e.label.lower() and e.label.startswith("Email")]) == 1


def test_closed_cycles_and_unassigned_stages_are_not_reminded(editor, board_member, topic):
    review = review_start(review=submit(editor, topic), by=board_member)
    ReviewStage.objects.filter(review=review).update(due_at=timezone.now() - timedelta(days=2))
    review_request_changes(review=review, by=board_member, comment="No.")
    assert remind_overdue() == 0


def test_stage_data_never_reaches_readers_or_the_api(client, editor, board_member, pharmacist, topic):
    two_stage_workflow(topic)
    review = approve(review_start(review=submit(editor, topic), by=board_member), board_member, "ZQXSTAGENOTE")
    review = approve(review, pharmacist)
    slug = review.article.slug
    for url in (f"/articles/{slug}/", "/feed/", f"/api/answers/{slug}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "ZQXSTAGENOTE" not in body and "Pharmacist sign-off" not in body, url


def test_the_roles_the_migration_sets_for_stages():
    board, pharmacists = Group.objects.get(name=BOARD), Group.objects.get(name=PHARMACISTS)
    codes = lambda group: set(group.permissions.values_list("codename", flat=True))  # noqa: E731
    assert {"assign_review", "add_workflow", "change_workflow"} <= codes(board)
    assert {"approve_review", "request_changes_review", "view_review"} <= codes(pharmacists)
    assert not {"start_review", "assign_review", "change_article", "add_workflow"} & codes(pharmacists)


def test_a_cycle_from_before_stages_gets_them_and_its_old_approvals_count_for_the_first(
    editor, board_member, second_board_member, settings
):
    from reviews.models import ReviewApproval

    settings.ORACLE_REQUIRED_APPROVALS = 2
    review = review_start(
        review=review_submit(article=make_article(question="Old?", slug="old"), by=editor), by=board_member
    )
    ReviewStage.objects.filter(review=review).delete()  # as migrated: no stages yet
    ReviewApproval.objects.create(review=review, by=board_member)  # an approval from before stages

    review = approve(review, second_board_member)

    assert review.state == ReviewStatus.APPROVED
    assert states(review) == [("Clinical review", Stage.COMPLETED)]


def test_a_closed_cycle_from_before_stages_gets_none(client, submitted, editor, board_member):
    from reviews.services import review_withdraw

    ReviewStage.objects.filter(review=submitted).delete()
    review = review_withdraw(review=submitted, by=editor)
    client.force_login(board_member)
    assert client.get(review.workspace_url()).status_code == 200
    assert not ReviewStage.objects.filter(review=review).exists()


def test_a_stated_conflict_holds_a_stage_until_a_member_without_one_signs_it(editor, board_member, topic):
    """The conflict-of-interest rule (reviews/disclosures.py) applies per stage: a pharmacist who
    states a conflict does not complete the pharmacist sign-off alone, whatever its quorum."""
    from reviews.disclosures import CONFLICT, NO_CONFLICT

    two_stage_workflow(topic)
    first = UserFactory(username="pharma1", first_name="Pat", last_name="One", groups=[PHARMACISTS])
    second = UserFactory(username="pharma2", first_name="Pia", last_name="Two", groups=[PHARMACISTS])
    review = submit(editor, topic)
    review_start(review=review, by=board_member)
    review_approve(review=review, by=board_member, ticked=every_checklist_item(review), declaration=NO_CONFLICT)
    assert states(review)[1] == ("Pharmacist sign-off", Stage.OPEN)

    review_approve(
        review=review,
        by=first,
        ticked=every_checklist_item(review),
        declaration=CONFLICT,
        conflict_statement="I consult for the maker.",
    )
    assert states(review)[1] == ("Pharmacist sign-off", Stage.OPEN)
    assert Review.objects.get(pk=review.pk).state == Review.State.UNDER_REVIEW
    assert Article.objects.get(pk=review.article_id).current_publication_id is None
    note = ReviewTransition.objects.filter(review=review, name="approve").latest("id").comment
    assert "does not complete the review on its own" in note

    review_approve(review=review, by=second, ticked=every_checklist_item(review), declaration=NO_CONFLICT)
    assert states(review)[1] == ("Pharmacist sign-off", Stage.COMPLETED)
    published = Article.objects.get(pk=review.article_id).current_publication
    assert published is not None
    assert [r["conflicts"]["declared"] for r in published.reviewed_by] == [NO_CONFLICT, CONFLICT, NO_CONFLICT]
