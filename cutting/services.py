"""Cutting writes: a lay's output moves units out of the batch's input bucket."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for
from erp.common.errors import ApplicationError
from erp.common.factory_settings import get_setting
from ppic.models import Batch, ManufacturingOrder, MaterialKind
from transfers.ledger import Bucket, Move, wip_moves
from transfers.models import Department, Line
from warehouse.models import StockLot, StockMove

from .models import CutRecord


def cut_output_record(
    *,
    batch: Batch,
    quantity: int,
    user,
    plies: int | None = None,
    lots: list[StockLot] | None = None,
    line: Line | None = None,
    reject: int = 0,
) -> CutRecord:
    """Record a lay of a batch: good pieces ``input → CUTTING ready`` (cut units are sendable),
    reject pieces ``input → CUTTING scrap``. Never more than the batch in total; plies at most
    the plush setting; lots only those issued to the batch's cutting SPK, one dye lot."""
    if not user_can_act_for(user, "CUTTING"):
        raise ApplicationError(
            "permission_denied", _("Only cutting records cut pieces."), status=403
        )
    mo = batch.mo
    if mo.status != ManufacturingOrder.Status.RELEASED:
        raise ApplicationError(
            "invalid_transition",
            _("MO %(mo)s is %(status)s: nothing can be cut for it.")
            % {"mo": mo.number, "status": mo.get_status_display()},
        )
    work_order = mo.work_orders.filter(department__code="CUTTING").first()
    if work_order is None:
        raise ApplicationError("route_violation", _("This MO has no cutting SPK."))
    if line is not None and line.department.code != "CUTTING":
        raise ApplicationError(
            "invalid", _("Line %(line)s is not a cutting line.") % {"line": line.code},
            fields={"line": [_("Not a cutting line.")]}, status=400,
        )  # fmt: skip
    max_plies = int(get_setting("max_plies_plush"))
    if plies is not None and plies > max_plies:
        raise ApplicationError(
            "invalid",
            _("A plush lay has at most %(max)d plies; %(plies)d is too many.")
            % {"max": max_plies, "plies": plies},
            fields={"plies": [_("At most %(max)d.") % {"max": max_plies}]},
            status=400,
        )
    lots = list(lots or [])
    if lots:
        issued = set(
            StockMove.objects.filter(
                work_order=work_order, kind=StockMove.Kind.ISSUE, lot__in=lots
            ).values_list("lot_id", flat=True)
        )
        foreign = [lot for lot in lots if lot.pk not in issued]
        if foreign:
            raise ApplicationError(
                "lot_not_issued",
                _("Lot %(lots)s was not issued to %(spk)s: cut only from the rolls issued to it.")
                % {"lots": ", ".join(lot.lot_number for lot in foreign), "spk": work_order.number},
                fields={"lots": [lot.lot_number for lot in foreign]},
            )
        dye_lots = {lot.dye_lot for lot in lots if lot.material.kind == MaterialKind.FABRIC}
        if len(dye_lots) > 1:
            raise ApplicationError(
                "mixed_dye_lots",
                _("One lay never mixes dye lots (%(lots)s).")
                % {"lots": ", ".join(sorted(dye_lots))},
            )
    with transaction.atomic():
        record = CutRecord.objects.create(
            batch=batch, work_order=work_order, line=line, quantity=quantity, reject=reject,
            plies=plies, user=user,
        )  # fmt: skip
        if lots:
            record.lots.set(lots)
        cutting = Department.objects.get(code="CUTTING")
        moves = [Move(batch, None, Bucket(cutting, "ready", line), quantity)]
        if reject:
            moves.append(Move(batch, None, Bucket(cutting, "scrap"), reject))
        wip_moves(moves, reason="cut", user=user, reference=f"cut:{record.pk}")
    return record
