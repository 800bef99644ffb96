"""The summary tables follow the events that change them: an inspection, a stuffing record or
a transfer queues a Celery refresh on commit (eager in tests), the nightly rebuild gives the
same rows, and a failing refresh never fails the request that recorded the event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics import refresh as analytics_refresh
from analytics.models import (
    BatchQualitySummary,
    DailyDefectSummary,
    DailyLineOutput,
    DailyQualitySummary,
    FillWeightPoint,
    LeadTime,
)
from analytics.tasks import refresh_recent
from quality.models import DefectCode, Inspection
from quality.services import inspection_record
from tests.analytics.helpers import stuffing
from tests.transfers.helpers import cut, dept, line, make_ready, released_batches, users
from transfers import services as transfers
from transfers.models import Transfer

pytestmark = [pytest.mark.django_db]


def send(batch, qty, frm, to, from_line, to_line, who):
    return transfers.transfer_prepare(
        batch=batch, from_department=dept(frm), to_department=dept(to), quantity=qty,
        from_line=line(from_line), to_line=line(to_line), user=who,
    )  # fmt: skip


def at_sewing(cast, qty=50, capture=None):
    batch = released_batches(quantity=qty)[0]
    cut(batch, qty)
    t = send(batch, qty, "CUTTING", "SEWING", "CUT-1", "SEW-1", cast["cutting"])
    transfers.transfer_accept(slip_code=t.slip_code, quantity_received=qty, user=cast["sewing"])
    return batch, t


def rows(model, **filters):
    return list(model.objects.filter(**filters).values())


def test_an_inspection_refreshes_its_day_its_defects_and_its_batch_on_commit(
    django_capture_on_commit_callbacks,
):
    cast = users()
    batch, _t = at_sewing(cast)
    code = DefectCode.objects.get_or_create(code="OPEN-SEAM", defaults={"name": "Open seam"})[0]
    # given nothing is summarised before the commit
    with django_capture_on_commit_callbacks(execute=False) as pending:
        inspection_record(
            batch=batch, department=dept("SEWING"), kind="inline", passed=5, rework=1, scrap=1,
            defects=[(code, 2)], line=line("SEW-1"), user=cast["qc"],
        )  # fmt: skip
    assert not DailyQualitySummary.objects.exists() and pending
    # when the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        inspection_record(
            batch=batch, department=dept("SEWING"), kind="inline", passed=7, user=cast["qc"],
            line=line("SEW-1"), recheck=True,
        )  # fmt: skip
    # then the day's and the batch's rows hold both inspections, and the defect
    today = timezone.localdate()
    (day,) = rows(DailyQualitySummary, day=today)
    assert (day["department_id"], day["line_id"], day["kind"]) == (
        dept("SEWING").pk, line("SEW-1").pk, "inline",
    )  # fmt: skip
    assert (day["inspections"], day["passed"], day["rework"], day["scrap"]) == (2, 12, 1, 1)
    (defect,) = rows(DailyDefectSummary, day=today)
    assert (defect["code_id"], defect["count"]) == (code.pk, 2)
    (per_batch,) = rows(BatchQualitySummary, batch=batch)
    assert (per_batch["inspections"], per_batch["passed"], per_batch["last_day"]) == (2, 12, today)


def test_a_stuffing_record_becomes_spc_points_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch, (record,) = stuffing([99.5, 100.25, 101])
    points = list(FillWeightPoint.objects.filter(record=record).order_by("sample"))
    assert [str(p.weight_g) for p in points] == ["99.50", "100.25", "101.00"]
    assert {p.article_id for p in points} == {batch.mo.article_id}


def test_accept_then_send_gives_a_lead_time_and_the_output_per_line(
    django_capture_on_commit_callbacks,
):
    cast = users()
    with django_capture_on_commit_callbacks(execute=True):
        batch, into_sewing = at_sewing(cast, qty=40)
    # accepted into sewing, not sent on yet: an open lead time; cutting made and sent 40
    (open_row,) = rows(LeadTime, batch=batch)
    assert open_row["department_id"] == dept("SEWING").pk and open_row["sent_at"] is None
    today = timezone.localdate()
    output = {r.line.code: (r.made, r.sent) for r in DailyLineOutput.objects.filter(day=today)}
    assert output == {"CUT-1": (40, 40)}

    # when sewing finishes 30 and sends them to finishing (three hours after the accept)
    accepted_at = Transfer.objects.get(pk=into_sewing.pk).accepted_at
    Transfer.objects.filter(pk=into_sewing.pk).update(accepted_at=accepted_at - timedelta(hours=3))
    analytics_refresh.lead_times_refresh([batch.pk])  # (as the nightly rebuild would)
    make_ready(batch, "SEWING", 30, line_code="SEW-1")
    with django_capture_on_commit_callbacks(execute=True):
        out = send(batch, 30, "SEWING", "FINISHING", "SEW-1", "FIN-1", cast["sewing"])
    # then the lead time closes with about three hours
    (closed,) = rows(LeadTime, batch=batch)
    assert closed["transfer_out_id"] == out.pk and closed["hours"] == pytest.approx(3, abs=0.01)
    # and, the output rebuilt (debounced on commit; the nightly run or the button does it too)
    refresh_recent.delay(days=1)
    output = {r.line.code: (r.made, r.sent) for r in DailyLineOutput.objects.filter(day=today)}
    assert output == {"CUT-1": (40, 40), "SEW-1": (30, 0)}


def test_a_cancelled_send_does_not_close_the_lead_time(django_capture_on_commit_callbacks):
    cast = users()
    with django_capture_on_commit_callbacks(execute=True):
        batch, _t = at_sewing(cast, qty=20)
        make_ready(batch, "SEWING", 20, line_code="SEW-1")
        out = send(batch, 20, "SEWING", "FINISHING", "SEW-1", "FIN-1", cast["sewing"])
    assert rows(LeadTime, batch=batch)[0]["transfer_out_id"] == out.pk
    with django_capture_on_commit_callbacks(execute=True):
        transfers.transfer_cancel(transfer=out, user=cast["sewing"], reason="wrong line")
    assert rows(LeadTime, batch=batch)[0]["sent_at"] is None


def test_the_nightly_rebuild_gives_the_same_rows_as_the_on_commit_refreshes(
    django_capture_on_commit_callbacks,
):
    cast = users()
    with django_capture_on_commit_callbacks(execute=True):
        batch, _t = at_sewing(cast, qty=30)
        inspection_record(
            batch=batch, department=dept("SEWING"), kind="inline", passed=6, rework=1,
            line=line("SEW-1"), user=cast["qc"],
        )  # fmt: skip
        stuffing([100, 101])
        make_ready(batch, "SEWING", 20, line_code="SEW-1")
        out = send(batch, 10, "SEWING", "FINISHING", "SEW-1", "FIN-1", cast["sewing"])
        transfers.transfer_accept(slip_code=out.slip_code, quantity_received=10,
                                  user=cast["finishing"])  # fmt: skip
        send(batch, 10, "SEWING", "FINISHING", "SEW-1", "FIN-1", cast["sewing"])
    assert LeadTime.objects.filter(batch=batch, sent_at__isnull=False).count() == 1
    assert LeadTime.objects.filter(batch=batch).count() == 2

    def snapshot():
        return {
            model.__name__: sorted(
                tuple(sorted((k, v) for k, v in r.items() if k != "id"))
                for r in model.objects.values()
            )
            for model in (DailyQualitySummary, DailyDefectSummary, BatchQualitySummary,
                          FillWeightPoint, LeadTime)
        }  # fmt: skip

    before = snapshot()
    assert refresh_recent.delay(days=2).get()["quality"] >= 1
    assert snapshot() == before
    assert refresh_recent.delay(days=2).get() == refresh_recent.delay(days=2).get()


def test_a_failing_refresh_never_fails_the_recorded_event(
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    cast = users()
    batch, _t = at_sewing(cast, qty=10)

    def broken(*args, **kwargs):
        raise RuntimeError("summary table is broken")

    monkeypatch.setattr(analytics_refresh, "quality_days_refresh", broken)
    with django_capture_on_commit_callbacks(execute=True):
        inspection = inspection_record(
            batch=batch, department=dept("SEWING"), kind="inline", passed=3, user=cast["qc"],
            line=line("SEW-1"),
        )  # fmt: skip
    assert Inspection.objects.filter(pk=inspection.pk).exists()
    assert "analytics refresh" in caplog.text


def test_the_refresh_button_rebuilds_the_period(client, django_capture_on_commit_callbacks):
    cast = users()
    batch, _t = at_sewing(cast, qty=10)  # callbacks not run: nothing summarised yet
    inspection_record(
        batch=batch, department=dept("SEWING"), kind="final", passed=10, user=cast["qc"],
        line=line("SEW-1"),
    )  # fmt: skip
    assert not DailyQualitySummary.objects.exists()
    client.force_login(cast["manager"])
    today = timezone.localdate().isoformat()
    response = client.post(
        "/analytics/refresh/",
        {"date_from": today, "date_to": today, "next": "/analytics/quality/"},
    )
    assert response.status_code == 302 and response["Location"] == "/analytics/quality/"
    assert DailyQualitySummary.objects.get().passed == 10
    assert LeadTime.objects.filter(batch=batch).count() == 1
    assert client.post("/analytics/refresh/", {"next": "https://evil.example/"})["Location"] == (
        "/analytics/"
    )


def test_on_commit_refreshes_can_be_switched_off(settings, django_capture_on_commit_callbacks):
    settings.ANALYTICS_REFRESH_ON_COMMIT = False
    cast = users()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch, _t = at_sewing(cast, qty=10)
        inspection_record(
            batch=batch, department=dept("SEWING"), kind="inline", passed=3, user=cast["qc"],
            line=line("SEW-1"),
        )  # fmt: skip
    assert not LeadTime.objects.exists() and not DailyQualitySummary.objects.exists()
    assert all("analytics" not in getattr(c, "__module__", "") for c in callbacks)
