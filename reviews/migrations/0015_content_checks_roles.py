"""The roles' permissions on the content checks' configuration (articles.ContentCheckSettings)."""

from django.db import migrations


def roles(apps, schema_editor):
    from reviews.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_content_checks"),
        ("reviews", "0014_change_notes"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
