from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CutRecord(models.Model):
    """A lay cut for a batch: pieces counted out of the input bucket into CUTTING (ready to
    send). Append-only; a mistake is corrected by the supervisor with a reversing record."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="cut_records")
    work_order = models.ForeignKey(
        "ppic.WorkOrder", on_delete=models.PROTECT, related_name="cut_records"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("pieces cut (good)"))
    plies = models.PositiveSmallIntegerField(_("plies"), null=True, blank=True)
    lots = models.ManyToManyField("warehouse.StockLot", blank=True, related_name="cut_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("cut record")
        verbose_name_plural = _("cut records")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="cut_qty_gt_0")]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.quantity}"
