"""The Medical Advisory Board's public page."""

import pytest

from reviews.models import BoardMember
from tests.helpers import UserFactory

pytestmark = pytest.mark.django_db


def test_advisory_board_page_lists_listed_members_with_credentials(client, board_member):
    hidden = BoardMember.objects.create(
        user=UserFactory(username="retired"),
        display_name="Dr. Retired",
        is_listed=False,
    )
    BoardMember.objects.filter(user=board_member).update(disclosures="Consulting fees from ExampleCo.")

    html = client.get("/advisory-board/").content.decode()

    assert "Dr. Bo Reviewer" in html and "MD, FACP" in html and "Internal medicine" in html
    assert "Consulting fees from ExampleCo." in html
    assert hidden.display_name not in html
