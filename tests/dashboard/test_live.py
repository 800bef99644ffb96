"""Live dashboards: a transfer, an inspection or an alert change pulses the ``dashboard`` group
after the commit (once per transaction, never failing the write); the pages' HTML stream passes
the pulse on to managers, PPIC and admins only; managers get each alert once."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction

from dashboard.live import DASHBOARD_GROUP, PULSE, dashboard_changed_on_commit
from erp.asgi import application
from tests.conftest import run_async
from tests.dashboard.helpers import accept, send
from tests.factories import UserFactory
from tests.transfers.helpers import cut, dept, released_batches, users

ORIGIN = (b"origin", b"http://localhost")


def cookie_for(client, user):
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())


def prepared_transfer():
    cast = users()
    (batch,) = released_batches(quantity=30)
    cut(batch, 30)
    return send(batch, "CUTTING", "SEWING", "SEW-2", 30, cast["cutting"]), cast


async def _drain(layer, channel, seconds=1.0) -> list[dict]:
    messages = []
    while True:
        try:
            messages.append(await asyncio.wait_for(layer.receive(channel), seconds))
        except TimeoutError:
            return messages


@pytest.mark.django_db(transaction=True)
def test_a_transfer_accept_sends_dashboard_changed_to_the_group():
    transfer, cast = prepared_transfer()

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(DASHBOARD_GROUP, channel)
        accepted = await database_sync_to_async(accept)(transfer, cast["sewing"])
        assert accepted.state == "ACCEPTED"
        message = await asyncio.wait_for(layer.receive(channel), 10)
        # one pulse per transaction; the ledger's move queues it first ("wip")
        assert message["type"] == "dashboard.changed" and message["reason"] in ("wip", "transfer")
        assert await _drain(layer, channel, 0.5) == []  # one pulse for the accept

    run_async(scenario)


@pytest.mark.django_db(transaction=True)
def test_inspections_and_alert_changes_pulse_too():
    from dashboard.services import alert_acknowledge, alert_raise
    from quality.services import inspection_record

    transfer, cast = prepared_transfer()
    accept(transfer, cast["sewing"])

    def record():
        inspection_record(
            batch=transfer.batch, department=dept("SEWING"), kind="inline", passed=7,
            user=cast["sewing"],
        )  # fmt: skip

    def raise_and_ack():
        alert = alert_raise(
            kind="SHORTAGE", priority="P2", message="thread", departments=["SEWING"]
        )
        alert_acknowledge(alert=alert, user=cast["sewing"])

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(DASHBOARD_GROUP, channel)
        await database_sync_to_async(record)()
        reasons = [m["reason"] for m in await _drain(layer, channel)]
        assert reasons and set(reasons) <= {"inspection", "alert"} and "inspection" in reasons
        await database_sync_to_async(raise_and_ack)()
        assert [m["reason"] for m in await _drain(layer, channel)] == ["alert", "alert"]

    run_async(scenario)


@pytest.mark.django_db
def test_one_pulse_per_transaction(django_capture_on_commit_callbacks):
    """(The test runs in one transaction: prepare, accept and two more changes, one pulse.)"""
    with django_capture_on_commit_callbacks() as callbacks:
        transfer, cast = prepared_transfer()
        with transaction.atomic():
            dashboard_changed_on_commit("a")
            accept(transfer, cast["sewing"])
            dashboard_changed_on_commit("b")
    assert len([c for c in callbacks if getattr(c, "dashboard_pulse", False)]) == 1


@pytest.mark.django_db(transaction=True)
def test_the_html_stream_passes_the_pulse_to_dashboard_roles_only(client):
    transfer, cast = prepared_transfer()
    manager = cookie_for(client, cast["manager"])
    ppic = cookie_for(client.__class__(), cast["ppic"])
    sewing = cookie_for(client.__class__(), cast["sewing"])

    async def scenario():
        streams = {
            name: WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
            for name, path, cookie in [
                ("manager", "/ws/alerts/html/", manager),
                ("ppic", "/ws/alerts/html/", ppic),
                ("sewing", "/ws/alerts/html/", sewing),
                ("manager_json", "/ws/alerts/", manager),
            ]
        }
        for communicator in streams.values():
            connected, _ = await communicator.connect(timeout=5)
            assert connected
        await streams["manager_json"].receive_json_from()  # hello
        await database_sync_to_async(accept)(transfer, cast["sewing"])
        assert await streams["manager"].receive_from(timeout=10) == PULSE
        assert await streams["ppic"].receive_from(timeout=10) == PULSE
        assert await streams["sewing"].receive_nothing(timeout=0.3)
        assert await streams["manager_json"].receive_nothing(timeout=0.3)
        for communicator in streams.values():
            await communicator.disconnect()

    run_async(scenario)


@pytest.mark.django_db(transaction=True)
def test_a_manager_gets_each_alert_once_and_the_badge_follows(client):
    """A manager is in ``factory`` and every ``dept-*`` group: the blocked-line alert (sent to
    factory, CUTTING and SEWING) reaches their socket once."""
    cast = users()
    first, second = released_batches(quantity=20, batch_size=10)
    cut(first, 10)
    cut(second, 10)
    manager = cookie_for(client, cast["manager"])

    def block():
        t = send(first, "CUTTING", "SEWING", "SEW-1", 10, cast["cutting"])
        accept(t, cast["sewing"])
        return send(second, "CUTTING", "SEWING", "SEW-1", 10, cast["cutting"])

    def ack():
        from dashboard.models import Alert
        from dashboard.services import alert_acknowledge

        alert_acknowledge(alert=Alert.objects.get(kind="LINE_BLOCKED"), user=cast["sewing"])

    async def scenario():
        json_stream = WebsocketCommunicator(application, "/ws/alerts/", headers=[ORIGIN, manager])
        html_stream = WebsocketCommunicator(
            application, "/ws/alerts/html/", headers=[ORIGIN, manager]
        )
        for communicator in (json_stream, html_stream):
            assert (await communicator.connect(timeout=5))[0]
        hello = await json_stream.receive_json_from()
        assert "managers" in hello["groups"] and "factory" in hello["groups"]
        blocked = await database_sync_to_async(block)()
        assert blocked.state == "BLOCKED"
        message = await json_stream.receive_json_from(timeout=5)
        assert message["alert"]["kind"] == "LINE_BLOCKED"
        assert await json_stream.receive_nothing(timeout=0.5)
        html = []
        while not await html_stream.receive_nothing(timeout=0.5):
            html.append(await html_stream.receive_from())
        banners = [h for h in html if 'hx-swap-oob="afterbegin"' in h]
        assert len(banners) == 1 and 'data-kind="LINE_BLOCKED"' in banners[0]
        assert 'id="alert-count"' in banners[0] and ">1</span>" in banners[0]
        await database_sync_to_async(ack)()
        html = []
        while not await html_stream.receive_nothing(timeout=0.5):
            html.append(await html_stream.receive_from())
        removed = [h for h in html if 'hx-swap-oob="delete"' in h]
        assert len(removed) == 1 and ">1</span>" in removed[0]  # acknowledged, still open
        for communicator in (json_stream, html_stream):
            await communicator.disconnect()

    run_async(scenario)


@pytest.mark.django_db
def test_with_the_channel_layer_down_writes_succeed_and_the_dashboard_still_loads(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    transfer, cast = prepared_transfer()
    with django_capture_on_commit_callbacks(execute=True):
        assert accept(transfer, cast["sewing"]).state == "ACCEPTED"  # the pulse failed quietly
    client.force_login(UserFactory(username="l_manager", roles=["manager"]))
    page = client.get("/dashboard/")
    assert page.status_code == 200 and "every 30s" in page.content.decode()
    board = client.get("/dashboard/board/").content.decode()
    assert 'data-line="SEW-2" data-units="30"' in board
