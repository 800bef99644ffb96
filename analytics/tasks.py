"""Celery tasks that refresh the summary tables. They take ids and dates (never objects), are
idempotent (each recomputes its rows from the sources) and are queued after commit by
``receivers.py``, nightly by beat (``refresh_recent``) and by the pages' refresh button."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone


@shared_task
def refresh_inspection(inspection_id: int) -> None:
    """An inspection was recorded: its day's quality and defect rows, and its batch's."""
    from quality.models import Inspection

    from . import refresh

    row = Inspection.objects.filter(pk=inspection_id).values("at", "batch_id").first()
    if row is None:
        return
    day = refresh.local_day(row["at"])
    refresh.quality_days_refresh(day, day)
    refresh.batch_quality_refresh([row["batch_id"]])


@shared_task
def refresh_stuffing(record_id: int) -> None:
    """A stuffing record was saved: its weighed toys become SPC points."""
    from . import refresh

    refresh.fill_weights_refresh([record_id])


@shared_task
def refresh_lead_times(batch_id: int) -> None:
    """A send of the batch was cancelled or rejected: rebuild the batch's lead times."""
    from . import refresh

    refresh.lead_times_refresh([batch_id])


@shared_task
def lead_time_accepted(transfer_id: int) -> None:
    """A transfer was accepted: the lead time in its receiving department begins."""
    from . import refresh

    refresh.lead_time_accepted(transfer_id)


@shared_task
def lead_time_sent(transfer_id: int, batch_id: int, department_id: int, sent_at: str) -> int:
    """A transfer was prepared: it ends the batch's open lead times in the sending department."""
    from datetime import datetime

    from . import refresh

    return refresh.lead_time_sent(
        transfer_id=transfer_id, batch_id=batch_id, department_id=department_id,
        sent_at=datetime.fromisoformat(sent_at),
    )  # fmt: skip


@shared_task
def refresh_output_day(day: str) -> None:
    """Units made ready or handed over that day: its output per line (debounced)."""
    from . import refresh

    d = date.fromisoformat(day)
    refresh.output_days_refresh(d, d)


@shared_task
def refresh_period(first: str, last: str) -> dict:
    """Every summary of the local days ``first``…``last`` (ISO dates)."""
    from . import refresh

    return refresh.period_refresh(date.fromisoformat(first), date.fromisoformat(last))


@shared_task
def refresh_recent(days: int = 3) -> dict:
    """Nightly (beat): rebuild the last ``days`` days, catching anything an on-commit refresh
    missed (a worker down, a record written without a signal, a correction)."""
    from . import refresh

    today = timezone.localdate()
    return refresh.period_refresh(today - timedelta(days=max(1, days) - 1), today)
