"""Packing printables: the carton label (100 × 150 mm thermal: GS1-128 barcode of the SSCC,
PO, article, quantity, carton n of N, weights, destination, YYWW date stamp) and the packing
list (A4) of a PO or of a batch. Readable by everyone logged in (the warehouse, QC and the
office reprint them); nothing here changes anything."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from io import BytesIO

import barcode
import barcode.writer
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.common.factory_settings import get_setting
from ppic.models import Batch

from .models import Carton
from .services import expected_cartons

# GS1 logistic label: X-dimension 0.5 mm → the 20-digit "(00)" barcode is about 80 mm wide.
BARCODE_OPTIONS = {
    "write_text": False,
    "module_width": 0.5,
    "module_height": 32.0,
    "quiet_zone": 5.0,
    "margin_top": 0.0,
    "margin_bottom": 0.0,
}


def human_sscc(sscc: str) -> str:
    """The human-readable line under the barcode: "(00) 0 0888888 000000001 7" (extension
    digit, GS1 company prefix, serial reference, check digit)."""
    prefix = str(get_setting("sscc_company_prefix"))
    width = len(prefix) if prefix.isdigit() and 6 <= len(prefix) <= 12 else 7
    return f"(00) {sscc[0]} {sscc[1 : 1 + width]} {sscc[1 + width : 17]} {sscc[17]}"


def sscc_barcode_svg(sscc: str) -> str:
    """GS1-128 of "(00)" + SSCC as inline SVG (no XML prolog, no text: the template prints the
    human-readable line itself)."""
    code = barcode.get_barcode_class("gs1_128")("00" + sscc, writer=barcode.writer.SVGWriter())
    buffer = BytesIO()
    code.write(buffer, options=BARCODE_OPTIONS)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def yyww(moment) -> str:
    """The YYWW date stamp: ISO year % 100 and ISO week of the moment in the factory's time
    zone (Asia/Jakarta), e.g. "2648"."""
    year, week, _day = timezone.localtime(moment).isocalendar()
    return f"{year % 100:02d}{week:02d}"


def carton_qs():
    return Carton.objects.select_related(
        "batch__mo__article", "article", "destination", "line", "shipment", "packed_by"
    )


@login_required
def carton_label(request, sscc: str):
    carton = get_object_or_404(carton_qs(), sscc=sscc)
    return render(
        request,
        "packing/carton_label.html",
        {
            "carton": carton,
            "of": expected_cartons(carton.batch),
            "barcode_svg": sscc_barcode_svg(carton.sscc),
            "human_sscc": human_sscc(carton.sscc),
            "date_stamp": yyww(carton.packed_at),
        },
    )


def _packing_list(cartons: list[Carton]) -> dict:
    """Cartons grouped by destination and article with subtotals, and the grand totals."""
    groups: OrderedDict = OrderedDict()
    of: dict[int, int] = {}
    for c in cartons:
        if c.batch_id not in of:
            of[c.batch_id] = expected_cartons(c.batch)
        c.of = of[c.batch_id]
        key = (c.destination_id, c.article_id)
        group = groups.setdefault(
            key,
            {"destination": c.destination, "article": c.article, "cartons": [], "units": 0,
             "net": Decimal("0"), "gross": Decimal("0")},
        )  # fmt: skip
        group["cartons"].append(c)
        group["units"] += c.quantity
        group["net"] += c.net_weight_kg
        group["gross"] += c.gross_weight_kg
    groups = list(groups.values())
    return {
        "groups": groups,
        "total_cartons": len(cartons),
        "total_units": sum(g["units"] for g in groups),
        "total_net": sum((g["net"] for g in groups), Decimal("0")),
        "total_gross": sum((g["gross"] for g in groups), Decimal("0")),
        "printed_at": timezone.now(),
    }


def _ordered(qs):
    return list(qs.order_by("destination__code", "article__code", "batch__number", "sequence"))


@login_required
def packing_list_po(request, po_number: str):
    cartons = _ordered(carton_qs().filter(po_number=po_number))
    if not cartons:
        raise Http404(_("No carton is packed for PO %(po)s.") % {"po": po_number})
    context = _packing_list(cartons)
    context.update(
        {
            "title": _("Packing list of PO %(po)s") % {"po": po_number},
            "po_number": po_number,
            "batches": sorted({c.batch.number for c in cartons}),
        }
    )
    return render(request, "packing/packing_list.html", context)


@login_required
def packing_list_batch(request, number: str):
    batch = get_object_or_404(Batch.objects.select_related("mo"), number=number)
    cartons = _ordered(carton_qs().filter(batch=batch))
    context = _packing_list(cartons)
    context.update(
        {
            "title": _("Packing list of batch %(batch)s") % {"batch": batch.number},
            "po_number": batch.mo.po_number or (cartons[0].po_number if cartons else ""),
            "batches": [batch.number],
        }
    )
    return render(request, "packing/packing_list.html", context)
