"""A factory floor to explore after ``make run``: master data, stock, lab tests, a customer PO and
MOs whose batches stand at different steps of the route (cut, in sewing, through finishing, at
packing, shipped). Built only through the services, as the floor would, so every number on the
pages adds up. Runs once (skipped when articles exist)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone


def _user(username):
    return get_user_model().objects.get(username=username)


@transaction.atomic
def seed_factory(stdout=None) -> bool:
    from finishing.models import Detector
    from finishing.services import (
        detector_check_record,
        detector_scan_record,
        fg_convert,
        stuffing_record,
    )
    from packing.services import carton_pack, packing_complete
    from ppic.models import Article, MaterialKind
    from ppic.services import (
        article_create,
        destination_create,
        material_create,
        mo_create,
        mo_release,
        po_create,
    )
    from quality.lab import REQUIRED_TESTS, lab_test_record
    from quality.services import final_inspection_record, inspection_record
    from sewing.services import sewing_stage_record
    from transfers.models import Department, Line
    from transfers.services import transfer_accept, transfer_prepare
    from warehouse.services import stock_issue, stock_receive
    from warehouse.shipping import shipment_create

    if Article.objects.exists():
        return False
    u = {name: _user(name) for name in (
        "ppic", "warehouse", "cutting", "sewing", "finishing", "packing", "qc_inspector",
        "qc_lab", "manager",
    )}  # fmt: skip
    dept = {d.code: d for d in Department.objects.all()}
    line = {ln.code: ln for ln in Line.objects.all()}

    de = destination_create(code="DE-DORT", name="IKEA DC Dortmund", country="DE")
    se = destination_create(code="SE-ALM", name="IKEA DC Älmhult", country="SE")
    destination_create(code="US-PER", name="IKEA DC Perryville", country="US")
    m = {
        code: material_create(code=code, name=name, uom=uom, kind=kind)
        for code, name, uom, kind in [
            ("PLUSH-BRN", "Plush fabric brown 1.5 m", "m", MaterialKind.FABRIC),
            ("PLUSH-WHT", "Plush fabric white 1.5 m", "m", MaterialKind.FABRIC),
            ("THREAD-BRN", "Polyester thread brown", "cone", MaterialKind.THREAD),
            ("FILL-PES", "Polyester fibre filling", "kg", MaterialKind.FILLING),
            ("LBL-CARE", "Care label", "pcs", MaterialKind.LABEL),
            ("CTN-60", "Export carton 60×40×40", "pcs", MaterialKind.PACKAGING),
        ]
    }

    def bom(fabric):
        return [
            {"material": m[fabric], "quantity_per_unit": Decimal("0.250"), "waste_pct": 4},
            {"material": m["THREAD-BRN"], "quantity_per_unit": Decimal("0.010"), "waste_pct": 2},
            {"material": m["FILL-PES"], "quantity_per_unit": Decimal("0.250"), "waste_pct": 2},
            {"material": m["LBL-CARE"], "quantity_per_unit": Decimal("1"), "waste_pct": 0},
            {"material": m["CTN-60"], "quantity_per_unit": Decimal("0.042"), "waste_pct": 0},
        ]

    bear = article_create(
        code="BEAR-40", name="Bear 40 cm", default_route="DIRECT", fill_weight_g=Decimal("250"),
        fill_tolerance_g=Decimal("10"), units_per_carton=24, bom=bom("PLUSH-BRN"),
    )  # fmt: skip
    rabbit = article_create(
        code="RABBIT-30", name="Rabbit 30 cm", default_route="FULL",
        fill_weight_g=Decimal("180"), fill_tolerance_g=Decimal("8"), units_per_carton=30,
        bom=bom("PLUSH-WHT"),
    )  # fmt: skip
    article_create(
        code="DOG-25", name="Dog 25 cm", default_route="SUBCON", fill_weight_g=Decimal("150"),
        fill_tolerance_g=Decimal("6"), units_per_carton=36, bom=bom("PLUSH-BRN"),
    )  # fmt: skip

    now = timezone.now()
    for material, lots in {
        "PLUSH-BRN": [("R-1001", "DL-A", 150), ("R-1002", "DL-A", 150), ("R-1003", "DL-B", 200)],
        "PLUSH-WHT": [("R-2001", "DL-W1", 200)],
        "THREAD-BRN": [("T-01", "", 40)],
        "FILL-PES": [("F-88", "", 300)],
        "LBL-CARE": [("L-5", "", 5000)],
        "CTN-60": [("C-7", "", 400)],
    }.items():
        for i, (lot, dye, qty) in enumerate(lots):
            stock_receive(
                material=m[material], lot_number=lot, dye_lot=dye, quantity=Decimal(qty),
                user=u["warehouse"], received_at=now - timedelta(days=20 - i),
            )  # fmt: skip
    for article in (bear, rabbit):  # DOG-25 has no lab tests yet: it may not ship
        for test in REQUIRED_TESTS:
            lab_test_record(
                article=article, test=test, result="PASS", user=u["qc_lab"],
                tested_at=now - timedelta(days=60),
            )  # fmt: skip

    po = po_create(
        number="4500123456", destination=de, ship_date=timezone.localdate() + timedelta(days=21),
        lines=[{"article": bear, "quantity": 240}],
    )  # fmt: skip
    mo = mo_create(
        article=bear, quantity=240, destination=de, user=u["ppic"], po_line=po.lines.first(),
        due_date=timezone.localdate() + timedelta(days=14), batch_size=48,
    )  # fmt: skip
    mo = mo_release(mo=mo, user=u["ppic"])
    mo_se = mo_release(
        mo=mo_create(
            article=rabbit, quantity=60, destination=se, user=u["ppic"], route="FULL",
            due_date=timezone.localdate() + timedelta(days=5),
        ),
        user=u["ppic"],
    )  # fmt: skip
    cutting_spk = mo.work_orders.get(department__code="CUTTING")
    stock_issue(work_order=cutting_spk, user=u["warehouse"])

    b1, b2, b3, b4, b5 = mo.batches.order_by("sequence")
    from cutting.services import cut_output_record

    def cut(batch, qty):
        cut_output_record(batch=batch, quantity=qty, user=u["cutting"], plies=8, line=line["CUT-1"])

    def hand(batch, frm, to, to_line, qty, receiver):
        t = transfer_prepare(
            batch=batch, from_department=dept[frm], to_department=dept[to], quantity=qty,
            user=u[frm.lower()], to_line=line[to_line],
        )  # fmt: skip
        transfer_accept(slip_code=t.slip_code, quantity_received=qty, user=u[receiver])

    def sew(batch, qty, ln):
        for stage in ("assembly", "labeling", "loop_stitch"):
            sewing_stage_record(
                batch=batch, line=line[ln], stage=stage, quantity=qty, user=u["sewing"]
            )

    md1 = Detector.objects.get(code="MD-1")

    def finish(batch, qty):
        stuffing_record(
            batch=batch, quantity=qty, sample_weights_g=["251", "248.5", "253", "246"],
            user=u["finishing"],
        )  # fmt: skip
        detector_scan_record(batch=batch, detector=md1, passed=qty, failed=0, user=u["finishing"])
        inspection_record(
            batch=batch, department=dept["FINISHING"], kind="inline", passed=qty,
            user=u["qc_inspector"],
        )  # fmt: skip
        fg_convert(batch=batch, quantity=qty, user=u["finishing"])

    for batch in (b1, b2, b3, b4):
        cut(batch, 48)
    cut(b5, 30)
    detector_check_record(
        detector=md1, test_piece_mm="1.2", points_detected=9, user=u["finishing"],
        occasion="start_up",
    )  # fmt: skip
    # B01: all the way to shipped.
    hand(b1, "CUTTING", "SEWING", "SEW-1", 48, "sewing")
    sew(b1, 48, "SEW-1")
    inspection_record(
        batch=b1, department=dept["SEWING"], kind="inline", passed=7, user=u["sewing"],
        line=line["SEW-1"],
    )  # fmt: skip
    hand(b1, "SEWING", "FINISHING", "FIN-1", 48, "finishing")
    finish(b1, 48)
    hand(b1, "FINISHING", "PACKING", "PCK-1", 48, "packing")
    carton_pack(batch=b1, quantity=24, user=u["packing"])
    carton_pack(batch=b1, quantity=24, user=u["packing"])
    final_inspection_record(batch=b1, critical=0, major=0, minor=1, user=u["qc_inspector"])
    packing_complete(batch=b1, user=u["packing"])
    shipment_create(
        destination=de, sscc_list=list(b1.cartons.values_list("sscc", flat=True)),
        user=u["warehouse"], container="MSKU1234565",
    )  # fmt: skip
    # B02: at packing, one carton packed, waiting for the final inspection.
    hand(b2, "CUTTING", "SEWING", "SEW-2", 48, "sewing")
    sew(b2, 48, "SEW-2")
    hand(b2, "SEWING", "FINISHING", "FIN-1", 48, "finishing")
    finish(b2, 48)
    hand(b2, "FINISHING", "PACKING", "PCK-2", 48, "packing")
    carton_pack(batch=b2, quantity=24, user=u["packing"])
    # B03: in finishing, stuffed half-way.
    hand(b3, "CUTTING", "SEWING", "SEW-3", 48, "sewing")
    sew(b3, 48, "SEW-3")
    hand(b3, "SEWING", "FINISHING", "FIN-1", 48, "finishing")
    stuffing_record(batch=b3, quantity=24, sample_weights_g=["249", "262"], user=u["finishing"])
    # B04: sewing in progress on SEW-4; B05 cut, waiting to be sent.
    hand(b4, "CUTTING", "SEWING", "SEW-4", 48, "sewing")
    sewing_stage_record(
        batch=b4, line=line["SEW-4"], stage="assembly", quantity=30, user=u["sewing"]
    )
    # The rabbit MO: its first batch cut and waiting for embroidery.
    cut(mo_se.batches.order_by("sequence").first(), 30)
    if stdout is not None:
        stdout.write("Demo factory ready: 3 articles, PO 4500123456, 2 MOs, 5 batches at work.")
    return True
