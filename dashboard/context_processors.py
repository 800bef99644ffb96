from accounts.selectors import user_roles

from .selectors import alerts_visible_to


def may_acknowledge_visible(user) -> bool:
    """Everyone acts on the alerts they see (their departments'), except an administrator
    without the manager role, who sees all and acts on none."""
    roles = user_roles(user)
    return "manager" in roles or "admin" not in roles


def alerts(request):
    """The header badge (open alerts of the user's departments) and the red banner (their
    unacknowledged P1s) on every page, in one query; the websocket adds new ones live."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    rows = list(
        alerts_visible_to(user)
        .filter(resolved_at__isnull=True)
        .order_by("-id")
        .values("id", "priority", "kind", "message", "acknowledged_at")[:500]
    )
    banner = [r for r in rows if r["priority"] == "P1" and r["acknowledged_at"] is None][:5]
    return {
        "open_alert_count": len(rows),
        "banner_alerts": banner,
        "banner_may_ack": may_acknowledge_visible(user),
    }
