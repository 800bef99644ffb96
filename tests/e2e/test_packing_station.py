"""The packing operator in a real browser, in Indonesian, at 768 x 1024: packs a batch into
cartons from the "Record work" tab (the quantity pre-filled with a full carton, then what is
left), opens a carton label (100 x 150 mm, GS1-128 barcode of the SSCC) and tries to complete the
batch, which is refused with what is missing (no final inspection, no lab tests).

Units reach packing by a direct ledger move into PACKING ``available`` on PCK-1 (what an accepted
transfer from finishing does; tests/e2e/test_production_stations.py clicks through that part)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from packing.models import Carton
from packing.services import sscc_is_valid
from ppic.models import ManufacturingOrder
from tests.e2e.conftest import result, station, submit
from tests.transfers.helpers import balance, dept, line, released_batches, users
from transfers.ledger import Bucket, Move, wip_moves

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_packing_operator_packs_cartons_prints_a_label_and_is_refused_completion(
    asgi_live_server, browser, screenshot
):
    call_command("seed_demo", verbosity=0)
    (batch,) = released_batches(quantity=30)
    ManufacturingOrder.objects.filter(pk=batch.mo_id).update(po_number="PO-2026-0815")
    wip_moves(
        [Move(batch, None, Bucket(dept("PACKING"), "available", line("PCK-1")), 30)],
        reason="test", user=users()["manager"],
    )  # fmt: skip
    base = asgi_live_server.url

    context, page = station(browser, base, "packing")
    assert page.get_by_test_id("logout").inner_text() == "Keluar"
    page.click("[data-testid=tab-record]")
    card = page.locator("[data-testid=packing-batch]").filter(has_text=batch.number)
    expect(card.locator("[data-testid=carton-quantity]")).to_have_value("24")  # a full carton
    submit(page, card.locator("[data-testid=carton-submit]"))
    box = result(page, "success")
    first = Carton.objects.get()
    assert first.sscc in box.inner_text().replace(" ", "").replace("(00)", "")
    label_href = page.locator("[data-testid=result-link]").get_attribute("href")
    assert label_href == f"/packing/cartons/{first.sscc}/label/"

    # the rest of the batch: the form offers the 6 units left
    card = page.locator("[data-testid=packing-batch]").filter(has_text=batch.number)
    expect(card.locator("[data-testid=carton-quantity]")).to_have_value("6")
    submit(page, card.locator("[data-testid=carton-submit]"))
    result(page, "success")
    card = page.locator("[data-testid=packing-batch]").filter(has_text=batch.number)
    expect(card.locator("[data-testid=carton]")).to_have_count(2)
    expect(card.locator("[data-testid=carton-count]")).to_have_text("2 dari 2")
    assert card.locator("[data-testid=carton-form]").count() == 0  # nothing left to pack
    assert balance(batch, "PACKING", "ready", "PCK-1") == 30
    screenshot(page, "station-packing-cartons")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    # the label of the first carton, as printed on the 100 x 150 mm thermal printer
    label = context.new_page()
    label.goto(base + label_href)
    sticker = label.get_by_test_id("carton-label")
    expect(sticker).to_be_visible()
    hri = label.get_by_test_id("label-hri").inner_text()
    digits = hri.replace("(00)", "").replace(" ", "")
    assert digits == first.sscc and sscc_is_valid(digits)
    assert label.locator("[data-testid=label-barcode] svg rect").count() > 30
    assert label.get_by_test_id("label-po").inner_text() == "PO-2026-0815"
    assert label.get_by_test_id("label-destination").inner_text() == "DE-DORT"
    box_mm = sticker.bounding_box()
    assert abs(box_mm["width"] - 100 / 25.4 * 96) < 2  # 100 mm wide at 96 px per inch
    screenshot(label, "packing-carton-label")
    label.close()

    # complete: refused, the gate names what is missing; nothing moves to the FG warehouse
    card = page.locator("[data-testid=packing-batch]").filter(has_text=batch.number)
    expect(card.locator("[data-check=final_inspection]")).to_have_attribute("data-ok", "0")
    expect(card.locator("[data-check=cartons]")).to_have_attribute("data-ok", "1")
    submit(page, card.locator("[data-testid=complete-submit]"))
    refused = result(page, "danger")
    assert batch.number in refused.inner_text()
    assert balance(batch, "FG_WAREHOUSE", "available") == 0
    assert set(Carton.objects.values_list("status", flat=True)) == {Carton.Status.PACKED}
    screenshot(page, "station-packing-complete-refused")
    context.close()
