import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture
def seeded(transactional_db):
    """Demo users committed, so the live server thread sees them."""
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def screenshot(tmp_path):
    """Save a page screenshot; into docs/screenshots when UPDATE_SCREENSHOTS=1 (for the guides)."""
    target = (
        Path(settings.BASE_DIR) / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else tmp_path
    )
    target.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = target / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5000
        return path

    return take


def login(page, base_url: str, username: str, password: str = "Admin@123"):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
