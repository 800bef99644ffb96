from django.db import migrations


def seed(apps, schema_editor):
    from transfers.seeding import ensure_departments_and_lines

    ensure_departments_and_lines(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
