from django.db import models
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from erp.common.models import TimeStampedModel


class Department(TimeStampedModel):
    """A department of the factory (API.md codes). Supervisors hold the object permission
    ``transfers.supervise_department`` on it (django-guardian)."""

    class Kind(models.TextChoices):
        PRODUCTION = "production", _("Production")
        WAREHOUSE = "warehouse", _("Warehouse")
        EXTERNAL = "external", _("External")
        QUALITY = "quality", _("Quality")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_id = models.CharField(_("name (Indonesian)"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sequence", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [("supervise_department", _("Can supervise the department"))]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if translation.get_language() == "id" and self.name_id:
            return self.name_id
        return self.name


class Line(TimeStampedModel):
    """A physical production line with its conveyor (e.g. SEW-3)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="lines", verbose_name=_("department")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self) -> str:
        return self.code


class WipState(models.TextChoices):
    INPUT = "input", _("Not yet cut")
    AVAILABLE = "available", _("Available")
    READY = "ready", _("Ready to send")
    LOCKED = "locked", _("Locked in a transfer")
    QUARANTINED = "quarantined", _("Quarantined")
    REWORK = "rework", _("Rework")
    SCRAP = "scrap", _("Scrap")
    WRITTEN_OFF = "written_off", _("Written off")
    SHIPPED = "shipped", _("Shipped")


class WipBalance(models.Model):
    """Units of a batch in one bucket ``(department, line, state)`` now: a cache of the ledger
    (``WipMovement``), never negative. The source bucket ``input`` has no row: it is minus the
    sum of all the others.

    ``available`` units are at the department; ``ready`` units are available ones that the
    department's own work has made sendable (cut, embroidered, past loop stitch, converted to
    FG). The API reports both as available and ``ready`` as ``sendable``."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="wip_balances")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=12, choices=WipState.choices)
    quantity = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="wip_balance_gte_0"),
            models.UniqueConstraint(
                models.F("batch"),
                models.F("department"),
                Coalesce(models.F("line"), models.Value(0)),
                models.F("state"),
                name="wip_balance_unique_bucket",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="input"), name="wip_balance_no_source_row"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state"], name="wip_balance_dept_state"),
            models.Index(fields=["line", "state"], name="wip_balance_line_state"),
        ]

    def __str__(self) -> str:
        line = f"/{self.line_id}" if self.line_id else ""
        return f"{self.batch_id} {self.department_id}{line} {self.state}: {self.quantity}"


class WipMovement(models.Model):
    """Append-only ledger of units moving between buckets (no update, no delete: enforced here
    and by a trigger on PostgreSQL). ``from_state == input`` (no department) is the source."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="wip_movements")
    from_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=12, choices=WipState.choices)
    to_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    to_line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_state = models.CharField(max_length=12, choices=WipState.choices)
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=40)
    reference = models.CharField(max_length=60, blank=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="wip_move_qty_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(to_state="input"), name="wip_move_never_into_source"
            ),
        ]
        indexes = [models.Index(fields=["batch", "id"], name="wip_move_batch")]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.from_state}→{self.to_state} {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("WipMovement is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("WipMovement is append-only")


class TransferState(models.TextChoices):
    BLOCKED = "BLOCKED", _("Blocked (line not clear)")
    IN_TRANSIT = "IN_TRANSIT", _("In transit")
    HELD = "HELD", _("Held (count differs)")
    ACCEPTED = "ACCEPTED", _("Accepted")
    REJECTED = "REJECTED", _("Rejected")
    CANCELLED = "CANCELLED", _("Cancelled")


OPEN_TRANSFER_STATES = (TransferState.BLOCKED, TransferState.IN_TRANSIT, TransferState.HELD)


class Transfer(models.Model):
    """A QT-09 handover of units of one batch from one department (line) to the next.

    State changes only through ``transfers.services`` (see ``ALLOWED`` there)."""

    slip_code = models.CharField(_("slip code"), max_length=40, unique=True, null=True, blank=True)
    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="transfers")
    from_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    from_line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    to_line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity sent"))
    quantity_received = models.PositiveIntegerField(_("quantity counted"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=TransferState.choices, db_index=True
    )
    blocked_reason = models.CharField(_("blocked because"), max_length=300, blank=True)
    vendor = models.ForeignKey(
        "ppic.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    expected_return = models.DateField(_("expected back"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="transfer_qty_gt_0"),
            models.CheckConstraint(
                condition=models.Q(quantity_received__isnull=True)
                | models.Q(quantity_received__lte=models.F("quantity")),
                name="transfer_counted_lte_sent",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="IN_TRANSIT") | models.Q(slip_code__isnull=False),
                name="transfer_in_transit_has_slip",
            ),
        ]
        indexes = [
            models.Index(fields=["to_department", "state"], name="transfer_to_state"),
            models.Index(fields=["to_line", "state"], name="transfer_line_state"),
            models.Index(fields=["batch", "state"], name="transfer_batch_state"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """Human number, derived from the primary key (no counter row to lock)."""
        return f"TRF-{self.pk:06d}" if self.pk else "TRF-?"

    @staticmethod
    def pk_from_number(number: str) -> int | None:
        prefix, _sep, digits = number.strip().upper().partition("-")
        return int(digits) if prefix == "TRF" and digits.isdigit() else None


class TransferEvent(models.Model):
    """Append-only history of a transfer: who did what, when, from which state to which."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=12)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.action} {self.from_state}→{self.to_state}"


class LineClearance(models.Model):
    """A supervisor's recorded check that a line is clear. Batches that occupied the line at
    that moment no longer block it; anything arriving later is checked again."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="clearances")
    note = models.CharField(max_length=300)
    cleared_batch_ids = models.JSONField(default=list)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("line clearance")
        verbose_name_plural = _("line clearances")

    def __str__(self) -> str:
        return f"{self.line_id} cleared {self.recorded_at:%Y-%m-%d %H:%M}"


class Hold(models.Model):
    """A batch held at a department (and line): nothing of it may be sent from there until the
    hold is released (a red inline-QC light until the recheck; a missing needle fragment until
    the hand-detector search is recorded)."""

    class Kind(models.TextChoices):
        QC_RED = "QC_RED", _("Inline QC red: full recheck needed")
        NEEDLE = "NEEDLE", _("Needle fragment missing: search needed")
        LOT_REJECTED = "LOT_REJECT", _("Final inspection rejected the lot")

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="holds")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=300)
    reference = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["batch", "department", "released_at"], name="hold_open")]

    def __str__(self) -> str:
        return f"{self.kind} {self.batch_id} {self.department_id}"
