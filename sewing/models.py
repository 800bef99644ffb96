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
