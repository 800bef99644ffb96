"""GET /api/v1/dashboard/summary/: manager, ppic, admin; the numbers equal the records."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.transfers.helpers import cut, dept, line, released_batches, users
from transfers import services

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", ["sewing", "cutting", "qc_inspector", "warehouse"])
def test_operators_are_refused(role):
    assert (
        client_for(UserFactory(username=f"s_{role}", roles=[role]))
        .get("/api/v1/dashboard/summary/")
        .status_code
        == 403
    )


def test_the_summary_counts_what_happened_today():
    cast = users()
    (batch,) = released_batches(quantity=100)
    cut(batch, 100)
    t = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-2"), quantity=60, user=cast["cutting"],
    )  # fmt: skip
    services.transfer_accept(slip_code=t.slip_code, quantity_received=60, user=cast["sewing"])
    held = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-2"), quantity=10, user=cast["cutting"],
    )  # fmt: skip
    services.transfer_accept(slip_code=held.slip_code, quantity_received=9, user=cast["sewing"])
    from quality.services import inspection_record

    inspection_record(
        batch=batch, department=dept("SEWING"), kind="inline", passed=6, rework=1,
        user=cast["sewing"],
    )  # fmt: skip
    for role in ("manager", "ppic"):
        response = client_for(cast[role]).get("/api/v1/dashboard/summary/")
        assert response.status_code == 200
    admin = client_for(UserFactory(username="s_admin", roles=["admin"]))
    body = admin.get("/api/v1/dashboard/summary/").json()
    output = {row["department"]: row for row in body["output_today"]}
    assert output["CUTTING"]["output"] == 60 and output["CUTTING"]["cut"] == 100
    assert output["CUTTING"]["target"] == 100 and output["SEWING"]["target"] == 100
    wip = {row["department"]: row for row in body["wip"]}
    assert wip["CUTTING"]["units"] == 40 and wip["CUTTING"]["lines"] == {"CUT-1": 40}
    assert wip["SEWING"]["units"] == 60 and wip["SEWING"]["lines"] == {"SEW-2": 60}
    assert body["open_alerts"] == {"P1": 1, "P2": 0, "P3": 0}
    assert body["pass_rates_today"]["SEWING"] == {"checked": 7, "passed": 6, "rate": 0.8571}
