"""Defect codes the factory starts with; re-seeded after flushes like the other reference data."""

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


def ensure_defect_codes(apps, using="default") -> None:
    DefectCode = apps.get_model("quality", "DefectCode")
    for code, name, name_id, critical in CODES:
        DefectCode.objects.using(using).get_or_create(
            code=code, defaults={"name": name, "name_id": name_id, "critical": critical}
        )
