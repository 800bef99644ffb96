"""The finishing station in a real browser, in Indonesian, at 768 x 1024, as the finishing
operator: stuffing with the toys' weights (one out of tolerance, then the rest), a scan refused
before the detector is checked, the 9-point check, the scan, physical QC and the conversion to
FG; finally a failed check stops the detector and quarantines what it passed."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from finishing.models import DetectorCheck, StuffingRecord
from quality.models import DefectCode, Quarantine
from tests.e2e.conftest import result, station, submit
from tests.transfers.helpers import balance, cut, dept, line, released_batches, users
from transfers import services
from transfers.ledger import Bucket, Move, wip_moves

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at_finishing(batch, quantity):
    """Units cut, sewn (past loop stitch) and sent SEWING → FIN-1, accepted at finishing."""
    cast = users()
    cut(batch, quantity)
    wip_moves(
        [Move(batch, Bucket(dept("CUTTING"), "ready", line("CUT-1")),
              Bucket(dept("SEWING"), "ready", line("SEW-1")), quantity)],
        reason="test", user=cast["manager"],
    )  # fmt: skip
    t = services.transfer_prepare(
        batch=batch, from_department=dept("SEWING"), to_department=dept("FINISHING"),
        from_line=line("SEW-1"), to_line=line("FIN-1"), quantity=quantity, user=cast["sewing"],
    )  # fmt: skip
    services.transfer_accept(
        slip_code=t.slip_code, quantity_received=quantity, user=cast["finishing"]
    )


def card(page, batch):
    return page.locator("[data-testid=finishing-batch]").filter(has_text=batch.number)


def figures(page, batch):
    c = card(page, batch)
    return [
        int(c.locator(f"[data-testid=fig-{name}]").inner_text())
        for name in ("received", "stuffed", "scanned", "qc", "fg")
    ]


def test_stuffing_detector_check_scan_qc_and_fg(asgi_live_server, browser, screenshot):
    call_command("seed_demo", verbosity=0)
    (batch,) = released_batches(quantity=100)
    at_finishing(batch, 100)

    context, page = station(browser, asgi_live_server.url, "finishing")
    assert page.get_by_test_id("logout").inner_text() == "Keluar"
    page.click("[data-testid=tab-record]")
    panel = page.locator("[data-testid=detector-panel][data-detector=MD-1]")
    expect(panel).to_have_attribute("data-verified", "no")
    expect(panel.locator("[data-testid=detector-state]")).to_have_attribute(
        "data-state", "not-verified"
    )
    assert panel.locator("[data-testid=check-card]").input_value() == "1.2"
    assert panel.locator("input[name=point]:checked").count() == 0  # the operator ticks
    assert figures(page, batch) == [100, 0, 0, 0, 0]

    # stuffing 60 with four toys weighed, one of them (275 g) out of 240–260 g
    form = card(page, batch).locator("[data-testid=stuffing-form]")
    assert form.locator("[data-testid=stuffing-quantity]").input_value() == "100"
    form.locator("[data-testid=stuffing-quantity]").fill("60")
    form.locator("[data-testid=stuffing-weights]").fill("250 252,5\n275 248")
    submit(page, form.locator("[data-testid=stuffing-submit]"))
    box = result(page, "warning")
    assert "60" in box.inner_text() and "275" not in box.inner_text()
    assert StuffingRecord.objects.get().out_of_tolerance == 1
    assert figures(page, batch) == [100, 59, 0, 0, 0]
    screenshot(page, "station-finishing-stuffing")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    # the rest (the corrected toy included), all within tolerance
    form = card(page, batch).locator("[data-testid=stuffing-form]")
    expect(form.locator("[data-testid=stuffing-quantity]")).to_have_value("41")
    form.locator("[data-testid=stuffing-weights]").fill("251 249 255")
    submit(page, form.locator("[data-testid=stuffing-submit]"))
    result(page, "success")
    assert figures(page, batch) == [100, 100, 0, 0, 0]

    # a scan before the detector is checked is refused in red
    scan = card(page, batch).locator("[data-testid=scan-form]")
    expect(scan.locator("[data-testid=scan-not-verified]")).to_be_visible()
    submit(page, scan.locator("[data-testid=scan-submit]"))
    box = result(page, "danger")
    assert "MD-1" in box.inner_text()
    assert figures(page, batch)[2] == 0

    # the 9-point check: tick the nine points where the card was detected
    panel = page.locator("[data-testid=detector-panel][data-detector=MD-1]")
    points = panel.locator("[data-testid=point]")
    assert points.count() == 9
    for i in range(9):
        points.nth(i).click()
    expect(panel.locator("[data-testid=points-count]")).to_have_text("9")
    panel.locator("[data-testid=check-occasion]").select_option("start_up")
    submit(page, panel.locator("[data-testid=check-submit]"))
    result(page, "success")
    panel = page.locator("[data-testid=detector-panel][data-detector=MD-1]")
    expect(panel).to_have_attribute("data-verified", "yes")
    check = DetectorCheck.objects.get()
    assert check.result == "PASS" and check.occasion == "start_up"
    screenshot(page, "station-finishing-detector-check")

    # the scan: the stuffed units are pre-filled
    scan = card(page, batch).locator("[data-testid=scan-form]")
    expect(scan.locator("[data-testid=scan-passed]")).to_have_value("100")
    submit(page, scan.locator("[data-testid=scan-submit]"))
    result(page, "success")
    assert figures(page, batch) == [100, 100, 100, 0, 0]

    # physical QC: 100 checked, 1 to rework with its defect
    qc = card(page, batch).locator("[data-testid=fqc-form]")
    expect(qc.locator("[data-testid=fqc-checked]")).to_have_value("100")
    qc.locator("[data-testid=fqc-rework]").fill("1")
    slot = qc.locator("[data-testid=fqc-defect]").nth(0)
    slot.locator("select").select_option(str(DefectCode.objects.get(code="OPEN_SEAM").pk))
    slot.locator("input").fill("1")
    submit(page, qc.locator("[data-testid=fqc-submit]"))
    box = result(page, "warning")
    assert "99" in box.inner_text()
    assert figures(page, batch) == [100, 100, 100, 99, 0]

    # FG: what is stuffed, scanned and QC-passed is pre-filled
    fg = card(page, batch).locator("[data-testid=fg-form]")
    expect(fg.locator("[data-testid=fg-quantity]")).to_have_value("99")
    submit(page, fg.locator("[data-testid=fg-submit]"))
    result(page, "success")
    assert figures(page, batch) == [100, 100, 100, 99, 99]
    assert balance(batch, "FINISHING", "ready", "FIN-1") == 99
    screenshot(page, "station-finishing-fg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.click("[data-testid=tab-send]")
    assert page.locator("[data-testid=send-form]").filter(has_text=batch.number).count() == 1

    # a failed check (7 of 9): the detector stops and what it passed is quarantined
    page.click("[data-testid=tab-record]")
    panel = page.locator("[data-testid=detector-panel][data-detector=MD-1]")
    points = panel.locator("[data-testid=point]")
    for i in range(7):
        points.nth(i).click()
    expect(panel.locator("[data-testid=points-count]")).to_have_text("7")
    submit(page, panel.locator("[data-testid=check-submit]"))
    box = result(page, "danger")
    # all 100 passed the detector: 99 FG and the 1 QC sent to rework
    assert "7" in box.inner_text() and "100" in box.inner_text()
    expect(
        page.locator(
            "[data-testid=detector-panel][data-detector=MD-1] [data-testid=detector-state]"
        )
    ).to_have_attribute("data-state", "not-verified")
    assert Quarantine.objects.filter(batch=batch, kind="DETECTOR_CHECK_FAILED").count() >= 1
    assert balance(batch, "FINISHING", "quarantined") == 100
    screenshot(page, "station-finishing-detector-fail")
    context.close()
