"""The approver's checklist: required items block approval (named), recommended ones never do,
topic items join the site-wide ones, retired items are not offered, and what an approver attested
is stored with the approval as the text stood, whatever happens to the item later."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from articles.models import Publication, Topic
from reviews.models import ChecklistAttestation, ChecklistItem, Review, ReviewApproval
from reviews.services import ReviewRefused, checklist_for, review_approve, review_start, review_submit
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

Level = ChecklistItem.Level


@pytest.fixture
def doses():
    return ChecklistItem.objects.create(text="Doses checked against the current label", position=10)


@pytest.fixture
def interactions():
    return ChecklistItem.objects.create(text="Contraindications and interactions covered", position=20)


@pytest.fixture
def reading_level():
    return ChecklistItem.objects.create(
        text="The patient summary reads at a general-public level", level=Level.RECOMMENDED, position=30
    )


def _nothing_recorded(review):
    review.refresh_from_db()
    assert review.state == Review.State.UNDER_REVIEW
    assert not ReviewApproval.objects.filter(review=review).exists()
    assert not ChecklistAttestation.objects.exists()
    assert not Publication.objects.filter(article_id=review.article_id).exists()


def test_approving_with_required_items_unticked_is_refused_naming_each(
    under_review, board_member, doses, interactions, reading_level
):
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=under_review, by=board_member, ticked=[reading_level.pk])

    message = " ".join(refused.value.messages)
    assert "“Doses checked against the current label”" in message
    assert "“Contraindications and interactions covered”" in message
    assert "general-public" not in message  # recommended: never named as blocking
    _nothing_recorded(under_review)


def test_one_required_item_left_unticked_is_named_alone(under_review, board_member, doses, interactions):
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=under_review, by=board_member, ticked=[doses.pk])

    message = " ".join(refused.value.messages)
    assert "Contraindications and interactions covered" in message
    assert "Doses checked" not in message
    _nothing_recorded(under_review)


def test_a_recommended_item_never_blocks_and_is_stored_unticked(
    under_review, board_member, doses, interactions, reading_level
):
    review = review_approve(review=under_review, by=board_member, ticked=[doses.pk, interactions.pk])

    assert review.state == Review.State.APPROVED
    attested = [(a.text, a.required, a.ticked) for a in review.approvals.get().attestations.all()]
    assert attested == [
        ("Doses checked against the current label", True, True),
        ("Contraindications and interactions covered", True, True),
        ("The patient summary reads at a general-public level", False, False),
    ]


def test_topic_items_are_offered_after_and_beside_the_site_wide_ones(editor, board_member, doses):
    cardiology = Topic.objects.create(name="Cardiology", slug="cardiology")
    dermatology = Topic.objects.create(name="Dermatology", slug="dermatology")
    ecg = ChecklistItem.objects.create(text="QT effects considered", topic=cardiology, position=5)
    ChecklistItem.objects.create(text="Photosensitivity covered", topic=dermatology, position=1)
    article = make_article(question="Is sotalol safe?", slug="is-sotalol-safe", topic=cardiology)
    review = review_start(review=review_submit(article=article, by=editor), by=board_member)

    assert [item.text for item in checklist_for(review)] == [ecg.text, doses.text]

    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=review, by=board_member, ticked=[doses.pk])
    assert "“QT effects considered”" in " ".join(refused.value.messages)

    assert review_approve(review=review, by=board_member, ticked=[doses.pk, ecg.pk]).state == Review.State.APPROVED


def test_an_answer_without_a_topic_gets_only_the_site_wide_items(under_review, doses):
    topic = Topic.objects.create(name="Cardiology", slug="cardiology")
    ChecklistItem.objects.create(text="QT effects considered", topic=topic)

    assert checklist_for(under_review) == [doses]


def test_retired_items_are_not_offered_and_do_not_block(under_review, board_member, doses, interactions):
    interactions.retired = True
    interactions.save()

    assert checklist_for(under_review) == [doses]
    review = review_approve(review=under_review, by=board_member, ticked=[doses.pk])

    assert review.state == Review.State.APPROVED
    assert [a.text for a in review.approvals.get().attestations.all()] == [doses.text]


def test_the_attested_text_stays_as_it_stood_when_the_item_is_edited_later(under_review, board_member, doses):
    review = review_approve(review=under_review, by=board_member, ticked=[doses.pk])
    doses.text = "Doses checked against the label and the BNF"
    doses.level = Level.RECOMMENDED
    doses.save()

    attestation = review.approvals.get().attestations.get()
    assert (attestation.text, attestation.required, attestation.ticked) == (
        "Doses checked against the current label",
        True,
        True,
    )
    attestation.text = "rewritten"
    with pytest.raises(ValidationError):
        attestation.save()
    with pytest.raises(ValidationError):
        ChecklistAttestation.objects.update(ticked=False)
    with pytest.raises(ValidationError):
        attestation.delete()


def test_an_item_once_attested_cannot_be_deleted_only_retired(under_review, board_member, doses, interactions):
    review_approve(review=under_review, by=board_member, ticked=[doses.pk, interactions.pk])

    with pytest.raises(ProtectedError):
        doses.delete()
    unused = ChecklistItem.objects.create(text="Never used")
    unused.delete()  # an item no approval attested may go


def test_an_unreadable_tick_is_refused_with_nothing_written(under_review, board_member, doses):
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=under_review, by=board_member, ticked=["abc"])

    assert "“abc” is not a checklist item." in refused.value.messages
    _nothing_recorded(under_review)


def test_other_refusals_are_reported_with_the_checklist_in_one_go(under_review, editor, board_member, doses):
    """The submitter may never approve; an unticked item is reported beside that, not instead of it."""
    from django.contrib.auth.models import Group

    editor.groups.add(Group.objects.get(name="Medical Advisory Board"))
    editor = type(editor).objects.get(pk=editor.pk)  # permissions are cached on the instance
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=under_review, by=editor)

    messages = refused.value.messages
    assert any("no one approves their own work" in m for m in messages)
    assert any("Doses checked against the current label" in m for m in messages)


def test_the_migration_seeds_three_site_wide_items_once():
    seed = importlib.import_module("reviews.migrations.0010_checklists").seed
    ChecklistItem.objects.all().delete()  # none has been attested in this test

    seed(apps, None)
    seed(apps, None)  # idempotent: an existing checklist is left as it is

    seeded = [(i.text, i.level, i.topic_id, i.retired) for i in ChecklistItem.objects.all()]
    assert seeded == [
        ("Doses checked against the current label", Level.REQUIRED, None, False),
        ("Contraindications and interactions covered", Level.REQUIRED, None, False),
        ("The patient summary reads at a general-public level", Level.RECOMMENDED, None, False),
    ]


@pytest.mark.checklist
def test_the_demo_approves_through_the_seeded_checklist_ticking_every_item(capsys):
    from django.core.management import call_command

    importlib.import_module("reviews.migrations.0010_checklists").seed(apps, None)  # as migrated
    call_command("setup_demo")
    capsys.readouterr()

    [approval] = ReviewApproval.objects.all()
    assert [(a.text, a.ticked) for a in approval.attestations.all()] == [
        ("Doses checked against the current label", True),
        ("Contraindications and interactions covered", True),
        ("The patient summary reads at a general-public level", True),
    ]


def test_the_board_sets_the_checklist_in_the_admin_and_an_attested_item_can_only_be_retired(
    client, under_review, board_member, editor, admin_user, doses, interactions
):
    client.force_login(board_member)
    response = client.post(
        "/admin/reviews/checklistitem/add/",
        {"text": "Renal dosing covered", "level": "recommended", "topic": "", "position": "40"},
    )
    assert response.status_code == 302
    assert ChecklistItem.objects.get(text="Renal dosing covered").level == Level.RECOMMENDED

    review_approve(review=under_review, by=board_member, ticked=[doses.pk, interactions.pk])
    client.force_login(admin_user)
    assert client.get(f"/admin/reviews/checklistitem/{doses.pk}/delete/").status_code == 403
    assert "delete_selected" not in client.get("/admin/reviews/checklistitem/").content.decode()
    client.post("/admin/reviews/checklistitem/", {"action": "retire", "_selected_action": [doses.pk]}, follow=True)
    doses.refresh_from_db()
    assert doses.retired and ChecklistAttestation.objects.filter(item=doses).exists()

    client.force_login(editor)  # editors read the checklist; only the board sets it
    assert client.get("/admin/reviews/checklistitem/").status_code == 200
    assert client.get("/admin/reviews/checklistitem/add/").status_code == 403
