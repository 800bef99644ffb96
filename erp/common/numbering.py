"""Human document numbers (MO-2026-0042…) from a locked counter row per series and year."""

from django.db import transaction

from .models import NumberSequence


@transaction.atomic
def next_number(*, series: str, year: int) -> int:
    """The next number of ``series`` in ``year``. Locks the counter row (creating it safely
    under concurrency), so two callers never get the same number."""
    NumberSequence.objects.get_or_create(series=series, year=year)
    seq = NumberSequence.objects.select_for_update(no_key=True).get(series=series, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return seq.last
