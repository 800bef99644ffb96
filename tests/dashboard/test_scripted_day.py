"""A scripted day on the floor through the services (cutting → sewing → finishing, a held count,
a blocked line, inspections), then every number on the dashboard equals a direct query over
the records (WipBalance, WipMovement, WorkOrder, Inspection, Alert)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.db.models import Q, Sum
from django.utils import timezone

from dashboard.board import AT_RISK_DAYS, OCCUPYING_STATES, factory_board
from dashboard.models import Alert
from finishing.models import Detector, DetectorCheck
from finishing.services import detector_check_record, detector_scan_record, stuffing_record
from ppic.models import ManufacturingOrder, WorkOrder
from quality.models import Inspection
from quality.services import inspection_record
from tests.dashboard.helpers import accept, hand_over, send, sew
from tests.transfers.helpers import cut, dept, released_batches, users
from transfers.models import Line, WipBalance, WipMovement

pytestmark = [pytest.mark.django_db]


def _sum(qs, field="quantity") -> int:
    return qs.aggregate(s=Sum(field))["s"] or 0


def scripted_day():
    cast = users()
    # MO A: 3 batches of 100 for Germany; MO B: 1 batch of 60 for the US, due in 3 days;
    # MO C: 1 batch of 20 for Japan, due yesterday
    a1, a2, a3 = released_batches(quantity=300, batch_size=100)
    (b1,) = released_batches(quantity=60, destination="US-NY", country="US", article="DOG-30")
    (c1,) = released_batches(quantity=20, destination="JP-TYO", country="JP", article="CAT-20")
    today = timezone.localdate()
    ManufacturingOrder.objects.filter(pk=b1.mo_id).update(due_date=today + timedelta(days=3))
    ManufacturingOrder.objects.filter(pk=c1.mo_id).update(due_date=today - timedelta(days=1))

    cut(a1, 100)
    cut(a2, 100)
    cut(a3, 50, line_code="CUT-2")
    cut(b1, 60)
    cut(c1, 20)
    hand_over(a1, "CUTTING", "SEWING", "SEW-1", 100, cast)
    hand_over(b1, "CUTTING", "SEWING", "SEW-3", 60, cast)
    held = send(a2, "CUTTING", "SEWING", "SEW-2", 60, cast["cutting"])
    assert accept(held, cast["sewing"], counted=58).state == "HELD"  # P1 quantity discrepancy
    blocked = send(a3, "CUTTING", "SEWING", "SEW-1", 50, cast["cutting"])
    assert blocked.state == "BLOCKED"  # SEW-1 still has a1: P1 line blocked

    sew(a1, 80, "SEW-1")
    hand_over(a1, "SEWING", "FINISHING", "FIN-1", 80, cast, from_line="SEW-1")
    sew(b1, 60, "SEW-3")
    hand_over(b1, "SEWING", "FINISHING", "FIN-2", 30, cast, from_line="SEW-3")

    inspection_record(batch=a1, department=dept("SEWING"), kind="inline", passed=6, rework=1,
                      user=cast["sewing"], line=Line.objects.get(code="SEW-1"))  # fmt: skip
    inspection_record(batch=b1, department=dept("SEWING"), kind="inline", passed=7,
                      user=cast["sewing"], line=Line.objects.get(code="SEW-3"))  # fmt: skip
    inspection_record(batch=a1, department=dept("FINISHING"), kind="inline", passed=18,
                      rework=2, user=cast["finishing"])  # fmt: skip
    # One detector alarm on FIN-2: the 30 US units there are quarantined (P1 METAL_ALARM).
    md2 = Detector.objects.get(code="MD-2")
    stuffing_record(batch=b1, quantity=30, sample_weights_g=["250"], user=cast["finishing"])
    detector_check_record(detector=md2, test_piece_mm="1.2", points_detected=9, user=cast["qc"])
    detector_scan_record(batch=b1, detector=md2, passed=29, failed=1, user=cast["finishing"])
    return {"cast": cast, "a": (a1, a2, a3), "b1": b1, "c1": c1}


def test_every_number_on_the_dashboard_equals_the_records(client):
    day = scripted_day()
    board = factory_board()
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    today = timezone.localdate()

    # KPI tiles: output today (units the department handed over, accepted today), target (open
    # SPKs of released MOs), WIP (balances at the department)
    for tile in board["kpis"]:
        code = tile["department"]
        assert tile["output"] == _sum(
            WipMovement.objects.filter(
                at__gte=start, from_department__code=code, from_state="locked"
            ).exclude(to_department__code=code)
        ), code
        assert tile["target"] == _sum(
            WorkOrder.objects.filter(department__code=code, status="OPEN", mo__status="RELEASED"),
            "target_quantity",
        ), code
        assert tile["wip"] == _sum(
            WipBalance.objects.filter(department__code=code, state__in=OCCUPYING_STATES)
        ), code
    cutting = next(t for t in board["kpis"] if t["department"] == "CUTTING")
    assert cutting["cut"] == _sum(WipMovement.objects.filter(at__gte=start, from_state="input"))
    assert cutting["cut"] == 330 and cutting["output"] == 160  # a1 100 + b1 60 accepted
    sewing = next(t for t in board["kpis"] if t["department"] == "SEWING")
    assert sewing["output"] == 110 and sewing["wip"] == 20 + 30  # a1 20 left, b1 30 left

    # WIP per department and line
    for row in board["wip"]:
        code = row["department"]
        assert row["units"] == _sum(
            WipBalance.objects.filter(department__code=code, state__in=OCCUPYING_STATES)
        )
        for line_code, units in row["lines"]:
            assert units == _sum(
                WipBalance.objects.filter(
                    department__code=code, line__code=line_code, state__in=OCCUPYING_STATES
                )
            )
    departments_with_wip = set(
        WipBalance.objects.filter(state__in=OCCUPYING_STATES, quantity__gt=0).values_list(
            "department__code", flat=True
        )
    )
    assert {row["department"] for row in board["wip"]} == departments_with_wip

    # line map: every sewing / finishing / packing line, what is on it, for which country
    tiles = {ln["code"]: ln for d in board["line_map"] for ln in d["lines"]}
    assert set(tiles) == set(
        Line.objects.filter(
            department__code__in=["SEWING", "FINISHING", "PACKING"], active=True
        ).values_list("code", flat=True)
    )
    for code, tile in tiles.items():
        on_line = WipBalance.objects.filter(
            line__code=code, state__in=OCCUPYING_STATES, quantity__gt=0
        )
        assert tile["units"] == _sum(on_line), code
        assert {b["batch"] for b in tile["batches"]} == set(
            on_line.values_list("batch__number", flat=True)
        ), code
        assert tile["countries"] == sorted(
            set(on_line.values_list("batch__mo__destination__country", flat=True))
        ), code
    a1, a2, a3 = day["a"]
    assert tiles["SEW-1"]["units"] == 20 and tiles["SEW-1"]["p1"]  # blocked by a3
    assert tiles["FIN-1"]["countries"] == ["DE"] and tiles["FIN-2"]["countries"] == ["US"]
    assert tiles["SEW-2"]["units"] == 0  # the held transfer has not moved anything yet

    # alerts: counts per priority and the P1/P2 list
    for priority in ("P1", "P2", "P3"):
        assert (
            board["summary"]["open_alerts"][priority]
            == Alert.objects.filter(priority=priority, resolved_at__isnull=True).count()
        )
    assert {a["id"] for a in board["alerts"]} == set(
        Alert.objects.filter(resolved_at__isnull=True, priority__in=["P1", "P2"]).values_list(
            "id", flat=True
        )
    )
    assert {"QTY_DISCREPANCY", "LINE_BLOCKED", "METAL_ALARM"} <= {
        a["kind"] for a in board["alerts"]
    }
    assert tiles["FIN-2"]["units"] == 30  # quarantined units still occupy the line
    assert _sum(WipBalance.objects.filter(line__code="FIN-2", state="quarantined")) == 30

    # detector status: the latest check of each detector, verified within the interval
    detectors = {d["code"]: d for d in board["detectors"]}
    assert set(detectors) == set(Detector.objects.values_list("code", flat=True))
    for code, tile in detectors.items():
        latest = DetectorCheck.objects.filter(detector__code=code).order_by("-id").first()
        assert tile["last_result"] == (latest.result if latest else None), code
    assert detectors["MD-2"]["verified"] and not detectors["MD-1"]["verified"]

    # pass rates today
    for rate in board["pass_rates"]:
        qs = Inspection.objects.filter(at__gte=start, department__code=rate["department"])
        checked = _sum(qs, "passed") + _sum(qs, "rework") + _sum(qs, "scrap")
        assert rate["checked"] == checked and rate["passed"] == _sum(qs, "passed")
        assert rate["rate"] == round(_sum(qs, "passed") / checked, 4)
    rates = {r["department"]: r for r in board["pass_rates"]}
    assert rates["SEWING"]["checked"] == 14 and rates["SEWING"]["passed"] == 13
    assert rates["FINISHING"]["percent"] == 90.0

    # MOs at risk: released, due within AT_RISK_DAYS (or late), units not yet in the FG warehouse
    expected = []
    for mo in ManufacturingOrder.objects.filter(
        status="RELEASED", due_date__lte=today + timedelta(days=AT_RISK_DAYS)
    ).order_by("due_date", "number"):
        finished = _sum(
            WipBalance.objects.filter(batch__mo=mo).filter(
                Q(department__code="FG_WAREHOUSE") | Q(state="shipped")
            )
        )
        if mo.quantity - finished > 0:
            expected.append((mo.number, mo.quantity - finished, (mo.due_date - today).days))
    got = [(r["number"], r["remaining"], r["days_left"]) for r in board["at_risk"]["rows"]]
    assert got == expected == [(day["c1"].mo.number, 20, -1), (day["b1"].mo.number, 60, 3)]
    assert board["at_risk"]["count"] == 2

    # ...and the page shows the same numbers
    client.force_login(day["cast"]["manager"])
    html = client.get("/dashboard/").content.decode()
    for tile in board["kpis"]:
        assert (
            f'data-department="{tile["department"]}" data-output="{tile["output"]}" '
            f'data-target="{tile["target"]}" data-wip="{tile["wip"]}"'
        ) in html
    page_tiles = dict(
        re.findall(r'data-testid="line-tile" data-line="([^"]+)" data-units="(\d+)"', html)
    )
    assert page_tiles == {code: str(tile["units"]) for code, tile in tiles.items()}
    for row in board["wip"]:
        assert f'data-department="{row["department"]}" data-units="{row["units"]}"' in html
    for rate in board["pass_rates"]:
        assert f'data-checked="{rate["checked"]}" data-passed="{rate["passed"]}"' in html
    assert re.findall(r'data-testid="at-risk" data-mo="([^"]+)" data-remaining="(\d+)"', html) == [
        (number, str(remaining)) for number, remaining, _days in expected
    ]
    alerts_tile = re.search(r'data-testid="kpi-alerts" data-p1="(\d+)" data-p2="(\d+)"', html)
    assert alerts_tile.groups() == (
        str(board["summary"]["open_alerts"]["P1"]),
        str(board["summary"]["open_alerts"]["P2"]),
    )
