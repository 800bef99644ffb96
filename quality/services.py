"""Inspections used by every department (inline QC, finishing's physical QC, final)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for, user_has_role
from dashboard.models import AlertKind, AlertPriority
from dashboard.services import alert_raise, alerts_resolve_for_reference
from erp.common.errors import ApplicationError
from transfers.ledger import Bucket, Move, line_of_units, wip_moves
from transfers.models import Hold

from .models import DefectCode, FinalInspection, Inspection, InspectionDefect

QC_ROLES = ("qc_inspector", "manager")


def traffic_light(defects: int) -> str:
    """DOMAIN.md inline QC: 0 defects green, 1 yellow, 2 or more red."""
    if defects <= 0:
        return Inspection.Light.GREEN
    return Inspection.Light.YELLOW if defects == 1 else Inspection.Light.RED


def inspection_record(
    *,
    batch,
    department,
    kind: str,
    passed: int,
    user,
    rework: int = 0,
    scrap: int = 0,
    repaired: int = 0,
    defects: list[tuple[DefectCode, int]] | None = None,
    line=None,
    recheck: bool = False,
    note: str = "",
) -> Inspection:
    """Record a check. Rework/scrap units move from available to those buckets, repaired ones
    back from rework. Inline at sewing: the traffic light; red holds the batch at the line (no
    sending) with a P1 alert until a full recheck is recorded."""
    if not (user_has_role(user, *QC_ROLES) or user_can_act_for(user, department.code)):
        raise ApplicationError(
            "permission_denied",
            _("Only QC or %(dept)s may record inspections there.") % {"dept": department.code},
            status=403,
        )
    if kind == Inspection.Kind.FINAL and not user_has_role(user, *QC_ROLES):
        raise ApplicationError(
            "permission_denied", _("Final inspections are for QC inspectors."), status=403
        )
    if passed + rework + scrap + repaired <= 0:
        raise ApplicationError(
            "invalid", _("Record at least one piece."), fields={"passed": [_("> 0")]}, status=400
        )
    defects = defects or []
    line = (
        line_of_units(batch=batch, department=department, line=line)
        if department.lines.exists()
        else None
    )
    light = ""
    if kind == Inspection.Kind.INLINE and department.code == "SEWING":
        found = sum(count for _code, count in defects) if defects else rework + scrap
        light = traffic_light(found)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            batch=batch, department=department, line=line, kind=kind, passed=passed,
            rework=rework, scrap=scrap, repaired=repaired, light=light, recheck=recheck,
            note=note[:300], user=user,
        )  # fmt: skip
        InspectionDefect.objects.bulk_create(
            InspectionDefect(inspection=inspection, code=code, count=count)
            for code, count in defects
        )
        moves = []
        here = Bucket(department, "available", line)
        if rework:
            moves.append(Move(batch, here, Bucket(department, "rework", line), rework))
        if scrap:
            moves.append(Move(batch, here, Bucket(department, "scrap"), scrap))
        if repaired:
            moves.append(Move(batch, Bucket(department, "rework", line), here, repaired))
        if moves:
            wip_moves(
                moves, reason="inspection", user=user, reference=f"inspection:{inspection.pk}"
            )
        reference = f"qc:{batch.pk}:{department.pk}:{line.pk if line else 0}"
        if recheck:
            for hold in Hold.objects.select_for_update(no_key=True).filter(
                batch=batch, department=department, line=line, kind=Hold.Kind.QC_RED,
                released_at__isnull=True,
            ):  # fmt: skip
                hold.released_by, hold.released_at = user, timezone.now()
                hold.release_note = _("Full recheck recorded (inspection %(id)d).") % {
                    "id": inspection.pk
                }
                hold.save()
            alerts_resolve_for_reference(
                reference=reference, kind=AlertKind.QC_RED, user=user, note=_("Full recheck done.")
            )
        if light == Inspection.Light.RED and not recheck:
            Hold.objects.create(
                batch=batch, department=department, line=line, kind=Hold.Kind.QC_RED,
                reason=_("Inline QC red: recheck the whole bundle before sending."),
                reference=f"inspection:{inspection.pk}", created_by=user,
            )  # fmt: skip
            alert_raise(
                kind=AlertKind.QC_RED,
                priority=AlertPriority.P1,
                message=_("Inline QC red on %(batch)s at %(where)s: held until a full recheck.")
                % {"batch": batch.number, "where": line.code if line else department.code},
                departments=[department.code, "QUALITY"],
                batch=batch,
                line=line,
                reference=reference,
            )
    return inspection


def final_lot_size(batch) -> int:
    """The batch's units at finishing and packing (the lot the inspector samples)."""
    from django.db.models import Sum

    from transfers.models import WipBalance

    total = WipBalance.objects.filter(
        batch=batch,
        department__code__in=["FINISHING", "PACKING"],
        state__in=["available", "ready", "locked", "quarantined", "rework"],
    ).aggregate(s=Sum("quantity"))["s"]
    return total or 0


def final_inspection_record(
    *, batch, critical: int, major: int, minor: int, user, lot_size: int | None = None
) -> FinalInspection:
    """AQL verdict per class with the customer's plan (factory setting ``aql_plan``); the lot
    is rejected when any class reaches its reject number. A rejected lot holds the batch at
    finishing and packing (nothing of it is sent, packed or shipped) with a P1 alert."""
    from decimal import Decimal

    from erp.common.factory_settings import get_setting
    from transfers.models import Department

    from .aql import plan

    if not user_has_role(user, *QC_ROLES):
        raise ApplicationError(
            "permission_denied", _("Final inspections are for QC inspectors."), status=403
        )
    size = lot_size if lot_size is not None else final_lot_size(batch)
    if size > 150_000:
        raise ApplicationError(
            "invalid",
            _("ISO 2859-1 plans go up to lots of 150,000 units; split the lot."),
            fields={"lot_size": [_("At most 150000.")]},
            status=400,
        )
    if size < 2:
        raise ApplicationError(
            "invalid",
            _("%(batch)s has %(n)d units at finishing and packing: give the lot size (2 or more).")
            % {"batch": batch.number, "n": size},
            fields={"lot_size": [_("2 or more.")]},
            status=400,
        )
    aqls = get_setting("aql_plan")
    found = {"critical": critical, "major": major, "minor": minor}
    plans = {}
    rejected = False
    for cls in ("critical", "major", "minor"):
        p = plan(lot_size=size, aql=Decimal(str(aqls.get(cls, 0))))
        plans[cls] = {**p.as_dict(), "aql": str(aqls.get(cls, 0)), "found": found[cls]}
        rejected = rejected or found[cls] >= p.reject
    sample = max(p["sample_size"] for p in plans.values())
    verdict = FinalInspection.Verdict.REJECT if rejected else FinalInspection.Verdict.ACCEPT
    with transaction.atomic():
        inspection = FinalInspection.objects.create(
            batch=batch, lot_size=size, sample_size=sample, critical=critical, major=major,
            minor=minor, plans=plans, verdict=verdict, user=user,
        )  # fmt: skip
        if rejected:
            for code in ("FINISHING", "PACKING"):
                Hold.objects.create(
                    batch=batch, department=Department.objects.get(code=code),
                    kind=Hold.Kind.LOT_REJECTED,
                    reason=_("Final inspection rejected the lot (AQL)."),
                    reference=f"final:{inspection.pk}", created_by=user,
                )  # fmt: skip
            alert_raise(
                kind=AlertKind.LOT_REJECTED,
                priority=AlertPriority.P1,
                message=_("Final inspection rejected %(batch)s: %(c)d critical, %(M)d major, "
                          "%(m)d minor in a sample of %(n)d.")
                % {"batch": batch.number, "c": critical, "M": major, "m": minor, "n": sample},
                departments=["QUALITY", "FINISHING", "PACKING"],
                batch=batch,
                reference=f"final:{inspection.pk}",
            )  # fmt: skip
    return inspection
