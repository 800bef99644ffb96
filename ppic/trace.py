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
        "cut_records": [
            {
                "id": r.pk,
                "quantity": r.quantity,
                "plies": r.plies,
                "line": r.line.code if r.line_id else None,
                "lots": [lot.lot_number for lot in r.lots.all()],
                "by": r.user.get_username(),
                "at": timezone.localtime(r.at).isoformat(),
            }
            for r in batch.cut_records.select_related("line", "user").prefetch_related("lots")
        ],
        "transfers": [
            {
                "number": t.number,
                "from_department": t.from_department.code,
                "from_line": t.from_line.code if t.from_line_id else None,
                "to_department": t.to_department.code,
                "to_line": t.to_line.code if t.to_line_id else None,
                "quantity": t.quantity,
                "quantity_received": t.quantity_received,
                "state": t.state,
                "sent_by": t.created_by.get_username(),
                "accepted_by": t.accepted_by.get_username() if t.accepted_by_id else None,
                "events": [
                    {
                        "action": e.action,
                        "from_state": e.from_state,
                        "to_state": e.to_state,
                        "quantity": e.quantity,
                        "note": e.note,
                        "by": e.user.get_username(),
                        "at": timezone.localtime(e.at).isoformat(),
                    }
                    for e in t.events.all()
                ],
            }
            for t in batch.transfers.select_related(
                "from_department",
                "from_line",
                "to_department",
                "to_line",
                "created_by",
                "accepted_by",
            )
            .prefetch_related("events__user")
            .order_by("id")
        ],
        "inspections": [],
        "detector_checks": [],
        "lab_tests": [],
        "cartons": [],
    }
