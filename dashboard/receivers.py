"""What makes the dashboard change: connected in ``DashboardConfig.ready()``. Receivers only
queue the on-commit pulse (alerts send theirs from ``broadcast_alert``)."""

from django.db.models.signals import post_save

from transfers.signals import transfer_state_changed

from .live import dashboard_changed_on_commit


def on_transfer_state_changed(sender, **kwargs):
    dashboard_changed_on_commit("transfer")


def on_inspection_saved(sender, instance, created, **kwargs):
    if created:
        dashboard_changed_on_commit("inspection")


def connect() -> None:
    transfer_state_changed.connect(on_transfer_state_changed, dispatch_uid="dashboard-transfer")
    for model in ("quality.Inspection", "quality.FinalInspection"):
        post_save.connect(
            on_inspection_saved, sender=model, dispatch_uid=f"dashboard-inspection-{model}"
        )
