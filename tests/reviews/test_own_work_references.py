"""No one approves their own work, references included: a board member who edited a reference the
submitted content cites, since the answer was last published, may not approve that cycle alone."""

import pytest
from django.urls import reverse

from articles.models import Article, Claim
from reviews.models import Review
from reviews.services import ReviewRefused, review_approve, review_start, review_submit
from tests.helpers import ReferenceFactory, form_fields

pytestmark = pytest.mark.django_db

OWN_WORK = "no one approves their own work"


@pytest.fixture
def approved(under_review, board_member):
    review_approve(review=under_review, by=board_member)
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)


def _edit_in_admin(client, user, reference, **changes):
    """Edit a reference through its admin change form, as `user` (a django-reversion revision)."""
    client.force_login(user)
    url = reverse("admin:references_reference_change", args=[reference.pk])
    data = {**form_fields(client.get(url).content.decode(), "reference_form"), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    client.logout()


def _cited(article, number=1):
    return article.current_publication.citations.get(number=number).reference


def _submit_and_start(article, *, editor, board) -> Review:
    return review_start(review=review_submit(article=article, by=editor, change_summary="Update"), by=board)


def test_a_board_member_who_edited_a_cited_reference_cannot_approve_alone(
    client, approved, editor, board_member, second_board_member
):
    """The reproduced hole: the board member edits a cited reference's title and URL, an editor
    submits, the same board member starts the review and approves; readers would see their edit."""
    source = _cited(approved)
    _edit_in_admin(
        client, board_member, source, title="A title the board member wrote", url="https://example.org/their-own"
    )
    review = _submit_and_start(approved, editor=editor, board=board_member)

    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=review, by=board_member)

    assert any(OWN_WORK in message and "another board member" in message for message in refused.value.messages)
    assert not review.approvals.exists()
    assert Article.objects.get(pk=approved.pk).current_publication_id == approved.current_publication_id
    page = client.get(approved.get_absolute_url()).content.decode()
    assert "A title the board member wrote" not in page

    review_approve(review=review, by=second_board_member)  # another board member may approve it

    page = client.get(approved.get_absolute_url()).content.decode()
    assert "A title the board member wrote" in page


def test_the_refusal_shows_in_the_admin_review_panel(client, approved, editor, board_member):
    _edit_in_admin(client, board_member, _cited(approved, 2), title="Retitled by the reviewer")
    review = _submit_and_start(approved, editor=editor, board=board_member)
    client.force_login(board_member)

    response = client.post(
        reverse("admin:articles_article_review", args=[approved.pk]),
        {"transition": "approve", "review": review.pk, "comment": ""},
        follow=True,
    )

    assert OWN_WORK in response.content.decode()
    assert not review.approvals.exists()


def test_an_edit_to_a_reference_the_content_does_not_cite_does_not_count(client, approved, editor, board_member):
    uncited = ReferenceFactory()
    _edit_in_admin(client, board_member, uncited, title="Someone else's source, retitled")
    review = _submit_and_start(approved, editor=editor, board=board_member)

    review_approve(review=review, by=board_member)

    assert Review.objects.get(pk=review.pk).state == "approved"


def test_an_edit_made_before_the_last_publication_does_not_count(
    client, approved, editor, board_member, second_board_member
):
    source = _cited(approved)
    _edit_in_admin(client, board_member, source, title="Corrected title")
    # a second board member approved the version with that edit in it
    review_approve(review=_submit_and_start(approved, editor=editor, board=second_board_member), by=second_board_member)
    claim = Claim.objects.filter(section__article=approved).first()
    claim.text += " (reworded)"
    claim.save()
    review = _submit_and_start(approved, editor=editor, board=board_member)

    review_approve(review=review, by=board_member)

    assert Review.objects.get(pk=review.pk).state == "approved"
