"""An unacknowledged, unresolved P1 escalates to the managers once, after the factory setting
``alert_escalation_minutes`` (10 by default). The clock is frozen by patching
``django.utils.timezone.now`` (neither time-machine nor freezegun is in requirements-dev.txt)."""

import asyncio
import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from dashboard.models import Alert, AlertKind
from dashboard.services import alert_acknowledge, alert_raise, alert_resolve, alerts_escalate
from dashboard.tasks import escalate_alerts
from erp.common.models import FactorySetting
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]
T0 = timezone.now().replace(microsecond=0)


@contextmanager
def frozen(at):
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def raise_p1(kind=AlertKind.LINE_BLOCKED, priority="P1", at=T0) -> Alert:
    with frozen(at):
        return alert_raise(
            kind=kind, priority=priority, message="SEW-1 blocked", departments=["SEWING"]
        )


def escalations(alert) -> list[Alert]:
    return list(Alert.objects.filter(kind=AlertKind.ESCALATED, reference=f"escalated:{alert.pk}"))


def run_task_at(at) -> int:
    with frozen(at):
        return escalate_alerts.delay().get()  # through Celery (eager in tests)


def test_nothing_before_the_interval_then_exactly_once_even_when_run_twice():
    alert = raise_p1()
    assert alert.raised_at == T0
    assert run_task_at(T0 + timedelta(minutes=9, seconds=59)) == 0
    alert.refresh_from_db()
    assert alert.escalated_at is None and escalations(alert) == []

    assert run_task_at(T0 + timedelta(minutes=10, seconds=30)) == 1
    assert run_task_at(T0 + timedelta(minutes=11)) == 0
    assert run_task_at(T0 + timedelta(hours=2)) == 0  # the ESCALATED P1 does not escalate itself
    alert.refresh_from_db()
    assert alert.escalated_at == T0 + timedelta(minutes=10, seconds=30)
    (escalation,) = escalations(alert)
    assert escalation.priority == "P1" and alert.message in escalation.message
    assert list(escalation.departments.all()) == []  # the managers' (and admins') alert


def test_acknowledged_before_the_interval_never_escalates():
    alert = raise_p1()
    with frozen(T0 + timedelta(minutes=5)):
        alert_acknowledge(alert=alert, user=UserFactory(username="e_sew", roles=["sewing"]))
    for minutes in (10, 11, 60, 600):
        assert run_task_at(T0 + timedelta(minutes=minutes)) == 0
    alert.refresh_from_db()
    assert alert.escalated_at is None and escalations(alert) == []


def test_resolved_alerts_p2_and_p3_never_escalate():
    resolved = raise_p1()
    with frozen(T0 + timedelta(minutes=1)):
        alert_resolve(
            alert=resolved, user=UserFactory(username="e_m", roles=["manager"]), note="fixed"
        )
    raise_p1(priority="P2")
    raise_p1(priority="P3")
    assert run_task_at(T0 + timedelta(hours=1)) == 0
    assert not Alert.objects.filter(kind=AlertKind.ESCALATED).exists()


def test_the_interval_is_the_factory_setting():
    FactorySetting.objects.create(key="alert_escalation_minutes", value=30)
    alert = raise_p1()
    assert run_task_at(T0 + timedelta(minutes=11)) == 0
    assert run_task_at(T0 + timedelta(minutes=30)) == 1
    assert "30" in escalations(alert)[0].message


def test_resolving_the_alert_settles_its_escalation():
    alert = raise_p1()
    run_task_at(T0 + timedelta(minutes=15))
    manager = UserFactory(username="e_boss", roles=["manager"])
    alert_resolve(alert=alert, user=manager, note="line cleared")
    (escalation,) = escalations(alert)
    assert escalation.resolved_at is not None and escalation.resolution_note == "line cleared"


@pytest.mark.django_db(transaction=True)
def test_the_escalation_is_pushed_to_the_managers_group():
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer

    from tests.conftest import run_async

    alert = raise_p1()

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("managers", channel)
        assert await database_sync_to_async(run_task_at)(T0 + timedelta(minutes=12)) == 1
        messages = []
        while True:
            try:
                messages.append(await asyncio.wait_for(layer.receive(channel), 3))
            except TimeoutError:
                return messages

    messages = run_async(scenario)
    (escalation,) = escalations(alert)
    pushed = [m["alert"] for m in messages if m["type"] == "alert.message"]
    assert [(a["id"], a["kind"]) for a in pushed] == [(escalation.pk, "ESCALATED")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_escalate_once():
    alert = raise_p1()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(5)
            with frozen(T0 + timedelta(minutes=20)):
                results.append(alerts_escalate())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(escalations(alert)) == 1


def test_escalation_runs_every_minute_from_celery_beat():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "dashboard.tasks.escalate_alerts"
    )
    assert entry["schedule"] == 60.0
    from erp.celery import app

    assert "dashboard.tasks.escalate_alerts" in app.tasks
