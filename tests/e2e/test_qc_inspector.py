"""The QC inspector on a 768 x 1024 tablet, in Indonesian: an AQL final inspection (the plan
follows the lot size live, the defects found give the verdict), then the two-approver release of
a metal quarantine on the quarantine board (the inspector approves, the QC manager confirms)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from quality.models import FinalInspection, Quarantine
from quality.quarantine import quarantine_units
from tests.e2e.conftest import login
from tests.transfers.helpers import balance, cut, dept, line, released_batches, users
from transfers.ledger import Bucket, Move, wip_moves

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 768, "height": 1024}


def tablet(browser, base_url, username):
    context = browser.new_context(viewport=TABLET, locale="id-ID")
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def batch_at_finishing(quantity=100):
    (batch,) = released_batches(quantity=quantity)
    cut(batch, quantity)
    wip_moves(
        [Move(batch, Bucket(dept("CUTTING"), "ready", line("CUT-1")),
              Bucket(dept("FINISHING"), "available", line("FIN-1")), quantity)],
        reason="test", user=users()["manager"],
    )  # fmt: skip
    return batch


def plan_row(page, cls):
    return page.locator(f"[data-testid=plan-table] tr[data-class={cls}]")


def fits_the_tablet(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]


def test_qc_inspector_final_inspection_and_two_approver_release(
    asgi_live_server, browser, screenshot
):
    call_command("seed_demo", verbosity=0)
    batch = batch_at_finishing(100)
    metal = quarantine_units(
        batch=batch, department=dept("FINISHING"), line=line("FIN-1"), from_state="available",
        quantity=30, kind=Quarantine.Kind.METAL_ALARM, reason="Detektor MD-1 alarm",
        source="test", user=users()["finishing"],
    )  # fmt: skip
    base = asgi_live_server.url

    # the inspector lands on Quality: the batch waits for its final inspection
    ctx, page = tablet(browser, base, "qc_inspector")
    assert page.url.endswith("/quality/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_test_id("logout").inner_text() == "Keluar"
    waiting = page.locator(f"[data-testid=awaiting] tr[data-batch='{batch.number}']")
    expect(waiting.locator("[data-verdict='']")).to_be_visible()
    expect(page.get_by_test_id("open-quarantines")).to_have_text("1")
    screenshot(page, "quality-home")
    fits_the_tablet(page)

    # final inspection: the lot is pre-filled, the plan follows the lot size as it is typed
    waiting.get_by_test_id("inspect").click()
    lot = page.get_by_test_id("final-lot")
    expect(lot).to_have_value("100")  # 70 available + 30 quarantined at finishing
    expect(plan_row(page, "major")).to_have_attribute("data-sample", "20")
    lot.fill("500")
    expect(plan_row(page, "major")).to_have_attribute("data-sample", "50")
    expect(plan_row(page, "major")).to_have_attribute("data-accept", "3")
    expect(plan_row(page, "minor")).to_have_attribute("data-reject", "6")
    lot.fill("100")
    expect(plan_row(page, "major")).to_have_attribute("data-sample", "20")
    expect(plan_row(page, "critical")).to_have_attribute("data-reject", "1")
    expect(plan_row(page, "minor")).to_have_attribute("data-accept", "2")
    page.get_by_test_id("final-major").fill("1")
    page.get_by_test_id("final-minor").fill("2")
    page.get_by_test_id("final-submit").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "ACCEPT")
    expect(verdict).to_contain_text(batch.number)
    inspection = FinalInspection.objects.get(batch=batch)
    assert (inspection.verdict, inspection.sample_size, inspection.major) == ("ACCEPT", 20, 1)
    screenshot(page, "quality-final-accept")
    fits_the_tablet(page)

    # the quarantine board: the metal release is approved first by the inspector
    page.get_by_test_id("nav-quarantines").click()
    row = page.locator(f"[data-testid=quarantine-row][data-id='{metal.pk}']")
    expect(row.get_by_test_id("metal-badge")).to_be_visible()
    expect(row.get_by_test_id("two-approver-rule")).to_be_visible()
    expect(row.get_by_test_id("decide-quantity")).to_have_value("30")
    row.locator(f"label[for=d-{metal.pk}-release]").click()
    row.get_by_test_id("decide-note").fill("Ujung jarum ditemukan dan dilepas")
    row.get_by_test_id("decide").click()
    row = page.locator(f"[data-testid=quarantine-row][data-id='{metal.pk}']")
    expect(row).to_have_attribute("data-status", "AWAITING_SECOND_APPROVAL")
    expect(row.locator("[data-testid=result][data-level=warning]")).to_be_visible()
    expect(row.get_by_test_id("first-approver")).to_be_visible()
    expect(row.get_by_test_id("awaiting-note")).to_be_visible()
    assert row.get_by_test_id("confirm-form").count() == 0  # not for the first approver
    assert balance(batch, "FINISHING", "quarantined", "FIN-1") == 30
    screenshot(page, "quality-quarantine-awaiting")
    fits_the_tablet(page)

    # the QC manager confirms: the units go back to finishing
    lead_ctx, lead = tablet(browser, base, "qc_lead")
    lead.goto(f"{base}/quality/quarantines/")
    row = lead.locator(f"[data-testid=quarantine-row][data-id='{metal.pk}']")
    expect(row.get_by_test_id("confirm-form")).to_be_visible()
    row.get_by_test_id("confirm-note").fill("Catatan dicek, aman")
    row.get_by_test_id("confirm").click()
    row = lead.locator(f"[data-testid=quarantine-row][data-id='{metal.pk}']")
    expect(row).to_have_attribute("data-status", "RELEASED")
    expect(row.locator("[data-testid=result][data-level=success]")).to_be_visible()
    metal.refresh_from_db()
    assert metal.status == Quarantine.Status.RELEASED and metal.remaining == 0
    decision = metal.decisions.get()
    assert decision.decided_by.username == "qc_inspector"
    assert decision.approved_by.username == "qc_lead"
    assert balance(batch, "FINISHING", "available", "FIN-1") == 100
    screenshot(lead, "quality-quarantine-released")
    fits_the_tablet(lead)
    ctx.close()
    lead_ctx.close()


def test_the_lab_records_a_result_from_its_measurements(asgi_live_server, browser, screenshot):
    from quality.models import LabTest
    from tests.factories import ArticleFactory

    call_command("seed_demo", verbosity=0)
    ArticleFactory(code="BEAR-40")
    ctx, page = tablet(browser, asgi_live_server.url, "qc_lab")
    assert page.url.endswith("/quality/")
    page.get_by_test_id("nav-lab").click()
    expect(page.locator("[data-testid=compliance] tr[data-article=BEAR-40]")).to_have_attribute(
        "data-valid", "0"
    )
    form = page.get_by_test_id("lab-form")
    form.locator("#id_article").select_option("BEAR-40")
    form.locator("#id_test").select_option("flammability")
    form.locator("#id_value").fill("1.2")
    form.locator("#id_limit").fill("2.5")
    form.locator("#id_uncertainty").fill("0.1")
    form.locator("#id_unit").fill("mm/s")
    page.get_by_test_id("lab-submit").click()
    expect(page.locator("[data-testid=result][data-level=success]")).to_be_visible()
    lab = LabTest.objects.get()
    assert lab.result == "PASS" and lab.measurements["unit"] == "mm/s"
    expect(page.locator("[data-testid=lab-results] tr[data-result=PASS]")).to_have_count(1)
    screenshot(page, "quality-lab")
    fits_the_tablet(page)
    ctx.close()
