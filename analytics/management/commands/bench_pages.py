"""``make bench-pages``: a month of factory activity, then p50/p95 of the office pages.

1. Generates ``--days`` days of activity: MOs released through the PPIC services, then for each
   batch its route (cutting → sewing → finishing → packing → FG warehouse) written with bulk
   inserts and timestamps spread over the period: WIP movements and final balances, QT-09
   transfers (prepare + accept) with their events, inline and final inspections with defects,
   stuffing records with sample weights, and alerts (some still open). Batches of the last days
   are left part-way (WIP on the lines).
2. Rebuilds the analytics summaries of the period (``analytics.refresh.period_refresh``) and
   times it.
3. Measures each page with the Django test client as a manager: one warm-up request (whose
   queries are counted), then ``--requests`` timed GETs; prints p50/p95 per page and a JSON line.

It writes benchmark data: run it against a scratch database (the Makefile creates one).
"""

from __future__ import annotations

import contextlib
import json
import random
import statistics
import time
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

PAGES = [
    ("dashboard", "/dashboard/"),
    ("alerts", "/dashboard/alerts/"),
    ("MO list", "/ppic/mos/"),
    ("warehouse stock", "/warehouse/"),
    ("stock ledger", "/warehouse/ledger/"),
    ("final inspections", "/quality/final/history/"),
    ("sewing station (transfers)", "/sewing/"),
    ("subcon transfers", "/transfers/subcon/"),
    ("analytics quality/department", "/analytics/quality/"),
    ("analytics quality/line", "/analytics/quality/?group=line"),
    ("analytics quality/batch", "/analytics/quality/?group=batch"),
    ("analytics quality/defect", "/analytics/quality/?group=defect"),
    ("analytics quality/week", "/analytics/quality/?group=week"),
    ("analytics fill weight (SPC)", "/analytics/fill-weight/"),
    ("analytics output", "/analytics/output/"),
    ("analytics lead time", "/analytics/lead-time/"),
    ("analytics lead time/week", "/analytics/lead-time/?group=week"),
]

# auto_now / auto_now_add fields that must keep the generated (past) timestamps
STAMPED = [
    ("transfers.WipMovement", "at"),
    ("transfers.WipBalance", "updated_at"),
    ("transfers.Transfer", "created_at"),
    ("transfers.Transfer", "updated_at"),
    ("transfers.TransferEvent", "at"),
    ("quality.Inspection", "at"),
    ("finishing.StuffingRecord", "at"),
    ("dashboard.Alert", "raised_at"),
]

ROUTE = [("CUTTING", "CUT"), ("SEWING", "SEW"), ("FINISHING", "FIN"), ("PACKING", "PCK")]
WORK_REASON = {"CUTTING": "cut", "SEWING": "loop_stitch", "FINISHING": "fg_convert",
               "PACKING": "carton"}  # fmt: skip


def percentile(values, q):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@contextlib.contextmanager
def explicit_timestamps():
    """Let bulk inserts keep the timestamps they are given (auto_now[_add] off meanwhile)."""
    from django.apps import apps

    saved = []
    for label, name in STAMPED:
        f = apps.get_model(label)._meta.get_field(name)
        saved.append((f, f.auto_now, f.auto_now_add))
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


class _Counter:
    """``connection.execute_wrapper`` that counts the queries run."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


class Command(BaseCommand):
    help = "Generate a month of factory activity and time the dashboard, analytics and lists."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--mos-per-day", type=int, default=6)
        parser.add_argument("--batches-per-mo", type=int, default=10)
        parser.add_argument("--batch-size", type=int, default=300)
        parser.add_argument("--requests", type=int, default=20, help="timed GETs per page")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--skip-generate", action="store_true")

    def handle(self, *args, days, mos_per_day, batches_per_mo, batch_size, requests, seed,
               skip_generate, **options):  # fmt: skip
        self.rng = random.Random(seed)  # noqa: S311 (benchmark data, not secrets)
        counts, generate_s = {}, 0.0
        if not skip_generate:
            t0 = time.perf_counter()
            counts = self._generate(days, mos_per_day, batches_per_mo, batch_size)
            generate_s = time.perf_counter() - t0
        from analytics.refresh import period_refresh

        today = timezone.localdate()
        t0 = time.perf_counter()
        written = period_refresh(today - timedelta(days=days), today)
        rebuild_s = time.perf_counter() - t0
        pages = self._measure(requests)
        self._report(counts, generate_s, written, rebuild_s, pages, requests, days)
        failed = [name for name, r in pages.items() if r["status"] != 200]
        if failed:
            raise CommandError(f"pages not answering 200: {', '.join(failed)}")

    # --- data -------------------------------------------------------------------------------------
    def _users(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        User = get_user_model()
        made = {}
        for role in ("manager", "ppic", "cutting", "sewing", "finishing", "packing",
                     "qc_inspector"):  # fmt: skip
            user, _ = User.objects.get_or_create(username=f"bench_pages_{role}")
            user.groups.set([Group.objects.get(name=role)])
            made[role] = user
        return made

    def _generate(self, days, mos_per_day, batches_per_mo, batch_size):
        from dashboard.models import Alert
        from ppic.models import Article, BomLine, Destination, Material
        from ppic.services import mo_create, mo_release
        from quality.models import DefectCode, Inspection, InspectionDefect
        from transfers.models import (
            Department,
            Line,
            Transfer,
            TransferEvent,
            WipBalance,
            WipMovement,
        )

        rng = self.rng
        users = self._users()
        depts = {d.code: d for d in Department.objects.all()}
        lines = defaultdict(list)
        for ln in Line.objects.order_by("code"):
            lines[ln.department_id].append(ln)
        material, _ = Material.objects.get_or_create(
            code="BENCH-PLUSH", defaults={"name": "Plush", "uom": "m", "kind": "fabric"}
        )
        articles = []
        for i in range(12):
            article, created = Article.objects.get_or_create(
                code=f"BENCH-A{i:02d}",
                defaults={"name": f"Bench toy {i}", "fill_weight_g": 80 + 15 * i,
                          "fill_tolerance_g": 5, "units_per_carton": 24},
            )  # fmt: skip
            if created:
                BomLine.objects.create(article=article, material=material, quantity_per_unit="0.2")
            articles.append(article)
        destinations = [
            Destination.objects.get_or_create(
                code=f"BENCH-{c}", defaults={"name": f"DC {c}", "country": c}
            )[0]
            for c in ("DE", "SE", "US", "JP")
        ]
        codes = list(DefectCode.objects.all()) or [
            DefectCode.objects.create(code="BENCH-SEAM", name="Open seam")
        ]
        now = timezone.now()
        start = now - timedelta(days=days)

        # MOs and batches through the PPIC services (numbers, SPKs, batches as in production)
        batches = []  # (batch, article, start datetime)
        for day in range(days):
            for _m in range(mos_per_day):
                article = rng.choice(articles)
                mo = mo_create(
                    article=article, quantity=batch_size * batches_per_mo,
                    destination=rng.choice(destinations),
                    due_date=(start + timedelta(days=day + 21)).date(), route="DIRECT",
                    batch_size=batch_size, user=users["ppic"],
                )  # fmt: skip
                mo = mo_release(mo=mo, user=users["ppic"])
                for batch in mo.batches.order_by("sequence"):
                    begin = start + timedelta(days=day, hours=rng.uniform(6, 20))
                    batches.append((batch, article, begin))

        moves, transfers, events, inspections, stuffing, alerts = [], [], [], [], [], []
        defects_of = []  # parallel to inspections: [(code, count)]
        balance = defaultdict(int)
        slip = 0

        def move(batch, frm, to, qty, reason, at):
            """frm / to: (dept, line, state) or None for the input bucket."""
            if qty <= 0:
                return
            moves.append(WipMovement(
                batch=batch, from_department=frm[0] if frm else None,
                from_line=frm[1] if frm else None, from_state=frm[2] if frm else "input",
                to_department=to[0], to_line=to[1], to_state=to[2], quantity=qty, reason=reason,
                user=users["manager"], at=at,
            ))  # fmt: skip
            if frm:
                balance[(batch.pk, frm[0].pk, frm[1].pk if frm[1] else None, frm[2])] -= qty
            balance[(batch.pk, to[0].pk, to[1].pk if to[1] else None, to[2])] += qty

        for batch, article, t in batches:
            qty = batch.quantity
            here = None  # (dept, line) where the units are
            for step, (code, _prefix) in enumerate(ROUTE):
                if t > now:
                    break
                dept = depts[code]
                ln = rng.choice(lines[dept.pk])
                if step == 0:
                    for part in self._split(qty, 3):
                        t += timedelta(minutes=rng.uniform(20, 90))
                        move(batch, None, (dept, ln, "ready"), part, "cut", min(t, now))
                else:
                    # QT-09: prepare at the sender, accept at the receiver (1-2 transfers)
                    for part in self._split(qty, rng.choice((1, 2))):
                        t += timedelta(minutes=rng.uniform(10, 60))
                        prepared = min(t, now)
                        t += timedelta(minutes=rng.uniform(5, 120))
                        accepted = min(t, now)
                        slip += 1
                        transfers.append(Transfer(
                            slip_code=f"BENCH{slip:07d}", batch=batch,
                            from_department=here[0], from_line=here[1], to_department=dept,
                            to_line=ln, quantity=part, quantity_received=part, state="ACCEPTED",
                            created_by=users["manager"], created_at=prepared,
                            accepted_by=users["manager"], accepted_at=accepted,
                            updated_at=accepted,
                        ))  # fmt: skip
                        move(batch, (*here, "ready"), (*here, "locked"), part, "transfer_prepare",
                             prepared)  # fmt: skip
                        move(batch, (*here, "locked"), (dept, ln, "available"), part,
                             "transfer_accept", accepted)  # fmt: skip
                    if t > now:
                        here = (dept, ln)
                        break
                    # the department's work, with its checks
                    if code == "SEWING":
                        for _i in range(rng.randint(4, 8)):
                            t += timedelta(minutes=rng.uniform(20, 90))
                            at = min(t, now)
                            qty -= self._inspect(inspections, defects_of, batch, dept, ln,
                                                 "inline", at, codes, move, users)  # fmt: skip
                    if code == "FINISHING":
                        for _i in range(3):
                            t += timedelta(minutes=rng.uniform(20, 60))
                            stuffing.append(
                                self._stuffing(batch, article, ln, qty // 3, min(t, now), users)
                            )
                        t += timedelta(minutes=30)
                        qty -= self._inspect(inspections, defects_of, batch, dept, ln, "final",
                                             min(t, now), codes, move, users)  # fmt: skip
                    for part in self._split(qty, 3):
                        t += timedelta(minutes=rng.uniform(30, 150))
                        move(batch, (dept, ln, "available"), (dept, ln, "ready"), part,
                             WORK_REASON[code], min(t, now))  # fmt: skip
                here = (dept, ln)
                t += timedelta(hours=rng.uniform(1, 30))  # waiting for the next handover
            else:
                if t <= now:  # packed: into the FG warehouse
                    move(batch, (*here, "ready"), (depts["FG_WAREHOUSE"], None, "available"),
                         qty, "packing_complete", min(t, now))  # fmt: skip
            if rng.random() < 0.08:
                at = min(t, now) - timedelta(minutes=rng.uniform(0, 600))
                alerts.append((Alert(
                    priority=rng.choice(("P1", "P2", "P3")), kind="QTY_DISCREPANCY", batch=batch,
                    line=here[1] if here else None, message=f"Bench alert on {batch.number}",
                    reference=f"bench:{batch.pk}", raised_at=at,
                    resolved_at=None if rng.random() < 0.3 else at + timedelta(hours=1),
                ), (here or (depts["CUTTING"], None))[0]))  # fmt: skip

        with explicit_timestamps(), transaction.atomic():
            WipMovement.objects.bulk_create(moves, batch_size=2000)
            WipBalance.objects.bulk_create(
                [
                    WipBalance(batch_id=b, department_id=d, line_id=ln, state=s, quantity=q,
                               updated_at=now)
                    for (b, d, ln, s), q in balance.items()
                    if q > 0
                ],
                batch_size=2000,
            )  # fmt: skip
            Transfer.objects.bulk_create(transfers, batch_size=2000)
            for t in transfers:
                events.append(TransferEvent(transfer=t, action="prepare", from_state="",
                                            to_state="IN_TRANSIT", quantity=t.quantity,
                                            user=t.created_by, at=t.created_at))  # fmt: skip
                events.append(TransferEvent(transfer=t, action="accept", from_state="IN_TRANSIT",
                                            to_state="ACCEPTED", quantity=t.quantity,
                                            user=t.accepted_by, at=t.accepted_at))  # fmt: skip
            TransferEvent.objects.bulk_create(events, batch_size=2000)
            Inspection.objects.bulk_create(inspections, batch_size=2000)
            InspectionDefect.objects.bulk_create(
                [
                    InspectionDefect(inspection=i, code=code, count=n)
                    for i, found in zip(inspections, defects_of, strict=True)
                    for code, n in found
                ],
                batch_size=2000,
            )
            from finishing.models import StuffingRecord

            StuffingRecord.objects.bulk_create(stuffing, batch_size=2000)
            made = Alert.objects.bulk_create([a for a, _d in alerts], batch_size=2000)
            Alert.departments.through.objects.bulk_create(
                [
                    Alert.departments.through(alert_id=a.pk, department_id=d.pk)
                    for a, (_x, d) in zip(made, alerts, strict=True)
                ],
                batch_size=2000,
            )
        return {
            "batches": len(batches),
            "movements": len(moves),
            "transfers": len(transfers),
            "inspections": len(inspections),
            "stuffing_records": len(stuffing),
            "alerts": len(alerts),
        }

    def _split(self, qty, parts):
        parts = max(1, min(parts, qty))
        size = qty // parts
        return [size] * (parts - 1) + [qty - size * (parts - 1)]

    def _inspect(self, inspections, defects_of, batch, dept, ln, kind, at, codes, move, users):
        """An inspection of a sample; its rework is repaired on the spot, its scrap leaves.
        Returns the units scrapped."""
        from quality.models import Inspection

        rng = self.rng
        checked = rng.randint(7, 40) if kind == "inline" else rng.choice((32, 50, 80))
        rework = rng.choices((0, 1, 2, 3), weights=(70, 15, 10, 5))[0]
        scrap = rng.choices((0, 1), weights=(90, 10))[0]
        passed = checked - rework - scrap
        found = [(rng.choice(codes), 1) for _i in range(rework + scrap)]
        merged = defaultdict(int)
        for code, n in found:
            merged[code] += n
        inspections.append(Inspection(
            batch=batch, department=dept, line=ln, kind=kind, passed=passed, rework=rework,
            scrap=scrap, repaired=rework, user=users["qc_inspector"], at=at,
        ))  # fmt: skip
        defects_of.append(list(merged.items()))
        move(batch, (dept, ln, "available"), (dept, ln, "rework"), rework, "inspection", at)
        move(batch, (dept, ln, "rework"), (dept, ln, "available"), rework, "inspection", at)
        move(batch, (dept, ln, "available"), (dept, None, "scrap"), scrap, "inspection", at)
        return scrap

    def _stuffing(self, batch, article, ln, qty, at, users):
        from finishing.models import StuffingRecord

        rng = self.rng
        target, tol = float(article.fill_weight_g), float(article.fill_tolerance_g)
        weights = []
        for _i in range(5):
            w = rng.gauss(target, tol / 3)
            if rng.random() < 0.01:  # now and then a toy far off
                w += rng.choice((-1, 1)) * tol * 2
            weights.append(Decimal(f"{w:.2f}"))
        out = sum(1 for w in weights if not target - tol <= float(w) <= target + tol)
        return StuffingRecord(
            batch=batch, line=ln, quantity=max(1, qty), target_g=article.fill_weight_g,
            tolerance_g=article.fill_tolerance_g, sample_weights_g=[str(w) for w in weights],
            out_of_tolerance=out, user=users["finishing"], at=at,
        )  # fmt: skip

    # --- measure ----------------------------------------------------------------------------------
    def _measure(self, requests):
        from django.contrib.auth import get_user_model

        manager = get_user_model().objects.get(username="bench_pages_manager")
        results = {}
        with override_settings(ALLOWED_HOSTS=["testserver", "localhost"]):
            client = Client()
            client.force_login(manager)
            for name, url in PAGES:
                # counted by a wrapper: request_started resets connection.queries
                queries = _Counter()
                with connection.execute_wrapper(queries):
                    response = client.get(url)
                timings = []
                for _i in range(requests if response.status_code == 200 else 0):
                    t0 = time.perf_counter()
                    client.get(url)
                    timings.append((time.perf_counter() - t0) * 1000)
                results[name] = {
                    "url": url,
                    "status": response.status_code,
                    "queries": queries.n,
                    "p50_ms": round(percentile(timings, 0.5), 1),
                    "p95_ms": round(percentile(timings, 0.95), 1),
                    "mean_ms": round(statistics.fmean(timings), 1) if timings else 0.0,
                }
        return results

    def _report(self, counts, generate_s, written, rebuild_s, pages, requests, days):
        out = self.stdout.write
        if counts:
            out(f"Generated {days} days in {generate_s:.1f} s: " + ", ".join(
                f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))  # fmt: skip
        out(f"Analytics summaries rebuilt in {rebuild_s:.2f} s: "
            + ", ".join(f"{v} {k}" for k, v in written.items()))  # fmt: skip
        out(f"Pages ({requests} timed GETs each, Django test client, {connection.vendor}, "
            f"{datetime.now():%Y-%m-%d}):")  # fmt: skip
        out(f"  {'page':32s} {'status':>6s} {'queries':>7s} {'p50 ms':>8s} {'p95 ms':>8s}")
        for name, r in pages.items():
            out(f"  {name:32s} {r['status']:6d} {r['queries']:7d} {r['p50_ms']:8.1f} "
                f"{r['p95_ms']:8.1f}")  # fmt: skip
        out(json.dumps({"pages": pages, "data": counts, "rebuild_s": round(rebuild_s, 3),
                        "summaries": written, "generate_s": round(generate_s, 1)}))  # fmt: skip
