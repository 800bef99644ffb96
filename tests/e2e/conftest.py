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


TABLET = {"width": 768, "height": 1024}


def station(browser, base_url, username, *, locale="id-ID", viewport=TABLET):
    """A new browser context at tablet size, logged in as ``username``: (context, page)."""
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    login(page, base_url, username)
    return context, page


def submit(page, button):
    """Click a station form's button once the previous result box is gone, so the next
    ``result`` waits for this action's answer."""
    page.evaluate("document.querySelector('[data-testid=result]')?.remove()")
    button.click()


def result(page, level):
    box = page.locator(f"[data-testid=result][data-level={level}]")
    box.wait_for()
    return box


def login(page, base_url: str, username: str, password: str = "Admin@123"):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


@pytest.fixture
def asgi_live_server(transactional_db):
    """An ASGI server (uvicorn, in a thread) serving HTTP with static files and the websockets,
    for browser tests that need live updates (pytest-django's live_server is WSGI only)."""
    import socket
    import threading
    import time

    import uvicorn
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application

    from erp.asgi import application as erp_application

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(get_asgi_application()),
            "websocket": erp_application.application_mapping["websocket"],
        }
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"

    class Live:
        url = f"http://127.0.0.1:{port}"

    yield Live
    server.should_exit = True
    thread.join(10)
