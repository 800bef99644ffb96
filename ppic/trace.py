"""A batch's genealogy (``GET /api/v1/batches/{number}/trace/`` and the compliance dossier):
material lots, cut records, transfers with who sent and accepted, inspections (inline, finishing
QC, final AQL), stuffing, detector scans with the checks that vouch for them, quarantines and
decisions, the article's lab tests and compliance, cartons, completion and shipments."""

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
        **_finishing_to_shipping(batch),
    }


def _t(value):
    return timezone.localtime(value).isoformat() if value else None


def detector_checks_for(batch):
    """The checks that vouch for the batch's scans: per detector that scanned it, from the
    check each first scan relied on to the first check after its last scan."""
    from finishing.models import DetectorCheck, DetectorScan

    spans: dict[int, list[int]] = {}
    for detector_id, check_id, scan_id in DetectorScan.objects.filter(batch=batch).values_list(
        "detector_id", "since_check_id", "id"
    ):
        lo, hi = spans.get(detector_id, [check_id, scan_id])
        spans[detector_id] = [min(lo, check_id), max(hi, scan_id)]
    if not spans:
        return DetectorCheck.objects.none()
    q = Q()
    for detector_id, (first_check, last_scan) in spans.items():
        last_scan_at = DetectorScan.objects.filter(pk=last_scan).values_list("at", flat=True)[0]
        after = (
            DetectorCheck.objects.filter(detector_id=detector_id, at__gte=last_scan_at)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        span = Q(detector_id=detector_id, id__gte=first_check)
        if after is not None:
            span &= Q(id__lte=after)
        q |= span
    return DetectorCheck.objects.filter(q).select_related("detector", "user").order_by("id")


def _finishing_to_shipping(batch) -> dict:
    from finishing.models import DetectorScan, FgConversion, StuffingRecord
    from packing.models import BatchCompletion, Carton
    from quality.lab import article_compliance
    from quality.models import FinalInspection, Inspection, LabTest, Quarantine

    article = batch.mo.article
    compliance = article_compliance(article)
    cartons = list(
        Carton.objects.filter(batch=batch).select_related("shipment", "packed_by").order_by("id")
    )
    shipments = {c.shipment for c in cartons if c.shipment_id}
    return {
        "article": article.code,
        "destination": batch.mo.destination.code,
        "inspections": [
            {
                "id": i.pk,
                "department": i.department.code,
                "line": i.line.code if i.line_id else None,
                "kind": i.kind,
                "passed": i.passed,
                "rework": i.rework,
                "scrap": i.scrap,
                "repaired": i.repaired,
                "light": i.light or None,
                "recheck": i.recheck,
                "defects": [{"code": d.code.code, "count": d.count} for d in i.defects.all()],
                "by": i.user.get_username(),
                "at": _t(i.at),
            }
            for i in Inspection.objects.filter(batch=batch)
            .select_related("department", "line", "user")
            .prefetch_related("defects__code")
            .order_by("id")
        ],
        "final_inspections": [
            {
                "id": f.pk,
                "lot_size": f.lot_size,
                "sample_size": f.sample_size,
                "critical": f.critical,
                "major": f.major,
                "minor": f.minor,
                "plans": f.plans,
                "verdict": f.verdict,
                "by": f.user.get_username(),
                "at": _t(f.at),
            }
            for f in FinalInspection.objects.filter(batch=batch)
            .select_related("user")
            .order_by("id")
        ],
        "stuffing": [
            {
                "line": r.line.code,
                "quantity": r.quantity,
                "target_g": str(r.target_g),
                "tolerance_g": str(r.tolerance_g),
                "sample_weights_g": r.sample_weights_g,
                "out_of_tolerance": r.out_of_tolerance,
                "corrected_weights_g": r.corrected_weights_g,
                "by": r.user.get_username(),
                "at": _t(r.at),
            }
            for r in StuffingRecord.objects.filter(batch=batch)
            .select_related("line", "user")
            .order_by("id")
        ],
        "detector_scans": [
            {
                "detector": s.detector.code,
                "line": s.line.code,
                "passed": s.passed,
                "failed": s.failed,
                "since_check": s.since_check_id,
                "by": s.user.get_username(),
                "at": _t(s.at),
            }
            for s in DetectorScan.objects.filter(batch=batch)
            .select_related("detector", "line", "user")
            .order_by("id")
        ],
        "detector_checks": [
            {
                "id": c.pk,
                "detector": c.detector.code,
                "test_piece_mm": str(c.test_piece_mm),
                "points_detected": c.points_detected,
                "result": c.result,
                "occasion": c.occasion,
                "by": c.user.get_username(),
                "at": _t(c.at),
            }
            for c in detector_checks_for(batch)
        ],
        "fg_conversions": [
            {
                "line": f.line.code,
                "quantity": f.quantity,
                "by": f.user.get_username(),
                "at": _t(f.at),
            }
            for f in FgConversion.objects.filter(batch=batch)
            .select_related("line", "user")
            .order_by("id")
        ],
        "quarantines": [
            {
                "id": q.pk,
                "department": q.department.code,
                "line": q.line.code if q.line_id else None,
                "kind": q.kind,
                "quantity": q.quantity,
                "remaining": q.remaining,
                "reason": q.reason,
                "status": q.status,
                "created_by": q.created_by.get_username(),
                "at": _t(q.created_at),
                "decisions": [
                    {
                        "decision": d.decision,
                        "quantity": d.quantity,
                        "note": d.note,
                        "decided_by": d.decided_by.get_username(),
                        "approved_by": d.approved_by.get_username() if d.approved_by_id else None,
                        "at": _t(d.decided_at),
                    }
                    for d in q.decisions.all()
                ],
            }
            for q in Quarantine.objects.filter(batch=batch)
            .select_related("department", "line", "created_by")
            .prefetch_related("decisions__decided_by", "decisions__approved_by")
            .order_by("id")
        ],
        "lab_tests": [
            {
                "id": lab.pk,
                "test": lab.test,
                "result": lab.result,
                "measurements": lab.measurements,
                "lot": lab.lot.lot_number if lab.lot_id else None,
                "by": lab.user.get_username(),
                "tested_at": _t(lab.tested_at),
            }
            for lab in LabTest.objects.filter(article=article)
            .select_related("lot", "user")
            .order_by("test", "-tested_at", "-id")
        ],
        "compliance": compliance.as_dict(),
        "cartons": [
            {
                "sscc": c.sscc,
                "carton_no": c.sequence,
                "quantity": c.quantity,
                "po_number": c.po_number,
                "net_weight_kg": str(c.net_weight_kg),
                "gross_weight_kg": str(c.gross_weight_kg),
                "status": c.status,
                "shipment": c.shipment.number if c.shipment_id else None,
                "packed_by": c.packed_by.get_username(),
                "packed_at": _t(c.packed_at),
            }
            for c in cartons
        ],
        "completions": [
            {
                "quantity": c.quantity,
                "cartons": c.cartons,
                "by": c.user.get_username(),
                "at": _t(c.at),
            }
            for c in BatchCompletion.objects.filter(batch=batch)
            .select_related("user")
            .order_by("id")
        ],
        "shipments": [
            {
                "number": s.number,
                "destination": s.destination.code,
                "container": s.container,
                "status": s.status,
                "shipped_by": s.shipped_by.get_username(),
                "shipped_at": _t(s.shipped_at),
            }
            for s in sorted(shipments, key=lambda s: s.pk)
        ],
    }
