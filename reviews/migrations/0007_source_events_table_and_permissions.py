from django.db import migrations


def move_content_type(apps, schema_editor):
    """The permissions of source events are kept (and so who holds them): they hang on the content
    type, which moves with the model instead of being created anew."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="references", model="sourceevent").update(app_label="reviews")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="reviews", model="sourceevent").update(app_label="references")


def sync(apps, schema_editor):
    from reviews.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_source_events_move_here"),
        ("references", "0003_source_events_moved_to_reviews"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="sourceevent", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
