"""``make run``'s demo floor: built through the services, it adds up and shows every step."""

import pytest
from django.core.management import call_command

from packing.models import Carton
from ppic.models import Batch
from transfers.ledger import reconcile
from transfers.models import WipBalance

pytestmark = pytest.mark.django_db


def test_the_demo_factory_builds_a_floor_that_adds_up_and_runs_once():
    call_command("seed_demo", verbosity=0)
    call_command("seed_factory", verbosity=0)
    assert reconcile() == []
    states = {
        b.number: {
            (w.department.code, w.state)
            for w in WipBalance.objects.filter(batch=b, quantity__gt=0).select_related("department")
        }
        for b in Batch.objects.all()
    }
    assert ("FG_WAREHOUSE", "shipped") in states["MO-2026-0001-B01"] or any(
        ("FG_WAREHOUSE", "shipped") in s for s in states.values()
    )
    reached = {dept for s in states.values() for dept, _state in s}
    assert {"CUTTING", "SEWING", "FINISHING", "PACKING", "FG_WAREHOUSE"} <= reached
    assert Carton.objects.filter(status="SHIPPED").count() == 2
    call_command("seed_factory", verbosity=0)  # a second run changes nothing
    assert Batch.objects.count() == len(states)
