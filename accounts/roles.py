"""The 11 roles of API.md, the departments each acts for, and their model permissions.

Roles are Django groups. ``sync_roles`` creates them and grants the permissions below; it runs
from a data migration and again after every ``migrate`` (and after test flushes), so groups stay
in step when later apps add models.
"""

from __future__ import annotations

from fnmatch import fnmatch

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from transfers.reference import DEPARTMENT_CODES


class Role(TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    PPIC = "ppic", _("PPIC (planning)")
    WAREHOUSE = "warehouse", _("Warehouse")
    CUTTING = "cutting", _("Cutting")
    EMBROIDERY = "embroidery", _("Embroidery")
    SEWING = "sewing", _("Sewing")
    FINISHING = "finishing", _("Finishing")
    PACKING = "packing", _("Packing")
    QC_INSPECTOR = "qc_inspector", _("QC inspector")
    QC_LAB = "qc_lab", _("QC lab")


ROLES = [r.value for r in Role]
OPERATOR_ROLES = {"cutting", "embroidery", "sewing", "finishing", "packing"}
OFFICE_ROLES = {"admin", "manager", "ppic"}

# Which departments a role's users act for (API.md). manager acts for all; admin for none.
ROLE_DEPARTMENTS: dict[str, list[str]] = {
    "admin": [],
    "manager": list(DEPARTMENT_CODES),
    "ppic": ["SUBCON"],
    "warehouse": ["WAREHOUSE", "FG_WAREHOUSE"],
    "cutting": ["CUTTING"],
    "embroidery": ["EMBROIDERY"],
    "sewing": ["SEWING"],
    "finishing": ["FINISHING"],
    "packing": ["PACKING"],
    "qc_inspector": ["QUALITY"],
    "qc_lab": ["QUALITY"],
}

# Model permissions per role, as "app_label.codename" patterns (fnmatch). They govern the Django
# admin; pages and the API check roles and departments in code (erp.common.permissions).
_READ_REFERENCE = ["transfers.view_department", "transfers.view_line"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "admin": [
        "accounts.*",
        "common.*_factorysetting",
        "auth.*_group",
        "auth.view_permission",
        "axes.*",
        "transfers.*_department",
        "transfers.*_line",
        "ppic.*_material",
        "ppic.*_article",
        "ppic.*_bomline",
        "ppic.*_destination",
        "ppic.*_vendor",
        "quality.*_defectcode",
    ],
    "manager": ["*.view_*"],
    "ppic": [*_READ_REFERENCE, "ppic.*"],
    "warehouse": [*_READ_REFERENCE, "warehouse.*"],
    "cutting": [*_READ_REFERENCE, "cutting.*"],
    "embroidery": [*_READ_REFERENCE, "embroidery.*"],
    "sewing": [*_READ_REFERENCE, "sewing.*"],
    "finishing": [*_READ_REFERENCE, "finishing.*"],
    "packing": [*_READ_REFERENCE, "packing.*"],
    "qc_inspector": [*_READ_REFERENCE, "quality.*"],
    "qc_lab": [*_READ_REFERENCE, "quality.view_*", "quality.*_labtest*"],
}

# Demo users: one per role, plus a supervisor ("<role>_lead") per department they lead.
DEMO_LEADS: dict[str, tuple[str, list[str]]] = {
    "warehouse_lead": ("warehouse", ["WAREHOUSE", "FG_WAREHOUSE"]),
    "cutting_lead": ("cutting", ["CUTTING"]),
    "embroidery_lead": ("embroidery", ["EMBROIDERY"]),
    "sewing_lead": ("sewing", ["SEWING"]),
    "finishing_lead": ("finishing", ["FINISHING"]),
    "packing_lead": ("packing", ["PACKING"]),
    "qc_lead": ("qc_inspector", ["QUALITY"]),
}
SUPERVISE_PERMISSION = "supervise_department"


def sync_roles(apps, using: str = "default") -> None:
    """Create the role groups and set exactly the permissions ROLE_PERMISSIONS grants them."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migration-state app configs carry no models module; create_permissions skips those.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = list(
        Permission.objects.using(using).values_list("id", "content_type__app_label", "codename")
    )
    for role in ROLES:
        group, _created = Group.objects.using(using).get_or_create(name=role)
        patterns = ROLE_PERMISSIONS.get(role, [])
        wanted = [
            pk
            for pk, app_label, codename in every
            if any(fnmatch(f"{app_label}.{codename}", p) for p in patterns)
        ]
        group.permissions.set(wanted)
