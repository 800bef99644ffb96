"""Demo data: one user per role (named after it) and a ``<role>_lead`` supervisor per department.

Idempotent: existing users keep their password unless ``--reset-passwords``. Refuses to run in
production unless ``--force``. Every user it sets a password for is flagged as still having the
demo password, which production refuses to start with.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from guardian.shortcuts import assign_perm

from accounts.roles import DEMO_LEADS, ROLES, SUPERVISE_PERMISSION
from transfers.models import Department

DEMO_NAMES = {
    "admin": ("Admin", "Sistem"),
    "manager": ("Budi", "Santoso"),
    "ppic": ("Rina", "Wijaya"),
    "warehouse": ("Agus", "Saputra"),
    "cutting": ("Dewi", "Lestari"),
    "embroidery": ("Sri", "Wahyuni"),
    "sewing": ("Siti", "Rahayu"),
    "finishing": ("Eko", "Prasetyo"),
    "packing": ("Joko", "Susilo"),
    "qc_inspector": ("Ani", "Kusuma"),
    "qc_lab": ("Hendra", "Gunawan"),
}


class Command(BaseCommand):
    help = "Create the demo users (one per role plus department supervisors). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow in production")
        parser.add_argument(
            "--reset-passwords", action="store_true", help="set the demo password on existing users"
        )

    @transaction.atomic
    def handle(self, *args, force=False, reset_passwords=False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("seed_demo refuses to run in production without --force.")
        password = settings.DEMO_PASSWORD
        User = get_user_model()
        groups = {g.name: g for g in Group.objects.filter(name__in=ROLES)}
        missing = set(ROLES) - set(groups)
        if missing:
            raise CommandError(f"Role groups missing (run migrate first): {sorted(missing)}")
        departments = {d.code: d for d in Department.objects.all()}

        specs = [(role, role, []) for role in ROLES]
        specs += [(name, role, depts) for name, (role, depts) in DEMO_LEADS.items()]
        created = 0
        for username, role, supervised in specs:
            first, last = DEMO_NAMES.get(role, (role.title(), ""))
            if username.endswith("_lead"):
                last = f"{last} (lead)"
            user, is_new = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if is_new or reset_passwords:
                user.set_password(password)
                user.has_demo_password = True
                created += is_new
            user.is_staff = role == "admin"
            user.is_active = True
            user.save()
            user.groups.set([groups[role]])
            for code in supervised:
                assign_perm(f"transfers.{SUPERVISE_PERMISSION}", user, departments[code])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo users ready ({len(specs)} users, {created} new). "
                "Password: the DEMO_PASSWORD setting."
            )
        )
