"""SUBCON route: dispatch to a vendor with a delivery note, the vendor's return received into
finishing through the same handshake, a held discrepancy approved by the finishing supervisor;
what is at each vendor and overdue."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ppic.models import Vendor
from tests.transfers.helpers import assert_batch_sums_to_cut, balance, released_batches, users

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def cast():
    return users()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_subcon_round_trip_with_a_held_return_approved_by_finishing(cast, client):
    Vendor.objects.create(code="V-BJ", name="Bordir Jaya", address="Jl. Industri 5, Bekasi")
    (batch,) = released_batches(quantity=50, route="SUBCON", article="BEAR-SUB")
    api(cast["cutting"]).post(
        "/api/v1/cutting/outputs/", {"batch": batch.number, "quantity": 50}, format="json"
    )
    body = {"batch": batch.number, "from_department": "CUTTING", "to_department": "SUBCON",
            "quantity": 50}  # fmt: skip
    missing_vendor = api(cast["cutting"]).post("/api/v1/transfers/", body, format="json")
    assert (
        missing_vendor.status_code == 400 and "vendor" in missing_vendor.json()["error"]["fields"]
    )
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    dispatch = (
        api(cast["cutting"])
        .post(
            "/api/v1/transfers/", {**body, "vendor": "V-BJ", "expected_return": due}, format="json"
        )
        .json()
    )
    assert dispatch["state"] == "IN_TRANSIT" and dispatch["vendor"] == "V-BJ"

    client.force_login(cast["cutting"])
    note = client.get(f"/transfers/{dispatch['id']}/delivery-note/")
    assert note.status_code == 200 and b"Bordir Jaya" in note.content and b"<svg" in note.content

    # the subcontract coordinator (ppic acts for SUBCON) accepts on the vendor's delivery note
    accepted = api(cast["ppic"]).post(
        "/api/v1/transfers/accept/",
        {"slip_code": dispatch["slip_code"], "quantity_received": 50},
        format="json",
    )
    assert accepted.json()["state"] == "ACCEPTED"
    assert balance(batch, "SUBCON", "ready") == 50
    at_vendor = api(cast["ppic"]).get("/api/v1/subcon/").json()["results"]
    assert at_vendor == [
        {"batch": batch.number, "article": "BEAR-SUB", "quantity": 50, "vendor": "V-BJ",
         "vendor_name": "Bordir Jaya", "dispatched_at": at_vendor[0]["dispatched_at"],
         "expected_return": due, "overdue": False}
    ]  # fmt: skip

    # the vendor returns 50 into finishing; finishing counts 48: held, supervisor approves
    back = api(cast["ppic"]).post(
        "/api/v1/transfers/",
        {"batch": batch.number, "from_department": "SUBCON", "to_department": "FINISHING",
         "to_line": "FIN-2", "quantity": 50},
        format="json",
    ).json()  # fmt: skip
    assert back["state"] == "IN_TRANSIT" and back["vendor"] == "V-BJ"
    held = api(cast["finishing"]).post(
        "/api/v1/transfers/accept/", {"slip_code": back["slip_code"], "quantity_received": 48},
        format="json",
    ).json()  # fmt: skip
    assert held["state"] == "HELD"
    assert api(cast["finishing"]).post(
        f"/api/v1/transfers/{back['id']}/approve/",
        {"quantity": 48, "remainder": "write_off", "reason": "vendor lost 2"}, format="json",
    ).status_code == 403  # fmt: skip
    approved = api(cast["finishing_lead"]).post(
        f"/api/v1/transfers/{back['id']}/approve/",
        {"quantity": 48, "remainder": "write_off", "reason": "vendor lost 2"}, format="json",
    )  # fmt: skip
    assert approved.json()["state"] == "ACCEPTED"
    assert balance(batch, "FINISHING", "available") == 48
    assert balance(batch, "SUBCON", "written_off") == 2
    assert api(cast["ppic"]).get("/api/v1/subcon/").json()["count"] == 0
    assert_batch_sums_to_cut(batch)


def test_overdue_batches_at_vendors_are_flagged(cast, client):
    Vendor.objects.create(code="V-LATE", name="Late Stitch")
    (batch,) = released_batches(quantity=10, route="SUBCON", article="BEAR-LATE")
    api(cast["cutting"]).post(
        "/api/v1/cutting/outputs/", {"batch": batch.number, "quantity": 10}, format="json"
    )
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    t = api(cast["cutting"]).post(
        "/api/v1/transfers/",
        {"batch": batch.number, "from_department": "CUTTING", "to_department": "SUBCON",
         "quantity": 10, "vendor": "V-LATE", "expected_return": past},
        format="json",
    ).json()  # fmt: skip
    api(cast["ppic"]).post(
        "/api/v1/transfers/accept/", {"slip_code": t["slip_code"], "quantity_received": 10},
        format="json",
    )  # fmt: skip
    overdue = api(cast["ppic"]).get("/api/v1/subcon/?overdue=true").json()
    assert overdue["count"] == 1 and overdue["results"][0]["overdue"] is True
    client.force_login(cast["ppic"])
    page = client.get("/transfers/subcon/")
    assert page.status_code == 200 and b"table-danger" in page.content
    client.force_login(cast["sewing"])
    assert client.get("/transfers/subcon/").status_code == 403
