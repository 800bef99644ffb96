"""In a real browser (Chromium, 768 x 1024): every demo user logs in and sees only its
navigation; an operator opening another department gets 403; the language switches."""

import pytest

from accounts.roles import DEMO_LEADS, ROLES
from tests.accounts.test_pages import EXPECTED_NAV, LANDING
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_USERS = {role: role for role in ROLES} | {
    lead: role for lead, (role, _d) in DEMO_LEADS.items()
}


def nav_areas(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=nav] a[data-area]", "els => els.map(e => e.dataset.area)"
    )


def test_every_demo_user_logs_in_and_sees_only_the_navigation_of_its_role(
    seeded, live_server, browser, screenshot
):
    for username, role in DEMO_USERS.items():
        context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="id-ID")
        page = context.new_page()
        login(page, live_server.url, username)
        assert page.url == f"{live_server.url}{LANDING[role]}", username
        assert nav_areas(page) == EXPECTED_NAV[role], username
        assert page.get_by_test_id("role").inner_text() == role
        if username == "sewing":
            screenshot(page, "station-sewing")
        if username == "manager":
            page.set_viewport_size({"width": 1280, "height": 900})
            screenshot(page, "dashboard-manager")
        context.close()


def test_an_operator_opening_another_department_gets_403(seeded, live_server, page):
    login(page, live_server.url, "sewing")
    response = page.goto(f"{live_server.url}/cutting/")
    assert response.status == 403
    assert page.get_by_test_id("forbidden").is_visible()
    response = page.goto(f"{live_server.url}/admin/")
    assert page.url.startswith(f"{live_server.url}/admin/login/")


def test_the_language_switches_between_indonesian_and_english(
    seeded, live_server, page, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Masuk"
    screenshot(page, "login")
    login(page, live_server.url, "sewing")
    assert page.get_by_test_id("logout").inner_text() == "Keluar"
    with page.expect_navigation():
        page.click("[data-testid=language-switcher] button[value=en]")
    assert page.get_by_test_id("logout").inner_text() == "Logout"
    assert page.get_by_role("tab", name="Record work").is_visible()
    with page.expect_navigation():
        page.click("[data-testid=language-switcher] button[value=id]")
    assert page.get_by_role("tab", name="Catat hasil kerja").is_visible()


def test_the_station_fits_a_portrait_tablet_and_the_scan_box_has_focus(seeded, live_server, page):
    login(page, live_server.url, "finishing")
    assert page.evaluate("document.activeElement.dataset.testid") == "scan"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768
    # touch targets: every button and tab at least 44 px high
    heights = page.eval_on_selector_all(
        "main button, main .nav-link, main select",
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)",
    )
    assert heights and min(heights) >= 44


def test_a_locked_out_user_sees_the_message_in_the_browser(seeded, live_server, page):
    for _ in range(5):
        login(page, live_server.url, "packing", password="wrong-password")
    login(page, live_server.url, "packing")
    assert page.get_by_test_id("locked-out").is_visible()
    assert "30" in page.get_by_test_id("locked-out").inner_text()
