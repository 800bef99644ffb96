"""Warehouse office pages (Gudang): who may open and change what, fixed query budgets whatever
the number of rows, and the workflows (receipt, issue, shortage decision, adjustment) through
the pages, a double-submitted form recording once."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ppic.models import ManufacturingOrder, WorkOrder
from tests.concurrency.helpers import run_concurrently
from tests.factories import MaterialFactory, UserFactory
from tests.warehouse.helpers import cutting_spk, receive, released_mo
from warehouse import selectors
from warehouse.models import ShortageRequest, StockLot, StockMove
from warehouse.services import (
    shortage_request_create,
    shortage_request_decide,
    stock_adjust,
    stock_issue,
)

pytestmark = [pytest.mark.django_db]

READERS = ["warehouse", "manager", "ppic"]
OTHERS = ["sewing", "cutting", "qc_inspector"]
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]+)"')


@pytest.fixture
def world():
    """A released MO of 100 bears (26 m plush at cutting, 12.24 kg filling at finishing),
    two plush rolls and a pending shortage request from cutting."""
    mo = released_mo(quantity=100)
    old = receive("PLUSH-BRN", "R-OLD", "20", dye_lot="D1", days_ago=10, points="12")
    new = receive("PLUSH-BRN", "R-NEW", "40", dye_lot="D2", days_ago=2)
    spk = cutting_spk(mo)
    cutter = UserFactory(username="cutter", roles=["cutting"])
    shortage = shortage_request_create(
        work_order=spk,
        material=old.material,
        quantity=Decimal("3"),
        reason="Roll torn at the edge",
        user=cutter,
    )
    return {"mo": mo, "spk": spk, "old": old, "new": new, "shortage": shortage}


def page_urls(world) -> list[str]:
    return [
        reverse("warehouse:home"),
        reverse("warehouse:receipts"),
        reverse("warehouse:issue_list"),
        reverse("warehouse:issue", args=[world["spk"].number]),
        reverse("warehouse:shortages"),
        reverse("warehouse:ledger"),
        reverse("warehouse:low_stock"),
        reverse("warehouse:lot", args=[world["old"].pk]),
    ]


def login(client, make_user, role):
    user = make_user(username=f"u_{role}", roles=[role])
    client.force_login(user)
    return user


def key_of(response) -> str:
    return KEY.search(response.content.decode()).group(1)


def stock_state():
    return (
        StockMove.objects.count(),
        list(StockLot.objects.order_by("pk").values_list("quantity_on_hand", flat=True)),
        list(ShortageRequest.objects.order_by("pk").values_list("status", flat=True)),
    )


# --- who may open and change what -------------------------------------------------------------
@pytest.mark.smoke
@pytest.mark.parametrize("role", READERS)
def test_every_warehouse_page_opens_for_its_readers(client, make_user, world, role):
    login(client, make_user, role)
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        assert b'data-testid="warehouse-tabs"' in response.content


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_403_on_every_warehouse_page(client, make_user, world, role):
    login(client, make_user, role)
    for url in page_urls(world):
        assert client.get(url).status_code == 403, (role, url)


def test_anonymous_users_are_sent_to_login(client, world):
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_ppic_reads_but_sees_no_action_buttons(client, make_user, world):
    login(client, make_user, "ppic")
    pages = {
        reverse("warehouse:receipts"): b'data-testid="receipt-form"',
        reverse("warehouse:issue", args=[world["spk"].number]): b'data-testid="issue-all"',
        reverse("warehouse:shortages"): b'data-testid="approve"',
        reverse("warehouse:lot", args=[world["old"].pk]): b'data-testid="adjust-form"',
        reverse("warehouse:home"): b'data-testid="new-receipt"',
    }
    for url, marker in pages.items():
        assert marker not in client.get(url).content, url
    login(client, make_user, "warehouse")
    for url, marker in pages.items():
        assert marker in client.get(url).content, url


def test_a_post_by_ppic_is_403_and_changes_nothing(client, make_user, world):
    login(client, make_user, "ppic")
    before = stock_state()
    material = world["old"].material
    posts = {
        reverse("warehouse:receipts"): {
            "material": material.pk,
            "lot_number": "R-X",
            "dye_lot": "D9",
            "quantity": "5",
            "idempotency_key": "k1",
        },
        reverse("warehouse:issue", args=[world["spk"].number]): {
            "action": "all",
            "idempotency_key": "k2",
        },
        reverse("warehouse:shortage_decide", args=[world["shortage"].pk]): {
            "decision": "approve",
            "idempotency_key": "k3",
        },
        reverse("warehouse:lot", args=[world["old"].pk]): {
            "kind": "write_off",
            "quantity": "1",
            "reason": "wet",
            "idempotency_key": "k4",
        },
    }
    for url, body in posts.items():
        assert client.post(url, body).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url  # the role is checked first
    assert stock_state() == before


@pytest.mark.parametrize("role", OTHERS)
def test_a_post_by_an_operator_is_403(client, make_user, world, role):
    login(client, make_user, role)
    before = stock_state()
    url = reverse("warehouse:issue", args=[world["spk"].number])
    assert client.post(url, {"action": "all", "idempotency_key": "k"}).status_code == 403
    assert stock_state() == before


# --- query budgets: the same whatever the number of rows ----------------------------------------
def many_lots(n_materials=3, lots_each=20):
    clerk = UserFactory(username="gudang", roles=["warehouse"])
    now = timezone.now()
    for m in range(n_materials):
        material = MaterialFactory(code=f"FAB-{m:02d}", kind="fabric")
        for i in range(lots_each):
            StockLot.objects.create(
                material=material,
                lot_number=f"R{m}-{i:03d}",
                dye_lot=f"D{i % 4}",
                received_at=now - timedelta(days=lots_each - i),
                quantity_received=Decimal("10"),
                quantity_on_hand=Decimal("10") if i % 5 else Decimal("0"),
                inspection=StockLot.Inspection.FAILED if i % 7 == 0 else "PASSED",
                inspection_points=Decimal("25") if i % 7 == 0 else Decimal("10"),
                received_by=clerk,
            )


def many_moves(lot, n, user, **fields):
    StockMove.objects.bulk_create(
        StockMove(
            lot=lot, kind=StockMove.Kind.ADJUSTMENT, quantity=Decimal("1"), user=user, **fields
        )
        for _ in range(n)
    )


def many_open_spks(n_mos):
    mos = [released_mo(quantity=100 + i) for i in range(n_mos)]
    receive("FIBER-7D", "F-1", "500", kind="filling", days_ago=5)
    clerk = UserFactory(username="gudang", roles=["warehouse"])
    filling = MaterialFactory(code="FIBER-7D")
    for mo in mos:  # part issued, so the figures come from the ledger
        stock_issue(
            work_order=mo.work_orders.get(department__code="FINISHING"),
            material=filling,
            quantity=Decimal("5"),
            user=clerk,
        )
    return mos


# Queries per page, whatever the number of rows. Every page pays for the layout (session, user,
# roles, the open-alerts badge and banner) and the shortage badge of the warehouse tabs; then
# its own fixed set of queries.
LAYOUT = 5 + 1
BUDGETS = {
    "stock": LAYOUT + 3,  # count, materials with their totals, their lots
    "receipts": LAYOUT + 2,  # latest receipts, the material choices
    "issue_list": LAYOUT + 5,  # count, SPKs, requirements, issued, issued on shortages
    "issue": LAYOUT + 8,  # SPK, requirements, batches, 3 aggregates, issued lots, 2 choices
    "shortages": LAYOUT + 4,  # pending, their stock, count and page of decided ones
    "ledger": LAYOUT + 5,  # material choices and lookup, count, page, newer/older probe
    "low_stock": LAYOUT + 4,  # requirements, issued, stock, materials
    "lot": LAYOUT + 2,  # the lot, its moves
}


@pytest.fixture
def get_within(client, django_assert_max_num_queries):
    """GET a page within its query budget: ``get_within(url, "ledger")``."""

    def get(url, page):
        with django_assert_max_num_queries(BUDGETS[page]):
            response = client.get(url)
        assert response.status_code == 200, url
        return response

    return get


@pytest.mark.parametrize("size", ["few", "many"])
def test_stock_page_query_budget(get_within, client, make_user, size):
    many_lots(n_materials=1 if size == "few" else 3, lots_each=2 if size == "few" else 20)
    login(client, make_user, "warehouse")
    for url in ["/warehouse/", "/warehouse/?f=1", "/warehouse/?f=1&q=R1&kind=fabric"]:
        response = get_within(url, "stock")
    if size == "many":
        assert response.content.count(b'data-testid="lot"') == 20  # all lots of FAB-01
        assert StockLot.objects.count() == 60


@pytest.mark.parametrize("size", ["few", "many"])
def test_ledger_page_query_budget(get_within, client, make_user, size):
    lot = receive("PLUSH-BRN", "R-1", "50", dye_lot="D1")
    many_moves(lot, 3 if size == "few" else 120, UserFactory(username="gudang"))
    login(client, make_user, "warehouse")
    first = get_within("/warehouse/ledger/", "ledger")
    ids = [int(i) for i in re.findall(rb'data-testid="move" data-id="(\d+)"', first.content)]
    filtered = f"/warehouse/ledger/?material=PLUSH-BRN&kind=adjustment&before={ids[-1] + 1}"
    get_within(filtered, "ledger")
    get_within(f"/warehouse/ledger/?after={ids[-1]}", "ledger")


@pytest.mark.parametrize("size", ["few", "many"])
def test_issue_pages_query_budget(get_within, client, make_user, size):
    mos = many_open_spks(1 if size == "few" else 8)
    login(client, make_user, "manager")
    response = get_within("/warehouse/issue/", "issue_list")
    assert response.content.count(b'data-testid="spk"') == 2 * len(mos)
    spk = mos[-1].work_orders.get(department__code="FINISHING")
    get_within(f"/warehouse/issue/{spk.number}/", "issue")


@pytest.mark.parametrize("size", ["few", "many"])
def test_shortage_page_query_budget(get_within, client, make_user, size):
    mos = [released_mo(quantity=100) for _ in range(1 if size == "few" else 5)]
    material = MaterialFactory(code="PLUSH-BRN")
    cutter = UserFactory(username="cutter", roles=["cutting"])
    clerk = UserFactory(username="gudang", roles=["warehouse"])
    for mo in mos:
        for i in range(2 if size == "few" else 6):
            shortage_request_create(
                work_order=cutting_spk(mo),
                material=material,
                quantity=Decimal("1"),
                reason=f"Ply {i} cut wrong",
                user=cutter,
            )
    for shortage in ShortageRequest.objects.order_by("pk")[: len(mos)]:
        shortage_request_decide(shortage=shortage, approve=False, user=clerk, note="Use the end")
    receive("PLUSH-BRN", "R-1", "500", dye_lot="D1")
    login(client, make_user, "warehouse")
    response = get_within("/warehouse/shortages/", "shortages")
    pending = ShortageRequest.objects.filter(status="PENDING").count()
    assert response.content.count(b'data-testid="pending"') == pending
    assert response.content.count(b'data-testid="decided-row"') == len(mos)


@pytest.mark.parametrize("size", ["few", "many"])
def test_low_stock_page_query_budget(get_within, client, make_user, size):
    many_open_spks(1 if size == "few" else 8)
    many_lots(n_materials=1 if size == "few" else 3)
    login(client, make_user, "ppic")
    response = get_within("/warehouse/low-stock/", "low_stock")
    assert response.content.count(b'data-testid="row"') == 2  # plush and filling


def test_receipt_and_lot_pages_query_budget(get_within, client, make_user):
    many_lots()
    lot = StockLot.objects.first()
    many_moves(lot, 120, UserFactory(username="gudang"))
    login(client, make_user, "warehouse")
    get_within("/warehouse/receipts/", "receipts")
    get_within(f"/warehouse/lots/{lot.pk}/", "lot")


# --- receipts -----------------------------------------------------------------------------------
def test_a_receipt_through_the_page_records_the_lot_and_its_inspection(client, make_user):
    material = MaterialFactory(code="PLUSH-BRN", kind="fabric", uom="m")
    clerk = login(client, make_user, "warehouse")
    body = {
        "material": material.pk,
        "lot_number": "R-77",
        "dye_lot": "D7",
        "quantity": "48.5",
        "received_at": "2026-01-05T08:30",
        "inspection_points": "25",  # above the 20-point limit
        "idempotency_key": key_of(client.get("/warehouse/receipts/")),
    }
    response = client.post("/warehouse/receipts/", body)
    assert response.status_code == 302 and response["Location"] == "/warehouse/receipts/"
    lot = StockLot.objects.get(lot_number="R-77")
    assert lot.quantity_on_hand == Decimal("48.5") and lot.dye_lot == "D7"
    assert lot.inspection == StockLot.Inspection.FAILED and lot.received_by == clerk
    assert timezone.localtime(lot.received_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 08:30"
    assert lot.moves.get().kind == StockMove.Kind.RECEIPT
    stock = client.get("/warehouse/?f=1&q=R-77").content.decode()
    assert 'data-state="FAILED"' in stock and 'data-testid="not-issuable"' in stock
    assert "R-77" in client.get("/warehouse/receipts/").content.decode()


def test_a_receipt_without_a_time_is_received_now(client, make_user):
    material = MaterialFactory(code="FIBER-7D", kind="filling", uom="kg")
    login(client, make_user, "manager")
    before = timezone.now()
    body = {"material": material.pk, "lot_number": "F-1", "quantity": "12", "idempotency_key": "a"}
    assert client.post("/warehouse/receipts/", body).status_code == 302
    lot = StockLot.objects.get(lot_number="F-1")
    assert lot.received_at >= before and lot.inspection == StockLot.Inspection.NOT_REQUIRED


def test_fabric_without_a_dye_lot_is_refused_inline(client, make_user):
    material = MaterialFactory(code="PLUSH-BRN", kind="fabric")
    login(client, make_user, "warehouse")
    body = {"material": material.pk, "lot_number": "R-1", "quantity": "0", "idempotency_key": "b"}
    response = client.post("/warehouse/receipts/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("is-invalid") == 2  # dye lot and quantity
    assert not StockLot.objects.exists()


def test_a_lot_received_twice_shows_the_service_sentence_not_a_500(client, make_user):
    lot = receive("PLUSH-BRN", "R-1", "10", dye_lot="D1")
    login(client, make_user, "warehouse")
    body = {
        "material": lot.material.pk,
        "lot_number": "R-1",
        "dye_lot": "D1",
        "quantity": "5",
        "idempotency_key": "c",
    }
    response = client.post("/warehouse/receipts/", body)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="lot_exists"' in html and "R-1" in html
    assert StockLot.objects.count() == 1 and StockMove.objects.count() == 1


# --- issue to an SPK ----------------------------------------------------------------------------
def test_issue_list_shows_what_each_open_spk_still_requires(client, make_user, world):
    clerk = UserFactory(username="gudang", roles=["warehouse"])
    stock_issue(
        work_order=world["spk"], material=world["old"].material, quantity=Decimal("6"), user=clerk
    )
    draft = ManufacturingOrder.objects.create(
        number="MO-DRAFT",
        article=world["mo"].article,
        quantity=5,
        destination=world["mo"].destination,
        due_date=timezone.localdate(),
        route="DIRECT",
        batch_size=5,
        created_by=clerk,
    )
    login(client, make_user, "ppic")
    html = client.get("/warehouse/issue/").content.decode()
    assert draft.number not in html
    spk_block = html[html.index(f'data-number="{world["spk"].number}"') :]
    assert 'data-material="PLUSH-BRN" data-remaining="20.000"' in spk_block  # 26 - 6
    finishing = world["mo"].work_orders.get(department__code="FINISHING")
    assert f'data-number="{finishing.number}"' in html
    cutting_only = client.get("/warehouse/issue/?department=CUTTING").content.decode()
    assert f'data-number="{finishing.number}"' not in cutting_only
    by_material = client.get("/warehouse/issue/?q=fiber-7d").content.decode()
    assert f'data-number="{finishing.number}"' in by_material
    assert f'data-number="{world["spk"].number}"' not in by_material


def test_issue_the_whole_remaining_requirement_through_the_page(client, make_user, world):
    login(client, make_user, "warehouse")
    url = f"/warehouse/issue/{world['spk'].number}/"
    form = client.get(url)
    keys = KEY.findall(form.content.decode())  # the "all" form comes first
    response = client.post(url, {"action": "all", "idempotency_key": keys[0]})
    assert response.status_code == 302 and response["Location"] == url
    # D1 holds only 20 m of the 26 m: the oldest dye lot that covers it whole is D2
    moves = StockMove.objects.filter(kind=StockMove.Kind.ISSUE)
    assert [(m.lot.lot_number, m.quantity) for m in moves] == [("R-NEW", Decimal("-26"))]
    assert moves.get().batch == world["mo"].batches.get()
    page = client.get(url).content.decode()
    assert 'data-testid="issued-lot" data-lot="R-NEW" data-dye-lot="D2"' in page
    assert 'data-material="PLUSH-BRN" data-remaining="0.000"' in page
    assert "R-NEW" in page and "alert-success" in page  # the message names the lot


def test_a_double_submitted_issue_form_issues_once(client, make_user, world):
    login(client, make_user, "warehouse")
    url = f"/warehouse/issue/{world['spk'].number}/"
    key = KEY.findall(client.get(url).content.decode())[1]  # the "one material" form
    body = {
        "action": "one",
        "material": world["old"].material.pk,
        "quantity": "5",
        "idempotency_key": key,
    }
    first = client.post(url, body)
    second = client.post(url, body)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert StockMove.objects.filter(kind=StockMove.Kind.ISSUE).count() == 1
    assert StockLot.objects.get(lot_number="R-OLD").quantity_on_hand == Decimal("15")
    assert second["Idempotent-Replayed"] == "true"  # the first answer, again
    # the same key with other values is refused, not replayed
    other = client.post(url, {**body, "quantity": "2"})
    assert other.status_code == 409
    assert StockMove.objects.filter(kind=StockMove.Kind.ISSUE).count() == 1


def test_issuing_more_than_required_shows_the_service_sentence(client, make_user, world):
    login(client, make_user, "warehouse")
    url = f"/warehouse/issue/{world['spk'].number}/"
    body = {
        "action": "one",
        "material": world["old"].material.pk,
        "quantity": "30",
        "idempotency_key": "k-exceeds",
    }
    response = client.post(url, body)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="exceeds_requirement"' in html and "PLUSH-BRN" in html
    assert not StockMove.objects.filter(kind=StockMove.Kind.ISSUE).exists()
    # refused requests leave no record: the corrected form may be sent again
    assert client.post(url, {**body, "quantity": "3"}).status_code == 302


def test_insufficient_stock_is_shown_and_issues_nothing(client, make_user):
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "15", dye_lot="D1")
    login(client, make_user, "warehouse")
    before = stock_state()
    url = f"/warehouse/issue/{cutting_spk(mo).number}/"
    response = client.post(url, {"action": "all", "idempotency_key": "k-short"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="insufficient_stock"' in html and "PLUSH-BRN" in html
    assert stock_state() == before


def test_issue_one_material_for_a_batch(client, make_user):
    mo = released_mo(quantity=100, batch_size=50)
    receive("PLUSH-BRN", "R-1", "40", dye_lot="D1")
    login(client, make_user, "warehouse")
    spk = cutting_spk(mo)
    batch = mo.batches.get(sequence=2)
    url = f"/warehouse/issue/{spk.number}/"
    assert b'name="batch"' in client.get(url).content
    body = {
        "action": "one",
        "material": StockLot.objects.get().material_id,
        "quantity": "13",
        "batch": batch.pk,
        "idempotency_key": "k-batch",
    }
    assert client.post(url, body).status_code == 302
    assert StockMove.objects.get(kind=StockMove.Kind.ISSUE).batch == batch


def test_one_material_form_needs_material_and_quantity(client, make_user, world):
    login(client, make_user, "warehouse")
    url = f"/warehouse/issue/{world['spk'].number}/"
    response = client.post(url, {"action": "one", "idempotency_key": "k"})
    assert response.status_code == 400
    assert response.content.decode().count("is-invalid") == 2
    assert client.get("/warehouse/issue/SPK-NOPE/").status_code == 404


def test_a_closed_spk_shows_no_issue_form(client, make_user, world):
    WorkOrder.objects.filter(pk=world["spk"].pk).update(status=WorkOrder.Status.DONE)
    login(client, make_user, "warehouse")
    html = client.get(f"/warehouse/issue/{world['spk'].number}/").content.decode()
    assert 'data-testid="closed"' in html and 'data-testid="issue-all"' not in html


# --- shortage requests --------------------------------------------------------------------------
def test_approving_a_shortage_request_issues_fifo_and_shows_who(client, make_user, world):
    clerk = login(client, make_user, "warehouse")
    html = client.get("/warehouse/shortages/").content.decode()
    assert f'data-testid="pending" data-id="{world["shortage"].pk}"' in html
    url = f"/warehouse/shortages/{world['shortage'].pk}/decide/"
    body = {"decision": "approve", "note": "", "idempotency_key": "k-approve"}
    response = client.post(url, body)
    assert response.status_code == 302 and response["Location"] == "/warehouse/shortages/"
    assert client.post(url, body).status_code == 302  # double submit: once
    shortage = ShortageRequest.objects.get()
    assert shortage.status == "APPROVED" and shortage.decided_by == clerk
    move = StockMove.objects.get(shortage=shortage)
    assert move.lot.lot_number == "R-OLD" and move.quantity == Decimal("-3")  # oldest dye lot
    page = client.get("/warehouse/shortages/").content.decode()
    assert 'data-testid="pending"' not in page
    assert f'data-testid="decided-row" data-id="{shortage.pk}" data-status="APPROVED"' in page
    assert clerk.get_full_name() in page
    # issued on a shortage request: not counted against the requirement
    assert selectors.issued_per_requirement(work_order_ids=[world["spk"].pk]) == {}


def test_refusing_needs_a_note_and_records_it(client, make_user, world):
    login(client, make_user, "manager")
    url = f"/warehouse/shortages/{world['shortage'].pk}/decide/"
    response = client.post(url, {"decision": "refuse", "note": " ", "idempotency_key": "k1"})
    assert response.status_code == 400 and b"is-invalid" in response.content
    assert ShortageRequest.objects.get().status == "PENDING"
    note = "Use the leftover of R-OLD"
    response = client.post(url, {"decision": "refuse", "note": note, "idempotency_key": "k2"})
    assert response.status_code == 302
    shortage = ShortageRequest.objects.get()
    assert shortage.status == "REFUSED" and shortage.decision_note == note
    assert not StockMove.objects.filter(shortage=shortage).exists()
    assert note in client.get("/warehouse/shortages/").content.decode()
    again = client.post(url, {"decision": "approve", "idempotency_key": "k3"})
    assert again.status_code == 409 and b'data-code="invalid_transition"' in again.content


def test_approving_without_stock_keeps_the_request_pending(client, make_user, world):
    big = shortage_request_create(
        work_order=world["spk"],
        material=world["old"].material,
        quantity=Decimal("100"),
        reason="Whole lay spoiled",
        user=world["shortage"].requested_by,
    )
    login(client, make_user, "warehouse")
    response = client.post(
        f"/warehouse/shortages/{big.pk}/decide/",
        {"decision": "approve", "idempotency_key": "k-big"},
    )
    assert response.status_code == 409
    assert b'data-code="insufficient_stock"' in response.content
    big.refresh_from_db()
    assert big.status == "PENDING" and not StockMove.objects.filter(shortage=big).exists()


# --- adjustment / write-off ---------------------------------------------------------------------
def test_write_off_and_correction_of_a_lot(client, make_user, world):
    login(client, make_user, "warehouse")
    lot = world["new"]
    url = f"/warehouse/lots/{lot.pk}/"
    body = {"kind": "write_off", "quantity": "5", "reason": "Water damage", "idempotency_key": "w1"}
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # double submit: once
    body = {"kind": "adjustment", "quantity": "-1.5", "reason": "Recount", "idempotency_key": "w2"}
    assert client.post(url, body).status_code == 302
    lot.refresh_from_db()
    assert lot.quantity_on_hand == Decimal("33.5")
    moves = list(lot.moves.exclude(kind="receipt").order_by("id").values_list("kind", "quantity"))
    assert moves == [("write_off", Decimal("-5")), ("adjustment", Decimal("-1.5"))]
    html = client.get(url).content.decode()
    assert "Water damage" in html and 'data-kind="write_off"' in html


def test_writing_off_more_than_on_hand_is_refused(client, make_user, world):
    login(client, make_user, "manager")
    url = f"/warehouse/lots/{world['old'].pk}/"
    body = {"kind": "write_off", "quantity": "25", "reason": "Lost", "idempotency_key": "w"}
    response = client.post(url, body)
    assert response.status_code == 409 and b'data-code="insufficient_stock"' in response.content
    missing = client.post(url, {"kind": "write_off", "quantity": "1", "idempotency_key": "x"})
    assert missing.status_code == 400
    signed = client.post(url, {**body, "quantity": "-2", "idempotency_key": "y"})
    assert signed.status_code == 400
    world["old"].refresh_from_db()
    assert world["old"].quantity_on_hand == Decimal("20")


# --- stock ledger: keyset pages, filters, export ------------------------------------------------
@pytest.fixture
def ledger_rows(monkeypatch, world):
    """120 adjustments of PLUSH-BRN spread over 12 days, plus other moves that filters drop."""
    clerk = UserFactory(username="gudang", roles=["warehouse"])
    filling = receive("FIBER-7D", "F-1", "100", kind="filling")
    start = timezone.now() - timedelta(days=12)
    for day in range(12):
        monkeypatch.setattr("django.utils.timezone.now", lambda d=day: start + timedelta(days=d))
        for i in range(10):
            lot = world["old"] if i % 2 else world["new"]
            stock_adjust(lot=lot, quantity=Decimal("1"), reason=f"count {day}-{i}", user=clerk)
        stock_adjust(lot=filling, quantity=Decimal("1"), reason="other material", user=clerk)
    monkeypatch.undo()
    stock_issue(work_order=world["spk"], user=clerk)  # an issue of PLUSH-BRN: another kind
    return start


def ledger_ids(response) -> list[int]:
    return [int(i) for i in re.findall(rb'data-testid="move" data-id="(\d+)"', response.content)]


def link(response, testid) -> str | None:
    found = re.search(rf'href="\?([^"]*)" data-testid="{testid}"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def test_ledger_pages_by_keyset_through_exactly_the_filtered_rows(client, make_user, ledger_rows):
    login(client, make_user, "ppic")
    query = "material=PLUSH-BRN&kind=adjustment"
    expected = list(
        StockMove.objects.filter(lot__material__code="PLUSH-BRN", kind="adjustment")
        .order_by("-id")
        .values_list("id", flat=True)
    )
    assert len(expected) == 120
    seen, pages, url = [], [], f"/warehouse/ledger/?{query}"
    while url:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert not any("OFFSET" in q["sql"].upper() for q in ctx.captured_queries)
        assert b'data-testid="count">120 ' in response.content
        pages.append(response)
        seen += ledger_ids(response)
        older = link(response, "older")
        url = f"/warehouse/ledger/?{older}" if older else None
    assert seen == expected and len(pages) == 3  # 50 + 50 + 20
    assert "before=" in link(pages[0], "older") and "material=PLUSH-BRN" in link(pages[0], "older")
    assert link(pages[0], "newer") is None
    back = client.get(f"/warehouse/ledger/?{link(pages[1], 'newer')}")
    assert ledger_ids(back) == expected[:50] and link(back, "newer") is None


def test_ledger_filters_by_spk_and_dates(client, make_user, world, ledger_rows):
    login(client, make_user, "warehouse")
    by_spk = client.get(f"/warehouse/ledger/?work_order={world['spk'].number}")
    assert ledger_ids(by_spk) == list(
        StockMove.objects.filter(work_order=world["spk"]).values_list("id", flat=True)
    )
    day = timezone.localtime(ledger_rows + timedelta(days=3)).date()
    response = client.get(f"/warehouse/ledger/?date_from={day}&date_to={day}&kind=adjustment")
    ids = ledger_ids(response)
    assert len(ids) == 11  # 10 plush + 1 filling adjustments of that day
    wrong = client.get(f"/warehouse/ledger/?date_from={day}&date_to={day - timedelta(days=1)}")
    assert wrong.status_code == 400 and b"is-invalid" in wrong.content


def test_ledger_export_has_exactly_the_filtered_rows(client, make_user, world, ledger_rows):
    login(client, make_user, "manager")
    query = "material=PLUSH-BRN&kind=adjustment"
    expected = [
        str(i)
        for i in StockMove.objects.filter(lot__material__code="PLUSH-BRN", kind="adjustment")
        .order_by("-id")
        .values_list("id", flat=True)
    ]
    page = client.get(f"/warehouse/ledger/?{query}")
    assert link(page, "export-csv") == f"{query}&export=csv"
    response = client.get(f"/warehouse/ledger/?{query}&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "at", "kind"]
    assert [r[0] for r in rows[1:]] == expected
    assert {r[3] for r in rows[1:]} == {"PLUSH-BRN"} and {r[2] for r in rows[1:]} == {"adjustment"}

    response = client.get(f"/warehouse/ledger/?{query}&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert [str(v[0]) for v in values[1:]] == expected
    assert {v[6] for v in values[1:]} == {1}
    assert client.get(f"/warehouse/ledger/?{query}&export=pdf").status_code == 400


# --- low stock ----------------------------------------------------------------------------------
def test_low_stock_equals_a_hand_computation(client, make_user):
    clerk = UserFactory(username="gudang", roles=["warehouse"])
    mo1 = released_mo(quantity=100)  # plush 26.000 m (cutting), filling 12.240 kg (finishing)
    mo2 = released_mo(quantity=50)  # plush 13.000 m, filling 6.120 kg
    done = released_mo(quantity=10)  # its cutting SPK is done: not counted
    WorkOrder.objects.filter(pk=cutting_spk(done).pk).update(status=WorkOrder.Status.DONE)
    cancelled = released_mo(quantity=10)  # a cancelled MO: not counted
    ManufacturingOrder.objects.filter(pk=cancelled.pk).update(status="CANCELLED")
    receive("PLUSH-BRN", "R-1", "20", dye_lot="D1", days_ago=5)
    receive("PLUSH-BRN", "R-2", "15", dye_lot="D2", days_ago=4)
    receive("PLUSH-BRN", "R-BAD", "50", dye_lot="D3", days_ago=3, points="35")  # failed roll
    receive("FIBER-7D", "F-1", "40", kind="filling", days_ago=3)
    plush = MaterialFactory(code="PLUSH-BRN")
    # mo1 cutting: 10 m issued, 2 m returned → net 8; mo2 cutting: 13 m issued (complete)
    stock_issue(work_order=cutting_spk(mo1), material=plush, quantity=Decimal("10"), user=clerk)
    StockMove.objects.create(
        lot=StockLot.objects.get(lot_number="R-1"),
        kind=StockMove.Kind.RETURN,
        quantity=Decimal("2"),
        work_order=cutting_spk(mo1),
        user=clerk,
    )
    StockLot.objects.filter(lot_number="R-1").update(quantity_on_hand=Decimal("12"))
    stock_issue(work_order=cutting_spk(mo2), user=clerk)  # 13 m from D2
    # a shortage issue does not reduce what the SPK still requires
    shortage = shortage_request_create(
        work_order=cutting_spk(mo1), material=plush, quantity=Decimal("1"), reason="x", user=clerk
    )
    shortage_request_decide(shortage=shortage, approve=True, user=clerk)
    # filling: mo1 finishing got 4 kg
    filling = MaterialFactory(code="FIBER-7D")
    finishing1 = mo1.work_orders.get(department__code="FINISHING")
    stock_issue(work_order=finishing1, material=filling, quantity=Decimal("4"), user=clerk)

    # by hand
    plush_required = Decimal("26.000") - Decimal("8")  # mo1; mo2 complete
    plush_on_hand = Decimal("12") - Decimal("1") + Decimal("15") - Decimal("13")  # R-BAD excluded
    # mo1 finishing 12.240 - 4, mo2 finishing 6.120, the done MO's finishing SPK 1.224
    filling_required = Decimal("12.240") - Decimal("4") + Decimal("6.120") + Decimal("1.224")
    filling_on_hand = Decimal("40") - Decimal("4")

    rows = {row.material.code: row for row in selectors.low_stock_list()}
    assert rows["PLUSH-BRN"].required == plush_required == Decimal("18")
    assert rows["PLUSH-BRN"].on_hand == plush_on_hand == Decimal("13")
    assert rows["PLUSH-BRN"].blocked == Decimal("50")
    assert rows["PLUSH-BRN"].shortfall == Decimal("5") and rows["PLUSH-BRN"].work_orders == 1
    assert rows["FIBER-7D"].required == filling_required == Decimal("15.584")
    assert rows["FIBER-7D"].on_hand == filling_on_hand and rows["FIBER-7D"].shortfall == 0
    assert rows["FIBER-7D"].work_orders == 3

    login(client, make_user, "ppic")
    html = client.get("/warehouse/low-stock/").content.decode()
    assert (
        'data-material="PLUSH-BRN" data-required="18.000" data-on-hand="13.000" '
        'data-shortfall="5.000" class="table-danger"'
    ) in html
    assert 'data-testid="shortfall"' in html
    short_only = client.get("/warehouse/low-stock/?short=on").content.decode()
    assert "PLUSH-BRN" in short_only and 'data-material="FIBER-7D"' not in short_only


# --- a double tap arriving at once (threads on PostgreSQL) --------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_submits_of_one_issue_form_issue_once():
    mo = released_mo(quantity=100)
    receive("PLUSH-BRN", "R-1", "50", dye_lot="D1")
    clerk = UserFactory(username="gudang", roles=["warehouse"])
    url = f"/warehouse/issue/{cutting_spk(mo).number}/"
    body = {"action": "all", "idempotency_key": "double-tap"}
    clients = []
    for _ in range(5):
        c = Client()
        c.force_login(clerk)
        clients.append(c)

    results, errors = run_concurrently([lambda c=c: c.post(url, body) for c in clients])

    assert errors == [None] * 5
    assert {r.status_code for r in results} == {302}
    assert {r["Location"] for r in results} == {url}
    assert StockMove.objects.filter(kind=StockMove.Kind.ISSUE).count() == 1
    assert StockLot.objects.get().quantity_on_hand == Decimal("24")


def test_a_filter_change_from_htmx_gets_only_the_results(client, make_user, world):
    login(client, make_user, "warehouse")
    for url in [
        "/warehouse/?f=1&q=R-OLD",
        "/warehouse/issue/?q=SPK",
        "/warehouse/ledger/?kind=receipt",
    ]:
        partial = client.get(url, headers={"HX-Request": "true"})
        html = partial.content.decode()
        assert partial.status_code == 200 and html.lstrip().startswith('<div id="results">'), url
        assert "<html" not in html and "HX-Request" in partial["Vary"]
        restore = client.get(
            url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        assert b"<html" in restore.content
