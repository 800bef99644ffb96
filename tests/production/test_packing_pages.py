"""The packing station's "Record work" tab (cartons, labels, complete behind the gate), the
printable carton label and packing list, and the warehouse shipment pages: a double submit
records once, refusals are a sentence with a 4xx and change nothing, other roles are refused,
and the pages keep a fixed query budget whatever the rows.

Units reach packing in these tests by a direct ledger move into PACKING ``available`` on a
packing line (what cutting → sewing → finishing and an accepted transfer to packing do; the
transfers and finishing tests cover that path), so each test starts where packing starts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from packing.models import BatchCompletion, Carton
from packing.services import (
    carton_pack,
    completion_problems,
    gs1_check_digit,
    packing_complete,
    sscc_is_valid,
)
from packing.stations import _gates
from ppic.models import Batch, ManufacturingOrder
from quality.lab import REQUIRED_TESTS, lab_test_record
from quality.services import final_inspection_record
from tests.transfers.helpers import balance, dept, line, released_batches, users
from transfers.ledger import Bucket, Move, wip_moves
from warehouse.models import Shipment, ShipmentEvent

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def cast():
    return users()


def as_user(client, user):
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def key(html, n=0):
    return re.findall(r'name="idempotency_key" value="([0-9a-f]+)"', html)[n]


def level(response):
    return re.search(r'data-testid="result" data-level="(\w+)"', response.content.decode()).group(1)


def at_packing(batch, quantity, line_code="PCK-1"):
    """Units put straight into PACKING available on a packing line (see the module docstring)."""
    wip_moves(
        [Move(batch, None, Bucket(dept("PACKING"), "available", line(line_code)), quantity)],
        reason="test", user=users()["manager"],
    )  # fmt: skip


def packing_batch(quantity, *, po="PO-7001", destination="DE-DORT", country="DE",
                  article="BEAR-40", line_code="PCK-1"):  # fmt: skip
    """A released batch of ``quantity`` with its MO under ``po``, all of it at packing."""
    (batch,) = released_batches(
        quantity=quantity, destination=destination, country=country, article=article
    )
    ManufacturingOrder.objects.filter(pk=batch.mo_id).update(po_number=po)
    batch = Batch.objects.select_related("mo__article", "mo__destination").get(pk=batch.pk)
    at_packing(batch, quantity, line_code)
    return batch


def lab_passed(article):
    for test in REQUIRED_TESTS:
        lab_test_record(article=article, test=test, result="PASS", user=users()["qc_lab"])


def final_passed(batch):
    final_inspection_record(batch=batch, critical=0, major=0, minor=0, user=users()["qc"])


def packed_into_fg(batch):
    """Every unit of the batch at packing in full cartons, the gate passed, completed to FG."""
    per = batch.mo.article.units_per_carton
    left = balance(batch, "PACKING", "available")
    while left:
        carton_pack(batch=batch, quantity=min(per, left), user=users()["packing"])
        left -= min(per, left)
    final_passed(batch)
    packing_complete(batch=batch, user=users()["packing"])


def carton_post(client, batch, quantity, **extra):
    return client.post(
        "/packing/record/carton/",
        {"batch": batch.number, "quantity": quantity, "line": "PCK-1", **extra},
    )


# --- the station's record tab -----------------------------------------------------------------
def test_a_carton_is_packed_once_on_a_double_submit_with_its_label_link(client, cast):
    batch = packing_batch(50)  # 24 per carton: cartons 24 + 24 + 2, "n of 3"
    as_user(client, cast["packing"])
    page = client.get("/packing/?line=PCK-1").content.decode()
    card = page.split('data-testid="packing-batch"')[1]
    assert 'data-testid="carton-form"' in card and 'value="24"' in card
    assert re.search(r'data-testid="carton-count">0 of 3<', card)
    form = {"idempotency_key": key(page)}
    first = carton_post(client, batch, 24, **form)
    second = carton_post(client, batch, 24, **form)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    carton = Carton.objects.get()
    assert carton.quantity == 24 and carton.sequence == 1 and carton.po_number == "PO-7001"
    assert carton.packed_by == cast["packing"] and carton.line.code == "PCK-1"
    assert balance(batch, "PACKING", "ready", "PCK-1") == 24
    assert balance(batch, "PACKING", "available", "PCK-1") == 26
    html = first.content.decode()
    assert level(first) == "success" and "Carton 1 of 3" in html
    s = carton.sscc
    assert f"SSCC (00) {s[0]} {s[1:8]} {s[8:17]} {s[17]}" in html
    assert f'href="/packing/cartons/{s}/label/"' in html  # the result's print-label button
    assert 'data-testid="result-link"' in html
    assert re.search(r'data-testid="carton-count">1 of 3<', html)
    assert f'data-sscc="{s}"' in html  # the batch's carton list
    carton_post(client, batch, 24)
    after = client.get("/packing/?line=PCK-1").content.decode()
    assert 'name="quantity" type="number" inputmode="numeric" min="1" max="24" value="2"' in after


def test_carton_refusals_are_sentences_and_change_nothing(client, cast):
    batch = packing_batch(10)
    as_user(client, cast["packing"])
    over = carton_post(client, batch, 25)  # more than a carton of BEAR-40 holds
    assert over.status_code == 400 and level(over) == "danger"
    assert "A carton of BEAR-40 holds 1 to 24 units." in over.content.decode()
    short = carton_post(client, batch, 20)  # a full carton, but only 10 units at packing
    assert short.status_code == 409 and level(short) == "danger"
    assert "Only 10 units of" in short.content.decode()
    for bad in (
        {"quantity": "many"},
        {"quantity": ""},
        {"quantity": 0},
        {"quantity": -3},
        {"quantity": 5, "batch": "NOPE"},
        {"quantity": 5, "gross_weight_kg": "heavy"},
        {"quantity": 5, "gross_weight_kg": "-1"},
    ):
        response = client.post(
            "/packing/record/carton/", {"batch": batch.number, "line": "PCK-1", **bad}
        )
        assert response.status_code == 400, bad
        assert level(response) == "danger"
    assert not Carton.objects.exists()
    assert balance(batch, "PACKING", "available") == 10 and balance(batch, "PACKING", "ready") == 0
    ok = carton_post(client, batch, 10, gross_weight_kg="3,4")  # a comma decimal is read
    assert ok.status_code == 200 and str(Carton.objects.get().gross_weight_kg) == "3.40"


def test_complete_is_refused_with_what_is_missing_then_moves_the_cartons_to_fg(client, cast):
    batch = packing_batch(30)
    carton_pack(batch=batch, quantity=24, user=cast["packing"])
    as_user(client, cast["packing"])
    page = client.get("/packing/?line=PCK-1").content.decode()
    for check in ("final_inspection", "lab_tests"):
        assert f'data-check="{check}" data-ok="0"' in page
    assert 'data-check="quarantine" data-ok="1"' in page
    assert 'data-check="cartons" data-ok="1"' in page
    assert "6 pcs not yet in cartons stay here" in page
    refused = client.post("/packing/record/complete/", {"batch": batch.number, "line": "PCK-1"})
    assert refused.status_code == 409 and level(refused) == "danger"
    text = refused.content.decode()
    assert "cannot complete packing" in text
    assert "no final inspection (AQL) recorded" in text
    assert "lab tests missing, failed or expired: torque" in text
    assert not BatchCompletion.objects.exists() and balance(batch, "FG_WAREHOUSE", "available") == 0
    assert Carton.objects.get().status == Carton.Status.PACKED
    assert _gates([batch])[batch.pk]["problems"] == completion_problems(batch)

    lab_passed(batch.mo.article)
    final_passed(batch)
    assert _gates([batch])[batch.pk]["problems"] == completion_problems(batch) == {}
    page = client.get("/packing/?line=PCK-1").content.decode()
    assert 'data-ok="0"' not in page and "btn-success" in page
    form = {"batch": batch.number, "line": "PCK-1", "idempotency_key": key(page, -1)}
    done = client.post("/packing/record/complete/", form)
    again = client.post("/packing/record/complete/", form)
    assert done.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    html = done.content.decode()
    assert level(done) == "success" and "24 pcs in 1 carton moved" in html
    assert "6 pcs not yet in cartons stay at packing" in html  # they complete later
    assert BatchCompletion.objects.count() == 1
    assert balance(batch, "FG_WAREHOUSE", "available") == 24
    assert balance(batch, "PACKING", "available") == 6
    assert Carton.objects.get().status == Carton.Status.IN_FG
    carton_pack(batch=batch, quantity=6, user=cast["packing"])
    rest = client.post("/packing/record/complete/", {"batch": batch.number, "line": "PCK-1"})
    assert rest.status_code == 200 and "6 pcs in 1 carton moved" in rest.content.decode()
    assert balance(batch, "FG_WAREHOUSE", "available") == 30
    assert set(Carton.objects.values_list("status", flat=True)) == {Carton.Status.IN_FG}


def test_the_bulk_gate_agrees_with_the_service_on_a_rejected_lot(client, cast):
    batch = packing_batch(30)
    final_inspection_record(batch=batch, critical=1, major=0, minor=0, user=cast["qc"])
    problems = completion_problems(batch)
    assert {"final_inspection", "hold", "cartons", "lab_tests"} <= set(problems)
    assert _gates([batch])[batch.pk]["problems"] == problems


# --- printables -------------------------------------------------------------------------------
def test_the_label_shows_the_sscc_with_its_check_digit_barcode_and_marks(client, cast):
    batch = packing_batch(30)
    carton = carton_pack(batch=batch, quantity=24, user=cast["packing"])
    s = carton.sscc
    assert sscc_is_valid(s) and int(s[17]) == gs1_check_digit(s[:17])
    assert s[1:8] == "0888888"  # the GS1 company prefix setting
    as_user(client, cast["sewing"])  # readable by everyone logged in
    response = client.get(f"/packing/cartons/{s}/label/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-sscc="{s}"' in html
    assert f'data-testid="label-hri">(00) {s[0]} {s[1:8]} {s[8:17]} {s[17]}<' in html
    barcode = html.split('data-testid="label-barcode">')[1].split("</svg>")[0]
    assert barcode.startswith("<svg") and barcode.count("<rect") > 30 and "<?xml" not in html
    assert "@page { size: 100mm 150mm" in html
    assert 'data-testid="label-po">PO-7001<' in html
    assert 'data-testid="label-quantity">24 pcs<' in html
    assert 'data-testid="label-of">1 of 2<' in html
    assert 'data-testid="label-destination">DE-DORT<' in html
    assert "BEAR-40" in html and f"{carton.net_weight_kg} kg" in html
    year, week, _ = timezone.localtime(carton.packed_at).isocalendar()
    assert f'data-testid="label-date">{year % 100:02d}{week:02d}<' in html
    assert client.get("/packing/cartons/000000000000000000/label/").status_code == 404
    client.logout()
    assert client.get(f"/packing/cartons/{s}/label/").status_code == 302  # to the login


def test_yyww_is_the_iso_week_in_jakarta():
    from datetime import UTC, datetime

    from packing.views import yyww

    assert yyww(datetime(2026, 11, 25, 3, 0, tzinfo=UTC)) == "2648"
    # 31 Dec 2026 17:30 UTC is 1 Jan 2027 00:30 in Jakarta: ISO week 53 of 2026
    assert yyww(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "2653"
    assert yyww(datetime(2025, 12, 29, 1, 0, tzinfo=UTC)) == "2601"  # ISO year 2026


def test_the_packing_list_of_a_po_groups_and_totals_its_cartons(client, cast):
    de = packing_batch(30)
    us = packing_batch(20, destination="US-X", country="US", line_code="PCK-2")
    for b, q in ((de, 24), (de, 6), (us, 20)):
        carton_pack(batch=b, quantity=q, user=cast["packing"])
    other = packing_batch(5, po="PO-OTHER", article="BEAR-20", line_code="PCK-2")
    other_line = line("PCK-2")
    carton_pack(batch=other, quantity=5, line=other_line, user=cast["packing"])
    as_user(client, cast["warehouse"])
    html = client.get("/packing/packing-list/po/PO-7001/").content.decode()
    groups = re.findall(r'data-testid="pl-group" data-destination="([\w-]+)"', html)
    assert groups == ["DE-DORT", "US-X"]
    assert html.count('data-testid="pl-carton"') == 3
    cartons = Carton.objects.filter(po_number="PO-7001")
    net = sum(c.net_weight_kg for c in cartons)
    gross = sum(c.gross_weight_kg for c in cartons)
    assert 'data-testid="pl-total-cartons">3<' in html
    assert 'data-testid="pl-total-units">50<' in html
    assert f'data-testid="pl-total-net">{net}<' in html
    assert f'data-testid="pl-total-gross">{gross}<' in html
    assert "@page { size: A4" in html and "PO-OTHER" not in html
    batch_list = client.get(f"/packing/packing-list/batch/{de.number}/").content.decode()
    assert batch_list.count('data-testid="pl-carton"') == 2
    assert client.get("/packing/packing-list/po/NOPE/").status_code == 404


# --- warehouse shipments ----------------------------------------------------------------------
@pytest.fixture
def in_fg(cast):
    """Two batches of PO-7001 completed into the FG warehouse: DE (2 cartons), US (1 carton)."""
    de = packing_batch(30)
    us = packing_batch(20, destination="US-X", country="US", line_code="PCK-2")
    lab_passed(de.mo.article)
    packed_into_fg(de)
    packed_into_fg(us)
    return de, us


def test_the_warehouse_creates_a_shipment_from_fg_cartons(client, cast, in_fg):
    de, us = in_fg
    de_codes = sorted(Carton.objects.filter(batch=de).values_list("sscc", flat=True))
    (us_code,) = Carton.objects.filter(batch=us).values_list("sscc", flat=True)
    as_user(client, cast["warehouse"])
    page = client.get("/warehouse/fg-cartons/").content.decode()
    assert re.findall(r'data-testid="fg-destination" data-destination="([\w-]+)"', page) == [
        "DE-DORT", "US-X",
    ]  # fmt: skip
    assert page.count('data-testid="fg-carton"') == 3

    wrong = client.post(
        "/warehouse/fg-cartons/",
        {"destination": "DE-DORT", "sscc": [*de_codes, us_code], "container": "MSCU1"},
    )
    assert wrong.status_code == 409
    assert f"Carton {us_code} goes to US-X, not DE-DORT" in wrong.content.decode()
    for bad in (
        {"destination": "DE-DORT", "container": "MSCU1"},
        {"destination": "NOPE", "sscc": de_codes},
        {"destination": "DE-DORT", "sscc": ["12345"]},
        {"destination": "DE-DORT", "sscc": de_codes, "container": "X" * 31},
    ):
        response = client.post("/warehouse/fg-cartons/", bad)
        assert response.status_code == 400, bad
        assert 'data-testid="error"' in response.content.decode()
    assert not Shipment.objects.exists()
    assert set(Carton.objects.values_list("status", flat=True)) == {Carton.Status.IN_FG}

    form = {"destination": "DE-DORT", "sscc": de_codes, "container": "MSCU1234567",
            "idempotency_key": key(page)}  # fmt: skip
    first = client.post("/warehouse/fg-cartons/", form)
    second = client.post("/warehouse/fg-cartons/", form)
    shipment = Shipment.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Idempotent-Replayed"] == "true"
    assert first["Location"] == f"/warehouse/shipments/{shipment.pk}/"
    assert shipment.container == "MSCU1234567" and shipment.carton_count == 2
    assert shipment.quantity == 30 and shipment.destination.code == "DE-DORT"
    assert balance(de, "FG_WAREHOUSE", "shipped") == 30
    assert balance(de, "FG_WAREHOUSE", "available") == 0
    assert Carton.objects.get(sscc=us_code).status == Carton.Status.IN_FG
    page = client.get("/warehouse/fg-cartons/").content.decode()
    assert page.count('data-testid="fg-carton"') == 1

    detail = client.get(f"/warehouse/shipments/{shipment.pk}/").content.decode()
    assert "Shipment" in detail and detail.count('data-testid="carton"') == 2
    assert detail.count('data-testid="event"') == 1
    url = f"/warehouse/shipments/{shipment.pk}/"
    tracked = client.post(url, {"status": "IN_TRANSIT", "note": "Vessel left Tanjung Priok"})
    assert tracked.status_code == 302
    back = client.post(url, {"status": "SHIPPED"})
    assert back.status_code == 409 and "already In transit" in back.content.decode()
    assert client.post(url, {"status": "LOST"}).status_code == 400
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 2
    detail = client.get(url).content.decode()
    assert "Vessel left Tanjung Priok" in detail and 'data-status="IN_TRANSIT"' in detail

    document = client.get(f"/warehouse/shipments/{shipment.pk}/document/").content.decode()
    assert "@page { size: A4" in document and "MSCU1234567" in document
    assert document.count('data-testid="doc-carton"') == 2
    for code in de_codes:
        assert code in document


def test_the_shipments_list_filters_counts_and_exports(client, cast, in_fg):
    de, us = in_fg
    for batch, dest in ((de, "DE-DORT"), (us, "US-X")):
        as_user(client, cast["warehouse"])
        client.post(
            "/warehouse/fg-cartons/",
            {"destination": dest, "sscc": list(batch.cartons.values_list("sscc", flat=True))},
        )
    assert Shipment.objects.count() == 2
    page = client.get("/warehouse/shipments/").content.decode()
    assert "2 shipments" in page and page.count('data-testid="shipment"') == 2
    us_only = client.get("/warehouse/shipments/?destination=US-X").content.decode()
    assert "1 shipment" in us_only and us_only.count('data-testid="shipment"') == 1
    none = client.get("/warehouse/shipments/?status=DELIVERED").content.decode()
    assert 'data-testid="empty"' in none
    csv = client.get("/warehouse/shipments/?destination=US-X&export=csv")
    body = b"".join(csv.streaming_content).decode()
    assert body.splitlines()[0].startswith("number,shipped_at,destination")
    assert len(body.splitlines()) == 2 and "US-X" in body and "DE-DORT" not in body
    xlsx = client.get("/warehouse/shipments/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert client.get("/warehouse/shipments/?status=LOST&export=csv").status_code == 400


# --- roles ------------------------------------------------------------------------------------
def test_other_roles_are_refused(client, cast, in_fg):
    de, _us = in_fg
    codes = list(de.cartons.values_list("sscc", flat=True))
    shipment_form = {"destination": "DE-DORT", "sscc": codes}
    attempts = [
        ("sewing", "post", "/packing/record/carton/", {"batch": de.number, "quantity": 1}),
        ("warehouse", "post", "/packing/record/complete/", {"batch": de.number}),
        ("sewing", "get", "/warehouse/fg-cartons/", None),
        ("sewing", "get", "/warehouse/shipments/", None),
        ("packing", "post", "/warehouse/fg-cartons/", shipment_form),
        ("ppic", "post", "/warehouse/fg-cartons/", shipment_form),  # reads, never writes
    ]
    for who, method, url, form in attempts:
        as_user(client, cast[who])
        response = getattr(client, method)(url, form) if form else getattr(client, method)(url)
        assert response.status_code == 403, (who, url)
    as_user(client, cast["ppic"])
    page = client.get("/warehouse/fg-cartons/").content.decode()
    assert 'data-testid="read-only"' in page and 'name="sscc"' not in page
    assert not Shipment.objects.exists() and Carton.objects.count() == 3
    as_user(client, cast["packing"])
    assert client.get("/packing/record/carton/").status_code == 405


# --- query budgets ----------------------------------------------------------------------------
def queries(client, url):
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


STATION_BUDGET = 30  # the station shell (22) and the packing gate read in bulk


def test_the_packing_tab_keeps_a_query_budget_independent_of_the_batches(client, cast):
    few = released_batches(quantity=20, batch_size=10, article="BEAR-20")
    for b in few:
        at_packing(b, 10, "PCK-2")
    carton_pack(batch=few[0], quantity=5, line=line("PCK-2"), user=cast["packing"])
    as_user(client, cast["packing"])
    url = "/packing/?line=PCK-2"
    one = queries(client, url)
    many = released_batches(quantity=120, batch_size=10, article="BEAR-20", destination="US-X",
                            country="US")  # fmt: skip
    for b in many:
        at_packing(b, 10, "PCK-2")
        carton_pack(batch=b, quantity=4, line=line("PCK-2"), user=cast["packing"])
        carton_pack(batch=b, quantity=3, line=line("PCK-2"), user=cast["packing"])
    final_passed(many[0])
    page = client.get(url).content.decode()
    assert page.count('data-testid="packing-batch"') == 14
    assert queries(client, url) == one <= STATION_BUDGET


def test_the_shipment_pages_keep_a_query_budget_independent_of_the_rows(client, cast, in_fg):
    de, us = in_fg
    as_user(client, cast["warehouse"])

    def ship(batches, destination="US-X"):
        codes = Carton.objects.filter(batch__in=batches).values_list("sscc", flat=True)
        client.post("/warehouse/fg-cartons/", {"destination": destination, "sscc": list(codes)})
        return Shipment.objects.order_by("-id").first()

    fg = queries(client, "/warehouse/fg-cartons/")  # 3 cartons
    small = ship([us])
    pages = lambda s: [  # noqa: E731
        "/warehouse/shipments/", f"/warehouse/shipments/{s.pk}/",
        f"/warehouse/shipments/{s.pk}/document/",
    ]  # fmt: skip
    counts = [queries(client, url) for url in pages(small)]
    more = released_batches(quantity=120, batch_size=20, destination="US-X", country="US")
    for b in more:
        at_packing(b, 20, "PCK-2")
        packed_into_fg(b)
    assert queries(client, "/warehouse/fg-cartons/") == fg  # 8 cartons
    for b in more[:3]:
        ship([b])
    big = ship(more[3:])
    assert big.carton_count == 3 and Shipment.objects.count() == 5
    client.post(f"/warehouse/shipments/{big.pk}/", {"status": "IN_TRANSIT", "note": "left"})
    assert [queries(client, url) for url in pages(big)] == counts
