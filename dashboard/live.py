""" "The dashboard changed": a small pulse to the ``dashboard`` Channels group after a commit.

Transfers, inspections and alerts queue it; dashboards listening on the alert stream re-fetch
their numbers (and poll every 30 s anyway, so a lost pulse only delays them). Best effort: a
broadcast never fails the write that caused it.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from django.db import transaction

log = logging.getLogger(__name__)

DASHBOARD_GROUP = "dashboard"
PULSE = "dashboard-changed"  # what the HTML stream sends (dashboard.js turns it into an event)


def broadcast_dashboard_changed(reason: str = "") -> None:
    """Send ``{"type": "dashboard.changed"}`` to the ``dashboard`` group now. Never raises."""
    try:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(
            DASHBOARD_GROUP, {"type": "dashboard.changed", "reason": reason}
        )
    except Exception:  # the channel layer is best effort
        log.warning("dashboard broadcast failed", exc_info=True, extra={"reason": reason})


def _already_queued(connection) -> bool:
    try:
        return any(
            getattr(entry[1], "dashboard_pulse", False) for entry in connection.run_on_commit
        )
    except Exception:  # Django internals changed: send one pulse per call instead
        return False


def dashboard_changed_on_commit(reason: str = "") -> None:
    """Queue one pulse for when the current transaction commits (at once outside one).

    Coalesced: a transaction that changes many things (an approve moving three buckets, an
    inspection raising an alert) sends a single pulse."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and _already_queued(connection):
        return

    def pulse():
        broadcast_dashboard_changed(reason)

    pulse.dashboard_pulse = True
    transaction.on_commit(pulse)
