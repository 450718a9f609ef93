import pytest
from django.core.exceptions import ValidationError

from reviews.models import ReviewApproval, ReviewTransition
from reviews.services import review_approve

pytestmark = pytest.mark.django_db


def test_audit_entries_cannot_be_changed_or_deleted_in_code(submitted):
    log = ReviewTransition.objects.get()
    log.comment = "rewritten history"

    with pytest.raises(ValidationError, match="append-only"):
        log.save()
    with pytest.raises(ValidationError, match="append-only"):
        log.delete()
    with pytest.raises(ValidationError, match="append-only"):
        ReviewTransition.objects.filter(pk=log.pk).update(comment="rewritten")
    with pytest.raises(ValidationError, match="append-only"):
        ReviewTransition.objects.all().delete()

    assert ReviewTransition.objects.get().comment == "First draft"


def test_approvals_are_append_only_too(under_review, board_member):
    review_approve(review=under_review, by=board_member)

    with pytest.raises(ValidationError, match="append-only"):
        ReviewApproval.objects.all().delete()


def test_audited_rows_protect_their_article_from_deletion(submitted, draft):
    from django.db.models import ProtectedError

    from reviews.services import review_withdraw

    review_withdraw(review=submitted, by=submitted.submitted_by)

    with pytest.raises(ProtectedError):
        draft.delete()


@pytest.mark.parametrize(
    "url", ["/admin/reviews/reviewtransition/{pk}/change/", "/admin/reviews/reviewtransition/{pk}/delete/"]
)
def test_even_a_superuser_cannot_change_or_delete_audit_entries_in_the_admin(client, admin_user, submitted, url):
    log = ReviewTransition.objects.get()
    client.force_login(admin_user)

    response = client.post(url.format(pk=log.pk), {"comment": "rewritten", "post": "yes"})

    assert response.status_code == 403
    assert ReviewTransition.objects.get().comment == "First draft"


def test_the_audit_trail_is_shown_read_only_on_the_article(client, admin_user, under_review, draft):
    client.force_login(admin_user)

    page = client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()

    assert "Audit trail" in page
    assert "start_review" in page and "First draft" in page
    assert 'name="review_transitions-0-comment"' not in page  # no editable rows


def test_import_is_recorded_in_the_audit_trail_with_the_pages_date(demo_page):
    from reviews.importing.write import review_import_pages
    from reviews.models import Review

    [result] = review_import_pages([demo_page], publish=True)

    log = ReviewTransition.objects.get()
    assert (log.name, log.source, log.target, log.by) == ("import", "new", "approved", None)
    assert "Last updated October 17, 2025" in log.comment
    review = Review.objects.get()
    assert review.origin == Review.Origin.IMPORT and review.publication == result.published
