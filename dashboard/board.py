"""The factory dashboard page: ``dashboard_summary()`` (the API's numbers) plus the line map, the
MOs at risk and the open P1/P2 alerts. Every part reads balances, open rows or today's records
with a fixed number of queries, whatever the number of batches.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from transfers.reference import DEPARTMENT_LABELS

# Departments whose lines the line map shows, in the order of the floor.
LINE_MAP_DEPARTMENTS = ("SEWING", "FINISHING", "PACKING")
# KPI tiles: always these (a steady layout for the wall TV), others when they have numbers.
KPI_DEPARTMENTS = ("CUTTING", "EMBROIDERY", "SEWING", "FINISHING", "PACKING")
# Units on a line: at the department in any state but the terminal ones.
OCCUPYING_STATES = ("available", "ready", "locked", "quarantined", "rework")
# An MO is at risk when it still has units to finish and its due date is this close (or past).
AT_RISK_DAYS = 7
AT_RISK_SHOWN = 15
ALERTS_SHOWN = 10
ALERTS_READ = 200  # open P1/P2 read for the list and the line tiles (a bound, never a scan)


def _label(code: str) -> str:
    return str(DEPARTMENT_LABELS.get(code, code))


def kpi_tiles(summary: dict) -> list[dict]:
    """Per department: output today vs its open SPK target, units cut today (cutting) and the
    WIP there now."""
    output = {row["department"]: row for row in summary["output_today"]}
    wip = {row["department"]: row["units"] for row in summary["wip"]}
    codes = list(KPI_DEPARTMENTS) + [c for c in output if c not in KPI_DEPARTMENTS]
    tiles = []
    for code in codes:
        row = output.get(code, {"output": 0, "target": 0, "cut": None})
        target = row["target"] or 0
        tiles.append(
            {
                "department": code,
                "label": _label(code),
                "output": row["output"],
                "cut": row.get("cut") if code == "CUTTING" else None,
                "target": target,
                "percent": min(100, round(100 * row["output"] / target)) if target else 0,
                "wip": wip.get(code, 0),
            }
        )
    return tiles


def wip_table(summary: dict) -> list[dict]:
    return [
        {
            "department": row["department"],
            "label": _label(row["department"]),
            "units": row["units"],
            "lines": sorted(row["lines"].items()),
        }
        for row in summary["wip"]
    ]


def open_alerts(limit: int = ALERTS_READ) -> list[dict]:
    """Open P1 and P2 alerts, P1 first then newest (one query, bounded)."""
    from .models import Alert, AlertKind

    kinds = dict(AlertKind.choices)
    rows = list(
        Alert.objects.filter(resolved_at__isnull=True, priority__in=("P1", "P2"))
        .order_by("priority", "-raised_at", "-id")
        .values(
            "id", "priority", "kind", "message", "raised_at", "acknowledged_at", "escalated_at",
            "line__code", "batch__number",
        )[:limit]
    )  # fmt: skip
    for row in rows:
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
    return rows


def line_map(alerts: list[dict]) -> list[dict]:
    """One entry per department of ``LINE_MAP_DEPARTMENTS``, each with its active lines and
    what is on them: batch, article, destination country, units (two queries)."""
    from transfers.models import Line, WipBalance

    lines = list(
        Line.objects.filter(department__code__in=LINE_MAP_DEPARTMENTS, active=True)
        .order_by("department__sequence", "code")
        .values("code", "department__code")
    )
    rows = (
        WipBalance.objects.filter(
            department__code__in=LINE_MAP_DEPARTMENTS,
            line__isnull=False,
            quantity__gt=0,
            state__in=OCCUPYING_STATES,
        )
        .values(
            "line__code", "batch__number", "batch__mo__article__code",
            "batch__mo__destination__country", "batch__mo__destination__code",
        )
        .annotate(units=Sum("quantity"), held=Sum("quantity", filter=Q(state="quarantined")))
        .order_by("line__code", "batch__number")
    )  # fmt: skip
    batches: dict[str, list[dict]] = {}
    for row in rows:
        batches.setdefault(row["line__code"], []).append(
            {
                "batch": row["batch__number"],
                "article": row["batch__mo__article__code"],
                "country": row["batch__mo__destination__country"],
                "destination": row["batch__mo__destination__code"],
                "units": row["units"],
                "quarantined": row["held"] or 0,
            }
        )
    line_alerts: dict[str, list[dict]] = {}
    for alert in alerts:
        if alert["line__code"]:
            line_alerts.setdefault(alert["line__code"], []).append(alert)
    departments: dict[str, dict] = {}
    for ln in lines:
        code = ln["department__code"]
        entry = departments.setdefault(
            code, {"department": code, "label": _label(code), "lines": []}
        )
        on_line = batches.get(ln["code"], [])
        alerts_here = line_alerts.get(ln["code"], [])
        entry["lines"].append(
            {
                "code": ln["code"],
                "batches": on_line,
                "units": sum(b["units"] for b in on_line),
                "countries": sorted({b["country"] for b in on_line if b["country"]}),
                "alerts": alerts_here,
                "p1": any(a["priority"] == "P1" for a in alerts_here),
            }
        )
    return [departments[c] for c in LINE_MAP_DEPARTMENTS if c in departments]


def mos_at_risk(today: date | None = None, limit: int = AT_RISK_SHOWN) -> dict:
    """Released MOs due within ``AT_RISK_DAYS`` days (or past due) that still have units to
    finish. *Finished* means the units reached the FG warehouse (or were shipped); remaining =
    MO quantity − finished. One query for the rows and their count."""
    from ppic.models import ManufacturingOrder

    today = today or timezone.localdate()
    finished = Coalesce(
        Sum(
            "batches__wip_balances__quantity",
            filter=Q(batches__wip_balances__department__code="FG_WAREHOUSE")
            | Q(batches__wip_balances__state="shipped"),
        ),
        Value(0),
        output_field=IntegerField(),
    )
    rows = list(
        ManufacturingOrder.objects.filter(
            status=ManufacturingOrder.Status.RELEASED,
            due_date__lte=today + timedelta(days=AT_RISK_DAYS),
        )
        .annotate(finished=finished)
        .annotate(remaining=F("quantity") - F("finished"))
        .filter(remaining__gt=0)
        .order_by("due_date", "number")
        .values(
            "number", "quantity", "due_date", "finished", "remaining", "article__code",
            "destination__country",
        )
    )  # fmt: skip
    for row in rows:
        row["days_left"] = (row["due_date"] - today).days
        row["days_late"] = max(0, -row["days_left"])
        row["level"] = (
            "late" if row["days_left"] < 0 else "soon" if row["days_left"] <= 2 else "watch"
        )
    return {"rows": rows[:limit], "count": len(rows), "days": AT_RISK_DAYS}


def _when(value):
    if isinstance(value, str):
        return parse_datetime(value)
    return value if isinstance(value, datetime) else None


def detector_tiles(detectors: list[dict]) -> list[dict]:
    """``summary["detectors"]`` (finishing's ``detector_status()``) with times as datetimes."""
    return [
        {
            **d,
            "last_check_at": _when(d.get("last_check_at")),
            "next_due_at": _when(d.get("next_due_at")),
        }
        for d in detectors
    ]


def pass_rates(summary: dict) -> list[dict]:
    return [
        {"department": code, "label": _label(code), **row, "percent": round(row["rate"] * 100, 1)}
        for code, row in summary["pass_rates_today"].items()
    ]


def factory_board() -> dict:
    """Everything the dashboard page shows."""
    from .summary import dashboard_summary

    summary = dashboard_summary()
    alerts = open_alerts()
    return {
        "summary": summary,
        "kpis": kpi_tiles(summary),
        "wip": wip_table(summary),
        "line_map": line_map(alerts),
        "alerts": alerts[:ALERTS_SHOWN],
        "alerts_more": max(
            0, summary["open_alerts"]["P1"] + summary["open_alerts"]["P2"] - ALERTS_SHOWN
        ),  # fmt: skip
        "at_risk": mos_at_risk(),
        "pass_rates": pass_rates(summary),
        "detectors": detector_tiles(summary.get("detectors") or []),
        "updated_at": timezone.now(),
    }
