"""Packing and shipping over the API: cartons with SSCC-18, the completion gate, shipments, and a
batch from cutting to shipped through every department with its trace and compliance dossier."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from packing.models import Carton
from packing.services import gs1_check_digit, sscc_is_valid
from quality.lab import REQUIRED_TESTS, lab_test_record
from quality.quarantine import quarantine_units
from tests.production.test_detectors import Api, arrive
from tests.transfers.helpers import (
    assert_batch_sums_to_cut,
    balance,
    dept,
    line,
    released_batches,
    users,
)
from transfers.models import WipBalance

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return users()


def test_gs1_check_digits():
    # Published examples: the GS1 General Specifications' SSCC (00) 1 0614141 234567890 8, and
    # the EAN-13s 629104150021 3 and 400638133393 1.
    assert gs1_check_digit("10614141234567890") == 8
    assert gs1_check_digit("629104150021") == 3
    assert gs1_check_digit("400638133393") == 1
    assert sscc_is_valid("106141412345678908")
    assert not sscc_is_valid("106141412345678907")
    assert not sscc_is_valid("10614141234567890")


def lab_pass_all(article, cast):
    for test in REQUIRED_TESTS:
        lab_test_record(article=article, test=test, result="PASS", user=cast["qc_lab"])


def to_packing(api, batch, quantity, *, line_code="FIN-1", pack_line="PCK-1"):
    """Units through finishing (stuffed, detector, QC, FG) and accepted at packing."""
    arrive(batch, quantity, line_code)
    api.stuff(batch, quantity)
    detector = "MD-1" if line_code == "FIN-1" else "MD-2"
    api.check(detector=detector)
    api.scan(batch, quantity, detector=detector)
    api.qc(batch, quantity)
    api.fg(batch, quantity)
    sent = api.ok("finishing", "transfers/", {
        "batch": batch.number, "from_department": "FINISHING", "to_department": "PACKING",
        "to_line": pack_line, "quantity": quantity,
    })  # fmt: skip
    api.ok(
        "packing", "transfers/accept/",
        {"slip_code": sent["slip_code"], "quantity_received": quantity}, status=200,
    )  # fmt: skip


def test_cartons_hold_one_batch_up_to_the_article_quantity_with_valid_sscc(cast):
    api = Api(cast)
    (batch,) = released_batches(quantity=50)  # BEAR-40: 24 per carton
    to_packing(api, batch, 50)
    first = api.ok("packing", "packing/cartons/", {"batch": batch.number, "quantity": 24})
    assert sscc_is_valid(first["sscc"]) and first["sscc"].startswith("00888888")
    assert first["carton_no"] == 1 and first["of"] == 3
    assert first["article"] == "BEAR-40" and first["destination"] == "DE-DORT"
    assert first["label_url"].endswith(f"/packing/cartons/{first['sscc']}/label/")
    second = api.ok("packing", "packing/cartons/", {"batch": batch.number, "quantity": 24})
    assert second["sscc"] != first["sscc"] and sscc_is_valid(second["sscc"])
    over = api.refused("packing", "packing/cartons/", {"batch": batch.number, "quantity": 25}, 400)
    assert "24" in over["message"]
    short = api.refused("packing", "packing/cartons/", {"batch": batch.number, "quantity": 3}, 409)
    assert short["code"] == "insufficient_wip"
    mixed = api.refused("packing", "packing/cartons/", {
        "batch": batch.number, "quantity": 2, "article": "RABBIT-30",
    }, 409)  # fmt: skip
    assert mixed["code"] == "mixed_carton"
    mixed = api.refused("packing", "packing/cartons/", {
        "batch": batch.number, "quantity": 2, "destination": "US-NY",
    }, 409)  # fmt: skip
    assert mixed["code"] == "mixed_carton"
    api.refused("sewing", "packing/cartons/", {"batch": batch.number, "quantity": 1}, 403)
    assert Carton.objects.filter(batch=batch).count() == 2
    assert balance(batch, "PACKING", "ready") == 48 and balance(batch, "PACKING", "available") == 2
    assert_batch_sums_to_cut(batch)


def test_completion_needs_final_inspection_lab_tests_and_no_open_quarantine(cast):
    api = Api(cast)
    (batch,) = released_batches(quantity=24)
    to_packing(api, batch, 24)
    api.ok("packing", "packing/cartons/", {"batch": batch.number, "quantity": 20})
    path = f"packing/batches/{batch.number}/complete/"

    error = api.refused("packing", path, {}, 409, "packing_incomplete")
    assert set(error["fields"]["missing"]) == {"final_inspection", "lab_tests"}
    assert batch.number in error["message"] and "AQL" in error["message"]

    rejected = api.ok("qc", "final-inspections/", {
        "batch": batch.number, "critical": 1, "major": 0, "minor": 0,
    })  # fmt: skip
    assert rejected["verdict"] == "REJECT"
    error = api.refused("packing", path, {}, 409, "packing_incomplete")
    assert "final_inspection" in error["fields"]["missing"]

    accepted = api.ok("qc", "final-inspections/", {
        "batch": batch.number, "critical": 0, "major": 0, "minor": 0,
    })  # fmt: skip
    assert accepted["verdict"] == "ACCEPT"
    lab_pass_all(batch.mo.article, cast)
    # Tests are valid now, but the rejected lot's hold and a quarantine still stop it.
    error = api.refused("packing", path, {}, 409, "packing_incomplete")
    assert set(error["fields"]["missing"]) == {"hold"}
    from transfers.models import Hold

    Hold.objects.filter(batch=batch).update(released_at=timezone.now(), released_by=cast["qc_lead"])
    q = quarantine_units(
        batch=batch, department=dept("PACKING"), line=line("PCK-1"), from_state="ready",
        quantity=1, kind="QC", reason="stain found", source="test", user=cast["qc"],
    )  # fmt: skip
    error = api.refused("packing", path, {}, 409, "packing_incomplete")
    assert error["fields"]["missing"] == ["quarantine"]
    api.ok("qc", f"quarantines/{q.pk}/release/", {"decision": "release", "note": "cleaned"}, 200)

    api.refused("sewing", path, {}, 403)
    done = api.ok("packing", path, {}, status=200)  # the packed carton; 4 units still unpacked
    assert done["quantity"] == 20 and done["cartons"] == 1 and done["unpacked"] == 4
    api.refused("packing", path, {}, 409, "packing_incomplete")  # no packed carton left
    api.ok("packing", "packing/cartons/", {"batch": batch.number, "quantity": 4})
    done = api.ok("packing", path, {}, status=200)
    assert done["quantity"] == 4 and done["unpacked"] == 0
    assert balance(batch, "FG_WAREHOUSE", "available") == 24
    assert balance(batch, "PACKING", "ready") == 0
    assert set(Carton.objects.filter(batch=batch).values_list("status", flat=True)) == {"IN_FG"}
    assert_batch_sums_to_cut(batch)


def test_expired_lab_tests_block_completion(cast):
    from datetime import timedelta

    api = Api(cast)
    (batch,) = released_batches(quantity=24)
    to_packing(api, batch, 24)
    api.ok("packing", "packing/cartons/", {"batch": batch.number, "quantity": 24})
    api.ok("qc", "final-inspections/", {"batch": batch.number, "critical": 0, "major": 0,
                                         "minor": 0})  # fmt: skip
    old = timezone.now() - timedelta(days=400)
    for test in REQUIRED_TESTS:
        lab_test_record(
            article=batch.mo.article, test=test, result="PASS", user=cast["qc_lab"], tested_at=old
        )
    error = api.refused("packing", f"packing/batches/{batch.number}/complete/", {}, 409)
    assert error["fields"]["missing"] == ["lab_tests"]


def test_shipments_take_fg_cartons_of_one_destination(cast):
    api = Api(cast)
    (de,) = released_batches(quantity=24, destination="DE-DORT", country="DE")
    (us,) = released_batches(quantity=24, destination="US-NY", country="US")
    lab_pass_all(de.mo.article, cast)
    cartons = {}
    for batch, fin, pck in ((de, "FIN-1", "PCK-1"), (us, "FIN-2", "PCK-2")):
        to_packing(api, batch, 24, line_code=fin, pack_line=pck)
        cartons[batch.pk] = api.ok(
            "packing", "packing/cartons/", {"batch": batch.number, "quantity": 24}
        )["sscc"]
    # Not in the FG warehouse yet.
    api.refused(
        "warehouse", "shipments/", {"destination": "DE-DORT", "cartons": [cartons[de.pk]]}, 409
    )
    for batch in (de, us):
        api.ok("qc", "final-inspections/", {"batch": batch.number, "critical": 0, "major": 0,
                                             "minor": 0})  # fmt: skip
        api.ok("packing", f"packing/batches/{batch.number}/complete/", {}, status=200)
    wrong = api.refused("warehouse", "shipments/", {
        "destination": "DE-DORT", "cartons": [cartons[de.pk], cartons[us.pk]],
    }, 409)  # fmt: skip
    assert wrong["code"] == "wrong_destination"
    assert balance(de, "FG_WAREHOUSE", "available") == 24  # nothing moved
    api.refused("packing", "shipments/", {"destination": "DE-DORT", "cartons": [cartons[de.pk]]},
                403)  # fmt: skip
    api.refused("warehouse", "shipments/", {"destination": "DE-DORT", "cartons": ["12"]}, 400)
    shipment = api.ok("warehouse", "shipments/", {
        "destination": "DE-DORT", "cartons": [cartons[de.pk]], "container": "MSKU1234565",
    })  # fmt: skip
    assert shipment["quantity"] == 24 and shipment["status"] == "SHIPPED"
    assert balance(de, "FG_WAREHOUSE", "shipped") == 24
    again = api.refused("warehouse", "shipments/", {
        "destination": "DE-DORT", "cartons": [cartons[de.pk]],
    }, 409)  # fmt: skip
    assert again["code"] == "already_shipped"
    tracked = api.ok("warehouse", f"shipments/{shipment['id']}/tracking/",
                     {"status": "IN_TRANSIT", "note": "left Semarang"}, status=200)  # fmt: skip
    assert [e["status"] for e in tracked["events"]] == ["SHIPPED", "IN_TRANSIT"]
    api.refused("warehouse", f"shipments/{shipment['id']}/tracking/", {"status": "SHIPPED"}, 409)


def test_a_batch_runs_from_cutting_to_shipped_through_every_department(cast, client):
    """FULL route on the API: cut → embroidery → sewing (3 stages) → finishing (stuffing,
    detector, QC, FG) → packing (cartons, final inspection, complete) → FG warehouse → shipped.
    Every unit ends in shipped, scrap or written_off; the trace and the PDF name every step."""
    api = Api(cast)
    (batch,) = released_batches(quantity=48, route="FULL")
    lab_pass_all(batch.mo.article, cast)
    api.ok("cutting", "cutting/outputs/", {"batch": batch.number, "quantity": 48})

    def handover(sender, frm, to, to_line, quantity, receiver, counted=None):
        sent = api.ok(sender, "transfers/", {
            "batch": batch.number, "from_department": frm, "to_department": to,
            "to_line": to_line, "quantity": quantity,
        })  # fmt: skip
        return api.ok(receiver, "transfers/accept/", {
            "slip_code": sent["slip_code"],
            "quantity_received": quantity if counted is None else counted,
        }, status=200)  # fmt: skip

    handover("cutting", "CUTTING", "EMBROIDERY", "EMB-1", 48, "embroidery")
    api.ok("embroidery", "embroidery/outputs/", {"batch": batch.number, "quantity": 47, "scrap": 1})
    handover("embroidery", "EMBROIDERY", "SEWING", "SEW-1", 47, "sewing")
    for stage in ("assembly", "labeling", "loop_stitch"):
        api.ok("sewing", "sewing/stages/", {
            "batch": batch.number, "line": "SEW-1", "stage": stage, "quantity": 47,
        })  # fmt: skip
    api.ok("sewing", "inspections/", {
        "batch": batch.number, "department": "SEWING", "kind": "inline", "passed": 7,
    })  # fmt: skip
    handover("sewing", "SEWING", "FINISHING", "FIN-1", 47, "finishing")
    api.stuff(batch, 47, weights=["249", "252", "247.5"])
    api.check()
    api.scan(batch, 47)
    api.ok("qc", "inspections/", {
        "batch": batch.number, "department": "FINISHING", "kind": "inline", "passed": 46,
        "scrap": 1, "defects": [{"code": "STAIN", "count": 1}],
    })  # fmt: skip
    api.fg(batch, 46)
    api.check()  # end-of-batch check
    held = handover("finishing", "FINISHING", "PACKING", "PCK-1", 46, "packing", counted=45)
    assert held["state"] == "HELD"
    api.ok("packing_lead", f"transfers/{held['id']}/approve/", {
        "quantity": 45, "remainder": "write_off", "reason": "one toy fell behind the belt",
    }, status=200)  # fmt: skip
    for quantity in (24, 21):
        api.ok("packing", "packing/cartons/", {"batch": batch.number, "quantity": quantity})
    final = api.ok("qc", "final-inspections/", {
        "batch": batch.number, "critical": 0, "major": 0, "minor": 1,
    })  # fmt: skip
    assert final["verdict"] == "ACCEPT" and final["lot_size"] == 45
    api.ok("packing", f"packing/batches/{batch.number}/complete/", {}, status=200)
    sscc = list(Carton.objects.filter(batch=batch).values_list("sscc", flat=True))
    api.ok("warehouse", "shipments/", {"destination": "DE-DORT", "cartons": sscc,
                                       "container": "TGHU8830061"})  # fmt: skip

    view = api.client("ppic").get(f"/api/v1/batches/{batch.number}/").json()
    assert view["shipped"] == 45 and view["scrap"] == 2 and view["written_off"] == 1
    live = WipBalance.objects.filter(batch=batch, quantity__gt=0).exclude(
        state__in=["shipped", "scrap", "written_off"]
    )
    assert not live.exists()
    assert view["shipped"] + view["scrap"] + view["written_off"] == 48
    assert_batch_sums_to_cut(batch)

    trace = api.client("sewing").get(f"/api/v1/batches/{batch.number}/trace/").json()
    assert [t["to_department"] for t in trace["transfers"]] == [
        "EMBROIDERY", "SEWING", "FINISHING", "PACKING",
    ]  # fmt: skip
    assert all(t["sent_by"] and t["accepted_by"] for t in trace["transfers"])
    assert trace["cut_records"][0]["quantity"] == 48
    assert {i["department"] for i in trace["inspections"]} == {"SEWING", "FINISHING"}
    assert trace["final_inspections"][0]["verdict"] == "ACCEPT"
    assert trace["stuffing"][0]["sample_weights_g"] == ["249.00", "252.00", "247.50"]
    assert [s["passed"] for s in trace["detector_scans"]] == [47]
    assert [c["result"] for c in trace["detector_checks"]] == ["PASS", "PASS"]
    assert {lab["test"] for lab in trace["lab_tests"]} == set(REQUIRED_TESTS)
    assert trace["compliance"]["valid"] is True
    assert sorted(c["sscc"] for c in trace["cartons"]) == sorted(sscc)
    assert trace["shipments"][0]["container"] == "TGHU8830061"

    client.force_login(cast["qc"])
    response = client.get(f"/dossier/batches/{batch.number}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    steps = ["EMBROIDERY", "SEWING", "FINISHING", "PACKING", "MD-1", "ACCEPT", "flammability"]
    for expected in [batch.number, *steps, "TGHU8830061", "t_cutting", "t_packing", *sscc]:
        assert expected in text, expected
    po = client.get(f"/dossier/pos/{batch.mo.po_number or 'none'}.pdf")
    assert po.status_code in (200, 404)
    client.logout()
    assert client.get(f"/dossier/batches/{batch.number}.pdf").status_code == 302
