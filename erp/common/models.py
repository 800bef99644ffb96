from django.db import models


class TimeStampedModel(models.Model):
    """Base for the project's models: when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an ``Idempotency-Key`` (see erp.common.idempotency)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class NumberSequence(models.Model):
    """Counter behind human numbers; one row per series and year (see erp.common.numbering)."""

    series = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last}"


class FactorySetting(models.Model):
    """A factory number the admin may change (DOMAIN.md's *(setting)* values).

    Only keys listed in ``erp.common.factory_settings.DEFAULTS`` mean anything; a missing row
    means the default.
    """

    key = models.CharField(max_length=60, unique=True)
    value = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = "factory setting"
        verbose_name_plural = "factory settings"

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
