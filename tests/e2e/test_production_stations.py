"""Record work on the production stations in real browsers, in Indonesian, at 768 x 1024:
cutting records a lay and sends; sewing accepts, takes the batch through the three stages and an
inline QC round (red, then the full recheck) and sends to finishing; embroidery records its
output on a FULL-route batch."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from quality.models import DefectCode
from tests.e2e.conftest import result, station, submit
from tests.transfers.helpers import balance, cut, dept, line, released_batches, users
from tests.warehouse.helpers import receive
from transfers import services
from transfers.models import Hold, Transfer, TransferState
from warehouse.services import stock_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code(name):
    return DefectCode.objects.get(code=name).pk


def record_tab(page):
    page.click("[data-testid=tab-record]")


def test_cutting_lay_then_sewing_stages_inline_qc_and_send(asgi_live_server, browser, screenshot):
    call_command("seed_demo", verbosity=0)
    (batch,) = released_batches(quantity=100)
    lot = receive("PLUSH-BRN", "R-101", "30", dye_lot="D1", days_ago=2)
    spk = batch.mo.work_orders.get(department__code="CUTTING")
    stock_issue(
        work_order=spk, material=lot.material, quantity=Decimal("26"), user=users()["manager"]
    )
    base = asgi_live_server.url

    # cutting records a lay of the whole batch from the lots issued to its SPK, then sends
    cutting_ctx, cutting = station(browser, base, "cutting")
    assert cutting.get_by_test_id("logout").inner_text() == "Keluar"
    record_tab(cutting)
    lay = cutting.locator("[data-testid=lay-form]").filter(has_text=batch.number)
    lay.locator("[data-testid=lay-quantity]").fill("100")
    lay.locator("[data-testid=lay-plies]").fill("6")
    lay.locator("[data-testid=lay-lots]").select_option(str(lot.pk))
    submit(cutting, lay.locator("[data-testid=lay-submit]"))
    result(cutting, "success")
    assert "100" in cutting.inner_text("[data-testid=result]")
    assert cutting.locator("[data-testid=result-link]").count() == 1  # bundle tickets
    screenshot(cutting, "station-cutting-lay")
    assert cutting.evaluate("document.documentElement.scrollWidth") <= 768
    cutting.click("[data-testid=tab-send]")
    send = cutting.locator("[data-testid=send-form]").filter(has_text=batch.number)
    send.locator("[data-testid=send-line]").select_option("SEW-1")
    submit(cutting, send.locator("[data-testid=send]"))
    result(cutting, "success")

    # sewing accepts on SEW-1
    sewing_ctx, sewing = station(browser, base, "sewing")
    incoming = sewing.locator("[data-testid=incoming] form").filter(has_text="")
    submit(sewing, incoming.first.locator("button.btn-success"))
    result(sewing, "success")

    # assembly, then labeling: the next stage with room is pre-selected with its room
    for expected in ("assembly", "labeling"):
        record_tab(sewing)
        form = sewing.locator("[data-testid=sewing-batch]").filter(has_text=batch.number)
        assert form.locator("[data-testid=stage-select]").input_value() == expected
        assert form.locator("[data-testid=stage-quantity]").input_value() == "100"
        submit(sewing, form.locator("[data-testid=stage-submit]"))
        result(sewing, "success")

    # inline QC: 7 checked, 2 to rework with two defects → red, the batch is held
    card = sewing.locator("[data-testid=sewing-batch]").filter(has_text=batch.number)
    assert card.locator("[data-testid=qc-checked]").input_value() == "7"
    card.locator("[data-testid=qc-rework]").fill("2")
    expect(card.locator("[data-testid=qc-rework]")).to_have_value("2")
    slots = card.locator("[data-testid=qc-defect]")
    slots.nth(0).locator("select").select_option(str(code("OPEN_SEAM")))
    slots.nth(0).locator("input").fill("1")
    slots.nth(1).locator("select").select_option(str(code("STAIN")))
    slots.nth(1).locator("input").fill("1")
    submit(sewing, card.locator("[data-testid=qc-submit]"))
    result(sewing, "danger")
    light = sewing.locator("[data-testid=result] [data-testid=qc-light]")
    assert light.get_attribute("data-light") == "RED" and "Merah" in light.inner_text()
    assert Hold.objects.filter(batch=batch, released_at__isnull=True).exists()
    assert balance(batch, "SEWING", "rework") == 2
    screenshot(sewing, "station-sewing-qc-red")

    # the full recheck of the 98 pieces still on the line releases the hold
    card = sewing.locator("[data-testid=sewing-batch]").filter(has_text=batch.number)
    expect(card.locator("[data-testid=qc-recheck]")).to_be_checked()
    expect(card.locator("[data-testid=qc-checked]")).to_have_value("98")
    submit(sewing, card.locator("[data-testid=qc-submit]"))
    result(sewing, "success")
    assert "Hijau" in sewing.inner_text("[data-testid=result] [data-testid=qc-light]")
    assert not Hold.objects.filter(batch=batch, released_at__isnull=True).exists()

    # loop stitch the 98 good pieces, then send them to finishing
    card = sewing.locator("[data-testid=sewing-batch]").filter(has_text=batch.number)
    expect(card.locator("[data-testid=stage-select]")).to_have_value("loop_stitch")
    expect(card.locator("[data-testid=stage-quantity]")).to_have_value("98")
    submit(sewing, card.locator("[data-testid=stage-submit]"))
    result(sewing, "success")
    totals = sewing.locator("[data-testid=sewing-batch] [data-testid=stage-total]")
    assert [t.inner_text().split()[0] for t in totals.all()] == ["100", "100", "98"]
    screenshot(sewing, "station-sewing-stages")
    assert sewing.evaluate("document.documentElement.scrollWidth") <= 768
    sewing.click("[data-testid=tab-send]")
    send = sewing.locator("[data-testid=send-form]").filter(has_text=batch.number)
    assert send.locator("[data-testid=send-quantity]").input_value() == "98"
    send.locator("[data-testid=send-line]").select_option("FIN-1")
    submit(sewing, send.locator("[data-testid=send]"))
    result(sewing, "success")
    sent = Transfer.objects.get(batch=batch, to_department__code="FINISHING")
    assert sent.quantity == 98 and sent.state == TransferState.IN_TRANSIT
    cutting_ctx.close()
    sewing_ctx.close()


def test_embroidery_records_output_on_a_full_route_batch(asgi_live_server, browser, screenshot):
    call_command("seed_demo", verbosity=0)
    (batch,) = released_batches(quantity=100, route="FULL")
    cut(batch, 100)
    cast = users()
    t = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept("EMBROIDERY"),
        from_line=line("CUT-1"), to_line=line("EMB-1"), quantity=100, user=cast["cutting"],
    )  # fmt: skip
    services.transfer_accept(slip_code=t.slip_code, quantity_received=100, user=cast["embroidery"])

    context, page = station(browser, asgi_live_server.url, "embroidery")
    record_tab(page)
    form = page.locator("[data-testid=embroidery-form]").filter(has_text=batch.number)
    assert form.locator("[data-testid=embroidery-good]").input_value() == "100"
    form.locator("[data-testid=embroidery-good]").fill("95")
    form.locator("[data-testid=embroidery-rework]").fill("3")
    form.locator("[data-testid=embroidery-scrap]").fill("2")
    submit(page, form.locator("[data-testid=embroidery-submit]"))
    box = result(page, "warning")
    assert "95" in box.inner_text()
    screenshot(page, "station-embroidery-output")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.click("[data-testid=tab-send]")
    assert page.locator("[data-testid=send-form]").filter(has_text=batch.number).count() == 1
    context.close()
