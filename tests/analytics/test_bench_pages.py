"""``make bench-pages`` runs (tiny here: benchmarks are not timed in CI): it generates factory
activity in a scratch database, rebuilds the analytics summaries and prints p50/p95 and the
query count of every measured page, each answering 200."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from analytics.management.commands.bench_pages import PAGES
from analytics.models import DailyQualitySummary, FillWeightPoint, LeadTime

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_the_generator_fills_the_summaries_and_every_page_answers(capsys):
    call_command("bench_pages", days=2, mos_per_day=1, batches_per_mo=3, batch_size=40,
                 requests=1)  # fmt: skip
    out = capsys.readouterr().out
    figures = json.loads(next(line for line in out.splitlines() if line.startswith('{"pages"')))
    assert set(figures["pages"]) == {name for name, _url in PAGES}
    assert all(p["status"] == 200 and p["queries"] > 0 for p in figures["pages"].values())
    assert figures["data"]["batches"] == 6 and figures["data"]["inspections"] > 0
    assert DailyQualitySummary.objects.exists() and LeadTime.objects.exists()
    assert FillWeightPoint.objects.count() == 5 * figures["data"]["stuffing_records"]


@pytest.mark.processes
@pytest.mark.postgres
@pytest.mark.django_db
def test_make_bench_pages_prints_p50_and_p95_of_every_page():
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
            "make", "bench-pages", f"BENCH_PG={server}", "BENCH_PAGES_DB=erp_bench_pages_ci",
            "BENCH_DAYS=2", "BENCH_MOS_PER_DAY=1", "BENCH_BATCHES_PER_MO=2", "BENCH_REQUESTS=2",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "p50 ms" in out and "p95 ms" in out and "/dashboard/" in out
    figures = json.loads(next(line for line in out.splitlines() if line.startswith('{"pages"')))
    for name, url in PAGES:
        assert figures["pages"][name]["url"] == url
        assert figures["pages"][name]["status"] == 200
        assert figures["pages"][name]["p95_ms"] >= figures["pages"][name]["p50_ms"] > 0
