"""The printable bundle tickets of a cut record (50 × 80 mm, one per bundle)."""

import segno
from django.shortcuts import get_object_or_404, render

from erp.common.permissions import role_required

from .bundles import bundles_for_cut
from .models import CutRecord


@role_required("cutting", "manager")
def bundle_tickets(request, cut_record_id: int):
    """Creates the bundles on the first open (through the service), then renders them."""
    record = get_object_or_404(
        CutRecord.objects.select_related("batch__mo__article", "batch__mo__destination"),
        pk=cut_record_id,
    )
    bundles = bundles_for_cut(cut_record=record, user=request.user)
    tickets = [
        {"bundle": b, "qr_svg": segno.make(b.code, error="m").svg_inline(scale=3, border=1)}
        for b in bundles
    ]
    return render(
        request,
        "cutting/bundle_tickets.html",
        {"record": record, "batch": record.batch, "mo": record.batch.mo, "tickets": tickets},
    )
