"""Replay the WIP ledger and compare it with the balances. Exit 1 when anything differs."""

from django.core.management.base import BaseCommand, CommandError

from transfers.ledger import reconcile


class Command(BaseCommand):
    help = "Replay WipMovement and report every balance that differs (non-zero exit if any)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="append", help="batch number (repeatable)")

    def handle(self, *args, batch=None, **options):
        batch_ids = None
        if batch:
            from ppic.models import Batch

            batch_ids = list(Batch.objects.filter(number__in=batch).values_list("pk", flat=True))
            if len(batch_ids) != len(set(batch)):
                raise CommandError("unknown batch number")
        problems = reconcile(batch_ids)
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} difference(s) between the ledger and the balances")
        self.stdout.write(self.style.SUCCESS("WIP ledger and balances agree."))
