from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed(apps, using):
    from . import reference_cache
    from .seeding import ensure_departments_and_lines

    ensure_departments_and_lines(apps, using=using)
    reference_cache.clear()  # flushed and re-seeded rows have new primary keys


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = _("Transfers (QT-09)")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from erp.common.seeding import reseed_after_migrate

        from . import reference_cache
        from .models import Department, Line

        reseed_after_migrate(self, _seed, "transfers.seed")
        for model in (Department, Line):
            for signal in (post_save, post_delete):
                signal.connect(
                    lambda **kwargs: reference_cache.clear(),
                    sender=model,
                    weak=False,
                    dispatch_uid=f"transfers.refcache.{model.__name__}.{signal}",
                )
