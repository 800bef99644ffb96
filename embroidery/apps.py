from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmbroideryConfig(AppConfig):
    name = "embroidery"
    verbose_name = _("Embroidery")
