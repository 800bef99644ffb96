"""Station pages: scan, accept, send, supervisor actions; double submits record once; other
departments are refused; a fixed query budget."""

import re

import pytest

from dashboard.models import Alert
from tests.transfers.helpers import balance, cut, dept, line, released_batches, users
from transfers import services
from transfers.models import Transfer, TransferState

pytestmark = [pytest.mark.django_db]
S = TransferState


@pytest.fixture
def cast():
    return users()


@pytest.fixture
def batch():
    (b,) = released_batches(quantity=100)
    cut(b, 100)
    return b


def as_user(client, user):
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def key(html, n=0):
    return re.findall(r'name="idempotency_key" value="([0-9a-f]+)"', html)[n]


def test_cutting_sends_from_the_station_and_gets_a_slip(client, cast, batch):
    as_user(client, cast["cutting"])
    page = client.get("/cutting/?line=CUT-1").content.decode()
    assert batch.number in page and 'data-testid="send-form"' in page
    response = client.post(
        "/cutting/send/",
        {"batch": batch.number, "quantity": 60, "to_line": "SEW-2", "from_line": "CUT-1",
         "line": "CUT-1", "idempotency_key": key(page)},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-level="success"' in html and "Print slip" in html
    t = Transfer.objects.get()
    assert t.state == S.IN_TRANSIT and t.to_line.code == "SEW-2" and t.quantity == 60


def test_a_double_submitted_send_form_records_once(client, cast, batch):
    as_user(client, cast["cutting"])
    form = {"batch": batch.number, "quantity": 10, "to_line": "SEW-1", "idempotency_key": "abc123"}
    first = client.post("/cutting/send/", form)
    second = client.post("/cutting/send/", form)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert Transfer.objects.count() == 1
    assert balance(batch, "CUTTING", "locked") == 10


def test_scan_then_accept_at_the_receiving_station(client, cast, batch):
    t = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-1"), quantity=30, user=cast["cutting"],
    )  # fmt: skip
    as_user(client, cast["sewing"])
    scanned = client.post("/sewing/scan/", {"code": t.slip_code.lower() + " "})
    html = scanned.content.decode()
    assert 'data-testid="scanned"' in html and 'value="30"' in html
    accepted = client.post(
        "/sewing/accept/",
        {"slip_code": t.slip_code, "quantity_received": 30, "idempotency_key": key(html)},
    )
    assert 'data-level="success"' in accepted.content.decode()
    assert balance(batch, "SEWING", "available") == 30
    again = client.post("/sewing/scan/", {"code": t.slip_code})
    assert again.status_code == 409 and "Already accepted by t_sewing" in again.content.decode()
    repeat = client.post(
        "/sewing/accept/",
        {"slip_code": t.slip_code, "quantity_received": 30, "idempotency_key": "other-key"},
    )
    assert repeat.status_code == 409  # a repeated scan records nothing
    assert balance(batch, "SEWING", "available") == 30


def test_unknown_and_foreign_slips_are_refused_with_a_sentence(client, cast, batch):
    as_user(client, cast["sewing"])
    unknown = client.post("/sewing/scan/", {"code": "NOT-A-SLIP"})
    assert unknown.status_code == 404 and 'data-level="danger"' in unknown.content.decode()
    t = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-1"), quantity=30, user=cast["cutting"],
    )  # fmt: skip
    as_user(client, cast["finishing"])
    foreign = client.post("/finishing/scan/", {"code": t.slip_code})
    assert foreign.status_code == 409 and "SEWING" in foreign.content.decode()
    bad_count = client.post("/sewing/accept/", {"slip_code": t.slip_code, "quantity_received": "x"})
    assert bad_count.status_code == 403  # finishing may not open the sewing station


def test_held_count_then_supervisor_approves_on_the_station(client, cast, batch):
    t = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-1"), quantity=30, user=cast["cutting"],
    )  # fmt: skip
    as_user(client, cast["sewing"])
    held = client.post("/sewing/accept/", {"slip_code": t.slip_code, "quantity_received": 28})
    assert 'data-level="warning"' in held.content.decode()
    assert 'data-testid="approve-form"' not in held.content.decode()  # not a supervisor
    assert Alert.objects.filter(kind="QTY_DISCREPANCY").exists()
    as_user(client, cast["sewing_lead"])
    page = client.get("/sewing/").content.decode()
    assert 'data-testid="approve-form"' in page
    approved = client.post(
        f"/sewing/transfers/{t.pk}/approve/",
        {"quantity": 28, "remainder": "return", "reason": "2 found later"},
    )
    assert 'data-level="success"' in approved.content.decode()
    assert Transfer.objects.get(pk=t.pk).state == S.ACCEPTED
    as_user(client, cast["sewing"])
    refused = client.post(
        f"/sewing/transfers/{t.pk}/approve/", {"quantity": 28, "remainder": "return", "reason": "x"}
    )
    assert refused.status_code == 403  # not a supervisor


def test_blocked_then_clearance_and_retry_from_the_stations(client, cast):
    first, second = released_batches(quantity=20, batch_size=10)
    cut(first, 10)
    cut(second, 10)
    t = services.transfer_prepare(
        batch=first, from_department=dept("CUTTING"), to_department=dept("SEWING"),
        to_line=line("SEW-3"), quantity=10, user=cast["cutting"],
    )  # fmt: skip
    as_user(client, cast["cutting"])
    blocked = client.post(
        "/cutting/send/", {"batch": second.number, "quantity": 10, "to_line": "SEW-3"}
    )
    assert 'data-level="warning"' in blocked.content.decode()
    blocked_t = Transfer.objects.get(state=S.BLOCKED)
    as_user(client, cast["sewing"])
    assert (
        "Line SEW-3 blocked" in client.get("/sewing/").content.decode()
        or Alert.objects.filter(kind="LINE_BLOCKED").exists()
    )
    as_user(client, cast["sewing_lead"])
    cleared = client.post("/sewing/clearance/", {"line_code": "SEW-3", "note": "rack emptied"})
    assert 'data-level="success"' in cleared.content.decode()
    as_user(client, cast["cutting"])
    retried = client.post(f"/cutting/transfers/{blocked_t.pk}/retry/")
    assert 'data-level="success"' in retried.content.decode()
    assert Transfer.objects.get(pk=blocked_t.pk).state == S.IN_TRANSIT
    assert t.pk != blocked_t.pk


def test_bad_send_input_is_400_and_changes_nothing(client, cast, batch):
    as_user(client, cast["cutting"])
    for form in (
        {"batch": batch.number, "quantity": "lots", "to_line": "SEW-1"},
        {"batch": "NOPE", "quantity": 5, "to_line": "SEW-1"},
        {"batch": batch.number, "quantity": 5, "to_line": ""},
    ):
        assert client.post("/cutting/send/", form).status_code == 400
    too_many = client.post(
        "/cutting/send/", {"batch": batch.number, "quantity": 500, "to_line": "SEW-1"}
    )
    assert too_many.status_code == 409
    assert Transfer.objects.count() == 0


def test_an_operator_cannot_act_on_another_departments_station(client, cast, batch):
    as_user(client, cast["sewing"])
    assert client.get("/cutting/").status_code == 403
    response = client.post(
        "/cutting/send/", {"batch": batch.number, "quantity": 5, "to_line": "SEW-1"}
    )
    assert response.status_code == 403
    assert Transfer.objects.count() == 0
    assert client.get("/cutting/send/").status_code == 403


def test_the_station_page_keeps_its_query_budget(client, cast, django_assert_max_num_queries):
    batches = released_batches(quantity=200, batch_size=10)
    for b in batches:
        cut(b, 10)
    for b in batches[:8]:
        services.transfer_prepare(
            batch=b, from_department=dept("CUTTING"), to_department=dept("SEWING"),
            to_line=line("SEW-1"), quantity=5, user=cast["cutting"],
        )  # fmt: skip
    as_user(client, cast["cutting"])
    with django_assert_max_num_queries(22):
        response = client.get("/cutting/?line=CUT-1")
    assert response.status_code == 200
    as_user(client, cast["sewing"])
    with django_assert_max_num_queries(22):
        assert client.get("/sewing/?line=SEW-1").status_code == 200


def test_the_station_speaks_indonesian_by_default(client, cast, batch):
    client.force_login(cast["cutting"])
    html = client.get("/cutting/").content.decode()
    assert "Kirim" in html and "Masuk" in html
