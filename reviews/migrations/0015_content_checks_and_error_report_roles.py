from django.db import migrations


def roles(apps, schema_editor):
    from reviews.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """The roles' permissions on the content checks' configuration (articles 0016: the board changes it) and on
    readers' error reports (articles 0017: everyone reads them, the board triages them)."""

    dependencies = [
        ("articles", "0017_error_reports"),
        ("reviews", "0014_change_notes"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
