import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text="Which client uses this token, e.g. “literature pipeline”.",
                        max_length=100,
                        verbose_name="name",
                    ),
                ),
                (
                    "scopes",
                    models.JSONField(blank=True, default=list, help_text="What the token may do.", verbose_name="scopes"),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True, verbose_name="token hash")),
                (
                    "token_hint",
                    models.CharField(
                        editable=False,
                        help_text="The first characters of the token, to recognise it; the rest is never stored.",
                        max_length=20,
                        verbose_name="token starts with",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="revoked")),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last used")),
                (
                    "owner",
                    models.ForeignKey(
                        help_text="The API acts as this user: it needs the Editors' permissions, and is named in the history.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
