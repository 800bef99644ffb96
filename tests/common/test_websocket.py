"""``/ws/alerts/``: foreign Origins and anonymous users are refused; users get their groups."""

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from erp.asgi import application
from tests.conftest import jwt_for, run_async

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.smoke]

OK_ORIGIN = (b"origin", b"http://localhost:8000")


async def _connect(path, headers):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _subprotocol = await communicator.connect(timeout=5)
    return communicator, connected


def connect(path, headers):
    async def attempt():
        return await _connect(path, headers)

    return run_async(attempt)


def test_a_foreign_origin_is_refused_even_with_a_valid_token(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    token = jwt_for(api_client, "siti", password)
    communicator, connected = connect(
        f"/ws/alerts/?token={token}", [(b"origin", b"https://evil.example.com")]
    )
    assert not connected


def test_no_origin_header_is_refused(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    token = jwt_for(api_client, "siti", password)
    _c, connected = connect(f"/ws/alerts/?token={token}", [])
    assert not connected


def test_an_anonymous_user_is_refused():
    _c, connected = connect("/ws/alerts/", [OK_ORIGIN])
    assert not connected


def test_a_bad_token_is_refused():
    _c, connected = connect("/ws/alerts/?token=not-a-jwt", [OK_ORIGIN])
    assert not connected


def test_a_user_with_a_token_joins_the_groups_of_their_departments(api_client, make_user, password):
    make_user("siti", roles=["sewing"])
    token = jwt_for(api_client, "siti", password)

    async def scenario():
        communicator, connected = await _connect(f"/ws/alerts/?token={token}", [OK_ORIGIN])
        assert connected
        assert await communicator.receive_json_from() == {
            "type": "hello",
            "groups": ["dept-SEWING"],
        }
        layer = get_channel_layer()
        await layer.group_send("dept-CUTTING", {"type": "alert.message", "alert": {"id": 1}})
        await layer.group_send("dept-SEWING", {"type": "alert.message", "alert": {"id": 2}})
        assert await communicator.receive_json_from(timeout=2) == {
            "type": "alert",
            "alert": {"id": 2},
        }
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.send_to(text_data="not json")
        assert (await communicator.receive_json_from())["type"] == "error"
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
        await communicator.disconnect()

    run_async(scenario)


def test_a_browser_session_is_accepted_and_managers_join_the_factory_group(client, make_user):
    client.force_login(make_user("boss", roles=["manager"]))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario():
        communicator, connected = await _connect(
            "/ws/alerts/", [OK_ORIGIN, (b"cookie", cookie.encode())]
        )
        assert connected
        hello = await communicator.receive_json_from()
        assert "factory" in hello["groups"] and "dept-QUALITY" in hello["groups"]
        await communicator.disconnect()

    run_async(scenario)
