"""Production settings: refuse to start without secrets or with a demo password; check --deploy
prints no warnings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from erp.common.startup import production_startup_guard

ROOT = Path(settings.BASE_DIR)
SECRET = "p7Vq-x9!Lr2#Zt8@Wm4$Nb6^Kc1&Hd3*Jf5(Gs0)Ty-long-enough-random-secret"


def production_env(tmp_path, **overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("DATABASE_URL", "REDIS_URL", "ERP_TESTING", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        ALLOWED_HOSTS="erp.example.com",
        REDIS_URL="redis://127.0.0.1:6379/15",
        DJANGO_SETTINGS_MODULE="erp.settings",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.smoke
def test_check_deploy_under_production_settings_prints_no_warnings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr.upper().replace("LEVEL=WARNING", "")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "REDIS_URL"])
def test_production_refuses_to_start_without_each_secret(tmp_path, missing):
    result = manage("check", env=production_env(tmp_path, **{missing: None}))
    assert result.returncode != 0
    assert "refuses to start without" in result.stderr
    assert missing in result.stderr


def test_production_refuses_the_embedded_insecure_key(tmp_path):
    result = manage(
        "check",
        env=production_env(tmp_path, SECRET_KEY="django-insecure-embedded-default-xx"),
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_check_and_startup_refuse_a_demo_password(tmp_path):
    dev_env = production_env(tmp_path, DJANGO_ENV="development", REDIS_URL=None)
    assert manage("migrate", "--noinput", env=dev_env).returncode == 0
    assert manage("seed_demo", env=dev_env).returncode == 0
    env = production_env(tmp_path)
    check = manage("check", "--deploy", env=env)
    assert check.returncode != 0
    assert "erp.E001" in check.stderr and "manager" in check.stderr
    wsgi = subprocess.run(
        [sys.executable, "-c", "import erp.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wsgi.returncode != 0
    assert "demo password" in wsgi.stderr
    assert manage("seed_demo", env=env).returncode != 0  # refused without --force


@pytest.mark.django_db
def test_startup_guard_refuses_only_in_production_and_only_active_demo_users(settings, make_user):
    user = make_user("sewing", roles=["sewing"])
    user.has_demo_password = True
    user.save()
    settings.PRODUCTION = False
    production_startup_guard()  # development: allowed
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="sewing"):
        production_startup_guard()
    user.set_password("Another-Secret-77")
    user.save()
    production_startup_guard()


@pytest.mark.django_db
def test_seed_demo_refuses_in_production_without_force(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
