"""QT-09 in real browsers, in Indonesian, at 768 x 1024: cutting prepares, prints the slip,
sewing scans it and accepts; a blocked transfer's P1 alert appears on the open sewing station
without a reload (websocket on an ASGI server)."""

import re

import pytest
from django.core.management import call_command

from tests.e2e.conftest import station
from tests.transfers.helpers import cut, released_batches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_prepare_print_slip_and_scan_accept_then_live_blocked_alert(
    asgi_live_server, browser, screenshot
):
    call_command("seed_demo", verbosity=0)
    first, second = released_batches(quantity=200, batch_size=100)
    cut(first, 100)
    cut(second, 100)
    base = asgi_live_server.url

    cutting_ctx, cutting = station(browser, base, "cutting")
    sewing_ctx, sewing = station(browser, base, "sewing")
    assert cutting.url.endswith("/cutting/")
    assert sewing.get_by_test_id("logout").inner_text() == "Keluar"  # Indonesian by default

    # cutting prepares 100 pcs of B01 for SEW-1
    cutting.click("[data-testid=tab-send]")
    form = cutting.locator("[data-testid=send-form]").filter(has_text=first.number)
    form.locator("[data-testid=send-line]").select_option("SEW-1")
    form.locator("[data-testid=send]").click()
    cutting.wait_for_selector("[data-testid=result][data-level=success]")
    screenshot(cutting, "station-cutting-sent")

    # the slip prints: A6 page with the QR as SVG
    with cutting.expect_popup() as popup:
        cutting.click("[data-testid=print-slip]")
    slip = popup.value
    slip.wait_for_load_state()
    assert slip.locator("[data-testid=slip] svg").count() == 1
    assert slip.get_by_test_id("country").inner_text() == "DE"
    slip_text = slip.inner_text("[data-testid=slip]")
    slip_code = re.search(r"\b[A-Z2-7]{24}\b", slip_text).group(0)
    screenshot(slip, "slip")

    # sewing scans the slip (a keyboard-wedge scanner types the code and Enter) and accepts
    sewing.reload()
    assert sewing.evaluate("document.activeElement.dataset.testid") == "scan"
    sewing.keyboard.type(slip_code)
    sewing.keyboard.press("Enter")
    sewing.wait_for_selector("[data-testid=scanned]")
    assert sewing.locator("[data-testid=count]").input_value() == "100"
    sewing.click("[data-testid=accept]")
    sewing.wait_for_selector("[data-testid=result][data-level=success]")
    assert "100" in sewing.inner_text("[data-testid=result]")
    screenshot(sewing, "station-sewing-accepted")
    assert sewing.evaluate("document.documentElement.scrollWidth") <= 768

    # B02 to the same line is blocked: the sewing station sees the P1 banner live
    cutting.reload()
    cutting.click("[data-testid=tab-send]")
    form = cutting.locator("[data-testid=send-form]").filter(has_text=second.number)
    form.locator("[data-testid=send-line]").select_option("SEW-1")
    form.locator("[data-testid=send]").click()
    cutting.wait_for_selector("[data-testid=result][data-level=warning]")
    banner = sewing.locator("[data-testid=banner-alert][data-kind=LINE_BLOCKED]")
    banner.wait_for(timeout=10_000)
    assert "SEW-1" in banner.inner_text()
    screenshot(sewing, "station-sewing-blocked-alert")
    banner.locator("[data-testid=ack]").click()
    banner.wait_for(state="detached")
    cutting_ctx.close()
    sewing_ctx.close()
