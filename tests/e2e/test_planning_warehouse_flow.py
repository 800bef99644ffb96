"""Issue 3, acceptance 6, in a real browser (Chromium, 768 x 1024, Indonesian): PPIC creates an
article with its BOM and an MO and releases it; the warehouse receives fabric and issues it to
the cutting SPK. Materials and the destination are master data that exist beforehand."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ppic.models import Article, ManufacturingOrder
from ppic.services import destination_create, material_create
from tests.e2e.conftest import login
from warehouse.models import StockLot, StockMove

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, selector: str):
    with page.expect_navigation():
        page.click(selector)


def logout(page):
    submit(page, "[data-testid=logout]")


def test_ppic_plans_and_releases_then_the_warehouse_receives_and_issues_fabric(
    seeded, live_server, page, screenshot
):
    base = live_server.url
    material_create(code="PLUSH-BRN", name="Plush brown", uom="m", kind="fabric")
    material_create(code="FIBER-7D", name="Polyester fibre 7D", uom="kg", kind="filling")
    destination_create(code="DE-DORT", name="IKEA DC Dortmund", country="DE")

    # --- PPIC: the article with its BOM -------------------------------------------------------
    login(page, base, "ppic")
    page.goto(f"{base}/ppic/articles/new/")
    page.fill("#id_code", "BEAR-40")
    page.fill("#id_name", "Teddy bear 40 cm")
    page.select_option("#id_default_route", "DIRECT")
    page.fill("#id_fill_weight_g", "250")
    page.fill("#id_fill_tolerance_g", "10")
    page.fill("#id_units_per_carton", "24")
    page.fill("#id_bom-0-material", "PLUSH-BRN")
    page.fill("#id_bom-0-quantity_per_unit", "0.25")
    page.fill("#id_bom-0-waste_pct", "4")
    page.fill("#id_bom-1-material", "FIBER-7D")
    page.fill("#id_bom-1-quantity_per_unit", "0.12")
    page.fill("#id_bom-1-waste_pct", "2")
    submit(page, "[data-testid=save]")
    article = Article.objects.get(code="BEAR-40")
    assert article.bom.count() == 2
    screenshot(page, "ppic-article-bom")

    # --- PPIC: the MO, released ---------------------------------------------------------------
    page.goto(f"{base}/ppic/mos/new/")
    page.select_option("#id_article", "BEAR-40")
    page.fill("#id_quantity", "100")
    page.select_option("#id_destination", "DE-DORT")
    page.fill("#id_due_date", (timezone.localdate() + timedelta(days=30)).isoformat())
    submit(page, "[data-testid=save]")
    mo = ManufacturingOrder.objects.get(article=article)
    assert mo.status == ManufacturingOrder.Status.DRAFT
    submit(page, "[data-testid=release]")
    mo.refresh_from_db()
    assert mo.status == ManufacturingOrder.Status.RELEASED
    spk = mo.work_orders.get(department__code="CUTTING")
    assert spk.requirements.get().quantity == Decimal("26.000")  # 100 x 0.25 m x 1.04
    assert page.locator(f"[data-spk='{spk.number}']").is_visible()
    screenshot(page, "ppic-mo-released")
    logout(page)

    # --- Warehouse: receive two rolls of plush --------------------------------------------------
    login(page, base, "warehouse")
    assert page.url == f"{base}/warehouse/"
    for roll, dye_lot, metres in [("R-1001", "D-17", "18"), ("R-1002", "D-18", "45")]:
        page.goto(f"{base}/warehouse/receipts/")
        page.select_option("#id_material", label="PLUSH-BRN · Plush brown (m)")
        assert page.inner_text("[data-testid=quantity-unit]") == "m"
        page.fill("#id_lot_number", roll)
        page.fill("#id_dye_lot", dye_lot)
        page.fill("#id_quantity", metres)
        page.fill("#id_inspection_points", "12")
        submit(page, "[data-testid=receive]")
        assert page.locator("[role=status].alert-success").is_visible()
    assert StockLot.objects.filter(inspection=StockLot.Inspection.PASSED).count() == 2
    screenshot(page, "warehouse-receipt")

    page.goto(f"{base}/warehouse/")
    assert page.locator("[data-testid=lot][data-lot='R-1001']").is_visible()
    screenshot(page, "warehouse-stock")

    # --- Warehouse: issue the cutting SPK's whole requirement -----------------------------------
    page.goto(f"{base}/warehouse/issue/")
    submit(page, f"[data-testid=spk][data-number='{spk.number}'] a.btn")
    assert page.url == f"{base}/warehouse/issue/{spk.number}/"
    submit(page, "[data-testid=issue-all-submit]")
    assert page.locator("[role=status].alert-success").is_visible()
    # D-17 holds 18 m of the 26 m: the whole 26 m comes from the next dye lot, never mixed
    issued = page.locator("[data-testid=issued-lot]")
    assert issued.count() == 1
    assert issued.first.get_attribute("data-lot") == "R-1002"
    assert issued.first.get_attribute("data-dye-lot") == "D-18"
    assert page.locator("[data-testid=requirement][data-remaining='0.000']").is_visible()
    screenshot(page, "warehouse-issue")

    move = StockMove.objects.get(kind=StockMove.Kind.ISSUE)
    assert move.work_order == spk and move.quantity == Decimal("-26.000")
    assert move.batch == mo.batches.get()
    assert StockLot.objects.get(lot_number="R-1002").quantity_on_hand == Decimal("19.000")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
