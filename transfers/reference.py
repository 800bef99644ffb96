"""Reference data the factory runs on: departments, their lines, and what each role acts for.

Kept free of model imports so migrations, settings-time code and seeders can all read it.
"""

from django.utils.translation import gettext_lazy as _

# code, English name, Indonesian floor name, kind, line prefix, number of lines
DEPARTMENTS = [
    ("WAREHOUSE", "Warehouse", "Gudang", "warehouse", "", 0),
    ("CUTTING", "Cutting", "Cutting", "production", "CUT", 2),
    ("EMBROIDERY", "Embroidery", "Bordir", "production", "EMB", 1),
    ("SEWING", "Sewing", "Sewing (Jahit)", "production", "SEW", 4),
    ("FINISHING", "Finishing", "Finishing", "production", "FIN", 2),
    ("PACKING", "Packing", "Packing", "production", "PCK", 2),
    ("FG_WAREHOUSE", "FG warehouse", "Gudang FG", "warehouse", "", 0),
    ("SUBCON", "Subcontractor", "Subkon", "external", "", 0),
    ("QUALITY", "Quality", "Quality (QC)", "quality", "", 0),
]
DEPARTMENT_CODES = [d[0] for d in DEPARTMENTS]


def seeded_lines():
    """(department code, line code, line name) for every seeded line, e.g. SEW-3."""
    for code, name, _id_name, _kind, prefix, count in DEPARTMENTS:
        for n in range(1, count + 1):
            yield code, f"{prefix}-{n}", f"{name} line {n}"


# Marked for translation so templates can show them in the operator's language.
DEPARTMENT_LABELS = {
    "WAREHOUSE": _("Warehouse"),
    "CUTTING": _("Cutting"),
    "EMBROIDERY": _("Embroidery"),
    "SEWING": _("Sewing"),
    "FINISHING": _("Finishing"),
    "PACKING": _("Packing"),
    "FG_WAREHOUSE": _("FG warehouse"),
    "SUBCON": _("Subcontractor"),
    "QUALITY": _("Quality"),
}
