"""Warehouse shipment pages (Gudang FG): the FG cartons in the warehouse by destination, ticked
into a new shipment (``shipment_create``); the shipments list with filters and CSV/XLSX export;
a shipment's detail with its cartons, the tracking form (``shipment_track``) and the event
history; and the printable shipment document (A4).

Readers: the roles of the ``warehouse`` area (warehouse, manager, ppic). Writers: warehouse and
manager (403 for anyone else before the form is looked at; the services check again). Every
POST carries ``{% idempotency_field %}`` and is wrapped in ``form_idempotent``; a form that
cannot be read is 400 with a sentence, a refusal of the service shows its sentence with its
status, and nothing changes."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from erp.common.errors import ApplicationError
from erp.common.exports import export_response
from erp.common.idempotency import form_idempotent
from erp.common.permissions import area_required
from packing.models import Carton
from ppic.models import Destination

from .models import Shipment
from .shipping import TRACKING_ORDER, shipment_create, shipment_track
from .views import _page, _require_writer

AREA = "warehouse"
PAGE_SIZE = 25

STATUS_CSS = {
    Shipment.Status.SHIPPED: "secondary",
    Shipment.Status.IN_TRANSIT: "primary",
    Shipment.Status.ARRIVED: "info",
    Shipment.Status.DELIVERED: "success",
}


def _badge(status: str) -> dict:
    return {"code": status, "css": STATUS_CSS[status], "word": Shipment.Status(status).label}


class _Refusal(Exception):
    """A form that cannot be read: 400 with this sentence."""


# --- FG cartons → a new shipment --------------------------------------------------------------
def fg_carton_groups() -> list[dict]:
    """Cartons in the FG warehouse (IN_FG) by destination, each group with its totals. One
    query whatever the cartons."""
    groups: OrderedDict = OrderedDict()
    for c in (
        Carton.objects.filter(status=Carton.Status.IN_FG)
        .select_related("batch", "article", "destination")
        .order_by("destination__code", "batch__number", "sequence")
    ):
        group = groups.setdefault(
            c.destination_id,
            {"destination": c.destination, "cartons": [], "units": 0, "gross": Decimal("0")},
        )
        group["cartons"].append(c)
        group["units"] += c.quantity
        group["gross"] += c.gross_weight_kg
    return list(groups.values())


def _shipment_input(request):
    destination = Destination.objects.filter(code=request.POST.get("destination", "")).first()
    if destination is None:
        raise _Refusal(_("Choose the destination of the shipment."))
    codes = [s.strip() for s in request.POST.getlist("sscc") if s.strip()]
    if not codes:
        raise _Refusal(_("Tick at least one carton for the shipment."))
    bad = [s for s in codes if not (len(s) == 18 and s.isdigit())]
    if bad:
        raise _Refusal(_("%(code)s is not an SSCC (18 digits).") % {"code": bad[0]})
    container = request.POST.get("container", "").strip()
    if len(container) > 30:
        raise _Refusal(_("A container number has at most 30 characters."))
    return destination, codes, container


@area_required(AREA)
@require_http_methods(["GET", "POST"])
@form_idempotent
def fg_cartons(request):
    error, status = None, 200
    chosen: dict = {}
    if request.method == "POST":
        _require_writer(request)
        chosen = {
            "destination": request.POST.get("destination", ""),
            "sscc": set(request.POST.getlist("sscc")),
            "container": request.POST.get("container", ""),
        }
        try:
            destination, codes, container = _shipment_input(request)
            shipment = shipment_create(
                destination=destination, sscc_list=codes, container=container, user=request.user
            )
        except _Refusal as refusal:
            error, status = {"code": "invalid", "message": str(refusal)}, 400
        except ApplicationError as exc:
            error, status = exc, exc.status
        else:
            messages.success(
                request,
                _("Shipment %(number)s created: %(n)d cartons, %(q)d pcs to %(dest)s.")
                % {
                    "number": shipment.number,
                    "n": shipment.carton_count,
                    "q": shipment.quantity,
                    "dest": destination.code,
                },
            )
            return redirect("warehouse:shipment", pk=shipment.pk)
    context = {"groups": fg_carton_groups(), "error": error, "chosen": chosen}
    return _page(request, "warehouse/shipment_new.html", context, tab="fg", status=status)


# --- shipments list ---------------------------------------------------------------------------
class ShipmentFilterForm(forms.Form):
    destination = forms.ModelChoiceField(
        queryset=Destination.objects.order_by("code"), to_field_name="code", required=False,
        label=gettext_lazy("Destination"), empty_label=gettext_lazy("All destinations"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        choices=[("", gettext_lazy("All statuses")), *Shipment.Status.choices], required=False,
        label=gettext_lazy("Status"), widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip


EXPORT_HEADERS = [
    "number", "shipped_at", "destination", "country", "container", "status", "cartons", "units",
    "shipped_by",
]  # fmt: skip


def _export_row(s: Shipment) -> list:
    return [
        s.number, s.shipped_at, s.destination.code, s.destination.country, s.container, s.status,
        s.carton_count, s.quantity, s.shipped_by.get_username(),
    ]  # fmt: skip


@area_required(AREA)
def shipment_list(request):
    """Shipments newest first, filtered by destination and status; ``?export=csv|xlsx`` gives
    exactly the filtered rows."""
    form = ShipmentFilterForm(request.GET)
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {}
    qs = Shipment.objects.select_related("destination", "shipped_by").order_by("-id")
    if filters.get("destination"):
        qs = qs.filter(destination=filters["destination"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    export = request.GET.get("export")
    if export:
        if export not in ("csv", "xlsx") or not valid:
            return HttpResponseBadRequest(_("Correct the filters before exporting."))
        return export_response(
            fmt=export, filename="shipments", headers=EXPORT_HEADERS,
            rows=qs.iterator(chunk_size=2000), row=_export_row,
        )  # fmt: skip
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page_obj:
        s.badge = _badge(s.status)
    query = request.GET.copy()
    for k in ("page", "export"):
        query.pop(k, None)
    context = {"form": form, "page_obj": page_obj, "query": query.urlencode(), "partial": "results"}
    return _page(
        request, "warehouse/shipments.html", context, tab="shipments", status=200 if valid else 400
    )


# --- one shipment -----------------------------------------------------------------------------
def _shipment_context(shipment: Shipment) -> dict:
    cartons = list(
        shipment.cartons.select_related("batch", "article").order_by("batch__number", "sequence")
    )
    events = list(shipment.events.select_related("user").order_by("id"))
    for e in events:
        e.badge = _badge(e.status)
    index = TRACKING_ORDER.index(shipment.status)
    return {
        "shipment": shipment,
        "badge": _badge(shipment.status),
        "cartons": cartons,
        "events": events,
        "net": sum((c.net_weight_kg for c in cartons), Decimal("0")),
        "gross": sum((c.gross_weight_kg for c in cartons), Decimal("0")),
        "next_statuses": [(s, Shipment.Status(s).label) for s in TRACKING_ORDER[index + 1 :]],
    }


def _shipment_get(pk):
    return get_object_or_404(Shipment.objects.select_related("destination", "shipped_by"), pk=pk)


@area_required(AREA)
@require_http_methods(["GET", "POST"])
@form_idempotent
def shipment_detail(request, pk: int):
    shipment = _shipment_get(pk)
    error, status = None, 200
    if request.method == "POST":
        _require_writer(request)
        new = request.POST.get("status", "")
        note = request.POST.get("note", "").strip()
        if new not in Shipment.Status.values:
            error, status = (
                {"code": "invalid", "message": _("Choose the new tracking status.")},
                400,
            )
        elif len(note) > 300:
            error, status = (
                {"code": "invalid", "message": _("A note has at most 300 characters.")},
                400,
            )
        else:
            try:
                shipment_track(shipment=shipment, status=new, note=note, user=request.user)
            except ApplicationError as exc:
                error, status = exc, exc.status
            else:
                messages.success(
                    request,
                    _("Shipment %(number)s is now: %(status)s.")
                    % {"number": shipment.number, "status": Shipment.Status(new).label},
                )
                return redirect("warehouse:shipment", pk=shipment.pk)
    context = {**_shipment_context(shipment), "error": error}
    return _page(request, "warehouse/shipment_detail.html", context, tab="shipments", status=status)


@area_required(AREA)
def shipment_document(request, pk: int):
    """The printable shipment document (A4)."""
    shipment = _shipment_get(pk)
    context = _shipment_context(shipment)
    context["po_numbers"] = sorted({c.po_number for c in context["cartons"] if c.po_number})
    context["batches"] = sorted({c.batch.number for c in context["cartons"]})
    return render(request, "warehouse/shipment_document.html", context)
