from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from erp.common.seeding import reseed_after_migrate

        from . import receivers  # noqa: F401
        from .roles import sync_roles

        reseed_after_migrate(self, sync_roles, "accounts.sync_roles")
