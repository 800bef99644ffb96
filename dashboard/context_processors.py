from .selectors import alerts_visible_to


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
    return {"open_alert_count": len(rows), "banner_alerts": banner}
