"""``manage.py analytics_rebuild [--days N]``: rebuild every analytics summary of the last N
local days from the records (after an import, a restore, or a change of definition)."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.refresh import period_refresh


class Command(BaseCommand):
    help = "Rebuild the analytics summary tables of the last N days from the records."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=400)

    def handle(self, *args, days, **options):
        today = timezone.localdate()
        t0 = time.perf_counter()
        written = period_refresh(today - timedelta(days=max(1, days) - 1), today)
        self.stdout.write(
            f"Rebuilt {days} days in {time.perf_counter() - t0:.1f} s: "
            + ", ".join(f"{v} {k}" for k, v in written.items())
        )
