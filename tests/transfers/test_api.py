"""Transfers, WIP, clearance and alerts over HTTP, as API.md states them."""

import pytest
from rest_framework.test import APIClient

from tests.transfers.helpers import cut, released_batches, users

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def cast():
    return users()


@pytest.fixture
def client_for(cast):
    def make(name):
        client = APIClient()
        client.force_authenticate(cast[name])
        return client

    return make


@pytest.fixture
def batch():
    (b,) = released_batches(quantity=100)
    cut(b, 100)
    return b


def send(client, the_batch, qty=40, to_line="SEW-1", headers=None, **extra):
    body = {
        "batch": the_batch.number,
        "from_department": "CUTTING",
        "to_department": "SEWING",
        "to_line": to_line,
        "quantity": qty,
        **extra,
    }
    return client.post("/api/v1/transfers/", body, format="json", **(headers or {}))


def test_prepare_answers_201_with_slip_and_state(client_for, batch):
    response = send(client_for("cutting"), batch)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "IN_TRANSIT" and body["slip_code"] and body["blocked_reason"] == ""
    assert body["number"].startswith("TRF-") and body["id"]
    assert body["from_line"] == "CUT-1" and body["to_line"] == "SEW-1"


def test_prepare_errors_follow_the_contract(client_for, batch):
    cutting = client_for("cutting")
    assert send(cutting, batch, qty=101).json()["error"]["code"] == "insufficient_wip"
    assert send(cutting, batch, qty=101).status_code == 409
    off_route = send(cutting, batch, to_department="FINISHING", to_line="FIN-1")
    assert off_route.status_code == 409 and off_route.json()["error"]["code"] == "route_violation"
    for bad in ({"quantity": 0}, {"quantity": "x"}, {"batch": "NOPE"}, {"to_line": "ZZ-9"}):
        response = send(cutting, batch, **bad)
        assert response.status_code == 400, bad
    missing_line = send(cutting, batch, to_line=None)
    assert missing_line.status_code == 400
    assert "to_line" in missing_line.json()["error"]["fields"]
    assert send(client_for("sewing"), batch).status_code == 403  # not the sender
    assert send(client_for("qc"), batch, quantity="x").status_code == 403  # role before input


def test_a_blocked_line_is_201_blocked_not_an_error(client_for, batch):
    (other,) = released_batches(quantity=10, article="RABBIT-30")
    cut(other, 10)
    cutting = client_for("cutting")
    first = send(cutting, other, qty=10, to_line="SEW-2").json()
    client_for("sewing").post(
        "/api/v1/transfers/accept/", {"slip_code": first["slip_code"], "quantity_received": 10}
    )
    blocked = send(cutting, batch, to_line="SEW-2")
    assert blocked.status_code == 201
    assert blocked.json()["state"] == "BLOCKED" and blocked.json()["slip_code"] is None
    assert other.number in blocked.json()["blocked_reason"]
    sewing_alerts = client_for("sewing").get("/api/v1/alerts/?open=true&priority=P1").json()
    assert [a["kind"] for a in sewing_alerts["results"]] == ["LINE_BLOCKED"]
    assert sewing_alerts["results"][0]["departments"] == ["CUTTING", "SEWING"]
    assert client_for("finishing").get("/api/v1/alerts/").json()["count"] == 0
    # the receiving supervisor clears the line, the sender retries
    assert (
        client_for("sewing").post("/api/v1/lines/SEW-2/clearance/", {"note": "x"}).status_code
        == 403
    )
    cleared = client_for("sewing_lead").post("/api/v1/lines/SEW-2/clearance/", {"note": "empty"})
    assert cleared.status_code == 201 and cleared.json()["cleared_batches"] == [other.number]
    retried = cutting.post(f"/api/v1/transfers/{blocked.json()['id']}/retry/")
    assert retried.status_code == 200 and retried.json()["state"] == "IN_TRANSIT"


def test_accept_repeat_scan_and_unknown_slip(client_for, batch):
    slip = send(client_for("cutting"), batch).json()["slip_code"]
    sewing = client_for("sewing")
    accepted = sewing.post(
        "/api/v1/transfers/accept/", {"slip_code": slip, "quantity_received": 40}
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "ACCEPTED"
    again = sewing.post("/api/v1/transfers/accept/", {"slip_code": slip, "quantity_received": 40})
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "already_accepted"
    assert error["fields"]["accepted_by"] == "t_sewing" and error["fields"]["accepted_at"]
    unknown = sewing.post("/api/v1/transfers/accept/", {"slip_code": "ZZZ", "quantity_received": 1})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "slip_not_found"
    wip = sewing.get(f"/api/v1/wip/?batch={batch.number}").json()["results"]
    assert {(r["department"], r["available"], r["sendable"], r["locked"]) for r in wip} == {
        ("CUTTING", 60, 60, 0),
        ("SEWING", 40, 0, 0),
    }


def test_count_above_sent_is_400_and_below_is_held_then_approved(client_for, batch):
    slip = send(client_for("cutting"), batch).json()["slip_code"]
    sewing = client_for("sewing")
    over = sewing.post("/api/v1/transfers/accept/", {"slip_code": slip, "quantity_received": 41})
    assert over.status_code == 400 and over.json()["error"]["code"] == "count_exceeds_sent"
    held = sewing.post("/api/v1/transfers/accept/", {"slip_code": slip, "quantity_received": 38})
    assert held.json()["state"] == "HELD"
    pk = held.json()["id"]
    body = {"quantity": 38, "remainder": "return", "reason": "2 on the floor"}
    assert sewing.post(f"/api/v1/transfers/{pk}/approve/", body).status_code == 403
    assert (
        client_for("sewing_lead")
        .post(f"/api/v1/transfers/{pk}/approve/", {**body, "remainder": "lose"})
        .status_code
        == 400
    )
    approved = client_for("sewing_lead").post(f"/api/v1/transfers/{pk}/approve/", body)
    assert approved.status_code == 200 and approved.json()["state"] == "ACCEPTED"
    detail = client_for("ppic").get(f"/api/v1/transfers/{pk}/").json()
    assert [e["action"] for e in detail["events"]] == ["prepare", "accept", "approve"]
    trace = client_for("ppic").get(f"/api/v1/batches/{batch.number}/trace/").json()
    (traced,) = trace["transfers"]
    assert traced["sent_by"] == "t_cutting" and traced["accepted_by"] == "t_sewing_lead"
    assert [e["action"] for e in traced["events"]] == ["prepare", "accept", "approve"]
    batch_view = client_for("ppic").get(f"/api/v1/batches/{batch.number}/").json()
    assert batch_view["cut"] == 100
    assert {w["department"]: w["available"] for w in batch_view["wip"]} == {
        "CUTTING": 62,
        "SEWING": 38,
    }


def test_reject_cancel_and_invalid_transition(client_for, batch):
    cutting, sewing = client_for("cutting"), client_for("sewing")
    first = send(cutting, batch).json()
    assert sewing.post(f"/api/v1/transfers/{first['id']}/reject/", {}).status_code == 400
    rejected = sewing.post(f"/api/v1/transfers/{first['id']}/reject/", {"reason": "wrong size"})
    assert rejected.json()["state"] == "REJECTED"
    again = cutting.post(f"/api/v1/transfers/{first['id']}/cancel/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    second = send(cutting, batch).json()
    assert sewing.post(f"/api/v1/transfers/{second['id']}/cancel/").status_code == 403
    assert cutting.post(f"/api/v1/transfers/{second['id']}/cancel/").json()["state"] == "CANCELLED"
    assert cutting.post("/api/v1/transfers/999999/cancel/").status_code == 404


def test_a_repeated_post_with_the_same_idempotency_key_records_once(client_for, batch):
    cutting = client_for("cutting")
    key = {"HTTP_IDEMPOTENCY_KEY": "tablet-7-0001"}
    first = send(cutting, batch, headers=key)
    second = send(cutting, batch, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    listing = client_for("ppic").get(f"/api/v1/transfers/?batch={batch.number}").json()
    assert listing["count"] == 1
    slip = first.json()["slip_code"]
    sewing = client_for("sewing")
    scan = {"slip_code": slip, "quantity_received": 40}
    a = sewing.post("/api/v1/transfers/accept/", scan, HTTP_IDEMPOTENCY_KEY="scan-1")
    b = sewing.post("/api/v1/transfers/accept/", scan, HTTP_IDEMPOTENCY_KEY="scan-1")
    assert a.status_code == b.status_code == 200 and a.json() == b.json()


def test_transfer_list_filters_and_visibility(client_for, batch):
    send(client_for("cutting"), batch)
    assert client_for("sewing").get("/api/v1/transfers/?to_department=SEWING").json()["count"] == 1
    assert client_for("finishing").get("/api/v1/transfers/").json()["count"] == 0
    assert client_for("qc").get("/api/v1/transfers/?state=IN_TRANSIT").json()["count"] == 1
    assert client_for("ppic").get("/api/v1/transfers/?state=NOPE").status_code == 400
    admin = APIClient()
    from tests.factories import UserFactory

    admin.force_authenticate(UserFactory(username="t_admin", roles=["admin"]))
    assert admin.get("/api/v1/transfers/").status_code == 403


def test_the_slip_is_printable_html_with_an_svg_qr(client_for, batch):
    created = send(client_for("cutting"), batch).json()
    response = client_for("sewing").get(f"/api/v1/transfers/{created['id']}/slip/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and created["number"] in html and batch.number in html
    assert "A6" in html and ">DE<" in html.replace(" ", "")


def test_alert_acknowledge_and_resolve(client_for, batch, cast):
    slip = send(client_for("cutting"), batch).json()["slip_code"]
    client_for("sewing").post(
        "/api/v1/transfers/accept/", {"slip_code": slip, "quantity_received": 1}
    )
    alert = client_for("sewing").get("/api/v1/alerts/?open=true").json()["results"][0]
    assert alert["kind"] == "QTY_DISCREPANCY" and alert["acknowledged_by"] is None
    assert client_for("finishing").post(
        f"/api/v1/alerts/{alert['id']}/acknowledge/"
    ).status_code in (
        403,
        404,
    )
    acked = client_for("cutting").post(f"/api/v1/alerts/{alert['id']}/acknowledge/")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "t_cutting"
    assert (
        client_for("manager").post(f"/api/v1/alerts/{alert['id']}/resolve/", {}).status_code == 400
    )
    resolved = client_for("manager").post(
        f"/api/v1/alerts/{alert['id']}/resolve/", {"note": "counted again"}
    )
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
    assert client_for("sewing").get("/api/v1/alerts/?open=true").json()["count"] == 0


def test_list_endpoints_keep_a_query_budget(client_for, batch, django_assert_max_num_queries):
    cutting = client_for("cutting")
    for _ in range(10):
        send(cutting, batch, qty=1)
    ppic = client_for("ppic")
    with django_assert_max_num_queries(8):
        assert ppic.get("/api/v1/transfers/").json()["count"] == 10
    with django_assert_max_num_queries(8):
        assert ppic.get("/api/v1/wip/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client_for("manager").get("/api/v1/alerts/").status_code == 200
