from django.db import migrations

CODES = [
    ("OPEN_SEAM", "Open seam", "Jahitan lepas", True),
    ("SKIPPED_STITCH", "Skipped stitch", "Jahitan loncat", False),
    ("WRONG_LABEL", "Wrong label", "Label salah", False),
    ("STAIN", "Stain", "Noda", False),
    ("ASYM_EMBROIDERY", "Asymmetric embroidery", "Bordir tidak simetris", False),
    ("LOOSE_PART", "Loose part", "Bagian longgar", True),
    ("WRONG_SHADE", "Shade differs", "Warna beda", False),
    ("UNDERFILLED", "Underfilled", "Isian kurang", False),
]


def seed(apps, schema_editor):
    DefectCode = apps.get_model("quality", "DefectCode")
    for code, name, name_id, critical in CODES:
        DefectCode.objects.get_or_create(
            code=code, defaults={"name": name, "name_id": name_id, "critical": critical}
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
