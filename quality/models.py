from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class DefectCode(models.Model):
    """Defect codes the inspectors pick from (open seam, skipped stitch, wrong label, stain,
    asymmetric embroidery…); kept in the admin."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120, blank=True)
    critical = models.BooleanField(_("critical"), default=False)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("defect code")
        verbose_name_plural = _("defect codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Inspection(models.Model):
    """An inline or final check of a batch at a department. Rework and scrap units move to
    those buckets; ``repaired`` units come back from rework."""

    class Kind(models.TextChoices):
        INLINE = "inline", _("Inline")
        FINAL = "final", _("Final")

    class Light(models.TextChoices):
        GREEN = "GREEN", _("Green")
        YELLOW = "YELLOW", _("Yellow")
        RED = "RED", _("Red")

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="inspections")
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.PROTECT, related_name="+"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    passed = models.PositiveIntegerField(_("passed"))
    rework = models.PositiveIntegerField(_("rework"), default=0)
    scrap = models.PositiveIntegerField(_("scrap"), default=0)
    repaired = models.PositiveIntegerField(_("repaired from rework"), default=0)
    light = models.CharField(max_length=6, choices=Light.choices, blank=True)
    recheck = models.BooleanField(_("full recheck"), default=False)
    note = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=Q(passed__gt=0) | Q(rework__gt=0) | Q(scrap__gt=0) | Q(repaired__gt=0),
                name="inspection_counts_something",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.batch_id} {self.department_id}"

    @property
    def checked(self) -> int:
        return self.passed + self.rework + self.scrap


class InspectionDefect(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="defects")
    code = models.ForeignKey(DefectCode, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(count__gt=0), name="defect_count_gt_0")]

    def __str__(self) -> str:
        return f"{self.code_id} × {self.count}"


class FinalInspection(models.Model):
    """AQL final inspection of a batch (ISO 2859-1): defects found per class in the sample, the
    plans applied and the verdict. A REJECT holds the batch at finishing and packing."""

    class Verdict(models.TextChoices):
        ACCEPT = "ACCEPT", _("Accepted")
        REJECT = "REJECT", _("Rejected")

    batch = models.ForeignKey(
        "ppic.Batch", on_delete=models.PROTECT, related_name="final_inspections"
    )
    lot_size = models.PositiveIntegerField(_("lot size"))
    sample_size = models.PositiveIntegerField(_("sample size"))
    critical = models.PositiveIntegerField(_("critical defects"), default=0)
    major = models.PositiveIntegerField(_("major defects"), default=0)
    minor = models.PositiveIntegerField(_("minor defects"), default=0)
    plans = models.JSONField()
    verdict = models.CharField(max_length=6, choices=Verdict.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("final inspection")
        verbose_name_plural = _("final inspections")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.verdict}"


class LabTest(models.Model):
    """A lab result for an article (EN 71-1 / ASTM F963 tests of DOMAIN.md). The article is
    compliant while every required test's latest result is PASS and not expired."""

    class Test(models.TextChoices):
        TORQUE = "torque", _("Torque (attached parts)")
        TENSION = "tension", _("Tension")
        SEAM = "seam", _("Seam strength")
        DROP = "drop", _("Drop")
        SMALL_PARTS = "small_parts", _("Small parts")
        FILLING = "filling", _("Filling cleanliness")
        FLAMMABILITY = "flammability", _("Flammability (16 CFR 1500.44)")

    class Result(models.TextChoices):
        PASS = "PASS", _("Pass")
        FAIL = "FAIL", _("Fail")
        INCONCLUSIVE = "INCONCLUSIVE", _("Inconclusive")

    article = models.ForeignKey("ppic.Article", on_delete=models.PROTECT, related_name="lab_tests")
    test = models.CharField(_("test"), max_length=14, choices=Test.choices)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    measurements = models.JSONField(default=dict, blank=True)
    lot = models.ForeignKey(
        "warehouse.StockLot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tested_at = models.DateTimeField(_("tested at"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-tested_at", "-id"]
        verbose_name = _("lab test")
        verbose_name_plural = _("lab tests")
        indexes = [models.Index(fields=["article", "test", "-tested_at"], name="labtest_latest")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.test} {self.result}"


class Quarantine(models.Model):
    """Units of a batch isolated at a department (and line) until QC decides: released, sent
    to rework or scrapped, in parts. Metal-related quarantines (a detector alarm, a failed
    detector check, a missing needle fragment) are released only by two different people:
    an inspector, then a QC manager or the factory manager."""

    class Kind(models.TextChoices):
        METAL_ALARM = "METAL_ALARM", _("Metal detector alarm")
        DETECTOR_CHECK_FAILED = "DETECTOR_CHECK_FAILED", _("Detector check failed")
        QC = "QC", _("Quality hold")

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        AWAITING_SECOND_APPROVAL = "AWAITING_SECOND_APPROVAL", _("Awaiting second approval")
        # Closed: every unit decided. One word when all decisions were alike, else CLOSED.
        RELEASED = "RELEASED", _("Released")
        REWORK = "REWORK", _("Sent to rework")
        SCRAPPED = "SCRAPPED", _("Scrapped")
        CLOSED = "CLOSED", _("Closed")

    OPEN_STATUSES = (Status.OPEN, Status.AWAITING_SECOND_APPROVAL)

    METAL_KINDS = (Kind.METAL_ALARM, Kind.DETECTOR_CHECK_FAILED)

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="quarantines")
    department = models.ForeignKey(
        "transfers.Department", on_delete=models.PROTECT, related_name="+"
    )
    line = models.ForeignKey(
        "transfers.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=12)  # the bucket the units came from
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("units quarantined"))
    remaining = models.PositiveIntegerField(_("units still quarantined"))
    reason = models.CharField(_("reason"), max_length=300)
    source = models.CharField(_("source"), max_length=60, blank=True)  # e.g. detector-check:12
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("quarantine")
        verbose_name_plural = _("quarantines")
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__lte=models.F("quantity")), name="quarantine_remaining"
            ),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="quarantine_batch_open")]

    def __str__(self) -> str:
        return f"Q{self.pk} {self.batch_id} {self.remaining}/{self.quantity} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def metal(self) -> bool:
        return self.kind in self.METAL_KINDS


class QuarantineDecision(models.Model):
    """A decision on part or all of a quarantine. A metal release is first ``PENDING`` (the
    inspector's approval) and applied when a second, different person confirms it."""

    class Decision(models.TextChoices):
        RELEASE = "release", pgettext_lazy("quarantine decision", "Release")
        REWORK = "rework", _("Rework")
        SCRAP = "scrap", _("Scrap")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Awaiting second approval")
        APPLIED = "APPLIED", _("Applied")

    quarantine = models.ForeignKey(Quarantine, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    quantity = models.PositiveIntegerField(_("units"))
    note = models.CharField(_("note"), max_length=300)
    status = models.CharField(max_length=8, choices=Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Q{self.quarantine_id} {self.decision} {self.quantity} {self.status}"
