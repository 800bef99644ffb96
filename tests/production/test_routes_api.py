"""Batches through the routes over the API: cut → sew (three stages, inline QC) → finishing,
embroidery on the FULL route; the refusals of the department rules."""

import pytest
from rest_framework.test import APIClient

from tests.transfers.helpers import assert_batch_sums_to_cut, released_batches, users

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def cast():
    return users()


class Floor:
    def __init__(self, cast):
        self.cast = cast
        self.clients = {}

    def __call__(self, who):
        if who not in self.clients:
            client = APIClient()
            client.force_authenticate(self.cast[who])
            self.clients[who] = client
        return self.clients[who]

    def ok(self, who, path, body, status=201):
        response = self(who).post(path, body, format="json")
        assert response.status_code == status, (path, response.content)
        return response.json()

    def send(self, who, batch, frm, to, to_line, quantity, **extra):
        return self.ok(who, "/api/v1/transfers/", {
            "batch": batch.number, "from_department": frm, "to_department": to,
            "to_line": to_line, "quantity": quantity, **extra,
        })  # fmt: skip

    def accept(self, who, transfer):
        return self.ok(
            who,
            "/api/v1/transfers/accept/",
            {"slip_code": transfer["slip_code"], "quantity_received": transfer["quantity"]},
            status=200,
        )

    def wip(self, batch):
        view = self("ppic").get(f"/api/v1/batches/{batch.number}/").json()
        assert_batch_sums_to_cut(batch)
        return {w["department"]: w for w in view["wip"]}, view


def test_direct_route_cut_sewn_in_three_stages_with_inline_qc_then_finishing(cast):
    floor = Floor(cast)
    (batch,) = released_batches(quantity=100)
    lay = floor.ok("cutting", "/api/v1/cutting/outputs/", {"batch": batch.number, "quantity": 100})
    tickets = floor.ok("cutting", f"/api/v1/cutting/outputs/{lay['id']}/bundles/", {})
    assert tickets["count"] == 5  # 100 pieces in bundles of the article's 20
    assert [b["quantity"] for b in tickets["bundles"]] == [20] * 5
    wip, view = floor.wip(batch)
    assert wip["CUTTING"]["sendable"] == 100 and view["cut"] == 100

    floor.accept("sewing", floor.send("cutting", batch, "CUTTING", "SEWING", "SEW-2", 100))
    wip, _ = floor.wip(batch)
    assert wip["SEWING"]["available"] == 100 and wip["SEWING"]["sendable"] == 0

    stage = "/api/v1/sewing/stages/"
    floor.ok(
        "sewing",
        stage,
        {"batch": batch.number, "line": "SEW-2", "stage": "assembly", "quantity": 100},
    )
    floor.ok(
        "sewing",
        stage,
        {"batch": batch.number, "line": "SEW-2", "stage": "labeling", "quantity": 100},
    )
    qc = floor.ok("sewing", "/api/v1/inspections/", {
        "batch": batch.number, "department": "SEWING", "kind": "inline", "passed": 6, "rework": 1,
        "defects": [{"code": "SKIPPED_STITCH", "count": 1}],
    })  # fmt: skip
    assert qc["light"] == "YELLOW" and qc["line"] == "SEW-2"
    refused = floor("sewing").post(
        stage, {"batch": batch.number, "line": "SEW-2", "stage": "loop_stitch", "quantity": 100},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 409  # one piece is in rework, not available
    floor.ok("sewing", "/api/v1/inspections/", {
        "batch": batch.number, "department": "SEWING", "kind": "inline", "passed": 0,
        "repaired": 1,
    })  # fmt: skip
    floor.ok(
        "sewing",
        stage,
        {"batch": batch.number, "line": "SEW-2", "stage": "loop_stitch", "quantity": 90},
    )
    wip, _ = floor.wip(batch)
    assert wip["SEWING"]["sendable"] == 90 and wip["SEWING"]["available"] == 100

    too_many = floor("sewing").post("/api/v1/transfers/", {
        "batch": batch.number, "from_department": "SEWING", "to_department": "FINISHING",
        "to_line": "FIN-1", "quantity": 91,
    }, format="json")  # fmt: skip
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "insufficient_wip"
    floor.accept("finishing", floor.send("sewing", batch, "SEWING", "FINISHING", "FIN-1", 90))
    wip, _ = floor.wip(batch)
    assert wip["FINISHING"]["available"] == 90 and wip["SEWING"]["available"] == 10


def test_a_stage_never_exceeds_the_one_before(cast):
    floor = Floor(cast)
    (batch,) = released_batches(quantity=50)
    floor.ok("cutting", "/api/v1/cutting/outputs/", {"batch": batch.number, "quantity": 50})
    floor.accept("sewing", floor.send("cutting", batch, "CUTTING", "SEWING", "SEW-1", 40))
    stage = "/api/v1/sewing/stages/"
    over = floor("sewing").post(
        stage, {"batch": batch.number, "line": "SEW-1", "stage": "assembly", "quantity": 41},
        format="json",
    )  # fmt: skip
    assert over.status_code == 409 and over.json()["error"]["code"] == "stage_exceeds_previous"
    floor.ok(
        "sewing",
        stage,
        {"batch": batch.number, "line": "SEW-1", "stage": "assembly", "quantity": 30},
    )
    label = floor("sewing").post(
        stage, {"batch": batch.number, "line": "SEW-1", "stage": "labeling", "quantity": 31},
        format="json",
    )  # fmt: skip
    assert label.status_code == 409 and "30" in label.json()["error"]["message"]
    bad = floor("sewing").post(
        stage, {"batch": batch.number, "line": "SEW-1", "stage": "ironing", "quantity": 1},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert floor("cutting").post(stage, {}, format="json").status_code == 403


def test_red_inline_qc_holds_the_batch_on_its_line_until_the_recheck(cast):
    from dashboard.models import Alert

    floor = Floor(cast)
    (batch,) = released_batches(quantity=20)
    floor.ok("cutting", "/api/v1/cutting/outputs/", {"batch": batch.number, "quantity": 20})
    floor.accept("sewing", floor.send("cutting", batch, "CUTTING", "SEWING", "SEW-3", 20))
    for s in ("assembly", "labeling", "loop_stitch"):
        floor.ok(
            "sewing",
            "/api/v1/sewing/stages/",
            {"batch": batch.number, "line": "SEW-3", "stage": s, "quantity": 10},
        )
    red = floor.ok("qc", "/api/v1/inspections/", {
        "batch": batch.number, "department": "SEWING", "kind": "inline", "passed": 5,
        "rework": 2, "line": "SEW-3",
        "defects": [{"code": "OPEN_SEAM", "count": 1}, {"code": "STAIN", "count": 1}],
    })  # fmt: skip
    assert red["light"] == "RED"
    alert = Alert.objects.get(kind="QC_RED")
    assert alert.priority == "P1"
    held = floor("sewing").post("/api/v1/transfers/", {
        "batch": batch.number, "from_department": "SEWING", "to_department": "FINISHING",
        "to_line": "FIN-1", "quantity": 5,
    }, format="json")  # fmt: skip
    assert held.status_code == 409 and held.json()["error"]["code"] == "batch_held"
    floor.ok("sewing", "/api/v1/inspections/", {
        "batch": batch.number, "department": "SEWING", "kind": "inline", "passed": 8,
        "line": "SEW-3", "recheck": True,
    })  # fmt: skip
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    floor.send("sewing", batch, "SEWING", "FINISHING", "FIN-1", 5)


def test_full_route_passes_embroidery(cast):
    floor = Floor(cast)
    (batch,) = released_batches(quantity=30, route="FULL", article="BEAR-FULL")
    floor.ok("cutting", "/api/v1/cutting/outputs/", {"batch": batch.number, "quantity": 30})
    skip = floor("cutting").post("/api/v1/transfers/", {
        "batch": batch.number, "from_department": "CUTTING", "to_department": "SEWING",
        "to_line": "SEW-1", "quantity": 30,
    }, format="json")  # fmt: skip
    assert skip.status_code == 409 and skip.json()["error"]["code"] == "route_violation"
    floor.accept("embroidery", floor.send("cutting", batch, "CUTTING", "EMBROIDERY", "EMB-1", 30))
    over = floor("embroidery").post(
        "/api/v1/embroidery/outputs/", {"batch": batch.number, "quantity": 31}, format="json"
    )
    assert over.status_code == 409 and over.json()["error"]["code"] == "insufficient_wip"
    floor.ok(
        "embroidery",
        "/api/v1/embroidery/outputs/",
        {"batch": batch.number, "quantity": 27, "rework": 2, "scrap": 1},
    )
    wip, view = floor.wip(batch)
    assert wip["EMBROIDERY"]["sendable"] == 27 and wip["EMBROIDERY"]["rework"] == 2
    assert view["scrap"] == 1
    floor.accept("sewing", floor.send("embroidery", batch, "EMBROIDERY", "SEWING", "SEW-4", 27))
    wip, _ = floor.wip(batch)
    assert wip["SEWING"]["available"] == 27
