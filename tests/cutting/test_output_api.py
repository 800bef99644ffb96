"""POST /api/v1/cutting/outputs/: pieces out of the input bucket into cutting."""

import pytest
from rest_framework.test import APIClient

from tests.transfers.helpers import released_batches, users
from tests.warehouse.helpers import receive
from transfers.models import WipBalance
from warehouse.services import stock_issue

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def cast():
    return users()


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, **body):
    return client.post("/api/v1/cutting/outputs/", body, format="json")


def cut_units(batch):
    return sum(WipBalance.objects.filter(batch=batch).values_list("quantity", flat=True))


def test_cut_output_moves_units_into_cutting_ready_and_reports_the_rest(cast):
    (batch,) = released_batches(quantity=100)
    response = post(client_for(cast["cutting"]), batch=batch.number, quantity=60, plies=6)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cut_total"] == 60 and body["remaining"] == 40
    view = client_for(cast["ppic"]).get(f"/api/v1/batches/{batch.number}/").json()
    assert view["wip"] == [
        {"department": "CUTTING", "available": 60, "locked": 0, "quarantined": 0, "rework": 0,
         "sendable": 60}
    ]  # fmt: skip
    assert view["cut"] == 60
    trace = client_for(cast["ppic"]).get(f"/api/v1/batches/{batch.number}/trace/").json()
    assert trace["cut_records"][0]["quantity"] == 60


def test_cutting_more_than_the_batch_is_409_and_changes_nothing(cast):
    (batch,) = released_batches(quantity=100)
    cutter = client_for(cast["cutting"])
    post(cutter, batch=batch.number, quantity=90)
    response = post(cutter, batch=batch.number, quantity=11)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "exceeds_batch"
    assert cut_units(batch) == 90


def test_too_many_plies_and_bad_input_are_400(cast):
    (batch,) = released_batches(quantity=100)
    cutter = client_for(cast["cutting"])
    assert post(cutter, batch=batch.number, quantity=10, plies=9).status_code == 400
    assert post(cutter, batch="NOPE", quantity=10).status_code == 400
    assert post(cutter, batch=batch.number, quantity=0).status_code == 400
    assert post(cutter, batch=batch.number, quantity=5, line="SEW-1").status_code == 400
    assert cut_units(batch) == 0


def test_only_lots_issued_to_the_spk_may_be_named(cast):
    (batch,) = released_batches(quantity=100)
    issued = receive("PLUSH-BRN", "R-ISSUED", "100", dye_lot="D1", days_ago=3)
    receive("PLUSH-BRN", "R-OTHER", "100", dye_lot="D2", days_ago=1)
    stock_issue(
        work_order=batch.mo.work_orders.get(department__code="CUTTING"), user=cast["manager"]
    )
    cutter = client_for(cast["cutting"])
    refused = post(cutter, batch=batch.number, quantity=10, lots=["R-OTHER"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "lot_not_issued"
    assert "R-OTHER" in refused.json()["error"]["message"]
    ok = post(cutter, batch=batch.number, quantity=10, lots=[issued.lot_number], line="CUT-2")
    assert ok.status_code == 201 and ok.json()["lots"] == ["R-ISSUED"]
    assert cut_units(batch) == 10


def test_only_cutting_or_a_manager_records_cuts(cast):
    (batch,) = released_batches(quantity=100)
    assert post(client_for(cast["sewing"]), batch="x", quantity="y").status_code == 403
    assert post(client_for(cast["manager"]), batch=batch.number, quantity=5).status_code == 201


def test_cut_units_can_be_sent_and_a_draft_mo_cannot_be_cut(cast):
    (batch,) = released_batches(quantity=100)
    post(client_for(cast["cutting"]), batch=batch.number, quantity=30, line="CUT-1")
    sent = client_for(cast["cutting"]).post(
        "/api/v1/transfers/",
        {"batch": batch.number, "from_department": "CUTTING", "to_department": "SEWING",
         "to_line": "SEW-1", "quantity": 30},
        format="json",
    )  # fmt: skip
    assert sent.status_code == 201 and sent.json()["from_line"] == "CUT-1"
    batch.mo.status = "CANCELLED"
    batch.mo.save()
    refused = post(client_for(cast["cutting"]), batch=batch.number, quantity=1)
    assert refused.status_code == 409


def test_reject_pieces_of_a_lay_go_to_scrap_and_count_against_the_batch(cast):
    (batch,) = released_batches(quantity=100)
    cutter = client_for(cast["cutting"])
    body = post(cutter, batch=batch.number, quantity=90, reject=4).json()
    assert body["reject"] == 4 and body["cut_total"] == 94 and body["remaining"] == 6
    view = client_for(cast["ppic"]).get(f"/api/v1/batches/{batch.number}/").json()
    assert view["scrap"] == 4 and view["cut"] == 94
    assert post(cutter, batch=batch.number, quantity=6, reject=1).status_code == 409
