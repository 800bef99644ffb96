"""Transfer pages: the printable slip, and the station actions (scan, accept, send, approve,
reject, cancel, retry, line clearance). Each action: form → service → the station's result box."""

import segno
from django.shortcuts import get_object_or_404, render

from erp.common.permissions import area_required, role_required

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


@role_required("ppic", "cutting", "manager", "finishing")
def delivery_note(request, pk):
    """Printable delivery note of a dispatch to a subcontractor (A5)."""
    transfer = get_object_or_404(
        transfers_visible_to(request.user).select_related("vendor"),
        pk=pk,
        to_department__code="SUBCON",
    )
    qr = segno.make(transfer.slip_code, error="m").svg_inline(scale=3) if transfer.slip_code else ""
    return render(request, "transfers/delivery_note.html", {"transfer": transfer, "qr_svg": qr})


@area_required("subcon")
def subcon_board(request):
    """What is at each vendor, and what is overdue."""
    from .selectors import subcon_holdings

    rows = subcon_holdings()
    return render(
        request,
        "transfers/subcon.html",
        {"rows": rows, "overdue": sum(1 for r in rows if r["overdue"])},
    )
