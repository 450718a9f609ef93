import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Source events move from `references` to `reviews`, where their services, admin and command
    are: the model state moves here (its table still named for the old app), then 0007 renames the
    table and moves its content type and permissions."""

    dependencies = [
        ("reviews", "0005_sync_roles"),
        ("references", "0002_source_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SourceEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("retracted", "Retracted"), ("superseded", "Superseded")],
                                max_length=12,
                                verbose_name="event",
                            ),
                        ),
                        ("occurred_on", models.DateField(verbose_name="date")),
                        ("notice_url", models.URLField(blank=True, max_length=500, verbose_name="notice URL")),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        (
                            "source",
                            models.CharField(
                                blank=True, help_text="admin, or the CSV file", max_length=200, verbose_name="recorded from"
                            ),
                        ),
                        ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="recorded by",
                            ),
                        ),
                        (
                            "reference",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="events",
                                to="references.reference",
                                verbose_name="reference",
                            ),
                        ),
                        (
                            "replacement",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="replacing_events",
                                to="references.reference",
                                verbose_name="replaced by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "source event",
                        "verbose_name_plural": "source events",
                        "ordering": ["-recorded_at", "-id"],
                        "db_table": "references_sourceevent",
                    },
                ),
                migrations.AlterField(
                    model_name="sourcealert",
                    name="event",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="alerts",
                        to="reviews.sourceevent",
                        verbose_name="source event",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
