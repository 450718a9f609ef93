from django.db import migrations


def drop_file_names(apps, schema_editor):
    # Imports used to record "Imported from the previous site (<file name>)" as the change summary,
    # which readers and the public API see; the file name stays in the staff-only audit trail.
    Publication = apps.get_model("articles", "Publication")
    Publication.objects.filter(origin="import", change_summary__startswith="Imported from the previous site (").update(
        change_summary="Imported from the previous site"
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_publication_shows_overdue_notice")]

    operations = [migrations.RunPython(drop_file_names, migrations.RunPython.noop)]
