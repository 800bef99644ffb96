from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person using the ERP. Roles are groups (accounts.roles); departments follow from roles.

    ``has_demo_password`` is set by ``seed_demo`` and cleared by any password change: production
    refuses to start while it is set on an active user (hashing the demo password to compare
    would cost an Argon2 hash per user at every start).
    """

    has_demo_password = models.BooleanField(
        _("still has the demo password"), default=False, editable=False
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.has_demo_password = False
