from django.db import migrations


def seed(apps, schema_editor):
    from quality.seeding import ensure_defect_codes

    ensure_defect_codes(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
