"""Summary tables behind the analytics pages. They are caches derived from the records of the
other apps (inspections, stuffing records, the WIP ledger, transfers) and are rebuilt, never
edited: ``analytics.refresh`` recomputes a day, a batch or a record from its sources, after the
commit of the event that changed them (Celery) and nightly. Pages read only these tables, so
their number of queries does not depend on how much the factory has recorded."""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


def _line_key(*fields: str) -> list:
    """Unique-constraint expressions where a null line counts as one value."""
    return [Coalesce(models.F(f), models.Value(0)) if f == "line" else models.F(f) for f in fields]


class DailyQualitySummary(models.Model):
    """Inspections of one local day at one department (line), of one kind, added up."""

    day = models.DateField(_("day"))
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8)  # quality.Inspection.Kind
    inspections = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    rework = models.PositiveIntegerField(default=0)
    scrap = models.PositiveIntegerField(default=0)
    repaired = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily quality summary")
        verbose_name_plural = _("daily quality summaries")
        constraints = [
            models.UniqueConstraint(
                *_line_key("day", "department", "line", "kind"), name="analytics_dq_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "department"], name="analytics_dq_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.line_id} {self.kind}"


class DailyDefectSummary(models.Model):
    """Defects found in one local day's inspections at one department (line), per code."""

    day = models.DateField(_("day"))
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8)
    code = models.ForeignKey("quality.DefectCode", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily defect summary")
        verbose_name_plural = _("daily defect summaries")
        constraints = [
            models.UniqueConstraint(
                *_line_key("day", "department", "line", "kind", "code"),
                name="analytics_dd_unique",
            )
        ]
        indexes = [models.Index(fields=["day", "department"], name="analytics_dd_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.code_id} × {self.count}"


class BatchQualitySummary(models.Model):
    """All inspections of one batch at one department (line), of one kind, added up; with the
    first and last inspection time (the batch view lists batches last inspected in a period)."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8)
    inspections = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    rework = models.PositiveIntegerField(default=0)
    scrap = models.PositiveIntegerField(default=0)
    repaired = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    last_day = models.DateField()

    class Meta:
        verbose_name = _("batch quality summary")
        verbose_name_plural = _("batch quality summaries")
        constraints = [
            models.UniqueConstraint(
                *_line_key("batch", "department", "line", "kind"), name="analytics_bq_unique"
            )
        ]
        indexes = [models.Index(fields=["last_day", "department"], name="analytics_bq_day")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.department_id}/{self.line_id} {self.kind}"


class FillWeightPoint(models.Model):
    """One weighed toy of a stuffing record: the points of the fill-weight SPC chart."""

    record = models.ForeignKey(
        "finishing.StuffingRecord", on_delete=models.CASCADE, related_name="+"
    )
    sample = models.PositiveSmallIntegerField()  # position in the record's sample_weights_g
    article = models.ForeignKey("ppic.Article", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey("ppic.Batch", on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey("transfers.Line", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    day = models.DateField()
    weight_g = models.DecimalField(max_digits=8, decimal_places=2)
    target_g = models.DecimalField(max_digits=8, decimal_places=2)
    tolerance_g = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("fill-weight point")
        verbose_name_plural = _("fill-weight points")
        constraints = [
            models.UniqueConstraint(fields=["record", "sample"], name="analytics_fw_unique")
        ]
        indexes = [
            models.Index(fields=["article", "day", "at"], name="analytics_fw_article"),
            models.Index(fields=["at"], name="analytics_fw_at"),  # the latest article weighed
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.at:%Y-%m-%d %H:%M} {self.weight_g} g"


class DailyLineOutput(models.Model):
    """Units one line (or a department without lines) made and handed over on one local day.

    ``made``: units its own work made ready to send (cut, embroidered, past loop stitch,
    converted to FG, packed in cartons), net of undone conversions. ``sent``: units of its
    transfers accepted by the next department that day."""

    day = models.DateField(_("day"))
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    made = models.IntegerField(default=0)
    sent = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily line output")
        verbose_name_plural = _("daily line output")
        constraints = [
            models.UniqueConstraint(
                *_line_key("day", "department", "line"), name="analytics_lo_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "department"], name="analytics_lo_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.line_id}: {self.made}/{self.sent}"


class LeadTime(models.Model):
    """How long units of a batch stayed in a department: from the accept of a transfer into it
    (``transfer_in``) to the batch's next send out of it (``transfer_out``: the first transfer
    from that department prepared at or after the accept and not cancelled). Open (``sent_at``
    null) while nothing has been sent since."""

    transfer_in = models.OneToOneField(
        "transfers.Transfer", on_delete=models.CASCADE, related_name="+"
    )
    transfer_out = models.ForeignKey(
        "transfers.Transfer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey("ppic.Batch", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    accepted_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_day = models.DateField(null=True, blank=True)
    hours = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("lead time")
        verbose_name_plural = _("lead times")
        indexes = [
            models.Index(fields=["sent_day", "department"], name="analytics_lt_day"),
            models.Index(fields=["batch"], name="analytics_lt_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.department_id}: {self.hours} h"
