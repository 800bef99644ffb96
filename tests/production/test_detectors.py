"""Finishing over the API: stuffing against the fill weight, the metal detector (checks, scans,
quarantine on a failed check or an alarm), FG conversion, and the two-approver release."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from dashboard.models import Alert
from finishing.models import DetectorCheck
from quality.models import Quarantine
from tests.transfers.helpers import (
    Bucket,
    assert_batch_sums_to_cut,
    balance,
    dept,
    line,
    released_batches,
    users,
)
from transfers.ledger import wip_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return users()


class Api:
    def __init__(self, cast):
        self.cast, self.clients = cast, {}

    def client(self, who):
        if who not in self.clients:
            self.clients[who] = APIClient()
            self.clients[who].force_authenticate(self.cast[who])
        return self.clients[who]

    def post(self, who, path, body):
        return self.client(who).post(f"/api/v1/{path}", body, format="json")

    def ok(self, who, path, body, status=201):
        response = self.post(who, path, body)
        assert response.status_code == status, (path, response.content)
        return response.json()

    def refused(self, who, path, body, status, code=None):
        response = self.post(who, path, body)
        assert response.status_code == status, (path, response.content)
        if code:
            assert response.json()["error"]["code"] == code, response.content
        return response.json()["error"]

    def check(self, who="finishing", detector="MD-1", points=9, card="1.2"):
        return self.ok(who, "finishing/detector-checks/", {
            "detector": detector, "test_piece_mm": card, "points_detected": points,
        })  # fmt: skip

    def stuff(self, batch, quantity, weights=("250",), who="finishing"):
        return self.ok(who, "finishing/stuffing/", {
            "batch": batch.number, "quantity": quantity, "sample_weights_g": list(weights),
        })  # fmt: skip

    def scan(self, batch, passed, failed=0, detector="MD-1", who="finishing"):
        return self.ok(who, "finishing/detector-scans/", {
            "batch": batch.number, "detector": detector, "passed": passed, "failed": failed,
        })  # fmt: skip

    def qc(self, batch, passed, who="qc"):
        return self.ok(who, "inspections/", {
            "batch": batch.number, "department": "FINISHING", "kind": "inline",
            "passed": passed,
        })  # fmt: skip

    def fg(self, batch, quantity, who="finishing"):
        return self.ok(who, "finishing/fg/", {"batch": batch.number, "quantity": quantity})


def arrive(batch, quantity, line_code="FIN-1", user=None):
    """Units of the batch accepted on a finishing line (as a sewing → finishing handshake does)."""
    wip_move(
        batch=batch, source=None, target=Bucket(dept("FINISHING"), "available", line(line_code)),
        quantity=quantity, reason="test_arrival", user=user or users()["manager"],
    )  # fmt: skip


def open_quarantined(batch):
    return sum(
        Quarantine.objects.filter(batch=batch, status__in=Quarantine.OPEN_STATUSES).values_list(
            "remaining", flat=True
        )
    )


def test_stuffing_counts_toys_out_of_tolerance_and_they_do_not_count_until_corrected(cast):
    api = Api(cast)
    (batch,) = released_batches(quantity=40)  # BEAR-40: 250 g ± 10 g
    arrive(batch, 40)
    out = api.stuff(batch, 20, weights=["250", "261", "239.5", "255"])
    assert out["out_of_tolerance"] == 2 and out["to_correct"] == 2
    assert out["stuffed_total"] == 18  # the two toys must be stuffed again, not passed silently
    fixed = api.ok("finishing", "finishing/stuffing/", {
        "batch": batch.number, "quantity": 20, "sample_weights_g": ["270"],
        "corrected_weights_g": ["251"],
    })  # fmt: skip
    assert fixed["out_of_tolerance"] == 1 and fixed["to_correct"] == 0
    assert fixed["stuffed_total"] == 38
    error = api.refused("finishing", "finishing/stuffing/", {
        "batch": batch.number, "quantity": 5, "sample_weights_g": ["250"],
    }, 409, "stage_exceeds_previous")  # fmt: skip
    assert "2" in error["message"]
    api.refused("finishing", "finishing/stuffing/", {
        "batch": batch.number, "quantity": 1, "sample_weights_g": ["250"],
        "corrected_weights_g": ["300"],
    }, 400)  # fmt: skip
    api.refused("finishing", "finishing/stuffing/", {
        "batch": batch.number, "quantity": 1, "sample_weights_g": ["abc"],
    }, 400)  # fmt: skip
    api.refused("sewing", "finishing/stuffing/", {
        "batch": batch.number, "quantity": 1, "sample_weights_g": ["250"],
    }, 403)  # fmt: skip


def test_scanning_is_refused_without_a_passing_check_within_the_interval(cast):
    api = Api(cast)
    (batch,) = released_batches(quantity=30)
    arrive(batch, 30)
    api.stuff(batch, 30)
    never = api.refused("finishing", "finishing/detector-scans/", {
        "batch": batch.number, "detector": "MD-1", "passed": 5, "failed": 0,
    }, 409, "detector_not_verified")  # fmt: skip
    assert "MD-1" in never["message"]

    check = api.check()
    assert check["result"] == "PASS"
    DetectorCheck.objects.filter(pk=check["id"]).update(at=timezone.now() - timedelta(minutes=61))
    api.refused("finishing", "finishing/detector-scans/", {
        "batch": batch.number, "detector": "MD-1", "passed": 5, "failed": 0,
    }, 409, "detector_not_verified")  # fmt: skip

    api.check()
    api.scan(batch, 5)
    # A check on MD-2 does not verify MD-1; a failed check stops the detector.
    api.check(detector="MD-2")
    failed = api.check(points=8)
    assert failed["result"] == "FAIL"
    api.refused("finishing", "finishing/detector-scans/", {
        "batch": batch.number, "detector": "MD-1", "passed": 1, "failed": 0,
    }, 409, "detector_not_verified")  # fmt: skip
    # The test card must be the setting's (1.2 mm) or a stricter one.
    api.refused("finishing", "finishing/detector-checks/", {
        "detector": "MD-1", "test_piece_mm": "2.0", "points_detected": 9,
    }, 400)  # fmt: skip
    api.refused("finishing", "finishing/detector-checks/", {
        "detector": "MD-1", "test_piece_mm": "1.2", "points_detected": 10,
    }, 400)  # fmt: skip
    api.refused("sewing", "finishing/detector-checks/", {
        "detector": "MD-1", "test_piece_mm": "1.2", "points_detected": 9,
    }, 403)  # fmt: skip
    listed = api.client("sewing").get("/api/v1/finishing/detectors/").json()
    by_code = {d["code"]: d for d in listed["results"]}
    assert by_code["MD-1"]["line"] == "FIN-1" and by_code["MD-2"]["line"] == "FIN-2"
    assert by_code["MD-1"]["last_check"]["result"] == "FAIL"
    assert by_code["MD-1"]["verified"] is False and by_code["MD-2"]["verified"] is True


def test_a_failed_check_quarantines_exactly_what_passed_since_the_last_good_check(cast):
    """Batch A: 20 scanned before the good check (safe), 30 after it: 10 of them converted to
    FG, sent and accepted at packing, 10 FG still at finishing, 10 scanned not converted.
    Batch B: 15 scanned after the good check, still at finishing. The failed check quarantines
    30 of A (10 at packing, 10 FG and 10 scanned at finishing) and 15 of B; the safe and the
    unscanned units stay free."""
    api = Api(cast)
    a, b = released_batches(quantity=60, batch_size=60, destination="DE-DORT") + released_batches(
        quantity=40, article="BEAR-40", destination="DE-DORT"
    )
    arrive(a, 60)
    arrive(b, 40)
    api.stuff(a, 60)
    api.stuff(b, 40)
    api.check()
    api.scan(a, 20)
    api.qc(a, 60)
    api.fg(a, 20)
    good = api.check()  # the last good check
    api.scan(a, 30)
    api.scan(b, 15)
    api.fg(a, 20)
    sent = api.ok("finishing", "transfers/", {
        "batch": a.number, "from_department": "FINISHING", "to_department": "PACKING",
        "to_line": "PCK-1", "quantity": 30,
    })  # fmt: skip
    api.ok(
        "packing",
        "transfers/accept/",
        {"slip_code": sent["slip_code"], "quantity_received": 30},
        status=200,
    )
    # A now: 30 at packing (20 safe + 10 suspect), 10 FG + 10 scanned + 10 unscanned at FIN-1.
    assert balance(a, "PACKING", "available") == 30
    assert balance(a, "FINISHING", "ready") == 10 and balance(a, "FINISHING", "available") == 20

    failed = api.check(points=7)
    assert failed["result"] == "FAIL"
    assert open_quarantined(a) == 30 and open_quarantined(b) == 15
    where = {
        (q.department.code, q.from_state): q.quantity
        for q in Quarantine.objects.filter(batch=a, source=f"detector-check:{failed['id']}")
    }
    assert where == {
        ("FINISHING", "available"): 10,
        ("FINISHING", "ready"): 10,
        ("PACKING", "available"): 10,
    }
    assert balance(a, "FINISHING", "available") == 10  # the unscanned ten stay free
    assert balance(a, "PACKING", "available") == 20  # passed before the good check
    assert (
        balance(b, "FINISHING", "quarantined") == 15 and balance(b, "FINISHING", "available") == 25
    )
    alert = Alert.objects.get(kind="DETECTOR_CHECK_FAILED")
    assert alert.priority == "P1" and "45" in alert.message
    assert {d.code for d in alert.departments.all()} == {"FINISHING", "QUALITY"}
    for batch in (a, b):
        assert_batch_sums_to_cut(batch)
    assert good["result"] == "PASS"

    # Quarantined units can never be sent on or packed.
    refused = api.post("finishing", "transfers/", {
        "batch": a.number, "from_department": "FINISHING", "to_department": "PACKING",
        "to_line": "PCK-1", "quantity": 1,
    })  # fmt: skip
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] in ("batch_quarantined", "insufficient_wip")
    # A second failed check finds nothing new (no scan relied on a good check since).
    api.check(points=0)
    assert open_quarantined(a) == 30 and open_quarantined(b) == 15

    # Released after re-checking: finishing units go back to available and need a new scan.
    q_fin = Quarantine.objects.get(batch=b, department__code="FINISHING")
    first = api.ok("qc", f"quarantines/{q_fin.pk}/release/", {
        "decision": "release", "note": "re-scanned on MD-2",
    }, status=200)  # fmt: skip
    assert first["status"] == "AWAITING_SECOND_APPROVAL"
    done = api.ok("qc_lead", f"quarantines/{q_fin.pk}/release/", {
        "decision": "release", "note": "confirmed",
    }, status=200)  # fmt: skip
    assert done["status"] == "RELEASED"
    assert balance(b, "FINISHING", "available") == 40
    api.qc(b, 40)
    error = api.refused("finishing", "finishing/fg/", {"batch": b.number, "quantity": 1}, 409)
    assert error["code"] == "not_ready"  # their scan was taken back with the quarantine


def test_an_alarm_quarantines_the_batch_at_finishing_with_a_p1(cast):
    api = Api(cast)
    (batch,) = released_batches(quantity=50)
    arrive(batch, 50)
    api.stuff(batch, 50)
    api.check()
    api.scan(batch, 20)
    api.qc(batch, 20)
    api.fg(batch, 20)
    alarm = api.scan(batch, 9, failed=1)
    assert alarm["quarantined"] is True
    assert balance(batch, "FINISHING", "quarantined") == 50
    assert (
        balance(batch, "FINISHING", "available") == 0 and balance(batch, "FINISHING", "ready") == 0
    )
    alert = Alert.objects.get(kind="METAL_ALARM")
    assert alert.priority == "P1" and alert.batch == batch
    listed = api.client("sewing").get(f"/api/v1/quarantines/?batch={batch.number}&open=true")
    rows = listed.json()["results"]
    assert sum(r["quantity"] for r in rows) == 50
    assert {r["department"] for r in rows} == {"FINISHING"}
    assert all(r["status"] == "OPEN" and r["reason"] for r in rows)
    refused = api.post("finishing", "transfers/", {
        "batch": batch.number, "from_department": "FINISHING", "to_department": "PACKING",
        "to_line": "PCK-1", "quantity": 1,
    })  # fmt: skip
    assert refused.status_code == 409
    assert_batch_sums_to_cut(batch)


def test_releasing_a_metal_quarantine_needs_two_different_people(cast):
    api = Api(cast)
    (batch,) = released_batches(quantity=10)
    arrive(batch, 10)
    api.stuff(batch, 10)
    api.check()
    api.scan(batch, 9, failed=1)
    (q,) = Quarantine.objects.filter(batch=batch)
    path = f"quarantines/{q.pk}/release/"
    api.refused("finishing", path, {"decision": "release", "note": "x"}, 403)
    api.refused("qc", path, {"decision": "release"}, 400)  # a note is required
    api.refused("qc", path, {"decision": "release", "note": "x", "quantity": 11}, 400)
    api.refused("qc", path, {"decision": "burn", "note": "x"}, 400)

    # The metal toy is scrapped by one person; the rest needs two.
    scrapped = api.ok("qc", path, {"decision": "scrap", "quantity": 1, "note": "needle tip"}, 200)
    assert scrapped["quantity"] == 9 and scrapped["status"] == "OPEN"
    first = api.ok("qc", path, {"decision": "release", "note": "hand detector: clean"}, 200)
    assert first["status"] == "AWAITING_SECOND_APPROVAL"
    assert balance(batch, "FINISHING", "quarantined") == 9  # nothing moved yet
    api.refused(
        "qc", path, {"decision": "release", "note": "again"}, 409, "second_approver_required"
    )
    other_inspector = users()["qc"].__class__.objects.create_user(username="t_qc2")
    from django.contrib.auth.models import Group

    other_inspector.groups.add(Group.objects.get(name="qc_inspector"))
    api.cast["qc2"] = other_inspector
    api.refused("qc2", path, {"decision": "release", "note": "x"}, 403)  # not a QC manager
    done = api.ok("qc_lead", path, {"decision": "release", "note": "confirmed"}, 200)
    assert done["status"] == "CLOSED"  # part scrapped, part released
    assert done["quantity"] == 0
    assert (
        balance(batch, "FINISHING", "available") == 9 and balance(batch, "FINISHING", "scrap") == 1
    )
    decisions = done["decisions"]
    assert [(d["decision"], d["decided_by"], d["approved_by"]) for d in decisions] == [
        ("scrap", "t_qc", None),
        ("release", "t_qc", "t_qc_lead"),
    ]
    api.refused("qc_lead", path, {"decision": "release", "note": "x"}, 409)
    assert_batch_sums_to_cut(batch)


def test_fg_needs_stuffed_detector_passed_and_qc_passed_units(cast):
    api = Api(cast)
    (batch,) = released_batches(quantity=30)
    arrive(batch, 30)
    assert (
        api.refused("finishing", "finishing/fg/", {"batch": batch.number, "quantity": 1}, 409)[
            "code"
        ]
        == "not_ready"
    )
    api.stuff(batch, 30)
    api.check()
    api.scan(batch, 25)
    api.qc(batch, 20)
    error = api.refused("finishing", "finishing/fg/", {"batch": batch.number, "quantity": 21}, 409)
    assert error["code"] == "not_ready" and error["fields"]["convertible"] == 20
    assert api.fg(batch, 20)["convertible"] == 0
    assert balance(batch, "FINISHING", "ready") == 20
    # Only FG can be sent to packing.
    too_many = api.post("finishing", "transfers/", {
        "batch": batch.number, "from_department": "FINISHING", "to_department": "PACKING",
        "to_line": "PCK-1", "quantity": 21,
    })  # fmt: skip
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "insufficient_wip"
    api.refused("packing", "finishing/fg/", {"batch": batch.number, "quantity": 1}, 403)


def test_suspect_units_in_transit_are_stopped_and_quarantined_but_older_ones_travel_on(cast):
    from transfers.models import Transfer

    api = Api(cast)
    (batch,) = released_batches(quantity=60)
    arrive(batch, 60)
    api.stuff(batch, 60)
    api.check()
    api.scan(batch, 20)
    api.qc(batch, 60)
    api.fg(batch, 20)
    api.check()  # good check: the 20 before it are safe
    older = api.ok("finishing", "transfers/", {
        "batch": batch.number, "from_department": "FINISHING", "to_department": "PACKING",
        "to_line": "PCK-1", "quantity": 20,
    })  # fmt: skip
    api.scan(batch, 20)
    api.fg(batch, 20)
    api.check(points=8)  # suspects: the 20 FG still at finishing; the older 20 travel on
    assert Transfer.objects.get(pk=older["id"]).state == "IN_TRANSIT"
    assert balance(batch, "FINISHING", "quarantined") == 20

    # The next good check, then 20 more sent before the detector fails again: those are stopped.
    released = Quarantine.objects.get(batch=batch)
    api.ok("qc", f"quarantines/{released.pk}/release/", {"decision": "scrap", "note": "x"}, 200)
    api.check()
    api.scan(batch, 20)
    api.fg(batch, 20)
    recent = api.ok("finishing", "transfers/", {
        "batch": batch.number, "from_department": "FINISHING", "to_department": "PACKING",
        "to_line": "PCK-1", "quantity": 20,
    })  # fmt: skip
    failed = api.check(points=6)
    assert Transfer.objects.get(pk=recent["id"]).state == "CANCELLED"
    assert Transfer.objects.get(pk=older["id"]).state == "IN_TRANSIT"
    assert balance(batch, "FINISHING", "quarantined") == 20
    alert = Alert.objects.get(reference=f"detector-check:{failed['id']}")
    assert recent["number"] in alert.message
    slip = api.post("packing", "transfers/accept/", {
        "slip_code": recent["slip_code"], "quantity_received": 20,
    })  # fmt: skip
    assert slip.status_code == 409  # the stopped slip no longer moves anything
    assert_batch_sums_to_cut(batch)
