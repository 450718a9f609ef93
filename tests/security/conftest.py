"""The security tests' world: a small site in every state the authorization tests need, with unique
marker strings planted in everything readers must never see (built by tests.helpers.build_world)."""

import pytest

from tests.helpers import build_world


@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks):
    settings.ORACLE_SHOW_PENDING = False
    with django_capture_on_commit_callbacks(execute=True):
        built = build_world()
    return built
