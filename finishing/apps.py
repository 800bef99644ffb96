from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinishingConfig(AppConfig):
    name = "finishing"
    verbose_name = _("Finishing")

    def ready(self):
        from erp.common.seeding import reseed_after_migrate

        from .seeding import ensure_detectors

        reseed_after_migrate(self, ensure_detectors, "finishing.seed")
