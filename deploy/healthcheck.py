"""Container health probe: `python deploy/healthcheck.py [port]` exits 0 when `/health/` is 200.

Used by the Dockerfile's HEALTHCHECK (gunicorn, port 8000) and by docker-compose.yml for the
websocket server (uvicorn, port 8001, which serves ``/health/`` over ASGI too). The slim image has
no curl, so this uses the standard library. The request carries a Host header from ALLOWED_HOSTS,
since Django answers 400 to any other host; ``/health/`` is exempt from the HTTPS redirect.
"""

import os
import sys
import urllib.request


def probe_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip()
        if host and host != "*":
            return host.lstrip(".")  # ".example.com" allows example.com itself
    return "localhost"


def main() -> int:
    port = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HEALTHCHECK_PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/", headers={"Host": probe_host()}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed URL)
            return 0 if response.status == 200 else 1
    except Exception as exc:  # 503, refused, timeout: all mean unhealthy
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
