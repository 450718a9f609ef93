"""The editorial roles, created by a data migration with exactly their permissions."""

import pytest

pytestmark = pytest.mark.django_db


def test_roles_are_created_by_migration_with_content_permissions():
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")

    assert editors.permissions.filter(codename="change_article").exists()
    assert editors.permissions.filter(codename="add_reference").exists()
    assert not editors.permissions.filter(codename="delete_article").exists()
