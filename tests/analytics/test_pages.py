"""The analytics pages open for manager, PPIC, QC inspectors and admins, refuse operators
(403), draw from the summary tables in the same number of queries whatever their number of rows,
and export exactly the charted numbers (CSV, XLSX, JSON)."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import (
    DailyDefectSummary,
    DailyLineOutput,
    DailyQualitySummary,
    FillWeightPoint,
    LeadTime,
)
from analytics.selectors import BATCH_LIMIT
from quality.models import DefectCode
from tests.analytics.helpers import as_user, parse_csv, parse_xlsx, query_count, stuffing
from tests.factories import UserFactory
from tests.transfers.helpers import dept, line, users

pytestmark = [pytest.mark.django_db]

PAGES = [
    "/analytics/",
    "/analytics/quality/",
    "/analytics/quality/?group=line&kind=inline",
    "/analytics/quality/?group=batch",
    "/analytics/quality/?group=defect",
    "/analytics/quality/?group=week&department=SEWING",
    "/analytics/fill-weight/",
    "/analytics/output/",
    "/analytics/output/?measure=sent&department=SEWING",
    "/analytics/lead-time/",
    "/analytics/lead-time/?group=line",
    "/analytics/lead-time/?group=week",
]


@pytest.mark.parametrize("role", ["manager", "ppic", "qc_inspector", "admin"])
def test_every_analytics_page_opens_for_the_analytics_roles(client, role):
    as_user(client, UserFactory(username=f"a_{role}", roles=[role]))
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    nav = client.get("/analytics/").content.decode()
    assert 'data-area="analytics"' in nav


@pytest.mark.parametrize("role", ["sewing", "cutting", "warehouse", "qc_lab"])
def test_operators_get_403_on_every_page_export_and_refresh(client, role):
    as_user(client, UserFactory(username=f"o_{role}", roles=[role]))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.get("/analytics/quality/?export=csv").status_code == 403
    assert client.post("/analytics/refresh/", {}).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/analytics/quality/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_filters_are_a_400_sentence_and_refuse_to_export(client):
    as_user(client, users()["manager"])
    response = client.get("/analytics/quality/?date_from=2026-02-10&date_to=2026-02-01")
    assert response.status_code == 400
    assert "must be on or before" in response.content.decode()
    assert client.get("/analytics/quality/?group=nope&export=csv").status_code == 400
    assert client.get("/analytics/quality/?export=pdf").status_code == 400
    assert client.get("/analytics/quality/?export=csv&chart=nope").status_code == 400


# --- a factory's worth of summary rows -----------------------------------------------------------
def fill_summaries(days: int, *, seed=1, skip=0):
    """Summary rows for ``days`` days on every line (what a busy factory leaves behind)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    codes = list(DefectCode.objects.all()[:5])
    lines = [line(c) for c in ("CUT-1", "SEW-1", "SEW-2", "SEW-3", "FIN-1", "PCK-1")]
    quality, defects, output = [], [], []
    for d in range(skip, skip + days):
        day = today - timedelta(days=d)
        for ln in lines:
            for kind in ("inline", "final"):
                quality.append(DailyQualitySummary(
                    day=day, department=ln.department, line=ln, kind=kind,
                    inspections=rng.randint(1, 9), passed=rng.randint(50, 90),
                    rework=rng.randint(0, 9), scrap=rng.randint(0, 3), repaired=rng.randint(0, 2),
                ))  # fmt: skip
                for code in codes:
                    defects.append(DailyDefectSummary(
                        day=day, department=ln.department, line=ln, kind=kind, code=code,
                        count=rng.randint(1, 5),
                    ))  # fmt: skip
            output.append(DailyLineOutput(
                day=day, department=ln.department, line=ln, made=rng.randint(100, 900),
                sent=rng.randint(100, 900),
            ))  # fmt: skip
    DailyQualitySummary.objects.bulk_create(quality)
    DailyDefectSummary.objects.bulk_create(defects)
    DailyLineOutput.objects.bulk_create(output)


def test_pages_keep_the_same_number_of_queries_whatever_the_rows(client, monkeypatch):
    # given a tiny factory
    as_user(client, users()["manager"])
    stuffing([100, 101, 99], article="CAT-30")
    fill_summaries(1)
    few = {url: query_count(client, url) for url in PAGES}

    # when a much busier one has left months of summaries, SPC points, batches and lead times
    fill_summaries(120, seed=2, skip=1)
    batch, _records = stuffing([100 + (i % 7) - 3 for i in range(600)], article="CAT-30")
    from tests.transfers.helpers import released_batches

    many_batches = released_batches(quantity=BATCH_LIMIT * 3, batch_size=1, article="DOG-20")
    from analytics.models import BatchQualitySummary

    now = timezone.now()
    BatchQualitySummary.objects.bulk_create(
        BatchQualitySummary(batch=b, department=dept("SEWING"), line=line("SEW-1"), kind="inline",
                            inspections=3, passed=20 + i, rework=i % 4, scrap=i % 3, first_at=now,
                            last_at=now, last_day=timezone.localdate())
        for i, b in enumerate(many_batches)
    )  # fmt: skip
    _lead_times(many_batches)

    # then every page costs the same number of queries
    many = {url: query_count(client, url) for url in PAGES}
    assert many == few
    assert max(many.values()) <= 20


def _lead_times(batches):
    from transfers.models import Transfer

    user = users()["manager"]
    now = timezone.now()
    rows = []
    for i, b in enumerate(batches):
        t = Transfer.objects.create(
            batch=b, from_department=dept("CUTTING"), to_department=dept("SEWING"),
            to_line=line("SEW-1"), quantity=1, state="ACCEPTED", created_by=user,
            accepted_at=now - timedelta(hours=i + 2), accepted_by=user, slip_code=f"LT{i}",
        )  # fmt: skip
        rows.append(LeadTime(
            transfer_in=t, batch=b, department=dept("SEWING"), line=line("SEW-1"),
            accepted_at=t.accepted_at, sent_at=now, sent_day=timezone.localdate(), hours=i + 2,
        ))  # fmt: skip
    LeadTime.objects.bulk_create(rows)


def test_exports_contain_exactly_the_charted_numbers(client):
    as_user(client, users()["qc"])
    fill_summaries(10)
    for url in ["/analytics/quality/?group=line", "/analytics/quality/?group=week",
                "/analytics/quality/?group=defect", "/analytics/output/",
                "/analytics/output/?measure=sent"]:  # fmt: skip
        chart = client.get(url + "&export=json" if "?" in url else url + "?export=json").json()
        sep = "&" if "?" in url else "?"
        csv_rows = parse_csv(client.get(f"{url}{sep}export=csv&chart={chart['key']}"))
        xlsx_rows = parse_xlsx(client.get(f"{url}{sep}export=xlsx&chart={chart['key']}"))
        assert csv_rows[0] == chart["columns"] == [str(c) for c in xlsx_rows[0]]
        assert [r[0] for r in csv_rows[1:]] == [str(r[0]) for r in chart["rows"]]
        assert len(csv_rows) - 1 == len(chart["rows"]) == len(xlsx_rows) - 1
        for series in chart["series"]:
            # each series is one column of the export, row by row
            column = _column_of(chart, series)
            as_csv = [float(r[column]) if r[column] else None for r in csv_rows[1:]]
            as_xlsx = [None if r[column] is None else float(r[column]) for r in xlsx_rows[1:]]
            charted = [None if v is None else float(v) for v in series["values"]]
            assert as_csv == charted == as_xlsx, (url, series["key"])


def _column_of(chart, series) -> int:
    names = {"pass_pct": "Pass %", "rework_pct": "Rework %", "scrap_pct": "Scrap %",
             "count": "Found", "cumulative_pct": "Cumulative %"}  # fmt: skip
    return chart["columns"].index(names.get(series["key"], series["label"]))


def test_quality_rates_add_up_by_line_department_and_week(client):
    as_user(client, users()["manager"])
    today = timezone.localdate()
    for kind, (p, rw, sc) in {"inline": (80, 15, 5), "final": (20, 0, 0)}.items():
        DailyQualitySummary.objects.create(
            day=today, department=dept("SEWING"), line=line("SEW-2"), kind=kind, inspections=2,
            passed=p, rework=rw, scrap=sc,
        )  # fmt: skip
    row = client.get("/analytics/quality/?group=line&export=json").json()["rows"][0]
    assert row[:7] == ["SEW-2", 4, 120, 100, 15, 5, 0]
    assert row[7:] == [83.3, 12.5, 4.2]
    inline = client.get("/analytics/quality/?kind=inline&export=json").json()["rows"][0]
    assert inline[0] == "SEWING" and inline[7:] == [80.0, 15.0, 5.0]
    week = client.get("/analytics/quality/?group=week&export=json").json()
    assert week["labels"] == [f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"]


def test_the_batch_view_charts_the_worst_batches_first_and_at_most_the_limit(client):
    from analytics.models import BatchQualitySummary
    from tests.transfers.helpers import released_batches

    as_user(client, users()["manager"])
    batches = released_batches(quantity=BATCH_LIMIT + 5, batch_size=1)
    now = timezone.now()
    for i, b in enumerate(batches):
        BatchQualitySummary.objects.create(
            batch=b, department=dept("SEWING"), line=line("SEW-1"), kind="inline",
            inspections=1, passed=100 - i, rework=i, scrap=0, first_at=now, last_at=now,
            last_day=timezone.localdate(),
        )  # fmt: skip
    chart = client.get("/analytics/quality/?group=batch&export=json").json()
    assert len(chart["rows"]) == BATCH_LIMIT
    assert chart["labels"][0] == batches[-1].number  # 34 % rework: the worst
    assert chart["series"][1]["values"][0] == pytest.approx(100 * (len(batches) - 1) / 100, 0.1)


def test_fill_weight_page_without_any_article_still_opens(client):
    from ppic.models import Article

    Article.objects.update(active=False)
    as_user(client, users()["manager"])
    response = client.get("/analytics/fill-weight/")
    assert response.status_code == 200 and "No active article" in response.content.decode()
    assert FillWeightPoint.objects.count() == 0
