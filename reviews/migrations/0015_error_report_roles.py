from django.db import migrations


def roles(apps, schema_editor):
    from reviews.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Readers' error reports (articles 0015): everyone reads them, the board triages them."""

    dependencies = [
        ("articles", "0015_error_reports"),
        ("reviews", "0014_change_notes"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
