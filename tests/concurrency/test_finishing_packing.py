"""Finishing, quarantine, packing and shipping under concurrency: threads on PostgreSQL, each with
its own connection."""

import pytest

from erp.common.errors import ApplicationError
from finishing.models import Detector, DetectorScan
from finishing.services import (
    detector_check_record,
    detector_scan_record,
    stuffing_record,
)
from packing.models import Carton
from packing.services import carton_pack
from quality.models import Quarantine, QuarantineDecision
from quality.quarantine import quarantine_decide
from tests.concurrency.helpers import run_concurrently
from tests.concurrency.test_transfers import no_database_errors
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

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def arrive(batch, quantity, department="FINISHING", line_code="FIN-1", state="available"):
    wip_move(
        batch=batch, source=None, target=Bucket(dept(department), state, line(line_code)),
        quantity=quantity, reason="test_arrival", user=users()["manager"],
    )  # fmt: skip


def test_scans_racing_a_failed_check_are_either_refused_or_quarantined():
    """Ten scans of 5 and a failing check at once: every scan that got in before the check is
    quarantined by it; every scan after it is refused. No unit passes unvouched."""
    cast = users()
    (batch,) = released_batches(quantity=100)
    arrive(batch, 100)
    stuffing_record(batch=batch, quantity=100, sample_weights_g=["250"], user=cast["finishing"])
    md1 = Detector.objects.get(code="MD-1")
    detector_check_record(detector=md1, test_piece_mm="1.2", points_detected=9, user=cast["qc"])

    def scan():
        return detector_scan_record(
            batch=batch, detector=md1, passed=5, failed=0, user=cast["finishing"]
        )

    def fail():
        return detector_check_record(
            detector=md1, test_piece_mm="1.2", points_detected=8, user=cast["qc"]
        )

    results, errors = run_concurrently([scan] * 10 + [fail])
    no_database_errors(errors)
    assert errors[-1] is None
    refused = [e for e in errors[:-1] if e is not None]
    assert all(
        isinstance(e, ApplicationError) and e.code == "detector_not_verified" for e in refused
    )
    scanned = 5 * DetectorScan.objects.filter(batch=batch).count()
    assert scanned == 5 * (10 - len(refused))
    assert balance(batch, "FINISHING", "quarantined") == scanned
    assert_batch_sums_to_cut(batch)


def test_two_second_approvers_at_once_release_once():
    cast = users()
    (batch,) = released_batches(quantity=20)
    arrive(batch, 20)
    stuffing_record(batch=batch, quantity=20, sample_weights_g=["250"], user=cast["finishing"])
    md1 = Detector.objects.get(code="MD-1")
    detector_check_record(detector=md1, test_piece_mm="1.2", points_detected=9, user=cast["qc"])
    detector_scan_record(batch=batch, detector=md1, passed=19, failed=1, user=cast["finishing"])
    (q,) = Quarantine.objects.filter(batch=batch)
    quarantine_decide(quarantine=q, decision="release", note="clean", user=cast["qc"])

    def confirm(who):
        return lambda: quarantine_decide(quarantine=q, decision="release", note="ok", user=who)

    results, errors = run_concurrently([confirm(cast["qc_lead"]), confirm(cast["manager"])] * 3)
    no_database_errors(errors)
    assert sum(1 for r in results if r is not None) == 1
    assert all(isinstance(e, ApplicationError) for e in errors if e)
    assert QuarantineDecision.objects.filter(quarantine=q, status="APPLIED").count() == 1
    assert balance(batch, "FINISHING", "available") == 20
    assert_batch_sums_to_cut(batch)


def test_twenty_packers_filling_cartons_of_ten_from_fifty_units_pack_five():
    cast = users()
    (batch,) = released_batches(quantity=50)
    arrive(batch, 50, department="PACKING", line_code="PCK-1")

    def pack():
        return carton_pack(batch=batch, quantity=10, user=cast["packing"])

    results, errors = run_concurrently([pack] * 20)
    no_database_errors(errors)
    assert sum(1 for r in results if r is not None) == 5
    assert all(
        isinstance(e, ApplicationError) and e.code == "insufficient_wip" for e in errors if e
    )
    cartons = Carton.objects.filter(batch=batch)
    assert sorted(cartons.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
    assert len(set(cartons.values_list("sscc", flat=True))) == 5
    assert balance(batch, "PACKING", "ready") == 50
    assert_batch_sums_to_cut(batch)
