"""Warehouse office pages (Gudang): stock by material, receipts, issue to SPKs, shortage
requests, the stock ledger, low stock, lot adjustments.

Readers: the roles of the ``warehouse`` area (warehouse, manager, ppic). Writers: warehouse and
manager; anyone else gets 403 on POST, before the input is looked at. Every state-changing form
carries a hidden ``idempotency_key`` and its view is wrapped in ``form_idempotent``, so a double
submit records once; a view parses the form, calls one service and redirects, or shows the
service's refusal in a red box with its 4xx status (never a 500)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import user_has_role
from erp.common.errors import ApplicationError
from erp.common.exports import export_response
from erp.common.idempotency import form_idempotent
from erp.common.permissions import area_required
from ppic.models import KIND_DEPARTMENT, ManufacturingOrder, WorkOrder
from transfers.reference import DEPARTMENT_CODES, DEPARTMENT_LABELS

from . import selectors, services
from .forms import (
    AdjustForm,
    IssueForm,
    LedgerFilterForm,
    LowStockFilterForm,
    ReceiptForm,
    ShortageDecisionForm,
    StockFilterForm,
    WorkOrderFilterForm,
)
from .models import ShortageRequest, StockLot

AREA = "warehouse"
WRITERS = ("warehouse", "manager")
LIST_PAGE_SIZE = 25
LEDGER_PAGE_SIZE = 50


# --- helpers ----------------------------------------------------------------------------------
def may_write(user) -> bool:
    return user_has_role(user, *WRITERS)


def _require_writer(request) -> None:
    if not may_write(request.user):
        raise PermissionDenied(_("Your role may read the warehouse pages but not change stock."))


def _page(request, template: str, context: dict, *, tab: str, status: int = 200):
    context = {
        "tab": tab,
        "may_write": may_write(request.user),
        "pending_shortages": selectors.shortage_pending_count(),
        **context,
    }
    partial = context.get("partial")
    if partial and request.htmx and not request.htmx.history_restore_request:
        template = f"{template}#{partial}"  # a filter changed: only the results
    response = render(request, template, context, status=status)
    if partial:
        patch_vary_headers(response, ("HX-Request",))
    return response


def _refused(form, error: ApplicationError) -> None:
    """Show the field details of a refusal on the form. (A refusal is not recorded by
    ``form_idempotent``, so the corrected form may be sent again with the same key.)"""
    for name, problems in (error.fields or {}).items():
        if name in form.fields and isinstance(problems, list):
            form.add_error(name, problems)


def _qty(value, uom: str) -> str:
    """A quantity with its unit, in the reader's number format (26,000 m in Indonesian)."""
    return f"{number_format(value, 3)} {uom}"


def _issues_sentence(issues, uoms: dict[str, str]) -> str:
    parts = []
    for i in issues:
        values = {
            "material": i.material,
            "qty": _qty(i.quantity, uoms.get(i.material, "")),
            "lot": i.lot_number,
            "dye": i.dye_lot,
        }
        if i.dye_lot:
            parts.append(_("%(qty)s %(material)s from lot %(lot)s (dye lot %(dye)s)") % values)
        else:
            parts.append(_("%(qty)s %(material)s from lot %(lot)s") % values)
    return "; ".join(parts)


# --- 1. stock by material (the landing page, ``warehouse:home``) -------------------------------
@area_required(AREA)
def home(request):
    """Each material with its on-hand total and its lots, oldest receipt first."""
    data = request.GET.copy()
    if "f" not in data:  # first visit: only what is on hand
        data["on_hand"] = "on"
    form = StockFilterForm(data)
    form.is_valid()
    filters = form.cleaned_data
    materials = selectors.material_stock_list(
        kind=filters.get("kind") or "",
        search=(filters.get("q") or "").strip(),
        only_on_hand=bool(filters.get("on_hand")),
    )
    page_obj = Paginator(materials, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page_obj, "partial": "results"}
    return _page(request, "warehouse/stock.html", context, tab="stock")


# --- 2. receipts --------------------------------------------------------------------------------
@area_required(AREA)
@require_http_methods(["GET", "POST"])
@form_idempotent
def receipts(request):
    form = ReceiptForm()
    error = None
    status = 200
    if request.method == "POST":
        _require_writer(request)
        form = ReceiptForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lot = services.stock_receive(
                    material=data["material"],
                    lot_number=data["lot_number"].strip(),
                    dye_lot=data["dye_lot"].strip(),
                    quantity=data["quantity"],
                    received_at=data["received_at"],
                    inspection_points=data["inspection_points"],
                    user=request.user,
                )
            except ApplicationError as exc:
                error, status = exc, exc.status
                _refused(form, exc)
            else:
                messages.success(request, _receipt_sentence(lot))
                return redirect("warehouse:receipts")
        else:
            status = 400
    chosen = getattr(form, "cleaned_data", {}).get("material")
    context = {
        "form": form,
        "error": error,
        "unit": chosen.uom if chosen else "",
        "lots": selectors.recent_receipt_list(),
    }
    return _page(request, "warehouse/receipts.html", context, tab="receipts", status=status)


def _receipt_sentence(lot: StockLot) -> str:
    values = {
        "lot": lot.lot_number,
        "material": lot.material.code,
        "qty": _qty(lot.quantity_received, lot.material.uom),
    }
    if lot.inspection == StockLot.Inspection.FAILED:
        return (
            _(
                "Received lot %(lot)s of %(material)s: %(qty)s. 4-point inspection FAILED: the "
                "roll is kept apart and never issued."
            )
            % values
        )
    if lot.inspection == StockLot.Inspection.PASSED:
        return _("Received lot %(lot)s of %(material)s: %(qty)s, 4-point inspection passed.") % (
            values
        )
    return _("Received lot %(lot)s of %(material)s: %(qty)s.") % values


# --- 3. issue to SPKs ---------------------------------------------------------------------------
def _department_choices():
    codes = {"CUTTING", *KIND_DEPARTMENT.values()}
    return [(code, DEPARTMENT_LABELS[code]) for code in DEPARTMENT_CODES if code in codes]


@area_required(AREA)
def issue_list(request):
    """Open SPKs of released MOs with what they require, have received, still need."""
    form = WorkOrderFilterForm(request.GET, departments=_department_choices())
    form.is_valid()
    filters = form.cleaned_data
    work_orders = selectors.work_order_requirement_list(
        department=filters.get("department") or "", search=(filters.get("q") or "").strip()
    )
    page_obj = Paginator(work_orders, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_requirement_rows(page_obj.object_list)
    context = {"form": form, "page_obj": page_obj, "partial": "results"}
    return _page(request, "warehouse/issue_list.html", context, tab="issue")


def _open_for_issue(work_order: WorkOrder) -> bool:
    return (
        work_order.status == WorkOrder.Status.OPEN
        and work_order.mo.status == ManufacturingOrder.Status.RELEASED
    )


@area_required(AREA)
@require_http_methods(["GET", "POST"])
@form_idempotent
def issue(request, number: str):
    """One SPK: its requirements, the issue forms, the lots issued to it (FIFO, dye lot)."""
    if request.method == "POST":
        _require_writer(request)
    try:
        work_order = selectors.work_order_for_issue_get(number=number)
    except WorkOrder.DoesNotExist:
        raise Http404(_("No SPK %(number)s.") % {"number": number}) from None
    all_form = IssueForm(work_order=work_order, initial={"action": IssueForm.ALL}, auto_id="all_%s")
    one_form = IssueForm(work_order=work_order, initial={"action": IssueForm.ONE}, auto_id="one_%s")
    error = None
    status = 200
    if request.method == "POST":
        one = request.POST.get("action") == IssueForm.ONE
        form = IssueForm(request.POST, work_order=work_order, auto_id="one_%s" if one else "all_%s")
        if one:
            one_form = form
        else:
            all_form = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                issues = services.stock_issue(
                    work_order=work_order,
                    user=request.user,
                    material=data["material"],
                    quantity=data["quantity"],
                    batch=data["batch"],
                )
            except ApplicationError as exc:
                error, status = exc, exc.status
                _refused(form, exc)
            else:
                uoms = {row.material.code: row.material.uom for row in work_order.requirement_rows}
                messages.success(
                    request,
                    _("Issued to %(spk)s: %(issues)s.")
                    % {"spk": work_order.number, "issues": _issues_sentence(issues, uoms)},
                )
                return redirect("warehouse:issue", work_order.number)
        else:
            status = 400
    context = {
        "work_order": work_order,
        "open_for_issue": _open_for_issue(work_order),
        "all_form": all_form,
        "one_form": one_form,
        "error": error,
        "moves": selectors.work_order_issue_moves(work_order=work_order),
        "batches": list(work_order.mo.batches.all()),
    }
    return _page(request, "warehouse/issue.html", context, tab="issue", status=status)


# --- 4. shortage requests -----------------------------------------------------------------------
def _shortage_page(request, *, error=None, error_pk=None, bound_form=None, status=200):
    pending = list(selectors.shortage_request_list(status=ShortageRequest.Status.PENDING))
    stock = selectors.issuable_on_hand(material_ids={s.material_id for s in pending})
    for shortage in pending:
        shortage.on_hand = stock.get(shortage.material_id, 0)
        decision = None
        if bound_form is not None and shortage.pk == error_pk:
            decision = bound_form.data.get("decision")
        shortage.approve_form = (
            bound_form
            if decision == ShortageDecisionForm.APPROVE
            else ShortageDecisionForm(
                initial={"decision": ShortageDecisionForm.APPROVE}, auto_id=False
            )
        )
        shortage.refuse_form = (
            bound_form
            if decision == ShortageDecisionForm.REFUSE
            else ShortageDecisionForm(
                initial={"decision": ShortageDecisionForm.REFUSE}, auto_id=False
            )
        )
    decided = Paginator(selectors.shortage_request_list(status="decided"), LIST_PAGE_SIZE)
    context = {
        "pending": pending,
        "page_obj": decided.get_page(request.GET.get("page")),
        "error": error,
        "error_pk": error_pk,
    }
    return _page(request, "warehouse/shortages.html", context, tab="shortages", status=status)


@area_required(AREA)
def shortages(request):
    """Pending requests first (oldest first) with approve / refuse; decided ones below."""
    return _shortage_page(request)


@area_required(AREA)
@require_POST
@form_idempotent
def shortage_decide(request, pk: int):
    _require_writer(request)
    shortage = get_object_or_404(ShortageRequest.objects.select_related("material"), pk=pk)
    form = ShortageDecisionForm(request.POST, auto_id=False)
    if not form.is_valid():
        return _shortage_page(request, error_pk=shortage.pk, bound_form=form, status=400)
    data = form.cleaned_data
    approve = data["decision"] == ShortageDecisionForm.APPROVE
    try:
        decided, issues = services.shortage_request_decide(
            shortage=shortage, approve=approve, user=request.user, note=data["note"].strip()
        )
    except ApplicationError as exc:
        _refused(form, exc)
        return _shortage_page(
            request, error=exc, error_pk=shortage.pk, bound_form=form, status=exc.status
        )
    values = {
        "spk": decided.work_order.number,
        "material": decided.material.code,
        "qty": _qty(decided.quantity, decided.material.uom),
    }
    if approve:
        values["issues"] = _issues_sentence(issues, {decided.material.code: decided.material.uom})
        messages.success(
            request,
            _("Approved: %(qty)s of %(material)s for %(spk)s. Issued: %(issues)s.") % values,
        )
    else:
        messages.warning(request, _("Refused: %(qty)s of %(material)s for %(spk)s.") % values)
    return redirect("warehouse:shortages")


# --- 5. stock ledger ----------------------------------------------------------------------------
LEDGER_HEADERS = [
    "id", "at", "kind", "material", "lot_number", "dye_lot", "quantity", "uom", "work_order",
    "batch", "shortage", "reason", "user",
]  # fmt: skip


def _ledger_row(move) -> list:
    return [
        move.id,
        move.at,
        move.kind,
        move.lot.material.code,
        move.lot.lot_number,
        move.lot.dye_lot,
        move.quantity,
        move.lot.material.uom,
        move.work_order.number if move.work_order_id else "",
        move.batch.number if move.batch_id else "",
        move.shortage_id or "",
        move.reason,
        move.user.username,
    ]


@area_required(AREA)
def ledger(request):
    """Every stock move, newest first, filtered; keyset pages (``?before=`` / ``?after=``
    an id, never OFFSET); ``?export=csv|xlsx`` gives exactly the filtered rows."""
    form = LedgerFilterForm(request.GET)
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {}
    moves = selectors.stock_move_list(
        material=filters.get("material"),
        kind=filters.get("kind") or "",
        work_order=(filters.get("work_order") or "").strip(),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    export = request.GET.get("export")
    if export:
        if export not in ("csv", "xlsx") or not valid:
            return HttpResponseBadRequest(_("Correct the filters before exporting."))
        return export_response(
            fmt=export,
            filename="stock-ledger",
            headers=LEDGER_HEADERS,
            rows=moves.iterator(chunk_size=2000),
            row=_ledger_row,
        )
    page = selectors.keyset_page(
        moves,
        before=filters.get("before"),
        after=filters.get("after"),
        size=LEDGER_PAGE_SIZE,
    )
    query = request.GET.copy()
    for key in ("before", "after", "export", "page"):
        query.pop(key, None)
    context = {
        "form": form,
        "page": page,
        "count": moves.count(),
        "query": query.urlencode(),
        "partial": "results",
    }
    return _page(
        request, "warehouse/ledger.html", context, tab="ledger", status=200 if valid else 400
    )


# --- 6. low stock -------------------------------------------------------------------------------
@area_required(AREA)
def low_stock(request):
    """What released MOs' open SPKs still require, against issuable stock on hand."""
    form = LowStockFilterForm(request.GET)
    form.is_valid()
    rows = selectors.low_stock_list(only_short=bool(form.cleaned_data.get("short")))
    context = {"form": form, "rows": rows, "short_count": sum(1 for r in rows if r.shortfall > 0)}
    return _page(request, "warehouse/low_stock.html", context, tab="low_stock")


# --- 7. a lot: its history and adjustment / write-off -------------------------------------------
@area_required(AREA)
@require_http_methods(["GET", "POST"])
@form_idempotent
def lot(request, pk: int):
    if request.method == "POST":
        _require_writer(request)
    try:
        stock_lot = selectors.lot_get(pk=pk)
    except StockLot.DoesNotExist:
        raise Http404 from None
    form = AdjustForm(lot=stock_lot)
    error = None
    status = 200
    if request.method == "POST":
        form = AdjustForm(request.POST, lot=stock_lot)
        if form.is_valid():
            data = form.cleaned_data
            try:
                move = services.stock_adjust(
                    lot=stock_lot,
                    quantity=form.signed_quantity,
                    reason=data["reason"].strip(),
                    user=request.user,
                    write_off=data["kind"] == "write_off",
                )
            except ApplicationError as exc:
                error, status = exc, exc.status
                _refused(form, exc)
            else:
                messages.success(
                    request,
                    _("%(kind)s recorded on lot %(lot)s: %(qty)s.")
                    % {
                        "kind": move.get_kind_display(),
                        "lot": stock_lot.lot_number,
                        "qty": _qty(move.quantity, stock_lot.material.uom),
                    },
                )
                return redirect("warehouse:lot", stock_lot.pk)
        else:
            status = 400
    context = {
        "lot": stock_lot,
        "moves": selectors.lot_move_list(lot=stock_lot),
        "form": form,
        "error": error,
    }
    return _page(request, "warehouse/lot.html", context, tab="stock", status=status)
