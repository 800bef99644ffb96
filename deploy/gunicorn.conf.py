"""gunicorn settings for HTTP: `gunicorn -c deploy/gunicorn.conf.py erp.wsgi:application`.

Sync workers, because the views are synchronous Django and each worker keeps its own persistent
database connection (``CONN_MAX_AGE``). Websockets are not served here: ``/ws/`` goes to uvicorn
(``erp.asgi``). Every value can be overridden by environment variables.
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours CPU pinning (cpuset) of a container
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "erp.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "sync"
# Each worker holds one PostgreSQL connection: keep the total across all hosts (plus Celery and
# uvicorn) under PostgreSQL's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# The heartbeat file on a RAM disk: a disk-backed /tmp can stall workers (gunicorn docs).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No runtime control socket (gunicorn >= 25); nothing here manages workers at run time.
control_socket_disable = True
