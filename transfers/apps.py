from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed(sender, using, apps=None, **kwargs):
    # flush (transaction=True tests) sends post_migrate without the migration state
    if apps is None:
        from django.apps import apps
    from .seeding import ensure_departments_and_lines

    ensure_departments_and_lines(apps, using=using)


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = _("Transfers (QT-09)")

    def ready(self):
        post_migrate.connect(_seed, sender=self, dispatch_uid="transfers.seed")
