"""Demo factory data for ``make run`` (after ``seed_demo``): master data, stock, lab tests, a PO
and batches at different steps of the route. Skipped when articles exist; refused in production
unless ``--force``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a demo factory floor (articles, stock, MOs, batches at work). Runs once."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow in production")

    def handle(self, *args, force=False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("seed_factory refuses to run in production without --force.")
        from erp.common.demo_factory import seed_factory

        if not seed_factory(stdout=self.stdout):
            self.stdout.write("Articles exist already: demo factory not created.")
