"""The numbers of the factory dashboard, read from balances and today's records (never by
scanning the ledger beyond today's movements)."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count, Q, Sum
from django.utils import timezone

from transfers.reference import DEPARTMENT_CODES


def _today_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def dashboard_summary() -> dict:
    from finishing.selectors import detector_status
    from ppic.models import ManufacturingOrder, WorkOrder
    from quality.models import Inspection
    from transfers.models import WipBalance, WipMovement

    from .models import Alert

    start = _today_start()
    output = dict(
        WipMovement.objects.filter(
            at__gte=start,
            reason__in=["transfer_accept", "transfer_approve_return", "transfer_approve_write_off"],
            from_state="locked",
        )
        .values("from_department__code")
        .annotate(q=Sum("quantity"))
        .values_list("from_department__code", "q")
    )
    cut_today = (
        WipMovement.objects.filter(at__gte=start, from_state="input").aggregate(q=Sum("quantity"))[
            "q"
        ]
        or 0
    )
    targets = dict(
        WorkOrder.objects.filter(
            status=WorkOrder.Status.OPEN, mo__status=ManufacturingOrder.Status.RELEASED
        )
        .values("department__code")
        .annotate(q=Sum("target_quantity"))
        .values_list("department__code", "q")
    )
    wip_rows = (
        WipBalance.objects.filter(
            quantity__gt=0, state__in=["available", "ready", "locked", "quarantined", "rework"]
        )
        .values("department__code", "line__code")
        .annotate(q=Sum("quantity"))
        .order_by("department__code", "line__code")
    )
    wip: dict[str, dict] = {}
    for row in wip_rows:
        entry = wip.setdefault(row["department__code"], {"department": row["department__code"],
                                                          "units": 0, "lines": {}})  # fmt: skip
        entry["units"] += row["q"]
        if row["line__code"]:
            entry["lines"][row["line__code"]] = entry["lines"].get(row["line__code"], 0) + row["q"]
    alerts = dict(
        Alert.objects.filter(resolved_at__isnull=True)
        .values("priority")
        .annotate(n=Count("id"))
        .values_list("priority", "n")
    )
    checks = (
        Inspection.objects.filter(at__gte=start)
        .values("department__code")
        .annotate(passed=Sum("passed"), rework=Sum("rework"), scrap=Sum("scrap"))
    )
    pass_rates = {}
    for row in checks:
        checked = row["passed"] + row["rework"] + row["scrap"]
        if checked:
            pass_rates[row["department__code"]] = {
                "checked": checked,
                "passed": row["passed"],
                "rate": round(row["passed"] / checked, 4),
            }
    return {
        "date": timezone.localdate().isoformat(),
        "output_today": [
            {
                "department": code,
                "output": output.get(code, 0),
                "cut": cut_today if code == "CUTTING" else None,
                "target": targets.get(code, 0),
            }
            for code in DEPARTMENT_CODES
            if code in targets or code in output
        ],
        "wip": [
            {"department": code, "units": wip[code]["units"], "lines": wip[code]["lines"]}
            for code in DEPARTMENT_CODES
            if code in wip
        ],
        "open_alerts": {p: alerts.get(p, 0) for p in ("P1", "P2", "P3")},
        "pass_rates_today": pass_rates,
        "detectors": [
            {
                "code": d["code"],
                "line": d["line"],
                "last_check_at": d["last_check_at"],
                "last_result": d["last_result"],
                "next_due_at": d["next_due_at"],
                "verified": d["verified"],
                "overdue": d["overdue"],
            }
            for d in detector_status()
        ],
        "mos_open": ManufacturingOrder.objects.filter(
            Q(status=ManufacturingOrder.Status.RELEASED) | Q(status=ManufacturingOrder.Status.DRAFT)
        ).count(),
    }
