from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmbroideryRecord(models.Model):
    """Embroidered pieces of a batch (eyes are embroidered, never plastic): good ones become
    sendable; rework and scrap go to those buckets."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("embroidered (good)"))
    rework = models.PositiveIntegerField(_("rework"), default=0)
    scrap = models.PositiveIntegerField(_("scrap"), default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.quantity}"
