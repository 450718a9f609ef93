from django.db import migrations


class Migration(migrations.Migration):
    """Source events now belong to `reviews` (reviews 0006); only the model state leaves here."""

    dependencies = [
        ("references", "0002_source_events"),
        ("reviews", "0006_source_events_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="SourceEvent")]),
    ]
