from django.db import migrations


def sync(apps, schema_editor):
    from reviews.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Give the roles the permissions of source events, source alerts and re-review notices."""

    dependencies = [
        ("reviews", "0004_source_alerts_and_due_notices"),
        ("references", "0002_source_events"),
        ("articles", "0007_review_cadence_and_evidence_grades"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
