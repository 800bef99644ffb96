"""Finishing: stuffing (fill weights against the article), metal detectors (9-point checks and
scans) and the conversion of stuffed, detector-passed, QC-passed units to finished goods."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DETECTOR_POINTS = 9  # 3 heights × left / centre / right (DOMAIN.md)
TEST_CARD_SIZES_MM = ("0.8", "1.0", "1.2", "1.5", "2.0", "2.5", "3.0")


class Detector(models.Model):
    """A conveyor metal detector on a finishing line (seeded MD-1 on FIN-1, MD-2 on FIN-2)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80, blank=True)
    line = models.ForeignKey("transfers.Line", on_delete=models.PROTECT, related_name="detectors")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("metal detector")
        verbose_name_plural = _("metal detectors")

    def __str__(self) -> str:
        return self.code


class DetectorCheck(models.Model):
    """A 9-point check with the ferrous test card: all nine must detect (PASS), else FAIL, which
    stops the detector and quarantines everything it passed since its last good check."""

    class Result(models.TextChoices):
        PASS = "PASS", _("Pass")
        FAIL = "FAIL", _("Fail")

    class Occasion(models.TextChoices):
        START_UP = "start_up", _("Start-up")
        HOURLY = "hourly", _("Hourly")
        BATCH_START = "batch_start", _("Start of batch")
        BATCH_END = "batch_end", _("End of batch")
        DAY_END = "day_end", _("End of day")
        POWER_CUT = "power_cut", _("After a power cut")
        OTHER = "other", _("Other")

    detector = models.ForeignKey(Detector, on_delete=models.PROTECT, related_name="checks")
    test_piece_mm = models.DecimalField(_("test card (mm Fe)"), max_digits=3, decimal_places=1)
    points_detected = models.PositiveSmallIntegerField(_("points detected"))
    result = models.CharField(_("result"), max_length=4, choices=Result.choices)
    occasion = models.CharField(
        _("occasion"), max_length=12, choices=Occasion.choices, default=Occasion.HOURLY
    )
    batch = models.ForeignKey(
        "ppic.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_detected__lte=DETECTOR_POINTS), name="detector_check_points"
            ),
        ]
        indexes = [models.Index(fields=["detector", "-id"], name="detector_check_latest")]

    def __str__(self) -> str:
        return f"{self.detector_id} {self.result} {self.points_detected}/9"


class DetectorScan(models.Model):
    """Units of a batch run through a detector: ``passed`` went on, ``failed`` alarmed (each
    alarm: the toy isolated, the batch's finishing units quarantined until QC decides).
    ``since_check`` is the last good check the scan relied on."""

    detector = models.ForeignKey(Detector, on_delete=models.PROTECT, related_name="scans")
    since_check = models.ForeignKey(DetectorCheck, on_delete=models.PROTECT, related_name="scans")
    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("transfers.Line", on_delete=models.PROTECT, related_name="+")
    passed = models.PositiveIntegerField(_("passed"))
    failed = models.PositiveIntegerField(_("alarms"), default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["detector", "id"], name="detector_scan_since"),
            models.Index(fields=["batch", "line"], name="detector_scan_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.detector_id} {self.batch_id}: {self.passed} passed, {self.failed} alarms"


class StuffingRecord(models.Model):
    """Units of a batch stuffed and closed on a line, with the weights of the sampled toys.
    Out-of-tolerance toys are counted and their corrected weights recorded, never passed
    silently."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("transfers.Line", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("units stuffed"))
    target_g = models.DecimalField(_("target (g)"), max_digits=8, decimal_places=2)
    tolerance_g = models.DecimalField(_("tolerance (± g)"), max_digits=8, decimal_places=2)
    sample_weights_g = models.JSONField(_("sample weights (g)"), default=list)
    out_of_tolerance = models.PositiveIntegerField(_("out of tolerance"), default=0)
    corrected_weights_g = models.JSONField(_("weights after correction (g)"), default=list)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["batch", "line"], name="stuffing_batch_line")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.line_id}: {self.quantity} stuffed"


class FgConversion(models.Model):
    """Units converted to finished goods (finishing ``available`` → ``ready``). A negative
    quantity undoes a conversion for FG units that a quarantine took back."""

    batch = models.ForeignKey("ppic.Batch", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("transfers.Line", on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("units"))
    reference = models.CharField(max_length=60, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["batch", "line"], name="fg_batch_line")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.line_id}: {self.quantity} FG"
