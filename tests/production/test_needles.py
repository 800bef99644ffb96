"""Needle control at sewing and embroidery: one-for-one exchanges, broken needles, and the batch
held at the line (P1) while a fragment is missing, until the hand-detector search is recorded."""

import pytest
from rest_framework.test import APIClient

from dashboard.models import Alert
from sewing.models import BrokenNeedle, NeedleLog
from tests.factories import UserFactory
from tests.transfers.helpers import cut, make_ready, released_batches, users
from transfers.models import Hold

pytestmark = [pytest.mark.django_db]

EXCHANGES = "/api/v1/needles/exchanges/"
BROKEN = "/api/v1/needles/broken/"


@pytest.fixture
def cast():
    c = users()
    c["operator"] = UserFactory(username="t_sew_op", roles=["sewing"])
    c["custodian"] = UserFactory(username="t_needle_keeper", roles=["sewing"])
    return c


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def send(who, batch, frm, to, to_line, quantity, from_line=None):
    body = {"batch": batch.number, "from_department": frm, "to_department": to,
            "to_line": to_line, "quantity": quantity}  # fmt: skip
    if from_line:
        body["from_line"] = from_line
    return client_for(who).post("/api/v1/transfers/", body, format="json")


def on_sewing_line(cast, batch, line_code, quantity):
    """Units of the batch accepted on a sewing line and sewn (ready to send on)."""
    sent = send(cast["cutting"], batch, "CUTTING", "SEWING", line_code, quantity)
    assert sent.status_code == 201, sent.content
    accepted = client_for(cast["sewing"]).post(
        "/api/v1/transfers/accept/",
        {"slip_code": sent.json()["slip_code"], "quantity_received": quantity},
        format="json",
    )
    assert accepted.status_code == 200, accepted.content
    make_ready(batch, "SEWING", quantity, line_code=line_code)


def broken(batch, *, found, line="SEW-1", department="SEWING", **extra):
    return {"department": department, "line": line, "operator": "t_sew_op",
            "custodian": "t_needle_keeper", "batch": batch.number, "fragments_found": found,
            **extra}  # fmt: skip


def exchange(**extra):
    return {"department": "SEWING", "line": "SEW-1", "operator": "t_sew_op",
            "custodian": "t_needle_keeper", "old_needle_returned": True, **extra}  # fmt: skip


def test_an_exchange_with_the_old_needle_is_logged(cast):
    response = client_for(cast["custodian"]).post(EXCHANGES, exchange(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["action"] == "exchange" and response.json()["line"] == "SEW-1"
    log = NeedleLog.objects.get()
    assert log.operator == cast["operator"] and log.custodian == cast["custodian"]
    issued = client_for(cast["custodian"]).post(
        EXCHANGES, exchange(action="issue", old_needle_returned=False), format="json"
    )
    assert issued.status_code == 201


def test_an_exchange_without_the_old_needle_is_refused(cast):
    response = client_for(cast["custodian"]).post(
        EXCHANGES, exchange(old_needle_returned=False), format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "needle_not_returned"
    assert not NeedleLog.objects.exists()


def test_bad_needle_input_is_400_and_records_nothing(cast):
    (batch,) = released_batches(quantity=20)
    custodian = client_for(cast["custodian"])
    assert custodian.post(EXCHANGES, exchange(line="NOPE"), format="json").status_code == 400
    assert custodian.post(EXCHANGES, exchange(operator="ghost"), format="json").status_code == 400
    assert custodian.post(EXCHANGES, exchange(line="CUT-1"), format="json").status_code == 400
    assert (
        custodian.post(EXCHANGES, exchange(department="CUTTING"), format="json").status_code == 400
    )
    same = exchange(custodian="t_sew_op")
    assert custodian.post(EXCHANGES, same, format="json").status_code == 400
    unknown_batch = broken(batch, found=False) | {"batch": "NOPE"}
    assert custodian.post(BROKEN, unknown_batch, format="json").status_code == 400
    assert custodian.post(BROKEN, {"batch": batch.number}, format="json").status_code == 400
    assert not NeedleLog.objects.exists() and not BrokenNeedle.objects.exists()
    assert not Hold.objects.exists() and not Alert.objects.exists()


def test_other_departments_may_not_record_needles(cast):
    (batch,) = released_batches(quantity=20)
    assert client_for(cast["cutting"]).post(EXCHANGES, {}, format="json").status_code == 403
    assert client_for(cast["finishing"]).post(BROKEN, {}, format="json").status_code == 403
    embroidery = client_for(cast["embroidery"])
    assert embroidery.post(EXCHANGES, exchange(), format="json").status_code == 403
    assert embroidery.post(BROKEN, broken(batch, found=False), format="json").status_code == 403
    assert not BrokenNeedle.objects.exists() and not Hold.objects.exists()


def test_a_broken_needle_with_all_fragments_found_raises_nothing(cast):
    (batch,) = released_batches(quantity=40)
    cut(batch, 40)
    on_sewing_line(cast, batch, "SEW-1", 40)
    response = client_for(cast["custodian"]).post(
        BROKEN, broken(batch, found=True, note="taped to the record"), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["open"] is False
    assert not Hold.objects.exists() and not Alert.objects.exists()
    assert send(cast["sewing"], batch, "SEWING", "FINISHING", "FIN-1", 10).status_code == 201
    search = client_for(cast["sewing_lead"]).post(
        f"{BROKEN}{response.json()['id']}/search/", {"found": True}, format="json"
    )
    assert search.status_code == 409  # nothing to search for


def test_a_missing_fragment_holds_the_batch_at_that_line_until_the_search(cast):
    (held_batch,) = released_batches(quantity=40)
    (other_batch,) = released_batches(quantity=20, article="BEAR-20", destination="DE-X")
    cut(held_batch, 40)
    cut(other_batch, 20)
    on_sewing_line(cast, held_batch, "SEW-1", 20)
    on_sewing_line(cast, held_batch, "SEW-2", 20)
    on_sewing_line(cast, other_batch, "SEW-3", 20)

    # when a fragment is missing at SEW-1
    response = client_for(cast["custodian"]).post(
        BROKEN, broken(held_batch, found=False, note="tip missing"), format="json"
    )
    assert response.status_code == 201, response.content
    record = response.json()
    assert record["open"] is True

    # then a P1 alert goes to sewing and quality, and the batch is held at SEW-1 only
    alert = Alert.objects.get(kind="NEEDLE_FRAGMENT_MISSING")
    assert alert.priority == "P1" and alert.resolved_at is None
    assert sorted(alert.departments.values_list("code", flat=True)) == ["QUALITY", "SEWING"]
    assert alert.batch == held_batch and alert.line.code == "SEW-1"
    held = send(cast["sewing"], held_batch, "SEWING", "FINISHING", "FIN-1", 5, from_line="SEW-1")
    assert held.status_code == 409 and held.json()["error"]["code"] == "batch_held"
    assert held.json()["error"]["fields"]["hold"] == "NEEDLE"
    other_line = send(
        cast["sewing"], held_batch, "SEWING", "FINISHING", "FIN-1", 5, from_line="SEW-2"
    )
    assert other_line.status_code == 201, other_line.content
    other = send(cast["sewing"], other_batch, "SEWING", "FINISHING", "FIN-2", 5)
    assert other.status_code == 201, other.content

    listed = client_for(cast["qc"]).get(f"{BROKEN}?open=true").json()
    assert [r["id"] for r in listed["results"]] == [record["id"]]

    # an operator may not record the search
    search_url = f"{BROKEN}{record['id']}/search/"
    refused = client_for(cast["operator"]).post(search_url, {"found": True}, format="json")
    assert refused.status_code == 403
    assert client_for(cast["operator"]).post(search_url, {}, format="json").status_code == 403
    assert client_for(cast["sewing_lead"]).post(search_url, {}, format="json").status_code == 400
    not_found_without_note = client_for(cast["sewing_lead"]).post(
        search_url, {"found": False}, format="json"
    )
    assert not_found_without_note.status_code == 400

    # when the supervisor records the search, the hold is released and the alert resolved
    searched = client_for(cast["sewing_lead"]).post(
        search_url, {"found": True, "note": "found under the machine bed"}, format="json"
    )
    assert searched.status_code == 200, searched.content
    assert searched.json()["search_result"] == "found" and searched.json()["open"] is False
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    hold = Hold.objects.get(kind="NEEDLE")
    assert hold.released_by == cast["sewing_lead"] and "machine bed" in hold.release_note
    again = send(cast["sewing"], held_batch, "SEWING", "FINISHING", "FIN-1", 5, from_line="SEW-1")
    assert again.status_code == 201, again.content
    assert client_for(cast["qc"]).get(f"{BROKEN}?open=true").json()["results"] == []
    twice = client_for(cast["qc"]).post(search_url, {"found": True}, format="json")
    assert twice.status_code == 409


def test_qc_records_a_search_without_finding_the_fragment(cast):
    (batch,) = released_batches(quantity=20)
    record = client_for(cast["custodian"]).post(BROKEN, broken(batch, found=False), format="json")
    searched = client_for(cast["qc"]).post(
        f"{BROKEN}{record.json()['id']}/search/",
        {"found": False, "note": "bundle and 1 m around scanned: nothing"},
        format="json",
    )
    assert searched.status_code == 200
    assert searched.json()["search_result"] == "not_found"
    assert Hold.objects.get().released_at is not None
    assert Alert.objects.get().resolved_at is not None


def test_the_same_idempotency_key_records_a_broken_needle_once(cast):
    (batch,) = released_batches(quantity=20)
    custodian = client_for(cast["custodian"])
    body = broken(batch, found=False)
    first = custodian.post(BROKEN, body, format="json", HTTP_IDEMPOTENCY_KEY="bn-1")
    second = custodian.post(BROKEN, body, format="json", HTTP_IDEMPOTENCY_KEY="bn-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert BrokenNeedle.objects.count() == 1
    assert Hold.objects.count() == 1 and Alert.objects.count() == 1


def test_needles_page_lists_open_records_and_records_the_search_once(cast, client):
    (batch,) = released_batches(quantity=20)
    record_id = (
        client_for(cast["custodian"])
        .post(BROKEN, broken(batch, found=False), format="json")
        .json()["id"]
    )
    client.force_login(cast["operator"])
    assert client.get("/sewing/needles/").status_code == 403
    assert client.post(f"/sewing/needles/{record_id}/search/", {"found": "1"}).status_code == 403
    client.force_login(cast["cutting"])
    assert client.get("/sewing/needles/").status_code == 403

    client.force_login(cast["sewing_lead"])
    page = client.get("/sewing/needles/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="broken-needle"') == 1
    assert batch.number in page.content.decode()
    bad = client.post(f"/sewing/needles/{record_id}/search/", {"found": "0", "note": ""})
    assert bad.status_code == 400
    body = {"found": "0", "note": "all scanned", "idempotency_key": "form-1"}
    done = client.post(f"/sewing/needles/{record_id}/search/", body)
    assert done.status_code == 302
    replay = client.post(f"/sewing/needles/{record_id}/search/", body)
    assert replay.status_code == 302 and replay["Idempotent-Replayed"] == "true"
    assert BrokenNeedle.objects.get().search_result == "not_found"
    assert Hold.objects.get().released_at is not None
    assert client.get("/sewing/needles/").content.decode().count('data-testid="broken-needle"') == 0
