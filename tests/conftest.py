from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

DATA = Path(__file__).parent / "data"
EXAMPLE_PAGE = DATA / "baclofen-back-pain.txt"
DEMO_PAGE = Path(settings.BASE_DIR) / "demo" / "baclofen-back-pain.demo.txt"


@pytest.fixture
def example_page():
    return EXAMPLE_PAGE


@pytest.fixture
def demo_page():
    return DEMO_PAGE


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editors"])


@pytest.fixture
def board_member(db):
    return UserFactory(username="board", groups=["Medical Advisory Board"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True)


@pytest.fixture
def write_page(tmp_path):
    """Write a page file from text (or bytes) and return its path."""

    def write(content, name="page.txt"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
