"""``manage.py import_master_data KIND FILE [KIND FILE …] [--dry-run] [--user USERNAME]``

Imports materials, destinations, articles (one row per BOM line) or opening stock from CSV or
XLSX. Several KIND FILE pairs are imported as one: materials first, so articles and lots may
use materials the same run brings, and nothing is written when any row of any file is wrong.
Prints a summary per file and every row error; exits with 1 on errors.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from erp.common.errors import ApplicationError
from ppic.importing import KINDS, STOCK, import_tables, read_table


class Command(BaseCommand):
    help = (
        "Import master data from the legacy system (CSV or XLSX): "
        + ", ".join(KINDS)
        + ". Nothing is written when any row is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="what the file holds")
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument(
            "more", nargs="*", metavar="KIND FILE", help="more files imported in the same run"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )
        parser.add_argument(
            "--user", help="the importing user (recorded in history; receives opening stock)"
        )

    def handle(self, *args, **options):
        extra = options["more"]
        if len(extra) % 2:
            raise CommandError("Give further files as KIND FILE pairs.")
        pairs = [(options["kind"], options["file"])] + list(
            zip(extra[::2], extra[1::2], strict=True)
        )
        for kind, _path in pairs:
            if kind not in KINDS:
                raise CommandError(f"Unknown kind {kind!r}: use one of {', '.join(KINDS)}.")
        user = self._user(options["user"])
        if user is None and not options["dry_run"] and any(k == STOCK for k, _p in pairs):
            raise CommandError("Opening stock needs --user USERNAME (who receives it).")

        tables, paths = [], {}
        for kind, path in pairs:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}") from exc
            try:
                tables.append((kind, read_table(data, path)))
            except ApplicationError as exc:
                raise CommandError(f"{path}: {exc.message}") from exc
            paths[kind] = path
        try:
            results = import_tables(tables, user=user, dry_run=options["dry_run"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        errors = 0
        for result in results:
            self.stdout.write(f"{paths[result.kind]}: {result.summary()}")
            for error in result.errors:
                self.stderr.write(f"{paths[result.kind]}: {error}")
            errors += len(result.errors)
        if errors:
            raise CommandError(f"{errors} row error(s); nothing was written.")

    def _user(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user
