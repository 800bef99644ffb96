"""The P1 alert of a blocked transfer reaches the connected receiving station over the
websocket (JSON and the HTML stream the pages use), and not other departments."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from erp.asgi import application
from tests.conftest import run_async
from tests.transfers.helpers import cut, dept, line, released_batches, users
from transfers import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.smoke]
ORIGIN = (b"origin", b"http://localhost")


def cookie_for(client, user):
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())


def make_blocked_transfer():
    cast = users()
    first, second = released_batches(quantity=20, batch_size=10)
    cut(first, 10)
    cut(second, 10)
    services.transfer_prepare(
        batch=first, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-2"), quantity=10, user=cast["cutting"],
    )  # fmt: skip
    return services.transfer_prepare(
        batch=second, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-2"), quantity=10, user=cast["cutting"],
    )  # fmt: skip


def test_the_blocked_transfer_alert_reaches_the_receiving_station(client):
    cast = users()
    sewing_cookie = cookie_for(client, cast["sewing"])
    finishing_cookie = cookie_for(client.__class__(), cast["finishing"])

    async def scenario():
        sewing_json = WebsocketCommunicator(
            application, "/ws/alerts/", headers=[ORIGIN, sewing_cookie]
        )
        sewing_html = WebsocketCommunicator(
            application, "/ws/alerts/html/", headers=[ORIGIN, sewing_cookie]
        )
        finishing = WebsocketCommunicator(
            application, "/ws/alerts/", headers=[ORIGIN, finishing_cookie]
        )
        for communicator in (sewing_json, sewing_html, finishing):
            connected, _ = await communicator.connect(timeout=5)
            assert connected
        await sewing_json.receive_json_from()  # hello
        await finishing.receive_json_from()  # hello

        blocked = await database_sync_to_async(make_blocked_transfer)()
        assert blocked.state == "BLOCKED"

        message = await sewing_json.receive_json_from(timeout=5)
        assert message["type"] == "alert"
        assert message["alert"]["kind"] == "LINE_BLOCKED"
        assert message["alert"]["priority"] == "P1"
        assert message["alert"]["departments"] == ["CUTTING", "SEWING"]
        assert message["alert"]["line"] == "SEW-2"
        html = await sewing_html.receive_from(timeout=5)
        assert 'hx-swap-oob="afterbegin"' in html and "SEW-2" in html
        assert 'data-kind="LINE_BLOCKED"' in html
        assert await finishing.receive_nothing(timeout=0.3)
        for communicator in (sewing_json, sewing_html, finishing):
            await communicator.disconnect()

    run_async(scenario)


def test_pages_still_work_and_show_alerts_when_the_channel_layer_is_down(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        blocked = make_blocked_transfer()  # the broadcast fails quietly after commit
        assert blocked.state == "BLOCKED"
        client.force_login(users()["sewing"])
        page = client.get("/sewing/")
        assert page.status_code == 200
        assert 'data-kind="LINE_BLOCKED"' in page.content.decode()
    finally:
        channel_layers.backends.clear()
