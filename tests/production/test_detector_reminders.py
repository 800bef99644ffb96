"""Detector reminders (Celery beat, every minute): due within 5 minutes → a P3 to the finishing
station; overdue → a P2; each once per check; a new check settles them. Clock frozen by moving
"now" explicitly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.models import Alert
from finishing.models import Detector, DetectorCheck
from finishing.services import detector_check_record
from finishing.tasks import detector_reminders as task
from tests.transfers.helpers import users

pytestmark = pytest.mark.django_db


def test_due_soon_warns_once_overdue_raises_a_p2_once_and_a_new_check_settles_them(
    monkeypatch,
):
    finisher = users()["finishing"]
    md1 = Detector.objects.get(code="MD-1")
    check = detector_check_record(
        detector=md1, test_piece_mm="1.2", points_detected=9, user=finisher
    )
    start = check.at
    clock = {"now": start}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])

    clock["now"] = start + timedelta(minutes=54)
    assert task() == 0  # 6 minutes before due: nothing
    clock["now"] = start + timedelta(minutes=55, seconds=30)
    assert task() == 1 and task() == 0  # once
    soon = Alert.objects.get(kind="DETECTOR_DUE")
    assert soon.priority == "P3" and soon.line.code == "FIN-1"
    assert [d.code for d in soon.departments.all()] == ["FINISHING"]

    clock["now"] = start + timedelta(minutes=60, seconds=1)
    assert task() == 1 and task() == 0
    overdue = Alert.objects.filter(kind="DETECTOR_DUE", priority="P2").get()
    assert "MD-1" in overdue.message
    assert {d.code for d in overdue.departments.all()} == {"FINISHING", "QUALITY"}

    clock["now"] = start + timedelta(minutes=61)
    detector_check_record(detector=md1, test_piece_mm="1.2", points_detected=9, user=finisher)
    assert not Alert.objects.filter(kind="DETECTOR_DUE", resolved_at__isnull=True).exists()
    assert task() == 0  # the new check is not due for an hour
    # MD-2 was never checked: no reminder (it cannot scan until checked anyway).
    assert not DetectorCheck.objects.filter(detector__code="MD-2").exists()
