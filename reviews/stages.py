"""Stages of a review cycle: which workflow an answer follows, the copy each cycle keeps, which
stage is open, who may sign it, who is suggested for it, its due date, and the daily reminder of
overdue stages.

The rules:
- A cycle copies its workflow's stages when it is submitted (`stages_open_cycle`); editing the
  workflow later changes only cycles submitted afterwards. Without a workflow for the topic or a
  site-wide one, a cycle has one stage, "Clinical review", signed by the Medical Advisory Board,
  with the quorum `ORACLE_REQUIRED_APPROVALS`: the behaviour from before stages.
- Open stages: every stage not yet done up to and including the first required one not done. So
  required stages run one after another, and an optional stage opens with the required stage that
  follows it, may be signed while it is open, and never blocks: when the last required stage
  completes the answer is published and optional stages not completed are skipped.
- A stage completes when `required_quorum` different members of its group have approved it (one
  approval per person per cycle). An approver signs the first open stage whose group they are in;
  a member of no open stage's group is refused with the stage and group named.
- Each open stage has an assignee (suggested from the group's members whose board specialty
  shares a word with the topic's name, else the least loaded), who gets an email; a member of the
  group may take it, and the board (`reviews.assign_review`) assigns anyone in the group. Every
  assignment is a row of the audit trail (`ReviewTransition` named "assign").
- A cycle that is closed (changes requested, withdrawn, approved) has no open stage, whatever the
  rows say: every query here asks for the cycle's state too.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from articles.models.content import OPEN_REVIEW_STATES
from core.people import display_name
from core.tasks import effect
from reviews.models import Review, ReviewApproval, ReviewStage, StageReminder, Workflow
from reviews.roles import BOARD

DEFAULT_STAGE_NAME = "Clinical review"
DEFAULT_DUE_DAYS = 7

Stage = ReviewStage.State


def _specs(article) -> list[dict]:
    """The stages `article`'s cycles follow: its topic's workflow, else the site-wide one, else the default."""
    workflow = None
    if article.topic_id:
        workflow = Workflow.objects.filter(topic_id=article.topic_id).first()
    if workflow is None or not workflow.stages.exists():
        workflow = Workflow.objects.filter(topic__isnull=True, stages__isnull=False).order_by("id").first()
    if workflow is not None:
        return [
            {"name": s.name, "group_id": s.group_id, "quorum": s.quorum, "required": s.required, "due_days": s.due_days}
            for s in workflow.stages.order_by("position", "id")
        ]
    board, _ = Group.objects.get_or_create(name=BOARD)
    return [
        {
            "name": DEFAULT_STAGE_NAME,
            "group_id": board.pk,
            "quorum": None,
            "required": True,
            "due_days": getattr(settings, "ORACLE_REVIEW_DUE_DAYS", DEFAULT_DUE_DAYS),
        }
    ]


def cycle_stages(review: Review) -> list[ReviewStage]:
    """The cycle's stages in order (copied now for an open cycle from before stages; a closed one
    from before stages has none)."""
    stages = list(review.stages.select_related("group", "assignee__board_member").order_by("position"))
    if not stages and review.state in OPEN_REVIEW_STATES:
        stages_open_cycle(review=review)
        stages = list(review.stages.select_related("group", "assignee__board_member").order_by("position"))
    return stages


def open_stages(stages: list[ReviewStage]) -> list[ReviewStage]:
    return [s for s in stages if s.state == Stage.OPEN]


def _to_open(stages: list[ReviewStage]) -> list[ReviewStage]:
    """The stages that should be open: all not done up to the first required one not done."""
    wanted = []
    for stage in stages:
        if stage.state in (Stage.COMPLETED, Stage.SKIPPED):
            continue
        wanted.append(stage)
        if stage.required:
            break
    return wanted


def _open(review: Review, stages: list[ReviewStage], now, *, submitting=False) -> list[ReviewStage]:
    opened = []
    for stage in _to_open(stages):
        if stage.state == Stage.WAITING:
            stage.state = Stage.OPEN
            stage.opened_at = now
            stage.due_at = now + timedelta(days=stage.due_days)
            stage.save(update_fields=["state", "opened_at", "due_at"])
            opened.append(stage)
    for stage in opened:
        # The suggestion is part of opening the stage (the submission's or the approval's row of the
        # audit trail says so); a later change of assignee is a row of its own ("assign").
        suggested = suggest_assignee(stage, review)
        if suggested is not None:
            # at submission the whole board is emailed ("submitted"): a board member assigned then
            # is told there, everyone else by an email of their own
            told = submitting and BOARD in {g.name for g in suggested.groups.all()}
            _assign(review, stage, suggested, by=None, log=False, notify=not told)
    return opened


def stages_open_cycle(*, review: Review) -> list[ReviewStage]:
    """Copy the workflow's stages onto a new cycle and open the first (in the submission's transaction)."""
    with transaction.atomic():
        stages = [
            ReviewStage.objects.create(review=review, position=position, **spec)
            for position, spec in enumerate(_specs(review.article), start=1)
        ]
        _open(review, stages, timezone.now(), submitting=True)
    return stages


# --- who signs -----------------------------------------------------------------------------------


def group_ids(user) -> set[int]:
    return set(user.groups.values_list("id", flat=True)) if user.is_authenticated else set()


def _in_group(user, stage: ReviewStage) -> bool:
    return bool(user.is_active and (user.is_superuser or stage.group_id in group_ids(user)))


def stage_to_sign(review: Review, user) -> tuple[ReviewStage | None, str]:
    """The open stage `user` would sign by approving now, or None and the reason they may not."""
    stages = cycle_stages(review)
    current = open_stages(stages)
    for stage in current:
        if _in_group(user, stage):
            return stage, ""
    if not current:
        return None, "No stage of this review is open."
    named = "; ".join(f"“{s.name}”, signed by members of the group “{s.group.name}”" for s in current)
    return None, f"This review is now at {named}: you are not a member, so you cannot approve it at this stage."


def approvals_needed(review: Review | None) -> int:
    """How many approvals publication needs in all: the quorums of the cycle's required stages."""
    stages = cycle_stages(review) if review is not None else []
    return sum(s.required_quorum for s in stages if s.required) or max(1, settings.ORACLE_REQUIRED_APPROVALS)


def _stage_approvals(stage: ReviewStage):
    approvals = ReviewApproval.objects.filter(review_id=stage.review_id)
    if stage.position == 1:
        return approvals.filter(Q(stage=stage) | Q(stage__isnull=True))
    return approvals.filter(stage=stage)


def stage_approvals(stage: ReviewStage) -> int:
    """Different members who approved this stage (approvals from before stages count for the first)."""
    return _stage_approvals(stage).count()


def held_by_conflict(review: Review) -> str:
    """Why the stage the latest approval signed cannot complete on its approvals so far because of a
    stated conflict of interest ("" when nothing holds it): for the decision's message."""
    from reviews.disclosures import approvals_may_complete

    latest = review.approvals.order_by("-at", "-id").first()
    if latest is None:
        return ""
    stage = latest.stage or next(iter(cycle_stages(review)), None)
    approvals = list(_stage_approvals(stage)) if stage is not None else [latest]
    return approvals_may_complete(approvals)[1]


def stages_record_approval(*, review: Review, stage: ReviewStage) -> dict:
    """After an approval of `stage`: complete it if its quorum is reached and open what follows.
    Says what happened, for the audit trail and the decision's message."""
    from reviews.disclosures import approvals_may_complete

    now = timezone.now()
    approvals = list(_stage_approvals(stage))
    count, quorum = len(approvals), stage.required_quorum
    result = {
        "stage": stage,
        "count": count,
        "quorum": quorum,
        "completed": False,
        "opened": [],
        "publish": False,
        "held": "",
    }
    if count < quorum:
        return result
    # a stated conflict of interest completes nothing on its own (reviews/disclosures.py)
    may_complete, result["held"] = approvals_may_complete(approvals)
    if not may_complete:
        return result
    stage.state, stage.completed_at = Stage.COMPLETED, now
    stage.save(update_fields=["state", "completed_at"])
    result["completed"] = True
    stages = cycle_stages(review)
    if not any(s.required and s.state in (Stage.WAITING, Stage.OPEN) for s in stages):
        result["publish"] = True
        for s in stages:
            if s.state in (Stage.WAITING, Stage.OPEN):
                s.state = Stage.SKIPPED
                s.save(update_fields=["state"])
        return result
    result["opened"] = _open(review, stages, now)
    return result


def approval_note(result: dict, *, stages_count: int) -> str:
    """The audit trail's line for one approval: its stage's count, and what completed or opened."""
    stage = result["stage"]
    held = f"; {result['held']}" if result.get("held") else ""
    if stages_count == 1:
        return "" if result["publish"] else f"(approval {result['count']} of {result['quorum']} required{held})"
    text = f"({stage.name}: approval {result['count']} of {result['quorum']} required{held}"
    if result["completed"]:
        text += "; stage completed"
    for opened in result["opened"]:
        text += f"; now open: {opened.name}"
        if opened.assignee_id:
            text += f", assigned to {display_name(opened.assignee)}"
    return text + ")"


# --- assignees -----------------------------------------------------------------------------------

_WORD = re.compile(r"\w{3,}")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text or "")}


def group_members(stage: ReviewStage):
    return (
        get_user_model()
        .objects.filter(groups=stage.group_id, is_active=True)
        .select_related("board_member")
        .order_by("id")
    )


def open_stage_filter(prefix: str = "") -> Q:
    """Stages that are open in a cycle that is open."""
    return Q(**{f"{prefix}state": Stage.OPEN, f"{prefix}review__state__in": list(OPEN_REVIEW_STATES)})


def suggest_assignee(stage: ReviewStage, review: Review):
    """A member of the stage's group whose specialty shares a word with the topic's name, else any
    member; among them the one with the fewest open assigned stages. Never the submitter."""
    members = list(
        group_members(stage)
        .exclude(pk=review.submitted_by_id or 0)
        .annotate(load=Count("assigned_review_stages", filter=open_stage_filter("assigned_review_stages__")))
    )
    if not members:
        return None
    topic = review.article.topic.name if review.article.topic_id else ""
    topic_words = _words(topic)

    def matches(user):
        member = getattr(user, "board_member", None)
        return bool(member and topic_words & _words(member.specialty))

    pool = [u for u in members if matches(u)] or members
    return min(pool, key=lambda u: (u.load, u.pk))


def may_assign(user, stage: ReviewStage) -> bool:
    return user.is_active and (user.has_perm("reviews.assign_review") or _in_group(user, stage))


def _assign(review, stage, assignee, *, by, log=True, notify=True):
    from reviews import notifications
    from reviews.services import _log

    previous = stage.assignee
    stage.assignee = assignee
    stage.save(update_fields=["assignee"])
    if log:
        comment = f"{stage.name}: assigned to {display_name(assignee)}"
        if previous is not None:
            comment += f" (was {display_name(previous)})"
        _log(review, "assign", review.state, by=by, comment=comment + ".")
    if notify:
        notifications.notify_stage_assigned(stage_id=stage.pk)


def stage_assign(*, stage: ReviewStage, assignee, by) -> ReviewStage:
    """Assign an open stage: a member of its group may take it; `reviews.assign_review` assigns
    anyone in the group. PermissionDenied for anyone else; ReviewRefused for a bad choice."""
    from reviews.services import ReviewRefused

    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("article").get(pk=stage.review_id)
        stage = ReviewStage.objects.select_related("group").get(pk=stage.pk)
        if not may_assign(by, stage):
            raise PermissionDenied(f"{display_name(by)} may not assign the stage “{stage.name}”.")
        if assignee.pk != by.pk and not by.has_perm("reviews.assign_review"):
            raise PermissionDenied("Only the board assigns a stage to someone else; you may assign it to yourself.")
        if review.state not in OPEN_REVIEW_STATES or stage.state != Stage.OPEN:
            raise ReviewRefused(f"The stage “{stage.name}” is not open: it cannot be assigned.")
        if not (assignee.is_active and stage.group_id in set(assignee.groups.values_list("id", flat=True))):
            raise ReviewRefused(
                f"{display_name(assignee)} is not a member of the group “{stage.group.name}”, "
                f"which signs the stage “{stage.name}”."
            )
        if stage.assignee_id == assignee.pk:
            raise ReviewRefused(f"The stage “{stage.name}” is already assigned to {display_name(assignee)}.")
        _assign(review, stage, assignee, by=by)
    return stage


# --- overdue -------------------------------------------------------------------------------------


def overdue_stages(now=None):
    now = now or timezone.now()
    return ReviewStage.objects.filter(open_stage_filter(), due_at__lt=now, assignee__is_active=True)


def remind_overdue(now=None) -> int:
    """Email each assignee of an overdue open stage, once per assignment per day: the day's
    `StageReminder` row is written with the email's effect, so a second run that day sends none."""
    from reviews import notifications

    now = now or timezone.now()
    day = timezone.localdate(now)
    sent = 0
    for stage in overdue_stages(now).select_related("assignee").order_by("due_at", "id"):
        if not stage.assignee.email:
            continue
        try:
            with transaction.atomic():
                StageReminder.objects.create(stage=stage, assignee=stage.assignee, day=day)
                notifications.notify_stage_overdue(stage_id=stage.pk)
        except IntegrityError:
            continue  # reminded today already
        sent += 1
    return sent


@effect
def remind_overdue_effect() -> None:
    """The worker's daily job (ORACLE_PERIODIC_JOBS "overdue_stages")."""
    remind_overdue()
