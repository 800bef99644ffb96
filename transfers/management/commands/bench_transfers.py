"""``make bench-transfers``: QT-09 throughput on PostgreSQL, three ways, side by side.

1. services: N threads, each preparing and accepting transfers through the services;
2. HTTP: N clients with JWT auth against gunicorn (the production HTTP server);
3. pgbench: an SQL transaction of the same shape (two row locks, two updates, two inserts).

Each QT-09 action (prepare, accept) is one transaction, so "actions/s" compares with pgbench's
transactions/s; a transfer is two actions. Run it against a scratch database (the Makefile
creates one); it writes benchmark data.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections


def _percentile(values, q):
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


class Command(BaseCommand):
    help = "Benchmark QT-09 prepare/accept (services, HTTP) against pgbench on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=4)
        parser.add_argument("--transfers", type=int, default=200, help="per client")
        parser.add_argument("--seconds", type=int, default=10, help="pgbench duration")
        parser.add_argument("--skip-http", action="store_true")

    def handle(self, *args, clients, transfers, seconds, skip_http, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_transfers needs PostgreSQL (DATABASE_URL=postgres://…)")
        self.clients, self.transfers = clients, transfers
        setup = self._setup()
        results = {"services": self._bench_services(setup)}
        if not skip_http:
            results["http"] = self._bench_http(setup)
        results["pgbench"] = self._bench_pgbench(seconds)
        self._report(results)

    # --- data ---------------------------------------------------------------------------------
    def _setup(self):
        from datetime import timedelta

        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.utils import timezone

        from ppic.models import Article, BomLine, Destination, Material
        from ppic.services import mo_create, mo_release
        from transfers.ledger import Bucket, Move, wip_moves
        from transfers.models import Department, Line

        User = get_user_model()

        def user(name, role):
            u, _ = User.objects.get_or_create(username=name)
            u.set_password("Bench-pass-2026")
            u.save()
            u.groups.set([Group.objects.get(name=role)])
            return u

        sewing, finishing = user("bench_sewing", "sewing"), user("bench_finishing", "finishing")
        planner = user("bench_ppic", "ppic")
        material, _ = Material.objects.get_or_create(
            code="BENCH-PLUSH", defaults={"name": "Plush", "uom": "m", "kind": "fabric"}
        )
        article, created = Article.objects.get_or_create(
            code="BENCH-BEAR",
            defaults={"name": "Bench bear", "fill_weight_g": 100, "fill_tolerance_g": 5,
                      "units_per_carton": 24},
        )  # fmt: skip
        if created:
            BomLine.objects.create(article=article, material=material, quantity_per_unit="0.2")
        destination, _ = Destination.objects.get_or_create(
            code="BENCH-DE", defaults={"name": "Bench DC", "country": "DE"}
        )
        per_batch = self.transfers * 2 + 10  # services and HTTP runs, one unit per transfer
        mo = mo_create(
            article=article, quantity=per_batch * self.clients, destination=destination,
            due_date=timezone.localdate() + timedelta(days=30), route="DIRECT",
            batch_size=per_batch, user=planner,
        )  # fmt: skip
        mo = mo_release(mo=mo, user=planner)
        sew = Department.objects.get(code="SEWING")
        sew_lines = list(Line.objects.filter(department=sew).order_by("code"))
        fin_lines = list(Line.objects.filter(department__code="FINISHING").order_by("code"))
        work = []
        for i, batch in enumerate(mo.batches.order_by("sequence")):
            sew_line = sew_lines[i % len(sew_lines)]
            wip_moves(
                [Move(batch, None, Bucket(sew, "ready", sew_line), batch.quantity)],
                reason="bench_setup",
                user=sewing,
            )
            work.append((batch, sew_line, fin_lines[i % len(fin_lines)]))
        return {"sewing": sewing, "finishing": finishing, "work": work}

    # --- services -------------------------------------------------------------------------------
    def _bench_services(self, setup):
        from transfers import services
        from transfers.models import Department

        sew = Department.objects.get(code="SEWING")
        fin = Department.objects.get(code="FINISHING")
        latencies: list[float] = []
        errors: list[str] = []
        barrier = threading.Barrier(self.clients)
        lock = threading.Lock()

        def client(batch, sew_line, fin_line):
            mine = []
            try:
                barrier.wait()
                for _ in range(self.transfers):
                    t0 = time.perf_counter()
                    t = services.transfer_prepare(
                        batch=batch, from_department=sew, to_department=fin, from_line=sew_line,
                        to_line=fin_line, quantity=1, user=setup["sewing"],
                    )  # fmt: skip
                    t1 = time.perf_counter()
                    services.transfer_accept(
                        slip_code=t.slip_code, quantity_received=1, user=setup["finishing"]
                    )
                    t2 = time.perf_counter()
                    mine += [t1 - t0, t2 - t1]
            except Exception as exc:  # reported, not raised: the other clients finish
                errors.append(repr(exc))
            finally:
                connections.close_all()
                with lock:
                    latencies.extend(mine)

        threads = [threading.Thread(target=client, args=w) for w in setup["work"]]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        return self._summary(latencies, elapsed, errors)

    # --- HTTP -------------------------------------------------------------------------------------
    def _bench_http(self, setup):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {
            **os.environ,
            "THROTTLE_USER": "1000000/minute",
            "THROTTLE_AUTH": "1000000/minute",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        env.pop("ERP_TESTING", None)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        workers = max(2, min(self.clients * 2, (os.cpu_count() or 2) * 2 + 1))
        log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{port}.log"
        log = log_path.open("w")  # closed in finally, once the server has stopped
        process = subprocess.Popen(
            [str(gunicorn), "erp.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--worker-class", "sync"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            self._wait_http(port, process)
            tokens = {name: self._token(port, f"bench_{name}") for name in ("sewing", "finishing")}
            latencies: list[float] = []
            errors: list[str] = []
            barrier = threading.Barrier(self.clients)
            lock = threading.Lock()

            def client(batch, sew_line, fin_line):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                mine = []
                try:
                    barrier.wait()
                    for _ in range(self.transfers):
                        t0 = time.perf_counter()
                        status, body = self._post(conn, "/api/v1/transfers/", tokens["sewing"], {
                            "batch": batch.number, "from_department": "SEWING",
                            "to_department": "FINISHING", "from_line": sew_line.code,
                            "to_line": fin_line.code, "quantity": 1,
                        })  # fmt: skip
                        t1 = time.perf_counter()
                        if status != 201 or body.get("state") != "IN_TRANSIT":
                            raise RuntimeError(f"prepare answered {status} {body}")
                        status, body = self._post(
                            conn, "/api/v1/transfers/accept/", tokens["finishing"],
                            {"slip_code": body["slip_code"], "quantity_received": 1},
                        )  # fmt: skip
                        t2 = time.perf_counter()
                        if status != 200:
                            raise RuntimeError(f"accept answered {status} {body}")
                        mine += [t1 - t0, t2 - t1]
                except Exception as exc:
                    errors.append(repr(exc))
                finally:
                    conn.close()
                    with lock:
                        latencies.extend(mine)

            threads = [threading.Thread(target=client, args=w) for w in setup["work"]]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
            summary = self._summary(latencies, elapsed, errors)
            summary["workers"] = workers
            return summary
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
            log.close()

    def _wait_http(self, port, process, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CommandError("gunicorn exited; see its log")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not answer /health/")

    def _token(self, port, username):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, body = self._post(
            conn, "/api/v1/auth/token/", None, {"username": username, "password": "Bench-pass-2026"}
        )
        if status != 200:
            raise CommandError(f"token for {username}: {status} {body}")
        return body["access"]

    @staticmethod
    def _post(conn, path, token, payload):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request("POST", path, body=json.dumps(payload), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})

    # --- pgbench ----------------------------------------------------------------------------------
    def _bench_pgbench(self, seconds):
        pgbench = shutil.which("pgbench")
        if pgbench is None:
            return {"error": "pgbench not installed (apt-get install postgresql-client)"}
        rows = 1000
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS bench_balance, bench_movement, bench_event;"
                "CREATE TABLE bench_balance (id int PRIMARY KEY, quantity int NOT NULL "
                "CHECK (quantity >= -1000000000));"
                "CREATE TABLE bench_movement (id bigserial PRIMARY KEY, from_id int, to_id int, "
                "quantity int, at timestamptz);"
                "CREATE TABLE bench_event (id bigserial PRIMARY KEY, movement_from int, "
                "action text, at timestamptz);"
            )
            cursor.execute(
                "INSERT INTO bench_balance SELECT g, 1000000 FROM generate_series(1, %s) g",
                [rows * 2],
            )
        db = settings.DATABASES["default"]
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        script = Path(settings.BASE_DIR) / "bench" / "pgbench_transfer.sql"
        command = [
            pgbench, "-n", "-c", str(self.clients), "-j", str(min(self.clients, 4)),
            "-T", str(seconds), "-D", f"rows={rows}", "-f", str(script),
            "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres", db["NAME"],
        ]  # fmt: skip
        out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
        match = re.search(r"tps = ([0-9.]+)", out.stdout)
        latency = re.search(r"latency average = ([0-9.]+) ms", out.stdout)
        if not match:
            return {"error": (out.stdout + out.stderr)[-500:]}
        return {
            "tps": float(match.group(1)),
            "latency_ms": float(latency.group(1)) if latency else None,
        }

    # --- report -----------------------------------------------------------------------------------
    def _summary(self, latencies, elapsed, errors):
        return {
            "actions": len(latencies),
            "seconds": round(elapsed, 3),
            "actions_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
            "transfers_per_s": round(len(latencies) / 2 / elapsed, 1) if elapsed else 0.0,
            "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
            "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
            "errors": errors[:5],
        }

    def _report(self, results):
        pg = results["pgbench"].get("tps")
        out = self.stdout.write
        out(f"QT-09 benchmark: {self.clients} clients × {self.transfers} transfers "
            f"(prepare + accept, 1 unit each) on PostgreSQL")  # fmt: skip
        for name in ("services", "http"):
            r = results.get(name)
            if not r:
                continue
            ratio = f"{r['actions_per_s'] / pg:.2f}" if pg else "n/a"
            out(
                f"  {name:8s} {r['transfers_per_s']:8.1f} transfers/s  {r['actions_per_s']:8.1f} "
                f"actions/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
                f"ratio to pgbench {ratio}"
                + (f"  ({r['workers']} gunicorn workers)" if "workers" in r else "")
            )
            for error in r["errors"]:
                out(f"    error: {error}")
        if pg:
            out(f"  pgbench  {pg:8.1f} transactions/s (same SQL shape), "
                f"latency {results['pgbench']['latency_ms']} ms")  # fmt: skip
        else:
            out(f"  pgbench  {results['pgbench'].get('error')}")
        self.stdout.write(json.dumps(results))
        if any(results.get(n, {}).get("errors") for n in ("services", "http")):
            raise CommandError("errors during the benchmark")
