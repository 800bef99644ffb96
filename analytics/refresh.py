"""Rebuild the summary tables from their sources. Every function recomputes what it is given
(days, batches, stuffing records) from scratch, inside one transaction, so running it twice, late
or concurrently with itself gives the same rows. The Celery tasks in ``tasks.py`` call these
after the commit of the events that change them, and nightly."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import (
    BatchQualitySummary,
    DailyDefectSummary,
    DailyLineOutput,
    DailyQualitySummary,
    FillWeightPoint,
    LeadTime,
)

CHUNK = 500


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_tz())


def local_day(at: datetime) -> date:
    return timezone.localtime(at, local_tz()).date()


def _serialize(key: str) -> None:
    """Concurrent rebuilds of the same rows wait for each other (PostgreSQL advisory lock held
    to the end of the transaction; SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"analytics:{key}"])


def _days(first: date, last: date) -> Iterable[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


# --- quality ------------------------------------------------------------------------------------
def quality_days_refresh(first: date, last: date) -> int:
    """Daily quality and defect rows of the local days ``first``…``last``. Returns rows written."""
    from quality.models import Inspection, InspectionDefect

    start, end = day_start(first), day_start(last + timedelta(days=1))
    tz = local_tz()
    with transaction.atomic():
        _serialize(f"quality-days:{first}:{last}" if first != last else f"quality-day:{first}")
        totals = (
            Inspection.objects.filter(at__gte=start, at__lt=end)
            .annotate(day=TruncDate("at", tzinfo=tz))
            .values("day", "department_id", "line_id", "kind")
            .annotate(
                n=Count("id"),
                p=Sum("passed"),
                rw=Sum("rework"),
                sc=Sum("scrap"),
                rp=Sum("repaired"),
            )
            .order_by()
        )
        defects = (
            InspectionDefect.objects.filter(inspection__at__gte=start, inspection__at__lt=end)
            .annotate(day=TruncDate("inspection__at", tzinfo=tz))
            .values(
                "day",
                "inspection__department_id",
                "inspection__line_id",
                "inspection__kind",
                "code_id",
            )
            .annotate(n=Sum("count"))
            .order_by()
        )
        DailyQualitySummary.objects.filter(day__gte=first, day__lte=last).delete()
        DailyDefectSummary.objects.filter(day__gte=first, day__lte=last).delete()
        rows = DailyQualitySummary.objects.bulk_create(
            [
                DailyQualitySummary(
                    day=r["day"], department_id=r["department_id"], line_id=r["line_id"],
                    kind=r["kind"], inspections=r["n"], passed=r["p"] or 0,
                    rework=r["rw"] or 0, scrap=r["sc"] or 0, repaired=r["rp"] or 0,
                )
                for r in totals
            ],
            batch_size=CHUNK,
        )  # fmt: skip
        codes = DailyDefectSummary.objects.bulk_create(
            [
                DailyDefectSummary(
                    day=r["day"], department_id=r["inspection__department_id"],
                    line_id=r["inspection__line_id"], kind=r["inspection__kind"],
                    code_id=r["code_id"], count=r["n"] or 0,
                )
                for r in defects
            ],
            batch_size=CHUNK,
        )  # fmt: skip
    return len(rows) + len(codes)


def batch_quality_refresh(batch_ids: Iterable[int]) -> int:
    """Per-batch quality rows of these batches (all their inspections)."""
    from quality.models import Inspection

    ids = sorted(set(batch_ids))
    written = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        with transaction.atomic():
            if len(chunk) == 1:
                _serialize(f"quality-batch:{chunk[0]}")
            totals = (
                Inspection.objects.filter(batch_id__in=chunk)
                .values("batch_id", "department_id", "line_id", "kind")
                .annotate(
                    n=Count("id"),
                    p=Sum("passed"),
                    rw=Sum("rework"),
                    sc=Sum("scrap"),
                    rp=Sum("repaired"),
                    first=Min("at"),
                    last=Max("at"),
                )  # fmt: skip
                .order_by()
            )
            BatchQualitySummary.objects.filter(batch_id__in=chunk).delete()
            written += len(
                BatchQualitySummary.objects.bulk_create(
                    [
                        BatchQualitySummary(
                            batch_id=r["batch_id"],
                            department_id=r["department_id"],
                            line_id=r["line_id"],
                            kind=r["kind"],
                            inspections=r["n"],
                            passed=r["p"] or 0,
                            rework=r["rw"] or 0,
                            scrap=r["sc"] or 0,
                            repaired=r["rp"] or 0,
                            first_at=r["first"],
                            last_at=r["last"],
                            last_day=local_day(r["last"]),
                        )
                        for r in totals
                    ],
                    batch_size=CHUNK,
                )  # fmt: skip
            )
    return written


# --- fill weights -------------------------------------------------------------------------------
def _grams(value) -> Decimal | None:
    try:
        grams = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return grams if grams.is_finite() else None


def fill_weights_refresh(record_ids: Iterable[int]) -> int:
    """The SPC points (one per weighed toy) of these stuffing records."""
    from finishing.models import StuffingRecord

    ids = sorted(set(record_ids))
    written = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        records = (
            StuffingRecord.objects.filter(pk__in=chunk)
            .select_related("batch__mo")
            .only(
                "id",
                "batch_id",
                "batch__mo__article_id",
                "line_id",
                "at",
                "target_g",
                "tolerance_g",
                "sample_weights_g",
            )  # fmt: skip
        )
        points = []
        for record in records:
            day = local_day(record.at)
            for n, value in enumerate(record.sample_weights_g or []):
                grams = _grams(value)
                if grams is None:
                    continue
                points.append(
                    FillWeightPoint(
                        record_id=record.pk, sample=n, article_id=record.batch.mo.article_id,
                        batch_id=record.batch_id, line_id=record.line_id, at=record.at, day=day,
                        weight_g=grams, target_g=record.target_g, tolerance_g=record.tolerance_g,
                    )
                )  # fmt: skip
        with transaction.atomic():
            if len(chunk) == 1:
                _serialize(f"fill-record:{chunk[0]}")
            FillWeightPoint.objects.filter(record_id__in=chunk).delete()
            written += len(FillWeightPoint.objects.bulk_create(points, batch_size=CHUNK * 4))
    return written


def fill_weights_days_refresh(first: date, last: date) -> int:
    from finishing.models import StuffingRecord

    start, end = day_start(first), day_start(last + timedelta(days=1))
    ids = StuffingRecord.objects.filter(at__gte=start, at__lt=end).values_list("pk", flat=True)
    return fill_weights_refresh(list(ids))


# --- output per line per day --------------------------------------------------------------------
# Units become "made" when their department's own work moves them into ``ready`` (cut from
# input, embroidered / loop-stitched / converted / packed from available, repaired from
# rework); a same-department move back from ready to available undoes it (an FG conversion
# taken back). Units are "sent" when a transfer's locked units move to another department.
MADE_FROM_STATES = ("input", "available", "rework")


def output_days_refresh(first: date, last: date) -> int:
    from transfers.models import WipMovement

    start, end = day_start(first), day_start(last + timedelta(days=1))
    tz = local_tz()
    moves = WipMovement.objects.filter(at__gte=start, at__lt=end).annotate(
        day=TruncDate("at", tzinfo=tz)
    )
    made = (
        moves.filter(to_state="ready", from_state__in=MADE_FROM_STATES)
        .values("day", "to_department_id", "to_line_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    undone = (
        moves.filter(
            from_state="ready", to_state="available", to_department_id=F("from_department_id")
        )
        .values("day", "from_department_id", "from_line_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    sent = (
        moves.filter(from_state="locked")
        .filter(~Q(to_department_id=F("from_department_id")))
        .values("day", "from_department_id", "from_line_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for r in made:
        cells[(r["day"], r["to_department_id"], r["to_line_id"])][0] += r["q"] or 0
    for r in undone:
        cells[(r["day"], r["from_department_id"], r["from_line_id"])][0] -= r["q"] or 0
    for r in sent:
        cells[(r["day"], r["from_department_id"], r["from_line_id"])][1] += r["q"] or 0
    with transaction.atomic():
        _serialize(f"output-days:{first}:{last}" if first != last else f"output-day:{first}")
        DailyLineOutput.objects.filter(day__gte=first, day__lte=last).delete()
        rows = DailyLineOutput.objects.bulk_create(
            [
                DailyLineOutput(day=d, department_id=dept, line_id=ln, made=m, sent=s)
                for (d, dept, ln), (m, s) in cells.items()
                if m or s
            ],
            batch_size=CHUNK,
        )
    return len(rows)


# --- lead time per department ------------------------------------------------------------------
# Sends that count: transfers prepared out of the department and not cancelled or rejected
# (a rejected transfer came back; the later accepted one is the handover).
NOT_SENT_STATES = ("CANCELLED", "REJECTED")


def lead_times_refresh(batch_ids: Iterable[int]) -> int:
    """Lead-time rows of these batches: one per accepted transfer into a department, closed by
    the batch's next send out of that department."""
    from transfers.models import Transfer

    ids = sorted(set(batch_ids))
    written = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        transfers = list(
            Transfer.objects.filter(batch_id__in=chunk)
            .values(
                "id",
                "batch_id",
                "from_department_id",
                "to_department_id",
                "to_line_id",
                "state",
                "created_at",
                "accepted_at",
            )  # fmt: skip
            .order_by("created_at", "id")
        )
        sends: dict[tuple, list] = defaultdict(list)
        for t in transfers:
            if t["state"] not in NOT_SENT_STATES:
                sends[(t["batch_id"], t["from_department_id"])].append((t["created_at"], t["id"]))
        rows = []
        for t in transfers:
            if t["state"] != "ACCEPTED" or t["accepted_at"] is None:
                continue
            out = sends.get((t["batch_id"], t["to_department_id"]), [])
            k = bisect.bisect_left(out, (t["accepted_at"], 0))
            sent_at, out_id = out[k] if k < len(out) else (None, None)
            rows.append(
                LeadTime(
                    transfer_in_id=t["id"], transfer_out_id=out_id, batch_id=t["batch_id"],
                    department_id=t["to_department_id"], line_id=t["to_line_id"],
                    accepted_at=t["accepted_at"], sent_at=sent_at,
                    sent_day=local_day(sent_at) if sent_at else None,
                    hours=(sent_at - t["accepted_at"]).total_seconds() / 3600 if sent_at else None,
                )
            )  # fmt: skip
        with transaction.atomic():
            if len(chunk) == 1:
                _serialize(f"lead-batch:{chunk[0]}")
            LeadTime.objects.filter(batch_id__in=chunk).delete()
            written += len(LeadTime.objects.bulk_create(rows, batch_size=CHUNK))
    return written


def lead_time_accepted(transfer_id: int) -> None:
    """A transfer was accepted into a department: its lead-time row (closed at once if the
    batch was already sent on, e.g. when this runs late). Upsert: safe to run twice."""
    from transfers.models import Transfer

    t = (
        Transfer.objects.filter(pk=transfer_id, state="ACCEPTED", accepted_at__isnull=False)
        .values("id", "batch_id", "to_department_id", "to_line_id", "accepted_at")
        .first()
    )
    if t is None:
        return
    out = (
        Transfer.objects.filter(
            batch_id=t["batch_id"],
            from_department_id=t["to_department_id"],
            created_at__gte=t["accepted_at"],
        )
        .exclude(state__in=NOT_SENT_STATES)
        .order_by("created_at", "id")
        .values("id", "created_at")
        .first()
    )
    sent_at = out["created_at"] if out else None
    row = LeadTime(
        transfer_in_id=t["id"], transfer_out_id=out["id"] if out else None,
        batch_id=t["batch_id"], department_id=t["to_department_id"], line_id=t["to_line_id"],
        accepted_at=t["accepted_at"], sent_at=sent_at,
        sent_day=local_day(sent_at) if sent_at else None,
        hours=(sent_at - t["accepted_at"]).total_seconds() / 3600 if sent_at else None,
    )  # fmt: skip
    LeadTime.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["transfer_in"],
        update_fields=["transfer_out", "batch", "department", "line", "accepted_at", "sent_at",
                       "sent_day", "hours"],
    )  # fmt: skip


def lead_time_sent(*, transfer_id: int, batch_id: int, department_id: int, sent_at) -> int:
    """A transfer out of a department was prepared: it closes the batch's open lead times
    there that began before it. Returns the rows closed."""
    rows = list(
        LeadTime.objects.filter(
            batch_id=batch_id,
            department_id=department_id,
            sent_at__isnull=True,
            accepted_at__lte=sent_at,
        )
    )
    for row in rows:
        row.transfer_out_id, row.sent_at, row.sent_day = transfer_id, sent_at, local_day(sent_at)
        row.hours = (sent_at - row.accepted_at).total_seconds() / 3600
    if rows:
        LeadTime.objects.bulk_update(rows, ["transfer_out", "sent_at", "sent_day", "hours"])
    return len(rows)


def lead_times_days_refresh(first: date, last: date) -> int:
    """Lead times of every batch with a transfer prepared or accepted in these days."""
    from transfers.models import Transfer

    start, end = day_start(first), day_start(last + timedelta(days=1))
    ids = (
        Transfer.objects.filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(accepted_at__gte=start, accepted_at__lt=end)
        )
        .values_list("batch_id", flat=True)
        .distinct()
        .order_by()
    )
    return lead_times_refresh(list(ids))


def batch_quality_days_refresh(first: date, last: date) -> int:
    from quality.models import Inspection

    start, end = day_start(first), day_start(last + timedelta(days=1))
    ids = (
        Inspection.objects.filter(at__gte=start, at__lt=end)
        .values_list("batch_id", flat=True)
        .distinct()
        .order_by()
    )
    return batch_quality_refresh(list(ids))


# --- everything ---------------------------------------------------------------------------------
def period_refresh(first: date, last: date) -> dict[str, int]:
    """Every summary touched by what happened in these local days (nightly, the page's refresh
    button, ``manage.py analytics_rebuild``). Long periods go a week at a time."""
    written = defaultdict(int)
    day = first
    while day <= last:
        until = min(last, day + timedelta(days=6))
        written["quality"] += quality_days_refresh(day, until)
        written["batches"] += batch_quality_days_refresh(day, until)
        written["fill_weight"] += fill_weights_days_refresh(day, until)
        written["output"] += output_days_refresh(day, until)
        written["lead_time"] += lead_times_days_refresh(day, until)
        day = until + timedelta(days=1)
    return dict(written)
