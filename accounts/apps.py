from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using, apps=None, **kwargs):
    # flush (transaction=True tests) sends post_migrate without the migration state
    if apps is None:
        from django.apps import apps
    from .roles import sync_roles

    sync_roles(apps, using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import receivers  # noqa: F401

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="accounts.sync_roles")
