"""Reads for the analytics pages: each builds a ``Chart`` (what Chart.js draws, and the same
numbers as table rows for the page and the CSV/XLSX/JSON export) from the summary tables only,
in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count, F, FloatField, Max, Min, Sum
from django.db.models.functions import Cast, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import (
    BatchQualitySummary,
    DailyDefectSummary,
    DailyLineOutput,
    DailyQualitySummary,
    FillWeightPoint,
    LeadTime,
)
from .spc import histogram, spc

GREEN, AMBER, RED, BLUE, GREY = "#198754", "#fd7e14", "#dc3545", "#0d6efd", "#6c757d"
PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#d63384", "#0dcaf0",
           "#6c757d", "#ffc107", "#dc3545", "#6610f2", "#adb5bd"]  # fmt: skip
BATCH_LIMIT = 30  # the batch view charts the worst batches of the period
SPC_MAX_POINTS = 500  # the SPC chart shows the latest points of the period


@dataclass
class Series:
    key: str
    label: str
    values: list
    color: str = BLUE
    type: str = ""  # "" = the chart's type; "line" on a bar chart
    stack: str | None = None
    axis: str = "y"
    dashed: bool = False
    point_colors: list | None = None
    point_styles: list | None = None

    def as_dict(self) -> dict:
        d = {
            "key": self.key,
            "label": self.label,
            "values": self.values,
            "color": self.color,
            "type": self.type,
            "stack": self.stack,
            "axis": self.axis,
            "dashed": self.dashed,
        }
        if self.point_colors is not None:
            d["point_colors"] = self.point_colors
        if self.point_styles is not None:
            d["point_styles"] = self.point_styles
        return d


TABLE_MAX_ROWS = 100  # the page's table under a chart; the exports always hold every row


@dataclass
class Chart:
    key: str
    title: str
    type: str  # bar | line
    labels: list[str]
    series: list[Series]
    columns: list[str]
    rows: list[list]
    y_label: str = ""
    y2_label: str = ""
    stacked: bool = False
    percent: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)
    table_rows: list | None = None  # what the page's table shows (default: the first rows)
    table_note: str = ""

    def __post_init__(self):
        if self.table_rows is None:
            self.table_rows = self.rows[:TABLE_MAX_ROWS]
            if len(self.rows) > TABLE_MAX_ROWS:
                self.table_note = _(
                    "The first %(shown)d of %(n)d rows; the CSV and XLSX exports hold them all."
                ) % {"shown": TABLE_MAX_ROWS, "n": len(self.rows)}

    def as_dict(self, *, rows: bool = True) -> dict:
        """What Chart.js draws; with ``rows`` (the JSON export) the table's rows too."""
        d = {
            "key": self.key, "title": self.title, "type": self.type, "labels": self.labels,
            "series": [s.as_dict() for s in self.series], "columns": self.columns,
            "y_label": self.y_label, "y2_label": self.y2_label, "stacked": self.stacked,
            "percent": self.percent, "note": self.note, "extra": self.extra,
        }  # fmt: skip
        if rows:
            d["rows"] = [[_json_cell(c) for c in row] for row in self.rows]
        return d


def _json_cell(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    department: object | None = None  # transfers.Department
    line: object | None = None  # transfers.Line
    kind: str = ""


def _scope(qs, f: Filters, *, day="day"):
    qs = qs.filter(**{f"{day}__gte": f.date_from, f"{day}__lte": f.date_to})
    if f.department is not None:
        qs = qs.filter(department_id=f.department.pk)
    if f.line is not None:
        qs = qs.filter(line_id=f.line.pk)
    return qs


# --- quality rates -------------------------------------------------------------------------------
QUALITY_GROUPS = ("department", "line", "batch", "defect", "week")


def _rate_row(label: str, n: int, p: int, rw: int, sc: int, rp: int) -> list:
    checked = p + rw + sc
    return [label, n, checked, p, rw, sc, rp, pct(p, checked), pct(rw, checked), pct(sc, checked)]


def _rate_chart(key, title, first_column, rows: list[list]) -> Chart:
    columns = [first_column, _("Inspections"), _("Checked"), _("Passed"), _("Rework"), _("Scrap"),
               _("Repaired"), _("Pass %"), _("Rework %"), _("Scrap %")]  # fmt: skip
    labels = [r[0] for r in rows]
    return Chart(
        key=key, title=title, type="bar", labels=labels,
        series=[
            Series("pass_pct", _("Pass %"), [r[7] for r in rows], GREEN, stack="rate"),
            Series("rework_pct", _("Rework %"), [r[8] for r in rows], AMBER, stack="rate"),
            Series("scrap_pct", _("Scrap %"), [r[9] for r in rows], RED, stack="rate"),
        ],
        columns=columns, rows=rows, y_label=_("% of checked units"), stacked=True, percent=True,
    )  # fmt: skip


def _quality_scope(qs, f: Filters, *, day="day"):
    qs = _scope(qs, f, day=day)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    return qs


_SUMS = {"n": Sum("inspections"), "p": Sum("passed"), "rw": Sum("rework"), "sc": Sum("scrap"),
         "rp": Sum("repaired")}  # fmt: skip


def quality_chart(f: Filters, group: str, *, departments, lines) -> Chart:
    """Pass / rework / scrap rates of the checked units (passed + rework + scrap) by
    department, line, batch or ISO week; or the defects found by code (a Pareto chart)."""
    dept_by_id = {d.pk: d for d in departments}
    line_by_id = {ln.pk: ln for ln in lines}
    daily = _quality_scope(DailyQualitySummary.objects.all(), f)
    if group == "defect":
        return _defect_chart(f, daily)
    if group == "batch":
        return _batch_chart(f)
    if group == "week":
        weeks: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
        for r in daily.values("day").annotate(**_SUMS).order_by("day"):
            w = weeks[iso_week(r["day"])]
            for i, k in enumerate(("n", "p", "rw", "sc", "rp")):
                w[i] += r[k] or 0
        rows = [_rate_row(week, *v) for week, v in weeks.items()]
        return _rate_chart("quality-week", _("Quality by week"), _("Week"), rows)
    if group == "line":
        data = daily.values("department_id", "line_id").annotate(**_SUMS).order_by()
        rows = []
        for r in sorted(data, key=lambda r: (
            dept_by_id[r["department_id"]].sequence,
            line_by_id[r["line_id"]].code if r["line_id"] else "",
        )):  # fmt: skip
            label = (line_by_id[r["line_id"]].code if r["line_id"]
                     else dept_by_id[r["department_id"]].code)  # fmt: skip
            rows.append(_rate_row(label, r["n"], r["p"], r["rw"], r["sc"], r["rp"]))
        return _rate_chart("quality-line", _("Quality by line"), _("Line"), rows)
    data = daily.values("department_id").annotate(**_SUMS).order_by()
    rows = [
        _rate_row(dept_by_id[r["department_id"]].code, r["n"], r["p"], r["rw"], r["sc"], r["rp"])
        for r in sorted(data, key=lambda r: dept_by_id[r["department_id"]].sequence)
    ]
    return _rate_chart("quality-department", _("Quality by department"), _("Department"), rows)


def _batch_chart(f: Filters) -> Chart:
    qs = _quality_scope(BatchQualitySummary.objects.all(), f, day="last_day")
    checked = F("passed") + F("rework") + F("scrap")
    data = (
        qs.values("batch_id", "batch__number")
        .annotate(
            **_SUMS,
            checked=Sum(checked),
            bad=Sum(F("rework") + F("scrap")),
            worst=Cast(Sum(F("rework") + F("scrap")), FloatField())
            / NullIf(Cast(Sum(checked), FloatField()), 0.0),
        )
        .filter(checked__gt=0)
        .order_by("-worst", "-checked", "batch__number")
    )
    found = list(data[: BATCH_LIMIT + 1])
    shown = found[:BATCH_LIMIT]
    rows = [_rate_row(r["batch__number"], r["n"], r["p"], r["rw"], r["sc"], r["rp"]) for r in shown]
    chart = _rate_chart("quality-batch", _("Quality by batch"), _("Batch"), rows)
    if len(found) > BATCH_LIMIT:
        chart.note = _(
            "The %(n)d batches with the highest rework + scrap rate among those last inspected "
            "in the period."
        ) % {"n": BATCH_LIMIT}
    else:
        chart.note = _("Batches last inspected in the period, highest rework + scrap rate first.")
    return chart


def _defect_chart(f: Filters, daily) -> Chart:
    qs = _quality_scope(DailyDefectSummary.objects.all(), f)
    data = list(
        qs.values("code_id", "code__code", "code__name", "code__name_id")
        .annotate(count=Sum("count"))
        .order_by("-count", "code__code")
    )
    totals = daily.aggregate(p=Sum("passed"), rw=Sum("rework"), sc=Sum("scrap"))
    checked = sum(v or 0 for v in totals.values())
    found = sum(r["count"] for r in data)
    indonesian = translation.get_language() == "id"
    rows, running = [], 0
    for r in data:
        running += r["count"]
        name = r["code__name_id"] if indonesian and r["code__name_id"] else r["code__name"]
        per_100 = round(100 * r["count"] / checked, 2) if checked else 0.0
        rows.append([r["code__code"], name, r["count"], pct(r["count"], found), per_100,
                     pct(running, found)])  # fmt: skip
    return Chart(
        key="quality-defect", title=_("Defects by code"), type="bar",
        labels=[r[0] for r in rows],
        series=[
            Series("count", _("Defects found"), [r[2] for r in rows], RED),
            Series("cumulative_pct", _("Cumulative %"), [r[5] for r in rows], GREY,
                   type="line", axis="y2"),
        ],
        columns=[_("Code"), _("Defect"), _("Found"), _("Share %"), _("Per 100 checked"),
                 _("Cumulative %")],
        rows=rows, y_label=_("defects found"), y2_label=_("cumulative %"),
        extra={"checked": checked, "found": found},
    )  # fmt: skip


# --- fill weight (SPC) ---------------------------------------------------------------------------
def fill_weight_charts(article, f: Filters) -> tuple[Chart, Chart, dict]:
    """The individuals chart of the article's latest weighed toys in the period (at most
    ``SPC_MAX_POINTS``), with mean ± 3σ of those points and the article's spec (target ±
    tolerance); and the weights' distribution. One query."""
    qs = FillWeightPoint.objects.filter(
        article_id=article.pk, day__gte=f.date_from, day__lte=f.date_to
    )
    if f.line is not None:
        qs = qs.filter(line_id=f.line.pk)
    points = list(
        qs.order_by("-at", "-record_id", "-sample").values(
            "at",
            "record_id",
            "sample",
            "weight_g",
            "target_g",
            "tolerance_g",
            "batch__number",
            "line__code",
        )[:SPC_MAX_POINTS]
    )[::-1]
    weights = [float(p["weight_g"]) for p in points]
    result = spc(weights)
    # the spec the toys were weighed against (the latest point's), else the article's own
    spec = points[-1] if points else {"target_g": article.fill_weight_g,
                                      "tolerance_g": article.fill_tolerance_g}  # fmt: skip
    target, tolerance = float(spec["target_g"]), float(spec["tolerance_g"])
    lsl, usl = target - tolerance, target + tolerance
    r2 = lambda v: None if v is None else round(v, 3)  # noqa: E731
    labels, rows = [], []
    for n, (p, w, out) in enumerate(zip(points, weights, result.outside, strict=True), 1):
        at = timezone.localtime(p["at"])
        labels.append(f"{n} · {at:%m-%d %H:%M}")
        off_spec = not lsl <= w <= usl
        rows.append([n, at.replace(tzinfo=None), p["batch__number"], p["line__code"], w,
                     r2(result.mean), r2(result.ucl), r2(result.lcl), lsl, usl,
                     _("yes") if out else _("no"), _("yes") if off_spec else _("no")])  # fmt: skip
    count = len(points)

    def flat(v):
        return [r2(v)] * count if v is not None else []

    spc_chart = Chart(
        key="spc", title=_("Fill weight SPC chart (individuals)"), type="line", labels=labels,
        series=[
            Series("weight", _("Weight (g)"), weights, BLUE,
                   point_colors=[RED if o else BLUE for o in result.outside],
                   point_styles=["triangle" if o else "circle" for o in result.outside]),
            Series("mean", _("Mean"), flat(result.mean), GREEN),
            Series("ucl", _("UCL (mean + 3σ)"), flat(result.ucl), RED, dashed=True),
            Series("lcl", _("LCL (mean − 3σ)"), flat(result.lcl), RED, dashed=True),
            Series("usl", _("Spec upper (target + tolerance)"), flat(usl), GREY, dashed=True),
            Series("lsl", _("Spec lower (target − tolerance)"), flat(lsl), GREY, dashed=True),
        ],
        columns=[_("Point"), _("Weighed at"), _("Batch"), _("Line"), _("Weight (g)"), _("Mean"),
                 _("UCL"), _("LCL"), _("Spec lower"), _("Spec upper"), _("Outside ±3σ"),
                 _("Out of spec")],
        rows=rows, y_label=_("grams"),
        extra={"mean": r2(result.mean), "sigma": r2(result.sigma), "ucl": r2(result.ucl),
               "lcl": r2(result.lcl), "outside": [i + 1 for i, o in enumerate(result.outside) if o],
               "lsl": lsl, "usl": usl, "n": count},
    )  # fmt: skip
    # the page's table lists the points to look at; the exports hold every point
    spc_chart.table_rows = [row for row in rows if row[10] == _("yes") or row[11] == _("yes")]
    spc_chart.table_note = _(
        "Points outside ±3σ or out of spec: %(k)d of %(n)d; the exports hold every point."
    ) % {"k": len(spc_chart.table_rows), "n": count}
    if count == SPC_MAX_POINTS:
        spc_chart.note = _("The latest %(n)d weighed toys of the period.") % {"n": SPC_MAX_POINTS}
    bins = histogram(weights, low=lsl, high=usl)
    hist_rows = [[round(a, 2), round(b, 2), c] for a, b, c in bins]
    hist_chart = Chart(
        key="histogram", title=_("Fill weight distribution"), type="bar",
        labels=[f"{a:.1f}–{b:.1f}" for a, b, _c in hist_rows],
        series=[Series("count", _("Toys weighed"), [c for _a, _b, c in hist_rows], BLUE)],
        columns=[_("From (g)"), _("To (g)"), _("Toys weighed")], rows=hist_rows,
        y_label=_("toys"),
    )  # fmt: skip
    summary = {
        "n": count,
        "mean": r2(result.mean),
        "sigma": r2(result.sigma),
        "ucl": r2(result.ucl),
        "lcl": r2(result.lcl),
        "outside": result.outside_count,
        "out_of_spec": sum(1 for w in weights if not lsl <= w <= usl),
        "target": target,
        "tolerance": tolerance,
    }
    return spc_chart, hist_chart, summary


# --- output per line per day ---------------------------------------------------------------------
def output_chart(f: Filters, measure: str, *, departments, lines) -> Chart:
    """Units made (or sent) per line per day: one series per line with output in the period,
    every day of the period on the axis."""
    dept_by_id = {d.pk: d for d in departments}
    line_by_id = {ln.pk: ln for ln in lines}
    data = _scope(DailyLineOutput.objects.all(), f).values(
        "day", "department_id", "line_id", measure
    )
    cells: dict[tuple, dict[date, int]] = defaultdict(dict)
    for r in data:
        cells[(r["department_id"], r["line_id"])][r["day"]] = r[measure]
    keys = sorted(
        (k for k, v in cells.items() if any(v.values())),
        key=lambda k: (dept_by_id[k[0]].sequence, line_by_id[k[1]].code if k[1] else ""),
    )
    names = [line_by_id[k[1]].code if k[1] else dept_by_id[k[0]].code for k in keys]
    days = []
    d = f.date_from
    while d <= f.date_to:
        days.append(d)
        d += timedelta(days=1)
    rows = []
    for day in days:
        values = [cells[k].get(day, 0) for k in keys]
        rows.append([day, *values, sum(values)])
    series = [
        Series(name, name, [row[i + 1] for row in rows], PALETTE[i % len(PALETTE)])
        for i, name in enumerate(names)
    ]
    title = (
        _("Units made per line per day") if measure == "made" else _("Units sent per line per day")
    )
    return Chart(
        key=f"output-{measure}", title=title, type="bar",
        labels=[day.isoformat() for day in days], series=series,
        columns=[_("Day"), *names, _("Total")], rows=rows, y_label=_("units (pcs)"),
        stacked=True,
    )  # fmt: skip


# --- lead time -----------------------------------------------------------------------------------
LEAD_GROUPS = ("department", "line", "week")


def lead_time_chart(f: Filters, group: str, *, departments, lines) -> Chart:
    """Hours from the accept of a transfer into a department to the batch's next send out of
    it, for the lead times completed (sent) in the period."""
    dept_by_id = {d.pk: d for d in departments}
    line_by_id = {ln.pk: ln for ln in lines}
    qs = _scope(LeadTime.objects.filter(hours__isnull=False), f, day="sent_day")
    stats = {"n": Count("id"), "mean": Avg("hours"), "low": Min("hours"), "high": Max("hours")}
    r1 = lambda v: round(v, 1) if v is not None else None  # noqa: E731
    columns_tail = [_("Lead times"), _("Mean (h)"), _("Shortest (h)"), _("Longest (h)")]
    if group == "week":
        data = qs.values("sent_day", "department_id").annotate(
            n=Count("id"), total=Sum("hours"), high=Max("hours"), low=Min("hours")
        ).order_by()  # fmt: skip
        cells: dict[tuple, list] = {}
        for r in data:
            key = (iso_week(r["sent_day"]), r["department_id"])
            c = cells.setdefault(key, [0, 0.0, None, None])
            c[0] += r["n"]
            c[1] += r["total"] or 0.0
            c[2] = r["low"] if c[2] is None else min(c[2], r["low"])
            c[3] = r["high"] if c[3] is None else max(c[3], r["high"])
        weeks = sorted({k[0] for k in cells})
        dept_ids = sorted({k[1] for k in cells}, key=lambda i: dept_by_id[i].sequence)
        rows = []
        for week in weeks:
            for dept_id in dept_ids:
                c = cells.get((week, dept_id))
                if c:
                    rows.append([week, dept_by_id[dept_id].code, c[0], r1(c[1] / c[0]), r1(c[2]),
                                 r1(c[3])])  # fmt: skip
        mean = {(r[0], r[1]): r[3] for r in rows}
        series = [
            Series(dept_by_id[d].code, dept_by_id[d].code,
                   [mean.get((w, dept_by_id[d].code)) for w in weeks], PALETTE[i % len(PALETTE)])
            for i, d in enumerate(dept_ids)
        ]  # fmt: skip
        return Chart(
            key="lead-week", title=_("Mean lead time per department by week"), type="line",
            labels=weeks, series=series, columns=[_("Week"), _("Department"), *columns_tail],
            rows=rows, y_label=_("hours"),
        )  # fmt: skip
    if group == "line":
        data = qs.values("department_id", "line_id").annotate(**stats).order_by()
        data = sorted(data, key=lambda r: (
            dept_by_id[r["department_id"]].sequence,
            line_by_id[r["line_id"]].code if r["line_id"] else "",
        ))  # fmt: skip
        label = (lambda r: line_by_id[r["line_id"]].code if r["line_id"]  # noqa: E731
                 else dept_by_id[r["department_id"]].code)  # fmt: skip
        key, title, first = "lead-line", _("Lead time per line"), _("Line")
    else:
        data = qs.values("department_id").annotate(**stats).order_by()
        data = sorted(data, key=lambda r: dept_by_id[r["department_id"]].sequence)
        label = lambda r: dept_by_id[r["department_id"]].code  # noqa: E731
        key, title, first = "lead-department", _("Lead time per department"), _("Department")
    rows = [[label(r), r["n"], r1(r["mean"]), r1(r["low"]), r1(r["high"])] for r in data]
    return Chart(
        key=key, title=title, type="bar", labels=[r[0] for r in rows],
        series=[
            Series("mean", _("Mean (h)"), [r[2] for r in rows], BLUE),
            Series("longest", _("Longest (h)"), [r[4] for r in rows], AMBER, type="line"),
        ],
        columns=[first, *columns_tail], rows=rows, y_label=_("hours"),
    )  # fmt: skip


def open_lead_times(f: Filters) -> int:
    """Units' stays started in the period and not sent on yet (for the count line)."""
    qs = LeadTime.objects.filter(
        hours__isnull=True,
        accepted_at__date__gte=f.date_from,
        accepted_at__date__lte=f.date_to,
    )
    if f.department is not None:
        qs = qs.filter(department_id=f.department.pk)
    if f.line is not None:
        qs = qs.filter(line_id=f.line.pk)
    return qs.count()
