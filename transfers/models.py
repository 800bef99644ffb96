from django.db import models
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
