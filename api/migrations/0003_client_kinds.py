"""API clients declare what they are (issue 16, "how this answer was made"); revisions written
through the API record which client wrote them.

Tokens that exist already are "undeclared", not "person": many were made for pipelines (the
field's own example was "literature pipeline"), and telling readers a person drafted what a
machine did is the error that matters. An administrator declares each one once in the admin;
new tokens must declare (the admin has no default, the command defaults to a person at a
command line)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_redundant_plural_names'),
        ('reversion', '0002_add_index_on_version_for_content_type_and_db'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='client_kind',
            field=models.CharField(choices=[('person', 'A person (an editor writing through the API)'), ('import', 'An import of existing content'), ('automated', 'An automated drafting system'), ('undeclared', 'Not declared (a token made before clients declared what they are)')], default='undeclared', help_text='What writes through this token. Readers are told when an automated system drafted an answer; fixed once the token exists.', max_length=20, verbose_name='the client is'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='client_kind',
            field=models.CharField(choices=[('person', 'A person (an editor writing through the API)'), ('import', 'An import of existing content'), ('automated', 'An automated drafting system'), ('undeclared', 'Not declared (a token made before clients declared what they are)')], default='person', help_text='What writes through this token. Readers are told when an automated system drafted an answer; fixed once the token exists.', max_length=20, verbose_name='the client is'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='system_name',
            field=models.CharField(blank=True, help_text='For an automated drafting system (required then): the model or pipeline and its version, e.g. “literature-pipeline v2”. Readers see it.', max_length=100, verbose_name='model or pipeline'),
        ),
        migrations.CreateModel(
            name='ApiRevision',
            fields=[
                ('revision', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='api_client', serialize=False, to='reversion.revision', verbose_name='revision')),
                ('client_name', models.CharField(max_length=100, verbose_name='client')),
                ('client_kind', models.CharField(choices=[('person', 'A person (an editor writing through the API)'), ('import', 'An import of existing content'), ('automated', 'An automated drafting system'), ('undeclared', 'Not declared (a token made before clients declared what they are)')], max_length=20, verbose_name='the client is')),
                ('system_name', models.CharField(blank=True, max_length=100, verbose_name='model or pipeline')),
                ('token', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='api.apitoken', verbose_name='token')),
            ],
            options={
                'verbose_name': 'revision written through the API',
                'verbose_name_plural': 'revisions written through the API',
            },
        ),
    ]
