"""The factory dashboard and the notification centre in real browsers, in Indonesian.

Page A (the manager's dashboard, 1920 x 1080 wall TV) stays open while the sewing station
(page B) scans a slip and accepts it: A's line map and WIP change without a reload (the pulse
over the websocket on an ASGI server). With the channel layer down the dashboard still loads and
refreshes by polling. Screenshots for the user guide."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from tests.dashboard.helpers import accept, send
from tests.e2e.conftest import login
from tests.transfers.helpers import cut, released_batches, users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TV = {"width": 1920, "height": 1080}


@pytest.fixture(autouse=True)
def _own_channel_prefix(settings, worker_id):
    """The ``dashboard`` group lives in Redis: parallel workers get their own prefix."""
    layers = settings.CHANNEL_LAYERS
    if "channels_redis" in layers["default"]["BACKEND"]:
        config = {**layers["default"]["CONFIG"], "prefix": f"asgi-e2e-dash-{worker_id}"}
        settings.CHANNEL_LAYERS = {"default": {**layers["default"], "CONFIG": config}}
        from channels.layers import channel_layers

        channel_layers.backends.clear()


TABLET = {"width": 768, "height": 1024}


def in_thread(function, *args):
    """Run a service in its own thread (Playwright's event loop owns this one, where the
    on-commit broadcast could not run), with its own database connection."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def open_as(browser, base, username, path, viewport=TV):
    context = browser.new_context(viewport=viewport, locale="id-ID")
    page = context.new_page()
    login(page, base, username)
    page.goto(f"{base}{path}")
    return context, page


def tile(page, line_code):
    return page.locator(f'[data-testid=line-tile][data-line="{line_code}"]')


def test_the_dashboard_updates_live_when_sewing_accepts_a_transfer(
    asgi_live_server, browser, screenshot
):
    call_command("seed_demo", verbosity=0)
    cast = users()
    first, second = released_batches(quantity=200, batch_size=100)
    (other,) = released_batches(quantity=60, destination="US-NY", country="US", article="DOG-30")
    cut(first, 100)
    cut(second, 100)
    cut(other, 60)
    slip = send(first, "CUTTING", "SEWING", "SEW-1", 100, cast["cutting"])
    blocked_to = send(other, "CUTTING", "SEWING", "SEW-3", 60, cast["cutting"])
    assert slip.state == blocked_to.state == "IN_TRANSIT"
    base = asgi_live_server.url

    manager_ctx, dashboard = open_as(browser, base, "manager", "/dashboard/")
    assert dashboard.get_by_test_id("logout").inner_text() == "Keluar"  # Indonesian
    assert tile(dashboard, "SEW-1").get_attribute("data-units") == "0"
    dashboard.wait_for_selector("body[data-stream=open]", timeout=10_000)
    dashboard.evaluate("window.__notReloaded = true")

    # page B: the sewing station scans the slip and accepts the 100 pcs
    sewing_ctx, sewing = open_as(browser, base, "sewing", "/sewing/", TABLET)
    sewing.keyboard.type(slip.slip_code)
    sewing.keyboard.press("Enter")
    sewing.wait_for_selector("[data-testid=scanned]")
    sewing.click("[data-testid=accept]")
    sewing.wait_for_selector("[data-testid=result][data-level=success]")

    # page A follows within seconds (the poll is 30 s away): line map, WIP, country
    dashboard.wait_for_selector(
        '[data-testid=line-tile][data-line="SEW-1"][data-units="100"]', timeout=15_000
    )
    assert dashboard.evaluate("window.__notReloaded") is True
    assert first.number in tile(dashboard, "SEW-1").inner_text()
    assert tile(dashboard, "SEW-1").get_by_test_id("line-country").inner_text() == "DE"
    assert (
        dashboard.locator("[data-testid=wip-row][data-department=SEWING]").get_attribute(
            "data-units"
        )
        == "100"
    )

    # a service in another thread: the US batch lands on SEW-3 and a blocked line raises a P1
    def accept_other_and_block():
        accept(blocked_to, cast["sewing"])
        return send(second, "CUTTING", "SEWING", "SEW-1", 100, cast["cutting"])

    assert in_thread(accept_other_and_block).state == "BLOCKED"
    dashboard.wait_for_selector(
        '[data-testid=line-tile][data-line="SEW-3"][data-units="60"]', timeout=15_000
    )
    dashboard.wait_for_selector("[data-testid=dash-alert][data-kind=LINE_BLOCKED]", timeout=15_000)
    assert tile(dashboard, "SEW-3").get_by_test_id("line-country").inner_text() == "US"
    assert dashboard.evaluate("window.__notReloaded") is True
    assert "Keluar" in dashboard.get_by_test_id("logout").inner_text()

    # fits the wall TV; stacks on a tablet without sideways scrolling
    screenshot(dashboard, "dashboard-factory")
    assert dashboard.evaluate("document.documentElement.scrollWidth") <= TV["width"]
    assert dashboard.evaluate("document.documentElement.scrollHeight") <= TV["height"]
    dashboard.set_viewport_size(TABLET)
    assert dashboard.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    screenshot(dashboard, "dashboard-factory-tablet")
    manager_ctx.close()
    sewing_ctx.close()


def test_with_the_channel_layer_down_the_dashboard_loads_and_polls(
    asgi_live_server, browser, settings
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    call_command("seed_demo", verbosity=0)
    cast = users()
    (batch,) = released_batches(quantity=40)
    cut(batch, 40)
    slip = send(batch, "CUTTING", "SEWING", "SEW-2", 40, cast["cutting"])

    context, dashboard = open_as(browser, asgi_live_server.url, "manager", "/dashboard/?refresh=5")
    board = dashboard.locator("#board")
    assert "every 5s" in board.get_attribute("hx-trigger")
    assert tile(dashboard, "SEW-2").get_attribute("data-units") == "0"

    assert in_thread(accept, slip, cast["sewing"]).state == "ACCEPTED"  # no pulse can go out
    dashboard.wait_for_selector(
        '[data-testid=line-tile][data-line="SEW-2"][data-units="40"]', timeout=15_000
    )
    context.close()


def test_the_notification_centre_in_indonesian(asgi_live_server, browser, screenshot):
    from dashboard.services import alert_raise, alert_resolve

    call_command("seed_demo", verbosity=0)
    cast = users()
    first, second = released_batches(quantity=20, batch_size=10)
    cut(first, 10)
    cut(second, 10)
    accept(send(first, "CUTTING", "SEWING", "SEW-1", 10, cast["cutting"]), cast["sewing"])
    assert send(second, "CUTTING", "SEWING", "SEW-1", 10, cast["cutting"]).state == "BLOCKED"
    alert_raise(kind="SHORTAGE", priority="P2", message="Benang merah 40/2 kurang 12 cone",
                departments=["SEWING", "WAREHOUSE"])  # fmt: skip
    done = alert_raise(kind="METAL_ALARM", priority="P1", message="Detektor MD-1: alarm",
                       departments=["FINISHING"])  # fmt: skip
    alert_resolve(alert=done, user=cast["manager"], note="Boneka diperiksa ulang, jarum ditemukan")

    context, centre = open_as(
        browser, asgi_live_server.url, "manager", "/dashboard/alerts/", TABLET
    )
    assert centre.get_by_test_id("page-title").inner_text() == "Peringatan"
    assert centre.locator("[data-testid=alert-row]").count() == 3
    badge = centre.locator("#alert-count")
    assert badge.inner_text() == "2"
    screenshot(centre, "alerts-centre")

    row = centre.locator("[data-testid=alert-row][data-kind=LINE_BLOCKED]")
    row.get_by_test_id("ack").click()
    centre.wait_for_selector(
        "[data-testid=alert-row][data-kind=LINE_BLOCKED][data-state=acknowledged]"
    )
    row.get_by_test_id("note").fill("Line SEW-1 sudah bersih, batch dikirim ulang")
    row.get_by_test_id("resolve").click()
    centre.wait_for_selector("[data-testid=alert-row][data-kind=LINE_BLOCKED][data-state=resolved]")
    centre.wait_for_function("document.getElementById('alert-count').innerText === '1'")

    centre.select_option("[data-testid=filter-state]", "open")
    with centre.expect_navigation():
        centre.click("[data-testid=filter]")
    assert centre.locator("[data-testid=alert-row]").count() == 1
    assert centre.locator("[data-testid=alert-row]").get_attribute("data-kind") == "SHORTAGE"
    context.close()
