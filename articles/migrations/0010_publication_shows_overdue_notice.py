from django.db import migrations, models


def mark_pages_with_the_notice(apps, schema_editor):
    # Once, from the pages as stored; from now on the flag is written with every render.
    Publication = apps.get_model("articles", "Publication")
    Publication.objects.filter(page_html__contains='class="review-due-notice"').update(shows_overdue_notice=True)


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_bounded_texts")]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="shows_overdue_notice",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Whether the stored page tells readers the answer is due for review.",
                verbose_name="page shows the due-for-review notice",
            ),
        ),
        migrations.RunPython(mark_pages_with_the_notice, migrations.RunPython.noop),
    ]
