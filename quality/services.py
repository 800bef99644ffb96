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

from .models import DefectCode, Inspection, InspectionDefect

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
