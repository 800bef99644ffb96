"""The production process set without containers: gunicorn (HTTP), uvicorn (websockets) and a
Celery worker against Redis, all on the test database; plus `make run` and the smoke subset on
the embedded SQLite default."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection

from tests.factories import TEST_PASSWORD

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REQUIRE_", "PYTEST_", "DJANGO_ALLOW_ASYNC"))
        and k not in ("DATABASE_URL", "REDIS_URL", "ERP_TESTING", "DJANGO_SETTINGS_MODULE")
    }
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def database_url_of_the_test_db() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for_http(url: str, seconds: float, process=None) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited early: {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@contextmanager
def started(args, env, log_path: Path):
    with log_path.open("w") as log:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def http_json(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.mark.processes
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_gunicorn_uvicorn_and_celery_serve_a_page_a_websocket_and_a_task(make_user, tmp_path):
    from celery import Celery
    from channels.layers import get_channel_layer
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    user = make_user("siti", roles=["sewing"])
    # the servers run without the test settings, so with the production hashers
    hasher = Argon2PasswordHasher()
    user.password = hasher.encode(TEST_PASSWORD, hasher.salt())
    user.save()
    redis_url = os.environ["REDIS_URL"]
    env = base_env(DATABASE_URL=database_url_of_the_test_db(), REDIS_URL=redis_url, DEBUG="0")
    web_port, ws_port = free_port(), free_port()
    gunicorn = [
        str(BIN / "gunicorn"), "erp.wsgi:application", "--bind", f"127.0.0.1:{web_port}",
        "--workers", "2", "--access-logfile", "-",
    ]  # fmt: skip
    uvicorn = [
        str(BIN / "uvicorn"), "erp.asgi:application", "--host", "127.0.0.1",
        "--port", str(ws_port),
    ]  # fmt: skip
    worker = [
        str(BIN / "celery"), "-A", "erp", "worker", "--pool", "solo", "--loglevel", "INFO",
        "--hostname", f"test-{web_port}@localhost",
    ]  # fmt: skip
    with (
        started(gunicorn, env, tmp_path / "gunicorn.log") as web,
        started(uvicorn, env, tmp_path / "uvicorn.log") as ws,
        started(worker, env, tmp_path / "celery.log") as celery_worker,
    ):
        # a page (HTTP on gunicorn)
        assert wait_for_http(f"http://127.0.0.1:{web_port}/health/", 60, web) == 200
        status, health = http_json(f"http://127.0.0.1:{web_port}/health/")
        assert health == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
        assert wait_for_http(f"http://127.0.0.1:{web_port}/accounts/login/", 10, web) == 200
        status, tokens = http_json(
            f"http://127.0.0.1:{web_port}/api/v1/auth/token/",
            {"username": "siti", "password": TEST_PASSWORD},
        )
        assert status == 200, tokens

        # a websocket (uvicorn), fed through the Redis channel layer from this process
        wait_for_http(f"http://127.0.0.1:{ws_port}/health/", 60, ws)
        url = f"ws://127.0.0.1:{ws_port}/ws/alerts/?token={tokens['access']}"
        with pytest.raises(InvalidStatus):
            connect(url, origin="https://evil.example.com", open_timeout=10)
        with connect(url, origin=f"http://127.0.0.1:{ws_port}", open_timeout=10) as socket_:
            assert json.loads(socket_.recv(timeout=10))["groups"] == ["dept-SEWING"]
            # in a thread of its own: a browser test's event loop may run in this one
            sender = threading.Thread(
                target=async_to_sync(get_channel_layer().group_send),
                args=("dept-SEWING", {"type": "alert.message", "alert": {"message": "round trip"}}),
            )
            sender.start()
            sender.join(10)
            assert json.loads(socket_.recv(timeout=10)) == {
                "type": "alert",
                "alert": {"message": "round trip"},
            }

        # a task (Celery worker over Redis, reading the database)
        # not the current app: shared tasks of later tests must stay on the project's (eager) app
        client = Celery(broker=redis_url, backend=redis_url, set_as_current=False)
        result = client.send_task("erp.ping", args=["hello"])
        assert result.get(timeout=60, disable_sync_subtasks=False) == "pong hello departments=9"
        assert celery_worker.poll() is None


@pytest.mark.processes
def test_make_run_sets_up_and_serves_the_login_page(tmp_path):
    """`make run` on the embedded default (SQLite file, no Redis), on a scratch database."""
    port = free_port()
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    with started(["make", "run", f"PORT={port}"], env, tmp_path / "make-run.log") as run:
        try:
            status = wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", 240, run)
        except AssertionError:
            raise AssertionError((tmp_path / "make-run.log").read_text()[-4000:]) from None
        assert status == 200
        status, tokens = http_json(
            f"http://127.0.0.1:{port}/api/v1/auth/token/",
            {"username": "manager", "password": "Admin@123"},
        )
        assert status == 200 and "access" in tokens
        assert wait_for_http(f"http://127.0.0.1:{port}/static/vendor/htmx/htmx.min.js", 5) == 200


@pytest.mark.processes
def test_the_smoke_subset_passes_on_the_embedded_sqlite_default():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "smoke", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
