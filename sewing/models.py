from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    ASSEMBLY = "assembly", _("Assembly")
    LABELING = "labeling", _("Labeling")
    LOOP_STITCH = "loop_stitch", _("Loop stitch")


STAGE_ORDER = [Stage.ASSEMBLY, Stage.LABELING, Stage.LOOP_STITCH]


class StageRecord(models.Model):
    """Pieces of a batch through one sewing stage on one line. A stage's total never exceeds
    the stage before it (assembly: the pieces received on the line); pieces past loop stitch
    are the ones sewing may send on."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("transfers.Line", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    quantity = models.PositiveIntegerField(_("pieces"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["batch", "line", "stage"], name="sewing_stage_total")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.line_id} {self.stage}: {self.quantity}"


class NeedleDepartment(models.TextChoices):
    SEWING = "SEWING", _("Sewing")
    EMBROIDERY = "EMBROIDERY", _("Embroidery")


class NeedleLog(models.Model):
    """A needle handed to an operator by the named custodian. An exchange is one-for-one: the
    old needle comes back (a needle that does not come back whole is a ``BrokenNeedle``)."""

    class Action(models.TextChoices):
        ISSUE = "issue", _("Issue")
        EXCHANGE = "exchange", _("Exchange")

    department = models.CharField(_("department"), max_length=12, choices=NeedleDepartment.choices)
    line = models.ForeignKey("transfers.Line", on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    old_needle_returned = models.BooleanField(_("old needle returned"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("needle log entry")
        verbose_name_plural = _("needle log")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action="exchange") | models.Q(old_needle_returned=True),
                name="needle_exchange_one_for_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.operator_id} {self.action}"


class BrokenNeedle(models.Model):
    """A broken needle, its fragments taped to the record signed by custodian and operator.
    A fragment not found holds the operator's batch at the line (``transfers.Hold`` NEEDLE)
    until the hand-detector search is recorded."""

    class SearchResult(models.TextChoices):
        FOUND = "found", _("Fragment found")
        NOT_FOUND = "not_found", _("Not found")

    department = models.CharField(_("department"), max_length=12, choices=NeedleDepartment.choices)
    line = models.ForeignKey("transfers.Line", on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="+")
    fragments_found = models.BooleanField(_("all fragments found"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    search_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    search_recorded_at = models.DateTimeField(_("search recorded at"), null=True, blank=True)
    search_note = models.CharField(_("search note"), max_length=300, blank=True)
    search_result = models.CharField(
        _("search result"), max_length=10, choices=SearchResult.choices, blank=True
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("broken needle")
        verbose_name_plural = _("broken needles")
        indexes = [
            models.Index(
                fields=["fragments_found", "search_recorded_at"], name="broken_needle_open"
            )
        ]

    def __str__(self) -> str:
        return f"BN-{self.pk} {self.line_id}"

    @property
    def is_open(self) -> bool:
        """A missing fragment whose search is not yet recorded (the batch is held)."""
        return not self.fragments_found and self.search_recorded_at is None

    @property
    def reference(self) -> str:
        return f"needle:{self.pk}"
