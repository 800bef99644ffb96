from django.conf import settings
from django.core.checks import Error, Tags, register

from .startup import users_with_demo_password


@register(Tags.security, deploy=True)
def demo_password_check(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    names = users_with_demo_password()
    if not names:
        return []
    return [
        Error(
            "Users still have the demo password: " + ", ".join(sorted(names)),
            hint="Change their passwords or deactivate them before going live.",
            id="erp.E001",
        )
    ]
