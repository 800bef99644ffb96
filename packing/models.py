"""Packing: cartons of one batch (so one article and one destination) with an SSCC-18, and the
completion of a batch into the FG warehouse."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Carton(models.Model):
    class Status(models.TextChoices):
        PACKED = "PACKED", _("Packed")
        IN_FG = "IN_FG", _("In FG warehouse")
        SHIPPED = "SHIPPED", _("Shipped")

    sscc = models.CharField("SSCC", max_length=18, unique=True)
    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="cartons")
    # Denormalised from the batch on purpose: a carton's label is what it is, and a carton of
    # another article or destination is refused by comparing these.
    article = models.ForeignKey("ppic.Article", on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey("ppic.Destination", on_delete=models.PROTECT, related_name="+")
    po_number = models.CharField(_("PO number"), max_length=40, blank=True)
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.PositiveIntegerField(_("carton no."))  # n of the batch's cartons
    quantity = models.PositiveIntegerField(_("units"))
    net_weight_kg = models.DecimalField(_("net weight (kg)"), max_digits=8, decimal_places=2)
    gross_weight_kg = models.DecimalField(_("gross weight (kg)"), max_digits=8, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PACKED, db_index=True
    )
    shipment = models.ForeignKey(
        "warehouse.Shipment", null=True, blank=True, on_delete=models.PROTECT,
        related_name="cartons",
    )  # fmt: skip
    packed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    packed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["batch", "sequence"]
        verbose_name = _("carton")
        verbose_name_plural = _("cartons")
        constraints = [
            models.UniqueConstraint(fields=["batch", "sequence"], name="carton_unique_sequence"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="carton_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.sscc


class BatchCompletion(models.Model):
    """Packing completed (part of) a batch: its packed cartons moved into the FG warehouse."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("units"))
    cartons = models.PositiveIntegerField(_("cartons"))
    final_inspection = models.ForeignKey(
        "quality.FinalInspection", on_delete=models.PROTECT, related_name="+"
    )
    compliance_expires_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.quantity} to FG"
