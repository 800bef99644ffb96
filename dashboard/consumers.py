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
