from django.db import migrations, models
from django.db.models import F


def mark_existing_reports_emailed(apps, schema_editor):
    """Reports made before this were each emailed to the board when they arrived."""
    ErrorReport = apps.get_model("articles", "ErrorReport")
    ErrorReport.objects.filter(board_notified_at__isnull=True).update(board_notified_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_error_reports"),
    ]

    operations = [
        migrations.AddField(
            model_name="errorreport",
            name="board_notified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="board emailed at"),
        ),
        migrations.RunPython(mark_existing_reports_emailed, migrations.RunPython.noop, elidable=True),
    ]
