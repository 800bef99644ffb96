"""Finishing (DOMAIN.md): stuffing against the article's fill weight, the conveyor metal
detector (9-point checks, scans, quarantine on a failed check or an alarm), physical QC (an
inline inspection at FINISHING) and the conversion of units to finished goods.

FG conversion per batch and line counts, from the records:
  stuffed   = units stuffed within tolerance (sampled toys out of tolerance and not corrected
              are not counted: they are stuffed again and recorded again)
  scanned   = units that passed a detector on the line, minus those a failed check took back
  qc_passed = passed (and repaired) units of finishing's physical QC on the line
  fg        = units converted, minus FG units a failed check took back
and converts at most ``min(stuffed, scanned, qc_passed) - fg`` (and what is on the line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for, user_has_role
from dashboard.models import AlertKind, AlertPriority
from dashboard.services import alert_raise, alerts_resolve_for_reference
from erp.common.errors import ApplicationError
from erp.common.factory_settings import get_setting
from quality.models import Inspection, Quarantine
from quality.quarantine import quarantine_units
from transfers.ledger import Bucket, line_of_units, wip_move
from transfers.models import Department, Line, WipBalance, WipMovement, WipState

from .models import (
    DETECTOR_POINTS,
    TEST_CARD_SIZES_MM,
    Detector,
    DetectorCheck,
    DetectorScan,
    FgConversion,
    StuffingRecord,
)

DCF = Quarantine.Kind.DETECTOR_CHECK_FAILED


def _finishing() -> Department:
    return Department.objects.get(code="FINISHING")


def assert_may_record(user) -> None:
    """Detector checks and scans, stuffing, FG: finishing, its lead, QC inspectors, manager."""
    if not (user_can_act_for(user, "FINISHING") or user_has_role(user, "qc_inspector")):
        raise ApplicationError(
            "permission_denied",
            _("Only finishing, QC inspectors or a manager record finishing work."),
            status=403,
        )


def _lock_batch(batch) -> None:
    from ppic.models import Batch

    Batch.objects.select_for_update(no_key=True).filter(pk=batch.pk).values_list("pk").get()


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Progress:
    received: int = 0
    stuffed: int = 0
    scanned: int = 0
    qc_passed: int = 0
    fg: int = 0
    available: int = 0

    @property
    def to_stuff(self) -> int:
        return max(self.received - self.stuffed, 0)

    @property
    def to_scan(self) -> int:
        """Units on the line not yet through the detector (stuffing is checked at FG: the
        detector may also see units before their last closing, never fewer)."""
        return max(self.available - max(self.scanned - self.fg, 0), 0)

    @property
    def convertible(self) -> int:
        ok = min(self.stuffed, self.scanned, self.qc_passed) - self.fg
        return max(min(ok, self.available), 0)


def progress_many(*, batch_ids, line) -> dict[int, Progress]:
    """Finishing figures of several batches on one line, in a fixed number of queries."""
    ids = list(batch_ids)
    result = {b: Progress() for b in ids}

    def per_batch(qs, expr):
        return dict(qs.values("batch_id").annotate(q=expr).order_by().values_list("batch_id", "q"))

    for b, q in per_batch(
        WipMovement.objects.filter(
            batch_id__in=ids, to_department__code="FINISHING", to_line=line, to_state="available"
        ).exclude(from_department__code="FINISHING"),
        Sum("quantity"),
    ).items():
        result[b].received = q or 0
    for row in (
        StuffingRecord.objects.filter(batch_id__in=ids, line=line)
        .values("batch_id", "quantity", "out_of_tolerance", "corrected_weights_g")
        .order_by()
    ):
        pending = row["out_of_tolerance"] - len(row["corrected_weights_g"] or [])
        result[row["batch_id"]].stuffed += row["quantity"] - max(pending, 0)
    for b, q in per_batch(
        DetectorScan.objects.filter(batch_id__in=ids, line=line), Sum("passed")
    ).items():
        result[b].scanned += q or 0
    taken = Quarantine.objects.filter(
        batch_id__in=ids, kind=DCF, department__code="FINISHING", line=line
    )
    for b, q in per_batch(taken, Sum("quantity")).items():
        result[b].scanned -= q or 0
    for b, q in per_batch(taken.filter(from_state=WipState.READY), Sum("quantity")).items():
        result[b].fg -= q or 0
    for b, q in per_batch(
        Inspection.objects.filter(
            batch_id__in=ids, department__code="FINISHING", line=line,
            kind=Inspection.Kind.INLINE,
        ),
        Sum("passed") + Sum("repaired"),
    ).items():  # fmt: skip
        result[b].qc_passed = q or 0
    for b, q in per_batch(
        FgConversion.objects.filter(batch_id__in=ids, line=line), Sum("quantity")
    ).items():
        result[b].fg += q or 0
    for b, q in per_batch(
        WipBalance.objects.filter(
            batch_id__in=ids, department__code="FINISHING", line=line, state="available"
        ),
        Sum("quantity"),
    ).items():
        result[b].available = q or 0
    return result


def progress(*, batch, line) -> Progress:
    return progress_many(batch_ids=[batch.pk], line=line)[batch.pk]


# --- stuffing --------------------------------------------------------------------------------


def _grams(values, field: str) -> list[Decimal]:
    try:
        weights = [Decimal(str(v)) for v in values]
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(
            "invalid", _("Weights are numbers of grams."), fields={field: [_("Numbers (g).")]},
            status=400,
        ) from None  # fmt: skip
    if any(not w.is_finite() or w <= 0 or w > 100_000 for w in weights):
        raise ApplicationError(
            "invalid", _("A weight is more than 0 g and at most 100 kg."),
            fields={field: [_("Between 0 and 100000 g.")]}, status=400,
        )  # fmt: skip
    return weights


def stuffing_record(
    *, batch, quantity: int, sample_weights_g, user, line=None, corrected_weights_g=None
) -> StuffingRecord:
    """Units stuffed and closed on a finishing line, with the sampled toys' weights against the
    article's target ± tolerance. Out-of-tolerance toys are counted; their weights after
    correction may be given (each must then be within tolerance), else they do not count as
    stuffed until recorded again."""
    assert_may_record(user)
    if quantity < 1:
        raise ApplicationError(
            "invalid", _("Stuff at least one unit."), fields={"quantity": [_("> 0")]}, status=400
        )
    weights = _grams(sample_weights_g or [], "sample_weights_g")
    if not weights:
        raise ApplicationError(
            "invalid", _("Weigh at least one stuffed toy."),
            fields={"sample_weights_g": [_("At least one weight.")]}, status=400,
        )  # fmt: skip
    if len(weights) > quantity:
        raise ApplicationError(
            "invalid", _("More weights than units stuffed."),
            fields={"sample_weights_g": [_("At most one weight per unit.")]}, status=400,
        )  # fmt: skip
    corrected = _grams(corrected_weights_g or [], "corrected_weights_g")
    article = batch.mo.article
    target, tolerance = article.fill_weight_g, article.fill_tolerance_g
    low, high = target - tolerance, target + tolerance
    out = sum(1 for w in weights if not low <= w <= high)
    if len(corrected) > out:
        raise ApplicationError(
            "invalid", _("Corrected weights are only for the %(n)d toys out of tolerance.")
            % {"n": out}, fields={"corrected_weights_g": [_("Too many.")]}, status=400,
        )  # fmt: skip
    if any(not low <= w <= high for w in corrected):
        raise ApplicationError(
            "invalid",
            _("A corrected toy must weigh %(low)s–%(high)s g.") % {"low": low, "high": high},
            fields={"corrected_weights_g": [_("Out of tolerance.")]}, status=400,
        )  # fmt: skip
    finishing = _finishing()
    line = line_of_units(batch=batch, department=finishing, line=line)
    with transaction.atomic():
        _lock_batch(batch)
        p = progress(batch=batch, line=line)
        if quantity > p.to_stuff:
            raise ApplicationError(
                "stage_exceeds_previous",
                _("%(batch)s has %(left)d units on %(line)s still to stuff; %(want)d asked.")
                % {"batch": batch.number, "left": p.to_stuff, "line": line.code, "want": quantity},
                fields={"remaining": p.to_stuff},
            )
        return StuffingRecord.objects.create(
            batch=batch, line=line, quantity=quantity, target_g=target, tolerance_g=tolerance,
            sample_weights_g=[str(w) for w in weights], out_of_tolerance=out,
            corrected_weights_g=[str(w) for w in corrected], user=user,
        )  # fmt: skip


# --- detectors -------------------------------------------------------------------------------


def interval() -> timedelta:
    return timedelta(minutes=float(get_setting("detector_check_interval_minutes")))


def latest_checks(detectors) -> dict[int, DetectorCheck]:
    """The latest check of each detector (two queries whatever the number of detectors)."""
    ids = list(
        DetectorCheck.objects.filter(detector_id__in=[d.pk for d in detectors])
        .values("detector_id")
        .annotate(m=Max("id"))
        .order_by()
        .values_list("m", flat=True)
    )
    return {
        c.detector_id: c for c in DetectorCheck.objects.filter(pk__in=ids).select_related("user")
    }


def verification(
    check: DetectorCheck | None, *, now=None, span: timedelta | None = None
) -> tuple[bool, str]:
    """Whether a detector may scan now, and if not a sentence saying why."""
    now = now or timezone.now()
    span = span or interval()
    if check is None:
        return False, _("it has never been checked")
    if check.result != DetectorCheck.Result.PASS:
        return False, _("its last check failed (%(n)d of 9 points)") % {"n": check.points_detected}
    if check.at < now - span:
        return False, _("its last passing check is older than %(m)d minutes") % {
            "m": int(span.total_seconds() // 60)
        }
    return True, ""


def detector_status(detectors=None, *, now=None) -> list[dict]:
    now = now or timezone.now()
    if detectors is None:
        detectors = list(Detector.objects.filter(active=True).select_related("line"))
    checks = latest_checks(detectors)
    span = interval()  # one read of the setting for all detectors
    rows = []
    for d in detectors:
        check = checks.get(d.pk)
        ok, why = verification(check, now=now, span=span)
        due = check.at + span if check and check.result == DetectorCheck.Result.PASS else None
        rows.append(
            {
                "code": d.code,
                "line": d.line.code,
                "detector": d,
                "last_check": check,
                "last_check_at": check.at if check else None,
                "last_result": check.result if check else None,
                "next_due_at": due,
                "verified": ok,
                "why_not": why,
                "overdue": not ok,
            }
        )
    return rows


def _lock_detector(detector: Detector) -> Detector:
    return (
        Detector.objects.select_for_update(no_key=True, of=("self",))
        .select_related("line")
        .get(pk=detector.pk)
    )


def detector_check_record(
    *, detector: Detector, test_piece_mm, points_detected: int, user, occasion: str = "hourly",
    batch=None, note: str = "",
) -> DetectorCheck:  # fmt: skip
    """A 9-point check with the ferrous test card. Fewer than nine points: FAIL, P1 alert, the
    detector stops (scans refused) and every unit it passed since its last good check is
    quarantined wherever it now is."""
    assert_may_record(user)
    try:
        card = Decimal(str(test_piece_mm)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        card = None
    if card is None or str(card) not in TEST_CARD_SIZES_MM:
        raise ApplicationError(
            "invalid",
            _("Use a test card of %(sizes)s mm.") % {"sizes": ", ".join(TEST_CARD_SIZES_MM)},
            fields={"test_piece_mm": [_("One of the test cards.")]}, status=400,
        )  # fmt: skip
    required = Decimal(str(get_setting("detector_test_piece_mm"))).quantize(Decimal("0.1"))
    if card > required:
        raise ApplicationError(
            "invalid",
            _("The check must use the %(req)s mm card (or a smaller one); %(card)s mm does not "
              "prove the detector finds what the buyer requires.")
            % {"req": required, "card": card},
            fields={"test_piece_mm": [_("At most %(req)s mm.") % {"req": required}]}, status=400,
        )  # fmt: skip
    if not isinstance(points_detected, int) or not 0 <= points_detected <= DETECTOR_POINTS:
        raise ApplicationError(
            "invalid", _("Points detected is a whole number from 0 to 9."),
            fields={"points_detected": [_("0 to 9.")]}, status=400,
        )  # fmt: skip
    if occasion not in DetectorCheck.Occasion.values:
        occasion = DetectorCheck.Occasion.OTHER
    result = DetectorCheck.Result.PASS if points_detected == DETECTOR_POINTS else "FAIL"
    with transaction.atomic():
        detector = _lock_detector(detector)
        previous = DetectorCheck.objects.filter(detector=detector).order_by("-id").first()
        # Scans need a passing latest check, so only when the previous check passed can units
        # have gone through since (after a failed one, they were quarantined already).
        last_good = previous if previous and previous.result == DetectorCheck.Result.PASS else None
        check = DetectorCheck.objects.create(
            detector=detector, test_piece_mm=card, points_detected=points_detected, result=result,
            occasion=occasion, batch=batch, note=note[:300], user=user,
        )  # fmt: skip
        if previous is not None:  # the reminders of the previous check are settled
            for reference in _reminder_refs(previous.pk):
                alerts_resolve_for_reference(
                    reference=reference, kind=AlertKind.DETECTOR_DUE, user=user,
                    note=_("Checked: %(r)s.") % {"r": check.get_result_display()},
                )  # fmt: skip
        if result == DetectorCheck.Result.FAIL:
            _quarantine_since(detector=detector, last_good=last_good, check=check, user=user)
        from dashboard.live import dashboard_changed_on_commit

        dashboard_changed_on_commit("detector_check")  # the dashboard's detector tile
    return check


# Where units of a batch may be after the detector, nearest first (the units passed most
# recently are the ones that have gone least far).
def _downstream_buckets(line_of_scan) -> list[tuple[str, Line | str, str]]:
    return [
        ("FINISHING", line_of_scan, WipState.AVAILABLE),
        ("FINISHING", line_of_scan, WipState.READY),
        ("FINISHING", line_of_scan, WipState.REWORK),  # passed, then sent to rework by QC
        ("PACKING", "*", WipState.AVAILABLE),
        ("PACKING", "*", WipState.READY),
        ("FG_WAREHOUSE", "*", WipState.AVAILABLE),
        ("FG_WAREHOUSE", "*", WipState.READY),
    ]


def _quarantine_since(*, detector, last_good, check, user) -> None:
    # Scans are only accepted after a passing check, so those since the last good one are
    # exactly the scans that relied on it.
    suspects = (
        dict(
            DetectorScan.objects.filter(detector=detector, since_check=last_good)
            .values("batch_id")
            .annotate(q=Sum("passed"))
            .order_by()
            .values_list("batch_id", "q")
        )
        if last_good is not None
        else {}
    )
    from ppic.models import Batch

    quarantined = 0
    missing = 0
    batches = Batch.objects.in_bulk([b for b, q in suspects.items() if q])
    stopped: list[str] = []
    for batch_id in sorted(batches):
        batch = batches[batch_id]
        left = suspects[batch_id]
        p = progress(batch=batch, line=detector.line)
        scanned_not_fg = max(p.scanned - p.fg, 0)
        stopped += _stop_transfers_in_transit(
            batch=batch, line=detector.line, scanned_not_fg=scanned_not_fg, suspects=left,
            check=check, user=user,
        )  # fmt: skip
        for dept, line, state in _downstream_buckets(detector.line):
            if left <= 0:
                break
            rows = WipBalance.objects.filter(
                batch=batch, department__code=dept, state=state, quantity__gt=0
            ).select_related("department", "line")
            if line != "*":
                rows = rows.filter(line=line)
            for row in rows.order_by("line_id"):
                take = min(left, row.quantity)
                if dept == "FINISHING" and state == WipState.AVAILABLE:
                    take = min(take, scanned_not_fg)  # never the units not yet scanned
                if take <= 0:
                    continue
                quarantine_units(
                    batch=batch, department=row.department, line=row.line, from_state=state,
                    quantity=take, kind=DCF,
                    reason=_("Detector %(d)s failed its check (%(n)d of 9 points): units it "
                             "passed since its last good check.")
                    % {"d": detector.code, "n": check.points_detected},
                    source=f"detector-check:{check.pk}", user=user,
                )  # fmt: skip
                left -= take
                quarantined += take
                if left <= 0:
                    break
        missing += max(left, 0)
    message = _(
        "Detector %(d)s on %(line)s FAILED its check (%(n)d of 9 points): it is stopped. "
        "%(q)d units it passed since its last good check are quarantined; re-scan them on a "
        "working detector."
    ) % {
        "d": detector.code,
        "line": detector.line.code,
        "n": check.points_detected,
        "q": quarantined,
    }
    if stopped:
        message += " " + _("Transfers stopped and brought back to finishing: %(list)s.") % {
            "list": ", ".join(stopped)
        }
    if missing:
        message += " " + _(
            "%(m)d more units could not be found in finishing, packing or the FG warehouse (in "
            "transit or shipped): trace them now."
        ) % {"m": missing}
    alert_raise(
        kind=AlertKind.DETECTOR_CHECK_FAILED,
        priority=AlertPriority.P1,
        message=message,
        departments=["FINISHING", "QUALITY"],
        line=detector.line,
        reference=f"detector-check:{check.pk}",
    )


def _stop_transfers_in_transit(*, batch, line, scanned_not_fg, suspects, check, user) -> list:
    """Suspect units on their way to packing: when finishing no longer holds all the units the
    failed check suspects, the batch's latest transfers out of the detector's line that have not
    arrived (IN_TRANSIT or BLOCKED) are stopped, most recent first (they carry the units passed
    last), so their units come back to finishing and are quarantined there."""
    from transfers.models import Transfer, TransferState
    from transfers.services import transfer_cancel

    here = sum(
        WipBalance.objects.filter(
            batch=batch,
            department__code="FINISHING",
            line=line,
            state__in=[WipState.READY, WipState.REWORK],
        ).values_list("quantity", flat=True)
    ) + min(  # fmt: skip
        scanned_not_fg,
        sum(
            WipBalance.objects.filter(
                batch=batch, department__code="FINISHING", line=line, state=WipState.AVAILABLE
            ).values_list("quantity", flat=True)
        ),
    )
    need = suspects - here
    stopped = []
    for transfer in Transfer.objects.filter(
        batch=batch, from_department__code="FINISHING", from_line=line,
        state__in=[TransferState.IN_TRANSIT, TransferState.BLOCKED],
    ).order_by("-id"):  # fmt: skip
        if need <= 0:
            break
        transfer_cancel(
            transfer=transfer, user=user, safety_stop=True,
            reason=_("Stopped: detector %(d)s failed its check (check %(id)d).")
            % {"d": check.detector.code, "id": check.pk},
        )  # fmt: skip
        need -= transfer.quantity
        stopped.append(transfer.number)
    return stopped


def detector_scan_record(
    *, batch, detector: Detector, passed: int, failed: int, user
) -> DetectorScan:
    """Units of a batch through the detector. Refused (409 ``detector_not_verified``) when the
    detector's latest check failed or is older than the interval. An alarm (``failed > 0``):
    P1 alert and the batch's units at finishing quarantined until QC decides."""
    assert_may_record(user)
    if passed < 0 or failed < 0 or passed + failed < 1:
        raise ApplicationError(
            "invalid", _("Scan at least one unit (passed + alarms)."),
            fields={"passed": [_("≥ 0")], "failed": [_("≥ 0")]}, status=400,
        )  # fmt: skip
    with transaction.atomic():
        detector = _lock_detector(detector)
        if not detector.active:
            raise ApplicationError(
                "detector_not_verified",
                _("Detector %(d)s is out of service.") % {"d": detector.code},
            )
        check = DetectorCheck.objects.filter(detector=detector).order_by("-id").first()
        ok, why = verification(check)
        if not ok:
            raise ApplicationError(
                "detector_not_verified",
                _("Detector %(d)s may not scan: %(why)s. Do the 9-point check with the test card "
                  "first.") % {"d": detector.code, "why": why},
                fields={"detector": [why]},
            )  # fmt: skip
        _lock_batch(batch)
        line = detector.line
        p = progress(batch=batch, line=line)
        if passed + failed > p.to_scan:
            raise ApplicationError(
                "stage_exceeds_previous",
                _("%(batch)s has %(n)d units on %(line)s not yet through the detector; "
                  "%(want)d scanned.")
                % {"batch": batch.number, "n": p.to_scan, "line": line.code,
                   "want": passed + failed},
                fields={"remaining": p.to_scan},
            )  # fmt: skip
        scan = DetectorScan.objects.create(
            detector=detector, since_check=check, batch=batch, line=line, passed=passed,
            failed=failed, user=user,
        )  # fmt: skip
        if failed:
            _quarantine_alarm(batch=batch, scan=scan, user=user)
    return scan


def _quarantine_alarm(*, batch, scan: DetectorScan, user) -> None:
    total = 0
    for row in (
        WipBalance.objects.filter(
            batch=batch, department__code="FINISHING",
            state__in=[WipState.AVAILABLE, WipState.READY], quantity__gt=0,
        )
        .select_related("department", "line")
        .order_by("pk")
    ):  # fmt: skip
        quarantine_units(
            batch=batch, department=row.department, line=row.line, from_state=row.state,
            quantity=row.quantity, kind=Quarantine.Kind.METAL_ALARM,
            reason=_("Metal alarm on %(d)s: %(n)d toy(s) isolated; the batch is quarantined "
                     "until QC decides.") % {"d": scan.detector.code, "n": scan.failed},
            source=f"detector-scan:{scan.pk}", user=user,
        )  # fmt: skip
        total += row.quantity
    alert_raise(
        kind=AlertKind.METAL_ALARM,
        priority=AlertPriority.P1,
        message=_(
            "METAL ALARM on %(d)s (%(line)s): %(n)d toy(s) of %(batch)s. Isolate them, locate the "
            "metal with the hand detector. %(q)d units of the batch at finishing are quarantined."
        )
        % {"d": scan.detector.code, "line": scan.line.code, "n": scan.failed,
           "batch": batch.number, "q": total},
        departments=["FINISHING", "QUALITY"],
        batch=batch,
        line=scan.line,
        reference=f"detector-scan:{scan.pk}",
    )  # fmt: skip


# --- finished goods ----------------------------------------------------------------------------


def fg_convert(*, batch, quantity: int, user, line=None) -> FgConversion:
    """Convert stuffed, detector-passed, QC-passed units to FG (sendable to packing)."""
    assert_may_record(user)
    if quantity < 1:
        raise ApplicationError(
            "invalid", _("Convert at least one unit."), fields={"quantity": [_("> 0")]}, status=400
        )
    finishing = _finishing()
    line = line_of_units(batch=batch, department=finishing, line=line)
    with transaction.atomic():
        _lock_batch(batch)
        p = progress(batch=batch, line=line)
        if quantity > p.convertible:
            raise ApplicationError(
                "not_ready",
                _("Only %(ok)d units of %(batch)s on %(line)s are stuffed, through the metal "
                  "detector and passed QC (stuffed %(s)d, detector %(d)d, QC %(q)d, FG already "
                  "%(fg)d); %(want)d asked.")
                % {"ok": p.convertible, "batch": batch.number, "line": line.code, "s": p.stuffed,
                   "d": p.scanned, "q": p.qc_passed, "fg": p.fg, "want": quantity},
                fields={"convertible": p.convertible, "stuffed": p.stuffed,
                        "detector_passed": p.scanned, "qc_passed": p.qc_passed},
            )  # fmt: skip
        record = FgConversion.objects.create(batch=batch, line=line, quantity=quantity, user=user)
        wip_move(
            batch=batch,
            source=Bucket(finishing, WipState.AVAILABLE, line),
            target=Bucket(finishing, WipState.READY, line),
            quantity=quantity,
            reason="fg_convert",
            user=user,
            reference=f"fg:{record.pk}",
        )
    return record


# --- reminders (Celery beat) -------------------------------------------------------------------

DUE_WARNING = timedelta(minutes=5)


def _reminder_refs(check_id: int) -> tuple[str, str]:
    return f"detector-due:{check_id}", f"detector-overdue:{check_id}"


def detector_reminders(*, now=None) -> list:
    """Every minute: a detector whose next check is due within 5 minutes warns its finishing
    station (P3); one whose check is overdue raises a P2. Each once per check (the reference
    names the check), and a new check settles them (``detector_check_record``)."""
    from dashboard.models import Alert

    now = now or timezone.now()
    raised = []
    for status in detector_status(now=now):
        check, due = status["last_check"], status["next_due_at"]
        if check is None or due is None or now < due - DUE_WARNING:
            continue
        detector = status["detector"]
        soon_ref, overdue_ref = _reminder_refs(check.pk)
        overdue = now >= due
        reference = overdue_ref if overdue else soon_ref
        with transaction.atomic():
            _lock_detector(detector)  # two beat workers never raise the same reminder twice
            if DetectorCheck.objects.filter(detector=detector, pk__gt=check.pk).exists():
                continue
            if Alert.objects.filter(reference=reference).exists():
                continue
            minutes = int(interval().total_seconds() // 60)
            if overdue:
                message = _(
                    "Detector %(d)s on %(line)s is overdue for its check (due %(due)s): scans are "
                    "refused until the 9-point check passes."
                )
                priority = AlertPriority.P2
            else:
                message = _("Detector %(d)s on %(line)s: the %(m)d-minute check is due at %(due)s.")
                priority = AlertPriority.P3
            raised.append(
                alert_raise(
                    kind=AlertKind.DETECTOR_DUE,
                    priority=priority,
                    message=message
                    % {
                        "d": detector.code,
                        "line": detector.line.code,
                        "due": timezone.localtime(due).strftime("%H:%M"),
                        "m": minutes,
                    },
                    departments=["FINISHING"] + (["QUALITY"] if overdue else []),
                    line=detector.line,
                    reference=reference,
                )
            )
    return raised
