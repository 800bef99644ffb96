from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertPriority(models.TextChoices):
    P1 = "P1", _("P1 (stop and act)")
    P2 = "P2", _("P2")
    P3 = "P3", _("P3")


class AlertKind(models.TextChoices):
    LINE_BLOCKED = "LINE_BLOCKED", _("Line blocked")
    QTY_DISCREPANCY = "QTY_DISCREPANCY", _("Quantity discrepancy")
    METAL_ALARM = "METAL_ALARM", _("Metal alarm")
    DETECTOR_CHECK_FAILED = "DETECTOR_CHECK_FAILED", _("Detector check failed")
    DETECTOR_DUE = "DETECTOR_DUE", _("Detector check due")
    NEEDLE_FRAGMENT_MISSING = "NEEDLE_FRAGMENT_MISSING", _("Needle fragment missing")
    QC_RED = "QC_RED", _("Inline QC red")
    LOT_REJECTED = "LOT_REJECTED", _("Lot rejected")
    SHORTAGE = "SHORTAGE", _("Material shortage")
    ESCALATED = "ESCALATED", _("Escalated")


class Alert(models.Model):
    """Written in the same transaction as its cause, so none is lost; broadcast after commit."""

    priority = models.CharField(_("priority"), max_length=2, choices=AlertPriority.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    batch = models.ForeignKey(
        "ppic.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    departments = models.ManyToManyField("transfers.Department", related_name="alerts")
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    message = models.CharField(_("message"), max_length=500)
    reference = models.CharField(max_length=60, blank=True, db_index=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_note = models.CharField(max_length=500, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["resolved_at", "priority"], name="alert_open_priority")]

    def __str__(self) -> str:
        return f"{self.priority} {self.kind}: {self.message[:60]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
