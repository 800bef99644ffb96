"""Warehouse reads for the office pages. Every list here costs a fixed number of queries,
whatever the number of lots, moves or SPKs (aggregates and prefetches, never a query per row)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ppic.models import ManufacturingOrder, Material, MaterialRequirement, WorkOrder

from .models import ShortageRequest, StockLot, StockMove

ZERO = Decimal("0")
THOUSANDTH = Decimal("0.001")
_DECIMAL = DecimalField(max_digits=14, decimal_places=3)
# The moves that count against an SPK's requirement (services.issued_for): issues and returns,
# shortage issues excluded.
_REQUIREMENT_MOVES = Q(
    kind__in=[StockMove.Kind.ISSUE, StockMove.Kind.RETURN], shortage__isnull=True
)
_ISSUABLE = ~Q(inspection=StockLot.Inspection.FAILED)


# --- stock by material -------------------------------------------------------------------------
def material_stock_list(
    *, kind: str = "", search: str = "", only_on_hand: bool = False
) -> QuerySet[Material]:
    """Materials with ``on_hand`` / ``issuable`` totals and ``lot_rows`` (their lots, oldest
    receipt first; only lots with stock when ``only_on_hand``). Two queries per page."""
    lots = StockLot.objects.order_by("received_at", "id")
    if only_on_hand:
        lots = lots.filter(quantity_on_hand__gt=0)
    qs = Material.objects.annotate(
        on_hand=Coalesce(Sum("lots__quantity_on_hand"), Value(ZERO), output_field=_DECIMAL),
        issuable=Coalesce(
            Sum("lots__quantity_on_hand", filter=Q(lots__inspection__in=_issuable_values())),
            Value(ZERO),
            output_field=_DECIMAL,
        ),
        lot_count=Count("lots"),
    ).prefetch_related(Prefetch("lots", queryset=lots, to_attr="lot_rows"))
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        # lots matched by a subquery: a join here would multiply the sums above
        matching_lots = StockLot.objects.filter(
            Q(lot_number__icontains=search) | Q(dye_lot__icontains=search)
        ).values("material_id")
        qs = qs.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(pk__in=matching_lots)
        )
    if only_on_hand:
        qs = qs.filter(on_hand__gt=0)
    return qs.order_by("code")


def _qty(value) -> Decimal:
    """An aggregate as a 3-decimal quantity (SQLite returns sums without their scale)."""
    return Decimal(value or 0).quantize(THOUSANDTH)


def _issuable_values() -> list[str]:
    return [v for v in StockLot.Inspection.values if v != StockLot.Inspection.FAILED]


def lot_get(*, pk: int) -> StockLot:
    return StockLot.objects.select_related("material", "received_by").get(pk=pk)


def lot_move_list(*, lot: StockLot, limit: int = 100) -> list[StockMove]:
    return list(
        StockMove.objects.filter(lot=lot)
        .select_related("work_order", "batch", "user")
        .order_by("-id")[:limit]
    )


def recent_receipt_list(*, limit: int = 20) -> list[StockLot]:
    return list(
        StockLot.objects.select_related("material", "received_by").order_by("-created_at", "-id")[
            :limit
        ]
    )


def issuable_on_hand(*, material_ids) -> dict[int, Decimal]:
    """Issuable (not failed) stock on hand per material id, one query."""
    rows = (
        StockLot.objects.filter(_ISSUABLE, material_id__in=list(material_ids))
        .values("material_id")
        .annotate(s=Sum("quantity_on_hand"))
        .order_by()
    )
    return {r["material_id"]: _qty(r["s"]) for r in rows}


# --- requirements of SPKs ---------------------------------------------------------------------
def open_work_order_filter() -> Q:
    """SPKs material may be issued to: open, of a released MO."""
    return Q(status=WorkOrder.Status.OPEN, mo__status=ManufacturingOrder.Status.RELEASED)


def issued_per_requirement(*, work_order_ids) -> dict[tuple[int, int], Decimal]:
    """Net quantity issued against the requirement per (SPK id, material id), one query.
    Same rule as ``services.issued_for``."""
    rows = (
        StockMove.objects.filter(_REQUIREMENT_MOVES, work_order_id__in=list(work_order_ids))
        .values("work_order_id", "lot__material_id")
        .annotate(s=Sum("quantity"))
        .order_by()
    )
    return {(r["work_order_id"], r["lot__material_id"]): -_qty(r["s"]) for r in rows}


def shortage_issued_per_material(*, work_order_ids) -> dict[tuple[int, int], Decimal]:
    """Quantity issued through approved shortage requests per (SPK id, material id)."""
    rows = (
        StockMove.objects.filter(
            work_order_id__in=list(work_order_ids),
            kind=StockMove.Kind.ISSUE,
            shortage__isnull=False,
        )
        .values("work_order_id", "lot__material_id")
        .annotate(s=Sum("quantity"))
        .order_by()
    )
    return {(r["work_order_id"], r["lot__material_id"]): -_qty(r["s"]) for r in rows}


@dataclass
class RequirementRow:
    material: Material
    required: Decimal
    issued: Decimal
    extra: Decimal = ZERO  # issued on approved shortage requests, beyond the requirement
    on_hand: Decimal | None = None  # issuable stock of the material (SPK page only)

    @property
    def remaining(self) -> Decimal:
        return max(self.required - self.issued, ZERO)

    @property
    def complete(self) -> bool:
        return self.remaining == 0


def _requirements_prefetch() -> Prefetch:
    return Prefetch(
        "requirements",
        queryset=MaterialRequirement.objects.select_related("material").order_by("material__code"),
    )


def work_order_requirement_list(*, department: str = "", search: str = "") -> QuerySet[WorkOrder]:
    """Open SPKs of released MOs that require material, by MO due date; ``search`` matches the
    SPK, MO or article number, or a material code exactly. Attach the figures of a page with
    ``attach_requirement_rows``."""
    qs = (
        WorkOrder.objects.filter(
            open_work_order_filter(),
            Exists(MaterialRequirement.objects.filter(work_order=OuterRef("pk"))),
        )
        .select_related("mo", "mo__article", "mo__destination", "department")
        .prefetch_related(_requirements_prefetch())
        .order_by("mo__due_date", "mo_id", "step")
    )
    if department:
        qs = qs.filter(department__code=department)
    if search:
        uses_material = MaterialRequirement.objects.filter(
            work_order=OuterRef("pk"), material__code__iexact=search
        )
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(mo__number__icontains=search)
            | Q(mo__article__code__icontains=search)
            | Exists(uses_material)
        )
    return qs


def attach_requirement_rows(work_orders, *, with_stock: bool = False) -> None:
    """Set ``wo.requirement_rows`` (required / issued / remaining per material) on each SPK.
    Two queries for any number of SPKs (three ``with_stock``); requirements must be prefetched."""
    work_orders = list(work_orders)
    ids = [wo.pk for wo in work_orders]
    issued = issued_per_requirement(work_order_ids=ids)
    extra = shortage_issued_per_material(work_order_ids=ids)
    stock = {}
    if with_stock:
        stock = issuable_on_hand(
            material_ids={req.material_id for wo in work_orders for req in wo.requirements.all()}
        )
    for wo in work_orders:
        wo.requirement_rows = [
            RequirementRow(
                material=req.material,
                required=req.quantity,
                issued=issued.get((wo.pk, req.material_id), ZERO),
                extra=extra.get((wo.pk, req.material_id), ZERO),
                on_hand=stock.get(req.material_id, ZERO) if with_stock else None,
            )
            for req in wo.requirements.all()
        ]
        wo.waiting = any(not row.complete for row in wo.requirement_rows)


def work_order_for_issue_get(*, number: str) -> WorkOrder:
    wo = (
        WorkOrder.objects.select_related("mo", "mo__article", "mo__destination", "department")
        .prefetch_related(_requirements_prefetch(), "mo__batches")
        .get(number=number)
    )
    attach_requirement_rows([wo], with_stock=True)
    return wo


def work_order_issue_moves(*, work_order: WorkOrder) -> list[StockMove]:
    """Every issue and return of the SPK, newest first: which lot (FIFO) and dye lot.
    ``issued`` is the quantity the SPK got (negative for a return)."""
    moves = list(
        StockMove.objects.filter(
            work_order=work_order, kind__in=[StockMove.Kind.ISSUE, StockMove.Kind.RETURN]
        )
        .select_related("lot", "lot__material", "batch", "user")
        .order_by("-id")
    )
    for move in moves:
        move.issued = -move.quantity
    return moves


# --- shortage requests ------------------------------------------------------------------------
def shortage_request_list(*, status: str | None = None) -> QuerySet[ShortageRequest]:
    qs = ShortageRequest.objects.select_related(
        "work_order", "work_order__mo", "material", "requested_by", "decided_by"
    )
    if status == ShortageRequest.Status.PENDING:
        return qs.filter(status=status).order_by("created_at", "id")  # oldest waits longest
    if status == "decided":
        return qs.exclude(status=ShortageRequest.Status.PENDING).order_by("-decided_at", "-id")
    return qs


def shortage_pending_count() -> int:
    return ShortageRequest.objects.filter(status=ShortageRequest.Status.PENDING).count()


# --- stock ledger -----------------------------------------------------------------------------
def stock_move_list(
    *,
    material: Material | None = None,
    kind: str = "",
    work_order: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[StockMove]:
    """The ledger, newest first; dates are whole local days, both ends included."""
    qs = StockMove.objects.select_related(
        "lot", "lot__material", "work_order", "batch", "user"
    ).order_by("-id")
    if material is not None:
        qs = qs.filter(lot__material=material)
    if kind:
        qs = qs.filter(kind=kind)
    if work_order:
        qs = qs.filter(work_order__number=work_order)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs


@dataclass
class KeysetPage:
    rows: list = field(default_factory=list)
    newer: int | None = None  # link ?after=<newer> shows the page of newer rows
    older: int | None = None  # link ?before=<older> shows the page of older rows
    at_newest: bool = True


def keyset_page(
    qs: QuerySet, *, before: int | None = None, after: int | None = None, size: int = 50
) -> KeysetPage:
    """One page of ``qs`` newest first, by ``id`` (no OFFSET): ``before`` gives the rows older
    than that id, ``after`` the rows newer. At most two queries."""
    if after is not None:
        rows = list(qs.filter(id__gt=after).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        page = KeysetPage(rows=rows, at_newest=not more_newer)
        if more_newer:
            page.newer = rows[0].id
        if rows and qs.filter(id__lt=rows[-1].id).exists():
            page.older = rows[-1].id
        return page
    base = qs.order_by("-id")
    if before is not None:
        base = base.filter(id__lt=before)
    rows = list(base[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    page = KeysetPage(rows=rows, at_newest=before is None)
    if more_older:
        page.older = rows[-1].id
    if before is not None and rows and qs.filter(id__gt=rows[0].id).exists():
        page.newer = rows[0].id
    return page


# --- low stock --------------------------------------------------------------------------------
@dataclass
class LowStockRow:
    material: Material
    required: Decimal  # remaining requirement of open SPKs of released MOs
    work_orders: int  # how many of those SPKs still need it
    on_hand: Decimal  # issuable (not failed) stock
    blocked: Decimal  # stock in failed rolls, never issued

    @property
    def shortfall(self) -> Decimal:
        return max(self.required - self.on_hand, ZERO)


def low_stock_list(*, only_short: bool = False) -> list[LowStockRow]:
    """Per material: Σ over open SPKs of released MOs of max(requirement − net issued, 0),
    against issuable stock on hand. Four queries (requirements, issued, stock, materials),
    whatever the number of SPKs or lots. Largest shortfall first."""
    requirements = MaterialRequirement.objects.filter(
        work_order__status=WorkOrder.Status.OPEN,
        work_order__mo__status=ManufacturingOrder.Status.RELEASED,
    ).values_list("work_order_id", "material_id", "quantity")
    issued = {
        (r["work_order_id"], r["lot__material_id"]): -_qty(r["s"])
        for r in StockMove.objects.filter(
            _REQUIREMENT_MOVES,
            work_order__status=WorkOrder.Status.OPEN,
            work_order__mo__status=ManufacturingOrder.Status.RELEASED,
        )
        .values("work_order_id", "lot__material_id")
        .annotate(s=Sum("quantity"))
        .order_by()
    }
    required: dict[int, Decimal] = defaultdict(lambda: ZERO)
    spks: dict[int, int] = defaultdict(int)
    for wo_id, material_id, quantity in requirements:
        left = max(quantity - issued.get((wo_id, material_id), ZERO), ZERO)
        if left > 0:
            required[material_id] += left
            spks[material_id] += 1
    if not required:
        return []
    stock = {
        r["material_id"]: r
        for r in StockLot.objects.filter(material_id__in=list(required), quantity_on_hand__gt=0)
        .values("material_id")
        .annotate(
            issuable=Sum("quantity_on_hand", filter=_ISSUABLE),
            blocked=Sum("quantity_on_hand", filter=~_ISSUABLE),
        )
        .order_by()
    }
    materials = Material.objects.in_bulk(list(required))
    rows = [
        LowStockRow(
            material=materials[material_id],
            required=quantity,
            work_orders=spks[material_id],
            on_hand=_qty(stock.get(material_id, {}).get("issuable")),
            blocked=_qty(stock.get(material_id, {}).get("blocked")),
        )
        for material_id, quantity in required.items()
    ]
    if only_short:
        rows = [row for row in rows if row.shortfall > 0]
    rows.sort(key=lambda row: (-row.shortfall, row.material.code))
    return rows
