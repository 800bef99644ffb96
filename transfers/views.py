"""Transfer pages: the printable slip, and the station actions (scan, accept, send, approve,
reject, cancel, retry, line clearance). Each action: form → service → the station's result box."""

import segno
from django.shortcuts import get_object_or_404, render

from erp.common.permissions import role_required

from .selectors import transfers_visible_to


def render_slip(request, transfer):
    if not transfer.slip_code:
        return render(
            request,
            "transfers/slip_blocked.html",
            {"transfer": transfer},
            status=409,
        )
    qr = segno.make(transfer.slip_code, error="m")
    return render(
        request,
        "transfers/slip.html",
        {"transfer": transfer, "qr_svg": qr.svg_inline(scale=4, border=1)},
    )


@role_required(
    "cutting", "embroidery", "sewing", "finishing", "packing", "warehouse", "ppic", "manager",
    "qc_inspector", "qc_lab",
)  # fmt: skip
def slip(request, pk):
    transfer = get_object_or_404(transfers_visible_to(request.user), pk=pk)
    return render_slip(request, transfer)
