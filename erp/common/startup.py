"""Checks a production process runs before it serves anything."""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

log = logging.getLogger("erp.startup")


def users_with_demo_password() -> list[str]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    try:
        return list(
            User.objects.filter(has_demo_password=True, is_active=True).values_list(
                "username", flat=True
            )
        )
    except DatabaseError:
        # Not migrated yet (or the database is down): nothing to refuse here; migrate/health say it.
        log.debug("demo password check skipped: database not ready")
        return []


def production_startup_guard() -> None:
    """In production, refuse to start while any active user still has the demo password."""
    if not settings.PRODUCTION:
        return
    names = users_with_demo_password()
    if names:
        raise ImproperlyConfigured(
            "Production refuses to start: these users still have the demo password: "
            + ", ".join(sorted(names))
            + ". Change their passwords (manage.py changepassword) or deactivate them."
        )
