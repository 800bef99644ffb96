"""``/ws/alerts/``: live alerts for the user's departments.

Groups: ``dept-<CODE>`` for every department the user acts for, ``factory`` for managers and
admins, ``managers`` for managers (escalations). Anonymous connections are refused before the
handshake completes. A manager is in many of these groups, so one alert reaches their socket
several times: each socket passes an alert state on once.

``/ws/alerts/html/`` (the pages' stream) also joins ``dashboard`` for the roles that open the
factory dashboard and passes its pulses on as the text ``dashboard-changed``.
"""

import json
from collections import OrderedDict

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .live import DASHBOARD_GROUP, PULSE

FACTORY_GROUP = "factory"
MANAGERS_GROUP = "managers"
DASHBOARD_ROLES = {"manager", "ppic", "admin"}


def department_group(code: str) -> str:
    return f"dept-{code}"


@database_sync_to_async
def _groups_for(user) -> list[str]:
    from accounts.selectors import user_departments, user_roles

    roles = user_roles(user)
    groups = [department_group(code) for code in user_departments(user)]
    if roles & {"manager", "admin"}:
        groups.append(FACTORY_GROUP)
    if "manager" in roles:
        groups.append(MANAGERS_GROUP)
    return groups


@database_sync_to_async
def _sees_dashboard(user) -> bool:
    from accounts.selectors import user_roles

    return bool(user_roles(user) & DASHBOARD_ROLES)


@database_sync_to_async
def _may_ack(user) -> bool:
    from .context_processors import may_acknowledge_visible

    return may_acknowledge_visible(user)


@database_sync_to_async
def _open_alert_count(user) -> int:
    from .selectors import alerts_visible_to

    return alerts_visible_to(user).filter(resolved_at__isnull=True).count()


class AlertConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = await self.groups_for(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "groups": self.groups_joined})

    async def groups_for(self, user) -> list[str]:
        return await _groups_for(user)

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

    def first_time(self, alert: dict) -> bool:
        """False when this socket already passed this alert in this state on (it arrived
        through another of the user's groups)."""
        seen = self.__dict__.setdefault("_seen", OrderedDict())
        key = (alert.get("id"), alert.get("acknowledged_at"), alert.get("resolved_at"))
        if key in seen:
            return False
        seen[key] = True
        while len(seen) > 200:
            seen.popitem(last=False)
        return True

    async def alert_message(self, event):
        """Group message ``{"type": "alert.message", "alert": {...}}`` → the client."""
        if self.first_time(event["alert"]):
            await self.send_json({"type": "alert", "alert": event["alert"]})

    async def dashboard_changed(self, event):
        """Only the HTML stream joins the dashboard group; ignore a stray pulse."""


class AlertHtmlConsumer(AlertConsumer):
    """``/ws/alerts/html/``: the same broadcast as HTML for the htmx ws extension: a new alert
    arrives as an out-of-band swap that prepends it to the page's alert banner; every alert
    change also refreshes the header badge (and an acknowledged one leaves the banner).
    Dashboard pulses arrive as the plain text ``dashboard-changed``."""

    async def groups_for(self, user) -> list[str]:
        self.may_ack = await _may_ack(user)
        groups = await _groups_for(user)
        if await _sees_dashboard(user):
            groups.append(DASHBOARD_GROUP)
        return groups

    async def send_json(self, content, close=False):
        if content.get("type") != "alert":
            return  # hello / pong are for JSON clients
        await self.send(text_data=render_alert_oob(content["alert"]), close=close)

    async def alert_message(self, event):
        alert = event["alert"]
        if not self.first_time(alert):
            return
        count = await _open_alert_count(self.scope["user"])
        if alert.get("resolved_at") or alert.get("acknowledged_at"):
            # no longer news: leave the banner (if it is there) and count again
            await self.send(text_data=render_alert_oob(alert, count=count, remove=True))
            return
        may_ack = getattr(self, "may_ack", True)
        await self.send(text_data=render_alert_oob(alert, count=count, may_ack=may_ack))

    async def dashboard_changed(self, event):
        await self.send(text_data=PULSE)


def render_alert_oob(
    alert: dict, *, count: int | None = None, remove: bool = False, may_ack: bool = True
) -> str:
    from django.template.loader import render_to_string

    context = {"alert": alert, "count": count, "remove": remove, "banner_may_ack": may_ack}
    return render_to_string("dashboard/alert_oob.html", context)
