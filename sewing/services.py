from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for
from erp.common.errors import ApplicationError
from ppic.models import Batch
from transfers.ledger import Bucket, wip_move
from transfers.models import Department, WipMovement

from .models import STAGE_ORDER, Stage, StageRecord


def stage_totals(*, batch, line) -> dict[str, int]:
    rows = (
        StageRecord.objects.filter(batch=batch, line=line)
        .values("stage")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    totals = dict.fromkeys(STAGE_ORDER, 0)
    totals.update({r["stage"]: r["q"] for r in rows})
    return totals


def received_on_line(*, batch, line) -> int:
    """Pieces handed to this sewing line by other departments (accepted transfers)."""
    total = (
        WipMovement.objects.filter(
            batch=batch, to_department__code="SEWING", to_line=line, to_state="available"
        )
        .exclude(from_department__code="SEWING")
        .aggregate(s=Sum("quantity"))["s"]
    )
    return total or 0


def sewing_stage_record(*, batch, line, stage: str, quantity: int, user) -> StageRecord:
    """Record pieces through a stage. Locks the batch row so two tablets cannot both pass the
    "never more than the stage before" check. Loop stitch makes the pieces sendable."""
    if not user_can_act_for(user, "SEWING"):
        raise ApplicationError("permission_denied", _("Only sewing records stages."), status=403)
    if line.department.code != "SEWING":
        raise ApplicationError(
            "invalid", _("Line %(line)s is not a sewing line.") % {"line": line.code},
            fields={"line": [_("Not a sewing line.")]}, status=400,
        )  # fmt: skip
    with transaction.atomic():
        Batch.objects.select_for_update(no_key=True).filter(pk=batch.pk).values_list("pk").get()
        totals = stage_totals(batch=batch, line=line)
        index = STAGE_ORDER.index(stage)
        if index == 0:
            limit, before = received_on_line(batch=batch, line=line), _("received on the line")
        else:
            previous = STAGE_ORDER[index - 1]
            limit, before = totals[previous], Stage(previous).label
        if totals[stage] + quantity > limit:
            raise ApplicationError(
                "stage_exceeds_previous",
                _("%(stage)s would reach %(total)d pieces but only %(limit)d are %(before)s.")
                % {
                    "stage": Stage(stage).label,
                    "total": totals[stage] + quantity,
                    "limit": limit,
                    "before": before,
                },
                fields={"remaining": max(limit - totals[stage], 0)},
            )
        record = StageRecord.objects.create(
            batch=batch, line=line, stage=stage, quantity=quantity, user=user
        )
        if stage == Stage.LOOP_STITCH:
            sewing = Department.objects.get(code="SEWING")
            wip_move(
                batch=batch,
                source=Bucket(sewing, "available", line),
                target=Bucket(sewing, "ready", line),
                quantity=quantity,
                reason="loop_stitch",
                user=user,
                reference=f"stage:{record.pk}",
            )
    return record
