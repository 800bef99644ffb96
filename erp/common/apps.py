from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "erp.common"
    label = "common"
    verbose_name = "Common"

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)
