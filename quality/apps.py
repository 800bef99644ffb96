from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self):
        from erp.common.seeding import reseed_after_migrate

        from .seeding import ensure_defect_codes

        reseed_after_migrate(self, ensure_defect_codes, "quality.seed")
