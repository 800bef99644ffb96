"""Planning master data and orders: materials, articles with BOMs, destinations, vendors,
customer POs, manufacturing orders, their batches, work orders (SPK) and material needs."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from erp.common.models import TimeStampedModel


class Route(models.TextChoices):
    FULL = "FULL", _("Full (cutting, embroidery, sewing, finishing, packing)")
    DIRECT = "DIRECT", _("Direct (cutting, sewing, finishing, packing)")
    SUBCON = "SUBCON", _("Subcontract (cutting, vendor, finishing, packing)")


# The departments of each route, in order (DOMAIN.md); one SPK per step.
ROUTE_STEPS: dict[str, list[str]] = {
    Route.FULL: ["CUTTING", "EMBROIDERY", "SEWING", "FINISHING", "PACKING"],
    Route.DIRECT: ["CUTTING", "SEWING", "FINISHING", "PACKING"],
    Route.SUBCON: ["CUTTING", "SUBCON", "FINISHING", "PACKING"],
}


class MaterialKind(models.TextChoices):
    FABRIC = "fabric", _("Fabric")
    THREAD = "thread", _("Thread")
    FILLING = "filling", _("Filling")
    ACCESSORY = "accessory", _("Accessory")
    PACKAGING = "packaging", _("Packaging")
    LABEL = "label", _("Label")


# Which department consumes a kind of material, so which SPK it is issued to. A kind whose
# department is not on the MO's route is issued to the route's first step (cutting).
KIND_DEPARTMENT: dict[str, str] = {
    MaterialKind.FABRIC: "CUTTING",
    MaterialKind.THREAD: "SEWING",
    MaterialKind.LABEL: "SEWING",
    MaterialKind.ACCESSORY: "SEWING",
    MaterialKind.FILLING: "FINISHING",
    MaterialKind.PACKAGING: "PACKING",
}


class Material(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    uom = models.CharField(_("unit"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Destination(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=60)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")

    def __str__(self) -> str:
        return f"{self.code} ({self.country})"


class Vendor(TimeStampedModel):
    """An external subcontractor (embroidery, complex stitching)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Article(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    default_route = models.CharField(
        _("default route"), max_length=10, choices=Route.choices, default=Route.DIRECT
    )
    fill_weight_g = models.DecimalField(
        _("target fill weight (g)"), max_digits=8, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    fill_tolerance_g = models.DecimalField(
        _("fill tolerance (± g)"), max_digits=8, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    units_per_carton = models.PositiveIntegerField(
        _("units per carton"), validators=[MinValueValidator(1)]
    )
    bundle_size = models.PositiveIntegerField(_("bundle size"), default=20)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.CheckConstraint(
                condition=Q(fill_weight_g__gte=0) & Q(fill_tolerance_g__gte=0),
                name="article_fill_non_negative",
            ),
            models.CheckConstraint(condition=Q(units_per_carton__gte=1), name="article_carton_min"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BomLine(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bom")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    quantity_per_unit = models.DecimalField(_("quantity per unit"), max_digits=12, decimal_places=4)
    waste_pct = models.DecimalField(_("waste %"), max_digits=5, decimal_places=2, default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "material__code"]
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        constraints = [
            models.UniqueConstraint(fields=["article", "material"], name="bom_unique_material"),
            models.CheckConstraint(condition=Q(quantity_per_unit__gt=0), name="bom_qty_positive"),
            models.CheckConstraint(
                condition=Q(waste_pct__gte=0) & Q(waste_pct__lt=100), name="bom_waste_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.material_id} × {self.quantity_per_unit}"


class CustomerPO(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        CLOSED = "CLOSED", _("Closed")
        CANCELLED = "CANCELLED", _("Cancelled")

    number = models.CharField(_("PO number"), max_length=40, unique=True)
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="pos")
    ship_date = models.DateField(_("ship date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ship_date", "number"]
        verbose_name = _("customer PO")
        verbose_name_plural = _("customer POs")

    def __str__(self) -> str:
        return self.number


class CustomerPOLine(models.Model):
    po = models.ForeignKey(CustomerPO, on_delete=models.CASCADE, related_name="lines")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["po", "id"]
        constraints = [
            models.UniqueConstraint(fields=["po", "article"], name="po_line_unique_article"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="po_line_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.po_id}: {self.article_id} × {self.quantity}"


class ManufacturingOrder(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        RELEASED = "RELEASED", _("Released")
        COMPLETED = "COMPLETED", _("Completed")
        CANCELLED = "CANCELLED", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="mos")
    quantity = models.PositiveIntegerField(_("quantity"))
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="mos")
    due_date = models.DateField(_("due date"))
    route = models.CharField(_("route"), max_length=10, choices=Route.choices)
    batch_size = models.PositiveIntegerField(_("batch size"))
    po_line = models.ForeignKey(
        CustomerPOLine, null=True, blank=True, on_delete=models.PROTECT, related_name="mos"
    )
    po_number = models.CharField(_("PO number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("manufacturing order")
        verbose_name_plural = _("manufacturing orders")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="mo_quantity_positive"),
            models.CheckConstraint(condition=Q(batch_size__gte=1), name="mo_batch_size_positive"),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="mo_status_due")]

    def __str__(self) -> str:
        return self.number


class Batch(TimeStampedModel):
    """The traceable unit of an MO that moves between departments together."""

    mo = models.ForeignKey(ManufacturingOrder, on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("number"), max_length=40, unique=True)
    sequence = models.PositiveSmallIntegerField()
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["mo", "sequence"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["mo", "sequence"], name="batch_unique_sequence"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="batch_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class WorkOrder(TimeStampedModel):
    """An SPK (Surat Perintah Kerja): one MO's job for one department on its route."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        DONE = "DONE", _("Done")
        CANCELLED = "CANCELLED", _("Cancelled")

    mo = models.ForeignKey(ManufacturingOrder, on_delete=models.PROTECT, related_name="work_orders")
    number = models.CharField(_("number"), max_length=40, unique=True)
    step = models.PositiveSmallIntegerField(_("step"))
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.PROTECT, related_name="work_orders"
    )
    target_quantity = models.PositiveIntegerField(_("target quantity"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["mo", "step"]
        verbose_name = _("work order (SPK)")
        verbose_name_plural = _("work orders (SPK)")
        constraints = [
            models.UniqueConstraint(fields=["mo", "step"], name="spk_unique_step"),
            models.UniqueConstraint(fields=["mo", "department"], name="spk_unique_department"),
        ]

    def __str__(self) -> str:
        return self.number


class MaterialRequirement(models.Model):
    """What one SPK needs of one material: MO quantity × per unit × (1 + waste %), 3 decimals."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="requirements")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="requirements")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)

    class Meta:
        ordering = ["work_order", "material__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "material"], name="requirement_unique_material"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="requirement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.material_id} {self.quantity}"
