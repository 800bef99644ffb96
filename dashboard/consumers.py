"""``/ws/alerts/``: live alerts for the user's departments.

Groups: ``dept-<CODE>`` for every department the user acts for, and ``factory`` for managers and
admins. Anonymous connections are refused before the handshake completes.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

FACTORY_GROUP = "factory"


def department_group(code: str) -> str:
    return f"dept-{code}"


@database_sync_to_async
def _groups_for(user) -> list[str]:
    from accounts.selectors import user_departments, user_roles

    groups = [department_group(code) for code in user_departments(user)]
    if user_roles(user) & {"manager", "admin"}:
        groups.append(FACTORY_GROUP)
    return groups


class AlertConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = await _groups_for(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "groups": self.groups_joined})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data or bytes_data or "")
        except ValueError:
            await self.send_json({"type": "error", "message": "Send JSON."})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        # The stream is one-way; answer pings so clients can test the connection.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "message": "This socket only sends alerts."})

    async def alert_message(self, event):
        """Group message ``{"type": "alert.message", "alert": {...}}`` → the client."""
        await self.send_json({"type": "alert", "alert": event["alert"]})


class AlertHtmlConsumer(AlertConsumer):
    """``/ws/alerts/html/``: the same broadcast as HTML for the htmx ws extension: each alert
    arrives as an out-of-band swap that prepends it to the page's alert banner."""

    async def send_json(self, content, close=False):
        if content.get("type") != "alert":
            return  # hello / pong are for JSON clients
        await self.send(text_data=render_alert_oob(content["alert"]), close=close)

    async def alert_message(self, event):
        alert = event["alert"]
        if alert.get("resolved_at") or alert.get("acknowledged_at"):
            return  # the banner only announces new, unacknowledged alerts
        await self.send(text_data=render_alert_oob(alert))


def render_alert_oob(alert: dict) -> str:
    from django.template.loader import render_to_string

    return render_to_string("dashboard/alert_oob.html", {"alert": alert})
