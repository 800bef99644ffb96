"""Loaded with ``-p`` before pytest-django configures Django (see pyproject.toml).

Sets the test environment, and turns the ``postgres`` / ``redis`` / ``browser`` markers into a
skip with a clear reason locally, or a failure when CI demands them (``REQUIRE_POSTGRES=1``,
``REQUIRE_REDIS=1``, ``REQUIRE_BROWSER=1``).
"""

import os
import shutil

import pytest

os.environ["ERP_TESTING"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")
# Playwright's sync API runs an event loop in the test thread; Django's ORM is used beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _required(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for candidate in ("chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_sessionstart(session):
    if _required("REQUIRE_POSTGRES") and not os.environ.get("DATABASE_URL", "").startswith(
        ("postgres", "pgsql")
    ):
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL does not name PostgreSQL")


def pytest_runtest_setup(item):
    checks = [
        ("postgres", "REQUIRE_POSTGRES", _on_postgres, "needs PostgreSQL (set DATABASE_URL)"),
        ("redis", "REQUIRE_REDIS", redis_reachable, "needs Redis (set REDIS_URL)"),
        (
            "browser",
            "REQUIRE_BROWSER",
            lambda: chromium_path() is not None,
            "needs Chromium (apt-get install chromium)",
        ),
    ]
    for marker, env_name, available, reason in checks:
        if item.get_closest_marker(marker) and not available():
            if _required(env_name):
                pytest.fail(f"{env_name}=1 but this test {reason}", pytrace=False)
            pytest.skip(reason)
