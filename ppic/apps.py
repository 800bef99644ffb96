from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PpicConfig(AppConfig):
    name = "ppic"
    verbose_name = _("Planning (PPIC)")
