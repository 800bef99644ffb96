"""Alerts: raised in the transaction of their cause, broadcast on commit (best effort)."""

from __future__ import annotations

import logging
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.common.errors import ApplicationError
from transfers.models import Department

from .consumers import FACTORY_GROUP, MANAGERS_GROUP, department_group
from .live import broadcast_dashboard_changed
from .models import Alert, AlertKind, AlertPriority

log = logging.getLogger(__name__)


def alert_payload(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "priority": alert.priority,
        "kind": alert.kind,
        "batch": alert.batch.number if alert.batch_id else None,
        "departments": sorted(d.code for d in alert.departments.all()),
        "line": alert.line.code if alert.line_id else None,
        "message": alert.message,
        "raised_at": timezone.localtime(alert.raised_at).isoformat(),
        "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by_id else None,
        "acknowledged_at": (
            timezone.localtime(alert.acknowledged_at).isoformat() if alert.acknowledged_at else None
        ),
        "resolved_at": (
            timezone.localtime(alert.resolved_at).isoformat() if alert.resolved_at else None
        ),
        "escalated": alert.escalated_at is not None,
    }


def broadcast_alert(alert_id: int) -> None:
    """Send the alert to ``factory`` and each ``dept-<code>`` group (escalations also to
    ``managers``), then pulse the dashboards. Never raises: a page must not fail because Redis
    is down (pages read alerts from the database anyway)."""
    try:
        from channels.layers import get_channel_layer

        alert = (
            Alert.objects.select_related("batch", "line", "acknowledged_by")
            .prefetch_related("departments")
            .get(pk=alert_id)
        )
        payload = alert_payload(alert)
        layer = get_channel_layer()
        message = {"type": "alert.message", "alert": payload}
        groups = [FACTORY_GROUP] + [department_group(c) for c in payload["departments"]]
        if alert.kind == AlertKind.ESCALATED:
            groups.append(MANAGERS_GROUP)
        for group in groups:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # the channel layer is best effort
        log.warning("alert broadcast failed", exc_info=True, extra={"alert": alert_id})
    broadcast_dashboard_changed("alert")


def alert_raise(
    *,
    kind: str,
    priority: str,
    message: str,
    departments: list[str],
    batch=None,
    line=None,
    reference: str = "",
) -> Alert:
    """Write the alert in the caller's transaction; broadcast after it commits."""
    alert = Alert.objects.create(
        kind=kind, priority=priority, message=message, batch=batch, line=line, reference=reference
    )
    alert.departments.set(Department.objects.filter(code__in=departments))
    transaction.on_commit(lambda: broadcast_alert(alert.pk))
    return alert


def _locked(alert_id: int) -> Alert:
    return Alert.objects.select_for_update(no_key=True).get(pk=alert_id)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user) -> Alert:
    alert = _locked(alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_by = user
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        transaction.on_commit(lambda: broadcast_alert(alert.pk))
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, user, note: str) -> Alert:
    alert = _locked(alert.pk)
    if alert.resolved_at is not None:
        raise ApplicationError("invalid_transition", _("This alert is already resolved."))
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_by, alert.acknowledged_at = user, now
    alert.resolved_by, alert.resolved_at, alert.resolution_note = user, now, note
    alert.save()
    transaction.on_commit(lambda: broadcast_alert(alert.pk))
    if alert.escalated_at is not None:  # its escalation is settled with it
        alerts_resolve_for_reference(
            reference=escalation_reference(alert.pk), kind=AlertKind.ESCALATED, user=user,
            note=note,
        )  # fmt: skip
    return alert


def alerts_resolve_for_reference(*, reference: str, kind: str, user, note: str) -> int:
    """Resolve the open alerts a cause raised once the cause is gone (inside its transaction)."""
    resolved = 0
    for alert in Alert.objects.select_for_update(no_key=True).filter(
        reference=reference, kind=kind, resolved_at__isnull=True
    ):
        now = timezone.now()
        if alert.acknowledged_at is None:
            alert.acknowledged_by, alert.acknowledged_at = user, now
        alert.resolved_by, alert.resolved_at, alert.resolution_note = user, now, note
        alert.save()
        transaction.on_commit(lambda pk=alert.pk: broadcast_alert(pk))
        resolved += 1
    return resolved


# --- escalation -------------------------------------------------------------------------------
ESCALATION_BATCH = 100


def escalation_reference(alert_id: int) -> str:
    return f"escalated:{alert_id}"


def alerts_escalate() -> list[int]:
    """Escalate every P1 that nobody acknowledged or resolved within the factory setting
    ``alert_escalation_minutes``: mark it ``escalated_at`` and raise one ``ESCALATED`` P1 for the
    managers (no department, so only managers and admins see it; broadcast to ``managers``).

    Exactly once, also when two runs overlap: candidates are locked with ``SKIP LOCKED`` (a row
    another run or an acknowledgement holds is left alone) and the conditions are re-read under
    the lock. Returns the ids of the alerts escalated now."""
    from erp.common.factory_settings import get_setting

    minutes = int(get_setting("alert_escalation_minutes"))
    now = timezone.now()
    escalated: list[int] = []
    with transaction.atomic():
        candidates = list(
            Alert.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
            .select_related("batch", "line")
            .filter(
                priority=AlertPriority.P1,
                acknowledged_at__isnull=True,
                resolved_at__isnull=True,
                escalated_at__isnull=True,
                raised_at__lte=now - timedelta(minutes=minutes),
            )
            .exclude(kind=AlertKind.ESCALATED)
            .order_by("pk")[:ESCALATION_BATCH]
        )
        for alert in candidates:
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            alert_raise(
                kind=AlertKind.ESCALATED,
                priority=AlertPriority.P1,
                message=(
                    _("Not acknowledged for %(minutes)s min: %(message)s")
                    % {"minutes": minutes, "message": alert.message}
                )[:500],
                departments=[],
                batch=alert.batch,
                line=alert.line,
                reference=escalation_reference(alert.pk),
            )
            transaction.on_commit(lambda pk=alert.pk: broadcast_alert(pk))
            escalated.append(alert.pk)
    return escalated
