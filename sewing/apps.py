from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SewingConfig(AppConfig):
    name = "sewing"
    verbose_name = _("Sewing")
