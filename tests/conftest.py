import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from erp.common.pytest_plugin import chromium_path
from tests.factories import TEST_PASSWORD, UserFactory

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle counters and other cache state must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _celery_join_allowed():
    """Celery marks "joining a result would block" in a process-wide flag while an eager task
    runs; eager tasks in two threads at once (a live server's and the test's) can leave it set,
    and a later ``result.get()`` in the test then refuses. Every test starts with it clear."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """In-memory channel layers keep queues bound to the event loop that made them (an earlier
    test's server thread): every test starts with a new layer."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def make_user(db):
    def make(username=None, roles=(), supervises=(), **kwargs):
        if username:
            kwargs["username"] = username
        return UserFactory(roles=list(roles), supervises=list(supervises), **kwargs)

    return make


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def demo_users(db, settings):
    settings.DEMO_PASSWORD = "Admin@123"
    call_command("seed_demo", verbosity=0)


def jwt_for(api_client, username, password=TEST_PASSWORD) -> str:
    response = api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["access"]


# --- Browser (pytest-playwright on Debian's Chromium) ---------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    args = dict(browser_type_launch_args)
    if path:
        args["executable_path"] = path
    args["args"] = [*args.get("args", []), *CHROMIUM_ARGS]
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 768, "height": 1024}, "locale": "id-ID"}


def run_async(coroutine_function, timeout=60):
    """Run an async test scenario in its own thread and event loop. (After a browser test,
    Playwright's sync API keeps an event loop in the main thread, where async_to_sync refuses
    to run.)"""
    import asyncio
    import threading

    outcome = {}

    def runner():
        try:
            outcome["value"] = asyncio.run(coroutine_function())
        except BaseException as exc:  # re-raised in the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=runner)
    thread.start()
    thread.join(timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
