"""Material stock: lots (rolls, dye lots), the append-only stock ledger, shortage requests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.common.models import TimeStampedModel


class StockLot(TimeStampedModel):
    """One received lot (a fabric roll, a bale of filling…). ``quantity_on_hand`` is the cache
    of its ledger (``StockMove``) and never negative (database constraint)."""

    class Inspection(models.TextChoices):
        NOT_REQUIRED = "NOT_REQUIRED", _("Not required")
        PASSED = "PASSED", _("Passed")
        FAILED = "FAILED", _("Failed")

    material = models.ForeignKey("ppic.Material", on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(_("lot / roll number"), max_length=60)
    dye_lot = models.CharField(_("dye lot"), max_length=60, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    quantity_received = models.DecimalField(_("quantity received"), max_digits=14, decimal_places=3)
    quantity_on_hand = models.DecimalField(_("on hand"), max_digits=14, decimal_places=3)
    inspection = models.CharField(
        _("4-point inspection"),
        max_length=12,
        choices=Inspection.choices,
        default=Inspection.NOT_REQUIRED,
    )
    inspection_points = models.DecimalField(
        _("points per 100 yd²"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
        constraints = [
            models.UniqueConstraint(fields=["material", "lot_number"], name="lot_unique_number"),
            models.CheckConstraint(condition=Q(quantity_on_hand__gte=0), name="lot_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(quantity_received__gt=0), name="lot_received_gt_0"),
        ]
        indexes = [models.Index(fields=["material", "received_at"], name="lot_fifo")]

    def __str__(self) -> str:
        return f"{self.material_id}/{self.lot_number}"

    @property
    def issuable(self) -> bool:
        return self.inspection != self.Inspection.FAILED


class StockMove(models.Model):
    """Append-only stock ledger: + receipt/return, − issue/write-off, ± adjustment."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ISSUE = "issue", _("Issue to SPK")
        RETURN = "return", _("Return from SPK")
        ADJUSTMENT = "adjustment", _("Adjustment")
        WRITE_OFF = "write_off", _("Write-off")

    lot = models.ForeignKey(StockLot, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)  # signed
    work_order = models.ForeignKey(
        "ppic.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_moves",
    )
    batch = models.ForeignKey(
        "ppic.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_moves"
    )
    shortage = models.ForeignKey(
        "ShortageRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    reason = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_move_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.lot_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("StockMove is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("StockMove is append-only")


class ShortageRequest(TimeStampedModel):
    """Cutting asks for more material than the SPK requires; the warehouse decides."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        APPROVED = "APPROVED", _("Approved")
        REFUSED = "REFUSED", _("Refused")

    work_order = models.ForeignKey(
        "ppic.WorkOrder", on_delete=models.PROTECT, related_name="shortages"
    )
    material = models.ForeignKey("ppic.Material", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    reason = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("shortage request")
        verbose_name_plural = _("shortage requests")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shortage_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.material_id} {self.quantity}"


class Shipment(TimeStampedModel):
    """FG cartons of one destination leaving in a container, with its tracking status."""

    class Status(models.TextChoices):
        SHIPPED = "SHIPPED", _("Shipped (loaded)")
        IN_TRANSIT = "IN_TRANSIT", _("In transit")
        ARRIVED = "ARRIVED", _("Arrived at destination")
        DELIVERED = "DELIVERED", _("Delivered")

    number = models.CharField(_("number"), max_length=30, unique=True)
    destination = models.ForeignKey(
        "ppic.Destination", on_delete=models.PROTECT, related_name="shipments"
    )
    container = models.CharField(_("container"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SHIPPED, db_index=True
    )
    quantity = models.PositiveIntegerField(_("units"))
    carton_count = models.PositiveIntegerField(_("cartons"))
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(_("shipped at"), db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.number


class ShipmentEvent(models.Model):
    """Tracking history of a shipment (who set which status, when, where)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=12, choices=Shipment.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.status}"
