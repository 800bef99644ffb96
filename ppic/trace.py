"""A batch's genealogy (``GET /api/v1/batches/{number}/trace/``). Each department's records join
here as they exist: material lots now; cut records, transfers, inspections, detector checks, lab
tests and cartons as their apps provide them."""

from django.db.models import Q
from django.utils import timezone


def batch_trace(*, batch) -> dict:
    from warehouse.models import StockMove

    issued = (
        StockMove.objects.filter(kind=StockMove.Kind.ISSUE)
        .filter(Q(batch=batch) | Q(batch__isnull=True, work_order__mo_id=batch.mo_id))
        .select_related("lot", "lot__material", "work_order", "user")
        .order_by("id")
    )
    return {
        "batch": batch.number,
        "mo": batch.mo.number,
        "material_lots": [
            {
                "material": m.lot.material.code,
                "lot_number": m.lot.lot_number,
                "dye_lot": m.lot.dye_lot,
                "quantity": f"{-m.quantity:.3f}",
                "work_order": m.work_order.number if m.work_order else None,
                "issued_by": m.user.get_username(),
                "issued_at": timezone.localtime(m.at).isoformat(),
            }
            for m in issued
        ],
        "cut_records": [],
        "transfers": [],
        "inspections": [],
        "detector_checks": [],
        "lab_tests": [],
        "cartons": [],
    }
