"""Receipts and FIFO issue to SPKs: oldest first, one dye lot per batch, all or nothing."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.warehouse.helpers import cutting_spk, receive, released_mo
from warehouse.models import StockLot, StockMove

pytestmark = [pytest.mark.django_db]


def issue(client, spk, body=None):
    return client.post(
        f"/api/v1/work-orders/{spk.number}/issue-material/", body or {}, format="json"
    )


def on_hand(lot_number):
    return StockLot.objects.get(lot_number=lot_number).quantity_on_hand


@pytest.mark.smoke
def test_fifo_takes_the_oldest_dye_lot_that_covers_the_whole_request(as_role):
    mo = released_mo(quantity=100)  # needs 26.000 m of PLUSH-BRN
    receive("PLUSH-BRN", "R-NEW", "50", dye_lot="D3", days_ago=1)
    receive("PLUSH-BRN", "R-OLD-1", "20", dye_lot="D1", days_ago=10)  # oldest, too small alone
    receive("PLUSH-BRN", "R-MID", "30", dye_lot="D2", days_ago=5)
    receive("PLUSH-BRN", "R-OLD-2", "10", dye_lot="D1", days_ago=9)  # D1 now holds 30
    response = issue(
        as_role("warehouse"), cutting_spk(mo), {"material": "PLUSH-BRN", "quantity": "26"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["issues"] == [
        {"material": "PLUSH-BRN", "lot_number": "R-OLD-1", "dye_lot": "D1", "quantity": "20.000"},
        {"material": "PLUSH-BRN", "lot_number": "R-OLD-2", "dye_lot": "D1", "quantity": "6.000"},
    ]
    assert on_hand("R-OLD-1") == 0 and on_hand("R-OLD-2") == Decimal("4")
    assert on_hand("R-MID") == 30 and on_hand("R-NEW") == 50


def test_a_small_oldest_dye_lot_is_skipped_never_mixed(as_role):
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "20", dye_lot="D1", days_ago=10)
    receive("PLUSH-BRN", "R-2", "30", dye_lot="D2", days_ago=5)
    body = issue(as_role("warehouse"), cutting_spk(mo), {"material": "PLUSH-BRN", "quantity": "26"})
    assert {i["dye_lot"] for i in body.json()["issues"]} == {"D2"}


def test_later_issues_for_the_batch_stay_in_its_dye_lot(as_role):
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "12", dye_lot="D1", days_ago=10)
    receive("PLUSH-BRN", "R-2", "40", dye_lot="D2", days_ago=5)
    client = as_role("warehouse")
    first = issue(client, cutting_spk(mo), {"material": "PLUSH-BRN", "quantity": "10"})
    assert {i["dye_lot"] for i in first.json()["issues"]} == {"D1"}
    # D1 has 2 m left: the next 10 m for the same batch may not come from D2
    second = issue(client, cutting_spk(mo), {"material": "PLUSH-BRN", "quantity": "10"})
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "insufficient_stock"
    assert second.json()["error"]["fields"]["dye_lot"] == "D1"
    assert on_hand("R-2") == 40


def test_non_fabric_material_is_taken_fifo_across_lots(as_role):
    mo = released_mo(quantity=100)  # 12.240 kg of filling at finishing
    receive("FIBER-7D", "F-2", "10", kind="filling", days_ago=3)
    receive("FIBER-7D", "F-1", "5", kind="filling", days_ago=6)
    spk = mo.work_orders.get(department__code="FINISHING")
    body = issue(as_role("warehouse"), spk).json()
    assert body["issues"] == [
        {"material": "FIBER-7D", "lot_number": "F-1", "dye_lot": "", "quantity": "5.000"},
        {"material": "FIBER-7D", "lot_number": "F-2", "dye_lot": "", "quantity": "7.240"},
    ]


def test_insufficient_stock_is_409_and_changes_nothing(as_role):
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "15", dye_lot="D1", days_ago=3)
    receive("PLUSH-BRN", "R-2", "15", dye_lot="D2", days_ago=2)  # 30 in all, no dye lot holds 26
    moves_before = StockMove.objects.count()
    response = issue(as_role("warehouse"), cutting_spk(mo))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert "dye lot" in error["message"]
    assert error["fields"]["material"] == "PLUSH-BRN"
    assert StockMove.objects.count() == moves_before
    assert on_hand("R-1") == 15 and on_hand("R-2") == 15


def test_the_whole_remaining_requirement_then_nothing_more(as_role):
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "100", dye_lot="D1")
    client = as_role("warehouse")
    spk = cutting_spk(mo)
    assert issue(client, spk, {"material": "PLUSH-BRN", "quantity": "6"}).status_code == 201
    rest = issue(client, spk)
    assert rest.json()["issues"][0]["quantity"] == "20.000"
    again = issue(client, spk)
    assert again.status_code == 409 and again.json()["error"]["code"] == "exceeds_requirement"
    more = issue(client, spk, {"material": "PLUSH-BRN", "quantity": "0.001"})
    assert more.status_code == 409 and more.json()["error"]["code"] == "exceeds_requirement"
    detail = client.get(f"/api/v1/work-orders/{spk.number}/").json()
    assert detail["material_requirements"][0]["remaining"] == "0.000"


def test_a_failed_roll_is_never_issued(as_role):
    mo = released_mo(quantity=100)
    failed = receive("PLUSH-BRN", "R-BAD", "100", dye_lot="D1", days_ago=9, points="35")
    assert failed.inspection == "FAILED"
    passed = receive("PLUSH-BRN", "R-OK", "100", dye_lot="D2", days_ago=1, points="12")
    assert passed.inspection == "PASSED"
    body = issue(as_role("warehouse"), cutting_spk(mo)).json()
    assert body["issues"][0]["lot_number"] == "R-OK"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"material": "PLUSH-BRN"}, "quantity"),
        ({"quantity": "5"}, "material"),
        ({"material": "PLUSH-BRN", "quantity": "-1"}, "quantity"),
        ({"material": "PLUSH-BRN", "quantity": "1.0001"}, "quantity"),
        ({"material": "NOPE", "quantity": "1"}, "material"),
        ({"batch": "MO-0-B99"}, "batch"),
    ],
)
def test_bad_issue_input_is_400(as_role, body, field):
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "100", dye_lot="D1")
    response = issue(as_role("warehouse"), cutting_spk(mo), body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert on_hand("R-1") == 100


def test_issue_needs_the_warehouse_and_a_real_spk(as_role):
    mo = released_mo(quantity=100)
    assert issue(as_role("cutting"), cutting_spk(mo)).status_code == 403
    assert (
        as_role("warehouse").post("/api/v1/work-orders/SPK-NOPE/issue-material/").status_code == 404
    )


def test_receipt_api_and_lots_oldest_first(as_role):
    client = as_role("warehouse")
    receive("PLUSH-BRN", "R-2", "30", dye_lot="D2", days_ago=1)
    response = client.post(
        "/api/v1/stock/receipts/",
        {"material": "PLUSH-BRN", "lot_number": "R-1", "dye_lot": "D1", "quantity": "55.5",
         "received_at": "2026-01-05T08:00:00+07:00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["quantity_on_hand"] == "55.500"
    duplicate = client.post(
        "/api/v1/stock/receipts/",
        {"material": "PLUSH-BRN", "lot_number": "R-1", "quantity": "1"},
        format="json",
    )
    assert duplicate.status_code == 409
    lots = client.get("/api/v1/stock/lots/?material=PLUSH-BRN").json()
    assert [lot["lot_number"] for lot in lots["results"]] == ["R-1", "R-2"]
    assert client.get("/api/v1/stock/lots/?material=NOPE").status_code == 400
    assert (
        as_role("ppic")
        .post(
            "/api/v1/stock/receipts/", {"material": "PLUSH-BRN", "lot_number": "X", "quantity": "1"}
        )
        .status_code
        == 403
    )


def test_the_ledger_sums_to_each_lots_on_hand(as_role):
    mo = released_mo(quantity=300, batch_size=100)
    receive("PLUSH-BRN", "R-1", "100", dye_lot="D1", days_ago=3)
    client = as_role("warehouse")
    spk = cutting_spk(mo)
    for batch in mo.batches.all():
        issue(client, spk, {"material": "PLUSH-BRN", "quantity": "26", "batch": batch.number})
    for lot in StockLot.objects.all():
        assert lot.moves.aggregate(s=Sum("quantity"))["s"] == lot.quantity_on_hand
    trace = client.get(f"/api/v1/batches/{mo.batches.first().number}/trace/").json()
    assert [(m["lot_number"], m["quantity"]) for m in trace["material_lots"]] == [("R-1", "26.000")]


def test_stock_moves_are_append_only():
    lot = receive("PLUSH-BRN", "R-1", "10", dye_lot="D1")
    move = lot.moves.get()
    with pytest.raises(RuntimeError):
        move.save()
    with pytest.raises(RuntimeError):
        move.delete()


def test_shortage_request_approved_issues_beyond_the_requirement(as_role):
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "100", dye_lot="D1")
    spk = cutting_spk(mo)
    issue(as_role("warehouse"), spk)
    cutter = as_role("cutting")
    request = cutter.post(
        "/api/v1/shortage-requests/",
        {"work_order": spk.number, "material": "PLUSH-BRN", "quantity": "3", "reason": "mis-cut"},
        format="json",
    )
    assert request.status_code == 201, request.content
    assert (
        as_role("sewing")
        .post(
            "/api/v1/shortage-requests/",
            {"work_order": spk.number, "material": "PLUSH-BRN", "quantity": "3", "reason": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    shortage_id = request.json()["id"]
    assert cutter.post(f"/api/v1/shortage-requests/{shortage_id}/approve/").status_code == 403
    approved = as_role("warehouse").post(f"/api/v1/shortage-requests/{shortage_id}/approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "APPROVED"
    assert approved.json()["issues"][0]["quantity"] == "3.000"
    assert on_hand("R-1") == Decimal("71")
    twice = as_role("warehouse").post(f"/api/v1/shortage-requests/{shortage_id}/refuse/")
    assert twice.status_code == 409


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_ledger_rows():
    from django.db import DatabaseError, transaction

    lot = receive("PLUSH-BRN", "R-1", "10", dye_lot="D1")
    for change in (
        lambda: StockMove.objects.filter(lot=lot).update(reason="edited"),
        lambda: StockMove.objects.filter(lot=lot)._raw_delete(StockMove.objects.db),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
