from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed(sender, using, apps=None, **kwargs):
    # flush (transaction=True tests) sends post_migrate without the migration state
    if apps is None:
        from django.apps import apps
    from .seeding import ensure_defect_codes

    ensure_defect_codes(apps, using=using)


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self):
        post_migrate.connect(_seed, sender=self, dispatch_uid="quality.seed")
