"""Warehouse writes: receipts, FIFO issues to SPKs (one dye lot per batch's fabric), shortage
requests, adjustments. Stock lots are locked with SELECT … FOR NO KEY UPDATE in primary-key
order, so two issues can never take the same stock; only SQL runs under the locks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.common.errors import ApplicationError
from erp.common.factory_settings import get_decimal
from ppic.models import Batch, ManufacturingOrder, Material, MaterialKind, WorkOrder

from .models import ShortageRequest, StockLot, StockMove

ZERO = Decimal("0")


@dataclass(frozen=True)
class Issue:
    material: str
    lot_number: str
    dye_lot: str
    quantity: Decimal


@transaction.atomic
def stock_receive(
    *,
    material: Material,
    lot_number: str,
    quantity: Decimal,
    user,
    dye_lot: str = "",
    received_at: datetime | None = None,
    inspection_points: Decimal | None = None,
) -> StockLot:
    """Receive a lot. A fabric roll with 4-point inspection points is PASSED or FAILED against
    the factory limit; a failed roll is kept but never issued."""
    if StockLot.objects.filter(material=material, lot_number=lot_number).exists():
        raise ApplicationError(
            "lot_exists",
            _("Lot %(lot)s of %(material)s was already received.")
            % {"lot": lot_number, "material": material.code},
        )
    inspection = StockLot.Inspection.NOT_REQUIRED
    if inspection_points is not None:
        limit = get_decimal("fabric_inspection_limit_points")
        inspection = (
            StockLot.Inspection.PASSED if inspection_points <= limit else StockLot.Inspection.FAILED
        )
    lot = StockLot.objects.create(
        material=material,
        lot_number=lot_number,
        dye_lot=dye_lot if material.kind == MaterialKind.FABRIC or dye_lot else "",
        received_at=received_at or timezone.now(),
        quantity_received=quantity,
        quantity_on_hand=quantity,
        inspection=inspection,
        inspection_points=inspection_points,
        received_by=user,
    )
    StockMove.objects.create(lot=lot, kind=StockMove.Kind.RECEIPT, quantity=quantity, user=user)
    return lot


def issued_for(*, work_order: WorkOrder, material: Material) -> Decimal:
    """Net quantity issued to the SPK against its requirement (shortage issues not counted)."""
    total = StockMove.objects.filter(
        work_order=work_order,
        lot__material=material,
        kind__in=[StockMove.Kind.ISSUE, StockMove.Kind.RETURN],
        shortage__isnull=True,
    ).aggregate(s=Sum("quantity"))["s"]
    return -(total or ZERO)


def remaining_requirement(*, work_order: WorkOrder, material: Material) -> Decimal:
    required = (
        work_order.requirements.filter(material=material).values_list("quantity", flat=True).first()
    )
    if required is None:
        return ZERO
    return max(required - issued_for(work_order=work_order, material=material), ZERO)


def _fixed_dye_lot(*, work_order: WorkOrder, batch: Batch | None, material: Material) -> str | None:
    """The dye lot already used for this batch's fabric (or the SPK's, when no batch is named):
    later issues must come from the same one."""
    moves = StockMove.objects.filter(
        work_order=work_order, lot__material=material, kind=StockMove.Kind.ISSUE, batch=batch
    )
    return moves.values_list("lot__dye_lot", flat=True).first()


def _plan_fifo(lots: list[StockLot], quantity: Decimal) -> list[tuple[StockLot, Decimal]]:
    plan, left = [], quantity
    for lot in lots:
        if left <= 0:
            break
        take = min(lot.quantity_on_hand, left)
        if take > 0:
            plan.append((lot, take))
            left -= take
    return plan if left <= 0 else []


def _plan_issue(
    *, material: Material, quantity: Decimal, lots: list[StockLot], fixed_dye_lot: str | None
) -> list[tuple[StockLot, Decimal]]:
    """FIFO by receipt; fabric from one dye lot only: the oldest dye lot that covers it whole."""
    usable = [lot for lot in lots if lot.issuable and lot.quantity_on_hand > 0]
    usable.sort(key=lambda lot: (lot.received_at, lot.pk))
    if material.kind != MaterialKind.FABRIC:
        plan = _plan_fifo(usable, quantity)
    else:
        by_dye: dict[str, list[StockLot]] = defaultdict(list)
        for lot in usable:
            by_dye[lot.dye_lot].append(lot)
        candidates = [fixed_dye_lot] if fixed_dye_lot is not None else list(by_dye)
        plan = []
        for dye in candidates:  # dicts keep insertion order: oldest first receipt first
            plan = _plan_fifo(by_dye.get(dye, []), quantity)
            if plan:
                break
    if not plan:
        available = sum((lot.quantity_on_hand for lot in usable), ZERO)
        fields = {"material": material.code, "required": str(quantity), "available": str(available)}
        if material.kind == MaterialKind.FABRIC:
            if fixed_dye_lot is not None:
                message = _(
                    "Not enough %(material)s in dye lot %(dye)s (already used for this batch): "
                    "%(want)s needed."
                ) % {"material": material.code, "dye": fixed_dye_lot or "-", "want": quantity}
                fields["dye_lot"] = fixed_dye_lot
            else:
                message = _(
                    "No single dye lot of %(material)s holds %(want)s (dye lots are never mixed "
                    "in one batch); %(have)s on hand in all."
                ) % {"material": material.code, "want": quantity, "have": available}
        else:
            message = _("Not enough %(material)s: %(want)s needed, %(have)s on hand.") % {
                "material": material.code,
                "want": quantity,
                "have": available,
            }
        raise ApplicationError("insufficient_stock", message, fields=fields)
    return plan


def _check_open(work_order: WorkOrder) -> None:
    if (
        work_order.status != WorkOrder.Status.OPEN
        or work_order.mo.status != ManufacturingOrder.Status.RELEASED
    ):
        raise ApplicationError(
            "invalid_transition",
            _("%(spk)s is not open for material (MO %(mo)s is %(status)s).")
            % {
                "spk": work_order.number,
                "mo": work_order.mo.number,
                "status": work_order.mo.get_status_display(),
            },
        )


def _issue(
    *,
    work_order: WorkOrder,
    wanted: list[tuple[Material, Decimal]],
    user,
    batch: Batch | None,
    shortage: ShortageRequest | None = None,
) -> list[Issue]:
    """Lock the lots of the wanted materials (pk order), plan every material, then write."""
    material_ids = sorted({m.pk for m, _q in wanted})
    lots_by_material: dict[int, list[StockLot]] = defaultdict(list)
    for lot in (
        StockLot.objects.select_for_update(no_key=True)
        .filter(material_id__in=material_ids, quantity_on_hand__gt=0)
        .order_by("pk")
    ):
        lots_by_material[lot.material_id].append(lot)
    plans = []
    for material, quantity in wanted:
        fixed = None
        if material.kind == MaterialKind.FABRIC:
            fixed = _fixed_dye_lot(work_order=work_order, batch=batch, material=material)
        plans.append(
            _plan_issue(
                material=material,
                quantity=quantity,
                lots=lots_by_material[material.pk],
                fixed_dye_lot=fixed,
            )
        )
    issues = []
    moves = []
    for plan in plans:
        for lot, take in plan:
            lot.quantity_on_hand -= take
            lot.save(update_fields=["quantity_on_hand", "updated_at"])
            moves.append(
                StockMove(
                    lot=lot,
                    kind=StockMove.Kind.ISSUE,
                    quantity=-take,
                    work_order=work_order,
                    batch=batch,
                    shortage=shortage,
                    user=user,
                )
            )
            issues.append(Issue(lot.material.code, lot.lot_number, lot.dye_lot, take))
    StockMove.objects.bulk_create(moves)
    return issues


@transaction.atomic
def stock_issue(
    *,
    work_order: WorkOrder,
    user,
    material: Material | None = None,
    quantity: Decimal | None = None,
    batch: Batch | None = None,
) -> list[Issue]:
    """Issue material to an SPK: the whole remaining requirement, or ``quantity`` of one
    material. FIFO; fabric never mixes dye lots for one batch; all or nothing."""
    work_order = WorkOrder.objects.select_related("mo").get(pk=work_order.pk)
    _check_open(work_order)
    if batch is not None and batch.mo_id != work_order.mo_id:
        raise ApplicationError(
            "invalid",
            _("Batch %(batch)s is not of %(mo)s.")
            % {"batch": batch.number, "mo": work_order.mo.number},
            fields={"batch": [_("Not a batch of this SPK's MO.")]},
            status=400,
        )
    if batch is None and work_order.mo.batches.count() == 1:
        batch = work_order.mo.batches.get()
    requirements = list(work_order.requirements.select_related("material"))
    if material is None:
        wanted = []
        for req in requirements:
            left = remaining_requirement(work_order=work_order, material=req.material)
            if left > 0:
                wanted.append((req.material, left))
        if not wanted:
            raise ApplicationError(
                "exceeds_requirement",
                _("%(spk)s has received everything it requires; more needs a shortage request.")
                % {"spk": work_order.number},
            )
    else:
        left = remaining_requirement(work_order=work_order, material=material)
        if quantity > left:
            raise ApplicationError(
                "exceeds_requirement",
                _("%(spk)s still requires %(left)s %(uom)s of %(material)s; %(want)s asked. "
                  "Ask for more with a shortage request.")
                % {
                    "spk": work_order.number,
                    "left": left,
                    "uom": material.uom,
                    "material": material.code,
                    "want": quantity,
                },
                fields={"remaining": str(left)},
            )  # fmt: skip
        wanted = [(material, quantity)]
    return _issue(work_order=work_order, wanted=wanted, user=user, batch=batch)


@transaction.atomic
def shortage_request_create(
    *, work_order: WorkOrder, material: Material, quantity: Decimal, reason: str, user
) -> ShortageRequest:
    _check_open(WorkOrder.objects.select_related("mo").get(pk=work_order.pk))
    if not work_order.requirements.filter(material=material).exists():
        raise ApplicationError(
            "invalid",
            _("%(spk)s does not use %(material)s.")
            % {"spk": work_order.number, "material": material.code},
            fields={"material": [_("Not in this SPK's requirements.")]},
            status=400,
        )
    return ShortageRequest.objects.create(
        work_order=work_order,
        material=material,
        quantity=quantity,
        reason=reason,
        requested_by=user,
    )


@transaction.atomic
def shortage_request_decide(
    *, shortage: ShortageRequest, approve: bool, user, note: str = ""
) -> tuple[ShortageRequest, list[Issue]]:
    """PENDING → APPROVED (issues FIFO like any issue; refused stock leaves it PENDING) or
    REFUSED. Locks the request row."""
    shortage = ShortageRequest.objects.select_for_update(no_key=True).get(pk=shortage.pk)
    if shortage.status != ShortageRequest.Status.PENDING:
        raise ApplicationError(
            "invalid_transition",
            _("This shortage request is already %(status)s.")
            % {"status": shortage.get_status_display()},
        )
    issues: list[Issue] = []
    if approve:
        work_order = WorkOrder.objects.select_related("mo").get(pk=shortage.work_order_id)
        _check_open(work_order)
        batch = work_order.mo.batches.get() if work_order.mo.batches.count() == 1 else None
        issues = _issue(
            work_order=work_order,
            wanted=[(shortage.material, shortage.quantity)],
            user=user,
            batch=batch,
            shortage=shortage,
        )
    shortage.status = ShortageRequest.Status.APPROVED if approve else ShortageRequest.Status.REFUSED
    shortage.decided_by = user
    shortage.decided_at = timezone.now()
    shortage.decision_note = note
    shortage.save()
    return shortage, issues


@transaction.atomic
def stock_adjust(
    *, lot: StockLot, quantity: Decimal, reason: str, user, write_off=False
) -> StockMove:
    """Count correction (±) or write-off (−) with a reason; on-hand never goes below zero."""
    if not reason.strip():
        raise ApplicationError(
            "invalid", _("Give a reason."), fields={"reason": [_("Required.")]}, status=400
        )
    if quantity == 0:
        raise ApplicationError("invalid", _("A quantity other than zero."), status=400)
    lot = StockLot.objects.select_for_update(no_key=True).get(pk=lot.pk)
    if lot.quantity_on_hand + quantity < 0:
        raise ApplicationError(
            "insufficient_stock",
            _("Lot %(lot)s holds %(have)s; it cannot lose %(want)s.")
            % {"lot": lot.lot_number, "have": lot.quantity_on_hand, "want": -quantity},
        )
    lot.quantity_on_hand += quantity
    lot.save(update_fields=["quantity_on_hand", "updated_at"])
    return StockMove.objects.create(
        lot=lot,
        kind=StockMove.Kind.WRITE_OFF if write_off else StockMove.Kind.ADJUSTMENT,
        quantity=quantity,
        reason=reason,
        user=user,
    )
