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
    reject = models.PositiveIntegerField(_("reject pieces"), default=0)
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


class Bundle(models.Model):
    """A ticketed group of cut pieces (one size, colour, dye lot) that moves through sewing:
    bundle ``number`` of ``total`` of a cut record. Created once per cut record by
    ``cutting.bundles.bundles_for_cut``; ``code`` is the unguessable scan code on its QR."""

    cut_record = models.ForeignKey(CutRecord, on_delete=models.PROTECT, related_name="bundles")
    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="bundles")
    number = models.PositiveIntegerField(_("bundle number"))
    total = models.PositiveIntegerField(_("bundles in the cut"))
    quantity = models.PositiveIntegerField(_("pieces"))
    dye_lot = models.CharField(_("dye lot"), max_length=120, blank=True)
    code = models.CharField(_("scan code"), max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cut_record", "number"]
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        constraints = [
            models.UniqueConstraint(fields=["cut_record", "number"], name="bundle_unique_number"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bundle_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=models.F("total")),
                name="bundle_number_in_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.number}/{self.total}"
