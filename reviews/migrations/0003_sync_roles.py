from django.db import migrations


def sync(apps, schema_editor):
    from reviews.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Give the roles the permissions of models added since (topics, follow-up questions, site pages)."""

    dependencies = [
        ("reviews", "0002_groups"),
        ("articles", "0005_site_pages"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
