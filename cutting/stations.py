"""Cutting's "Record work" tab on the station: the open cutting SPKs with their batches (what is
left to cut), a lay per batch (pieces, plies, lots issued to the SPK) and a shortage request to
the warehouse. Each form calls one service; the station re-renders with the sentence."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Sum
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _

from erp.common.factory_settings import get_setting
from ppic.models import Batch, ManufacturingOrder, Material, MaterialRequirement, WorkOrder
from transfers.models import WipBalance
from transfers.stations import BadInput, record_action, station_line, whole_number
from warehouse.models import StockLot, StockMove
from warehouse.services import shortage_request_create

from .services import cut_output_record

MAX_SPKS = 30  # the page shows the most urgent open SPKs; the office list has the rest


def open_cutting_spks():
    return (
        WorkOrder.objects.filter(
            department__code="CUTTING",
            status=WorkOrder.Status.OPEN,
            mo__status=ManufacturingOrder.Status.RELEASED,
        )
        .select_related("mo__article", "mo__destination")
        .order_by("mo__due_date", "number")
    )


def record_context(request, context) -> dict:
    """Open cutting SPKs → batches with what is left to cut, issued lots and requirements.
    A fixed number of queries, whatever the number of SPKs and batches."""
    spks = list(open_cutting_spks()[:MAX_SPKS])
    mo_ids = [wo.mo_id for wo in spks]
    batches: dict[int, list] = {}
    for b in Batch.objects.filter(mo_id__in=mo_ids).order_by("mo_id", "sequence"):
        batches.setdefault(b.mo_id, []).append(b)
    cut = dict(
        WipBalance.objects.filter(batch__mo_id__in=mo_ids)
        .values("batch_id")
        .annotate(q=Sum("quantity"))
        .order_by()
        .values_list("batch_id", "q")
    )
    lots: dict[int, dict] = {}
    for move in (
        StockMove.objects.filter(work_order__in=spks, kind=StockMove.Kind.ISSUE)
        .select_related("lot__material")
        .order_by("lot__received_at", "lot_id")
    ):
        lots.setdefault(move.work_order_id, {})[move.lot_id] = move.lot
    materials: dict[int, list] = {}
    for req in (
        MaterialRequirement.objects.filter(work_order__in=spks)
        .select_related("material")
        .order_by("material__code")
    ):
        materials.setdefault(req.work_order_id, []).append(req.material)
    rows = []
    for wo in spks:
        spk_batches = []
        for b in batches.get(wo.mo_id, []):
            done = cut.get(b.pk) or 0
            spk_batches.append({"obj": b, "cut": done, "remaining": max(b.quantity - done, 0)})
        rows.append(
            {
                "spk": wo,
                "batches": spk_batches,
                "lots": list(lots.get(wo.pk, {}).values()),
                "materials": materials.get(wo.pk, []),
                "remaining": sum(b["remaining"] for b in spk_batches),
            }
        )
    return {"cutting_spks": rows, "max_plies": int(get_setting("max_plies_plush"))}


def _bundle_tickets_link(record) -> str | None:
    """The bundle tickets of this lay, when that page exists (added separately)."""
    for kwargs in ({"cut_record_id": record.pk}, {"pk": record.pk}, {}):
        try:
            return reverse("cutting:bundle_tickets", kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    for args in ([record.pk], [record.batch.number]):
        try:
            return reverse("cutting:bundle_tickets", args=args)
        except NoReverseMatch:
            continue
    return None


def record_lay(request, area):
    batch = Batch.objects.select_related("mo").filter(number=request.POST.get("batch", "")).first()
    if batch is None:
        raise BadInput(_("Choose the batch to record the lay for."))
    quantity = whole_number(request, "quantity", label=_("the pieces cut"), minimum=1)
    plies = whole_number(request, "plies", label=_("the plies"), minimum=1, default=0) or None
    reject = whole_number(request, "reject", label=_("the reject pieces"), minimum=0, default=0)
    lot_ids = []
    for raw in request.POST.getlist("lots"):
        try:
            lot_ids.append(int(raw))
        except (TypeError, ValueError):
            raise BadInput(_("Choose the lots from the list.")) from None
    lots = list(StockLot.objects.select_related("material").filter(pk__in=lot_ids))
    if len(lots) != len(set(lot_ids)):
        raise BadInput(_("Choose the lots from the list."))
    record = cut_output_record(
        batch=batch, quantity=quantity, user=request.user, plies=plies, lots=lots,
        line=station_line(request, area), reject=reject,
    )  # fmt: skip
    done = (
        WipBalance.objects.filter(batch=batch).aggregate(q=Sum("quantity"))["q"] or 0
    )  # what has left the input bucket
    text = _("Lay recorded: %(q)d pcs of %(batch)s cut. %(left)d pcs left to cut.") % {
        "q": record.quantity,
        "batch": batch.number,
        "left": max(batch.quantity - done, 0),
    }
    result = {"level": "success", "text": text}
    link = _bundle_tickets_link(record)
    if link:
        result.update(link=link, link_label=_("Print bundle tickets"))
    return result


def request_shortage(request, area):
    spk = (
        WorkOrder.objects.select_related("mo")
        .filter(department__code=area.department, pk=_pk(request.POST.get("spk")))
        .first()
    )
    if spk is None:
        raise BadInput(_("Choose the SPK."))
    material = Material.objects.filter(pk=_pk(request.POST.get("material"))).first()
    if material is None:
        raise BadInput(_("Choose the material that is short."))
    try:
        quantity = Decimal(str(request.POST.get("quantity", "")).strip().replace(",", "."))
    except InvalidOperation:
        quantity = None
    if quantity is None or not quantity.is_finite() or quantity <= 0:
        raise BadInput(_("Type the quantity needed as a number above 0."))
    if quantity != quantity.quantize(Decimal("0.001")) or quantity >= Decimal("1e11"):
        raise BadInput(_("Type the quantity needed with at most 3 decimals."))
    reason = request.POST.get("reason", "").strip()
    if not reason:
        raise BadInput(_("Say why more material is needed."))
    shortage = shortage_request_create(
        work_order=spk, material=material, quantity=quantity, reason=reason[:300],
        user=request.user,
    )  # fmt: skip
    text = _(
        "Shortage request sent to the warehouse: %(q)s %(unit)s of %(material)s for %(spk)s."
    ) % {
        "q": format(Decimal(shortage.quantity).normalize(), "f"),
        "unit": material.uom,
        "material": material.code,
        "spk": spk.number,
    }
    return {"level": "success", "text": text}


def _pk(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def record_urlpatterns() -> list:
    return [
        path("record/lay/", record_action("cutting", record_lay), name="record_lay"),
        path("record/shortage/", record_action("cutting", request_shortage), name="shortage"),
    ]
