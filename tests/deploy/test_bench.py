"""`make bench-transfers` runs (tiny here: benchmarks are not timed in CI) and prints the
figures and the ratio to pgbench."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


@pytest.mark.processes
@pytest.mark.postgres
@pytest.mark.django_db
def test_make_bench_transfers_prints_figures_and_the_ratio_to_pgbench():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    server = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REQUIRE_", "PYTEST_", "DJANGO_ALLOW_ASYNC"))
        and k not in ("DATABASE_URL", "ERP_TESTING", "DJANGO_SETTINGS_MODULE")
    }
    result = subprocess.run(
        [
            "make", "bench-transfers", f"BENCH_PG={server}", "BENCH_DB=erp_bench_ci",
            "BENCH_CLIENTS=2", "BENCH_TRANSFERS=5", "BENCH_SECONDS=2",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "services" in out and "http" in out and "pgbench" in out
    assert "transfers/s" in out and "ratio to pgbench" in out
    json_lines = [line for line in out.splitlines() if line.startswith('{"services"')]
    assert json_lines, out[-3000:]
    figures = json.loads(json_lines[-1])
    assert figures["services"]["actions"] == 2 * 2 * 5
    assert figures["http"]["actions"] == 2 * 2 * 5
    assert figures["pgbench"]["tps"] > 0
