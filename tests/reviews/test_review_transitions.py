import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django_fsm import TransitionNotAllowed

from articles.models import Claim, Publication, ReviewStatus
from reviews.models import Review, ReviewApproval, ReviewTransition
from reviews.services import (
    ReviewRefused,
    review_approve,
    review_request_changes,
    review_start,
    review_submit,
    review_withdraw,
)
from tests.helpers import UserFactory

pytestmark = pytest.mark.django_db


def states(article):
    article.refresh_from_db()
    return article.review_status


def test_start_review_records_the_reviewer_and_relocks_in_their_name(submitted, board_member, draft):
    review = review_start(review=submitted, by=board_member)

    assert (review.state, review.reviewer) == (Review.State.UNDER_REVIEW, board_member)
    assert states(draft) == ReviewStatus.UNDER_REVIEW
    assert "under review by Dr. Bo Reviewer" in draft.lock_reason
    assert review.transitions.last().name == "start_review"


def test_request_changes_needs_a_comment(under_review, board_member):
    with pytest.raises(ReviewRefused, match="a comment is required"):
        review_request_changes(review=under_review, by=board_member, comment="   ")

    under_review.refresh_from_db()
    assert under_review.state == Review.State.UNDER_REVIEW


def test_request_changes_unlocks_the_article_and_tells_the_editor(
    under_review, board_member, editor, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = review_request_changes(review=under_review, by=board_member, comment="Cite the 2021 review.")

    assert review.state == Review.State.CHANGES_REQUESTED
    assert states(draft) == ReviewStatus.CHANGES_REQUESTED and draft.lock_reason == ""
    claim = Claim.objects.filter(section__article=draft).first()
    claim.text = "Edited after the request [@" + claim.text.split("[@")[1]
    claim.save()  # editable again
    [message] = mail.outbox
    assert message.to == [editor.email]
    assert "Cite the 2021 review." in message.body


def test_approve_publishes_exactly_the_reviewed_content(
    under_review, board_member, draft, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = review_approve(review=under_review, by=board_member, comment="Accurate.")

    publication = review.publication
    assert review.state == Review.State.APPROVED
    assert publication.content == under_review.content
    assert publication.revision == under_review.revision
    assert publication.reviewed_by == [{"name": "Dr. Bo Reviewer", "credentials": "MD, FACP"}]
    assert publication.origin == Publication.Origin.APPROVAL
    draft.refresh_from_db()
    assert draft.current_publication == publication and draft.review_status == ReviewStatus.APPROVED
    assert draft.lock_reason == ""
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert ReviewApproval.objects.get().by == board_member


def test_no_one_approves_their_own_edits(submitted, second_board_member, board_member, draft, editor):
    # A board member who edited the article before it was submitted may review it, not approve it.
    import reversion

    review_withdraw(review=submitted, by=editor)
    with reversion.create_revision():
        reversion.set_user(board_member)
        claim = Claim.objects.filter(section__article=draft).first()
        claim.text = claim.text.replace("Claim", "Corrected claim")
        claim.save()
    review = review_start(review=review_submit(article=draft, by=editor), by=board_member)

    with pytest.raises(ReviewRefused, match="no one approves their own work"):
        review_approve(review=review, by=board_member)

    review.refresh_from_db()
    assert review.state == Review.State.UNDER_REVIEW and not Publication.objects.exists()
    assert review_approve(review=review, by=second_board_member).state == Review.State.APPROVED


def test_the_submitting_admin_cannot_approve_their_own_submission(draft, admin_user):
    review = review_start(review=review_submit(article=draft, by=admin_user), by=admin_user)

    with pytest.raises(ReviewRefused, match="no one approves their own work"):
        review_approve(review=review, by=admin_user)


def test_approval_is_refused_when_a_cited_reference_changed_since_submission(under_review, board_member, draft):
    from references.models import Reference

    reference = Reference.objects.filter(key__in=under_review.content["references"]).first()
    reference.title = "A different title"
    reference.save()

    with pytest.raises(ReviewRefused, match="has changed since it was submitted"):
        review_approve(review=under_review, by=board_member)

    assert not Publication.objects.exists()


def test_quorum_of_two_keeps_the_cycle_open_until_a_second_member_approves(
    under_review, board_member, second_board_member, settings, draft
):
    settings.ORACLE_REQUIRED_APPROVALS = 2

    first = review_approve(review=under_review, by=board_member, comment="Fine by me")

    assert first.state == Review.State.UNDER_REVIEW
    assert not Publication.objects.exists()
    assert "approval 1 of 2" in first.transitions.last().comment
    with pytest.raises(ReviewRefused, match="already approved"):
        review_approve(review=first, by=board_member)

    second = review_approve(review=first, by=second_board_member)

    assert second.state == Review.State.APPROVED
    assert Publication.objects.get().reviewed_by == [
        {"name": "Dr. Bo Reviewer", "credentials": "MD, FACP"},
        {"name": "board2", "credentials": ""},
    ]


def test_withdraw_by_the_submitting_editor_unlocks(submitted, editor, draft):
    review = review_withdraw(review=submitted, by=editor, comment="Found an error")

    assert review.state == Review.State.WITHDRAWN
    assert states(draft) == ReviewStatus.WITHDRAWN and draft.lock_reason == ""


def test_another_editor_cannot_withdraw(submitted):
    other = UserFactory(username="other-editor", groups=["Editors"])

    with pytest.raises(PermissionDenied):
        review_withdraw(review=submitted, by=other)

    submitted.refresh_from_db()
    assert submitted.state == Review.State.SUBMITTED


def test_admin_can_withdraw_anyones_submission(under_review, admin_user):
    assert review_withdraw(review=under_review, by=admin_user).state == Review.State.WITHDRAWN


def test_approving_a_withdrawn_cycle_is_a_clear_error_and_changes_nothing(submitted, editor, board_member):
    review_withdraw(review=submitted, by=editor)
    logged = ReviewTransition.objects.count()

    with pytest.raises(TransitionNotAllowed, match="Cannot approve: this review is withdrawn"):
        review_approve(review=submitted, by=board_member)

    submitted.refresh_from_db()
    assert submitted.state == Review.State.WITHDRAWN
    assert ReviewTransition.objects.count() == logged and not Publication.objects.exists()


def test_stale_instance_cannot_replay_a_transition(submitted, board_member, second_board_member):
    stale = Review.objects.get(pk=submitted.pk)
    review_start(review=submitted, by=board_member)

    with pytest.raises(TransitionNotAllowed):
        review_start(review=stale, by=second_board_member)

    submitted.refresh_from_db()
    assert submitted.reviewer == board_member


def test_state_cannot_be_assigned_directly(submitted):
    with pytest.raises(AttributeError):
        submitted.state = Review.State.APPROVED


def test_resubmission_after_changes_opens_a_new_cycle(under_review, board_member, editor, draft):
    review_request_changes(review=under_review, by=board_member, comment="Fix it")

    again = review_submit(article=draft, by=editor, change_summary="Fixed")

    assert again.pk != under_review.pk and again.state == Review.State.SUBMITTED
    assert Review.objects.filter(article=draft).count() == 2


# --- the full matrix: role × transition ----------------------------------------------------

ROLES = ["anonymous", "editor", "board", "admin"]
# (transition, starting fixture) -> roles allowed
ALLOWED = {
    "submit": {"editor", "admin"},
    "start_review": {"board", "admin"},
    "request_changes": {"board", "admin"},
    "approve": {"board", "admin"},
    "withdraw": {"editor", "admin"},  # the submitting editor
}


def actor(role):
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    if role == "editor":
        return UserFactory(username="matrix-editor", groups=["Editors"])
    if role == "board":
        return UserFactory(username="matrix-board", groups=["Medical Advisory Board"])
    return UserFactory(username="matrix-admin", is_superuser=True)


def prepare(name, article, user, editor, board_member):
    """Bring a fresh cycle to the transition's source state (as others); return `user`'s action."""
    if name == "submit":
        return lambda: review_submit(article=article, by=user)
    # withdraw belongs to the submitter: let an editor-role actor be the one who submitted
    submitter = (
        user if name == "withdraw" and user.is_authenticated and user.has_perm("reviews.submit_review") else editor
    )
    review = review_submit(article=article, by=submitter)
    if name in {"request_changes", "approve"}:
        review = review_start(review=review, by=board_member)
    return {
        "start_review": lambda: review_start(review=review, by=user),
        "request_changes": lambda: review_request_changes(review=review, by=user, comment="Please fix"),
        "approve": lambda: review_approve(review=review, by=user),
        "withdraw": lambda: review_withdraw(review=review, by=user),
    }[name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ALLOWED))
def test_role_transition_matrix(name, role, draft, editor, board_member):
    user = actor(role)
    action = prepare(name, draft, user, editor, board_member)
    logged = ReviewTransition.objects.count()
    states_before = list(Review.objects.values_list("pk", "state"))

    if role in ALLOWED[name]:
        review = action()
        assert (review.transitions.last().name, review.transitions.last().by) == (name, user)
    else:
        with pytest.raises(PermissionDenied):
            action()
        assert ReviewTransition.objects.count() == logged
        assert list(Review.objects.values_list("pk", "state")) == states_before
        assert not Publication.objects.exists()
