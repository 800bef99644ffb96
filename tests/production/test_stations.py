"""The "Record work" tab of the cutting, embroidery and sewing stations: each form calls its
service through the station, a double submit records once, refusals are a sentence with a 4xx
and change nothing, other departments are refused, and the page keeps a fixed query budget."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cutting.models import CutRecord
from embroidery.models import EmbroideryRecord
from ppic.models import Material
from quality.models import DefectCode, Inspection
from sewing.models import StageRecord
from tests.transfers.helpers import balance, cut, dept, line, released_batches, users
from tests.warehouse.helpers import receive
from transfers import services
from transfers.ledger import Bucket, Move, wip_moves
from transfers.models import Hold, Transfer
from warehouse.models import ShortageRequest
from warehouse.services import stock_issue

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


def spk_of(batch, code="CUTTING"):
    return batch.mo.work_orders.get(department__code=code)


def hand_over(batch, cast, *, to, to_line, quantity, receiver):
    """Cut units sent from cutting and accepted by ``receiver`` on ``to_line``."""
    t = services.transfer_prepare(
        batch=batch, from_department=dept("CUTTING"), to_department=dept(to),
        from_line=line("CUT-1"), to_line=line(to_line), quantity=quantity, user=cast["cutting"],
    )  # fmt: skip
    services.transfer_accept(slip_code=t.slip_code, quantity_received=quantity, user=receiver)
    return t


def place(batch, to, to_line, quantity):
    """Cut units put straight on a line (what an accepted transfer does), for many batches on one
    line without the line-clearance rule."""
    wip_moves(
        [Move(batch, Bucket(dept("CUTTING"), "ready", line("CUT-1")),
              Bucket(dept(to), "available", line(to_line)), quantity)],
        reason="test", user=users()["manager"],
    )  # fmt: skip


def level(response):
    return re.search(r'data-testid="result" data-level="(\w+)"', response.content.decode()).group(1)


# --- cutting ----------------------------------------------------------------------------------
@pytest.fixture
def issued(cast):
    """A batch of 100 with lot R-1 issued to its cutting SPK; R-X received, never issued."""
    (batch,) = released_batches(quantity=100)
    lot = receive("PLUSH-BRN", "R-1", "30", dye_lot="D1", days_ago=2)
    foreign = receive("PLUSH-BRN", "R-X", "30", dye_lot="D1", days_ago=1)
    stock_issue(
        work_order=spk_of(batch), material=lot.material, quantity=Decimal("26"),
        user=users()["manager"],
    )  # fmt: skip
    return batch, lot, foreign


def test_cutting_records_a_lay_with_issued_lots_once(client, cast, issued):
    batch, lot, foreign = issued
    as_user(client, cast["cutting"])
    page = client.get("/cutting/?line=CUT-1").content.decode()
    assert 'data-testid="lay-form"' in page and spk_of(batch).number in page
    assert "R-1" in page and "R-X" not in page  # only the lots issued to the SPK
    assert 'max="8"' in page  # the plies setting
    form = {"batch": batch.number, "quantity": 60, "plies": 6, "lots": [lot.pk], "line": "CUT-1",
            "idempotency_key": key(page)}  # fmt: skip
    first = client.post("/cutting/record/lay/", form)
    second = client.post("/cutting/record/lay/", form)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    html = first.content.decode()
    assert level(first) == "success" and "40 pcs left to cut" in html
    record = CutRecord.objects.get()
    assert record.quantity == 60 and record.plies == 6 and list(record.lots.all()) == [lot]
    assert record.line.code == "CUT-1" and record.user == cast["cutting"]
    assert balance(batch, "CUTTING", "ready", "CUT-1") == 60
    assert 'data-testid="result-link"' in html  # bundle tickets exist in this build
    assert f"/cutting/bundles/{record.pk}/tickets/" in html


def test_cutting_refusals_are_sentences_and_change_nothing(client, cast, issued):
    batch, lot, foreign = issued
    as_user(client, cast["cutting"])
    lay = "/cutting/record/lay/"
    beyond = client.post(lay, {"batch": batch.number, "quantity": 101, "line": "CUT-1"})
    assert beyond.status_code == 409 and level(beyond) == "danger"
    not_issued = client.post(lay, {"batch": batch.number, "quantity": 10, "lots": [foreign.pk]})
    assert not_issued.status_code == 409 and "R-X was not issued" in not_issued.content.decode()
    plies = client.post(lay, {"batch": batch.number, "quantity": 10, "plies": 9})
    assert plies.status_code == 400 and "at most 8 plies" in plies.content.decode()
    for bad in (
        {"batch": batch.number, "quantity": "lots"},
        {"batch": batch.number, "quantity": ""},
        {"batch": batch.number, "quantity": 0},
        {"batch": "NOPE", "quantity": 5},
        {"batch": batch.number, "quantity": 5, "plies": "x"},
        {"batch": batch.number, "quantity": 5, "lots": ["abc"]},
        {"batch": batch.number, "quantity": 5, "lots": [999999]},
    ):
        response = client.post(lay, bad)
        assert response.status_code == 400, bad
        assert level(response) == "danger"
    assert CutRecord.objects.count() == 0 and balance(batch, "CUTTING", "ready") == 0


def test_cutting_requests_a_shortage_from_the_station(client, cast, issued):
    batch, lot, _foreign = issued
    spk = spk_of(batch)
    as_user(client, cast["cutting"])
    page = client.get("/cutting/").content.decode()
    assert 'data-testid="shortage-form"' in page
    form = {"spk": spk.pk, "material": lot.material.pk, "quantity": "5,5", "reason": "Roll torn",
            "idempotency_key": "short-1"}  # fmt: skip
    ok = client.post("/cutting/record/shortage/", form)
    again = client.post("/cutting/record/shortage/", form)
    assert ok.status_code == 200 and level(ok) == "success" and again.status_code == 200
    shortage = ShortageRequest.objects.get()
    assert shortage.quantity == Decimal("5.5") and shortage.requested_by == cast["cutting"]
    filling = Material.objects.get(code="FIBER-7D")  # finishing's material, not cutting's
    other = client.post(
        "/cutting/record/shortage/",
        {"spk": spk.pk, "material": filling.pk, "quantity": "1", "reason": "x"},
    )
    assert other.status_code == 400 and "does not use FIBER-7D" in other.content.decode()
    for bad in (
        {"spk": spk.pk, "material": lot.material.pk, "quantity": "many", "reason": "x"},
        {"spk": spk.pk, "material": lot.material.pk, "quantity": "-1", "reason": "x"},
        {"spk": spk.pk, "material": lot.material.pk, "quantity": "1", "reason": " "},
        {"spk": spk_of(batch, "SEWING").pk, "material": lot.material.pk, "quantity": "1",
         "reason": "x"},
        {"spk": "", "material": lot.material.pk, "quantity": "1", "reason": "x"},
    ):  # fmt: skip
        assert client.post("/cutting/record/shortage/", bad).status_code == 400, bad
    assert ShortageRequest.objects.count() == 1


# --- sewing -----------------------------------------------------------------------------------
@pytest.fixture
def on_sew_line(cast):
    (batch,) = released_batches(quantity=100)
    cut(batch, 100)
    hand_over(batch, cast, to="SEWING", to_line="SEW-1", quantity=100, receiver=cast["sewing"])
    return batch


def stage(client, batch, name, quantity, **extra):
    return client.post(
        "/sewing/record/stage/",
        {"batch": batch.number, "stage": name, "quantity": quantity, "line": "SEW-1", **extra},
    )


def selected_stage(html):
    return re.search(r'<option value="(\w+)" selected>', html.split('data-testid="stage-form"')[1])


def test_sewing_stages_through_the_station_never_beyond_the_stage_before(client, cast, on_sew_line):
    batch = on_sew_line
    as_user(client, cast["sewing"])
    page = client.get("/sewing/?line=SEW-1").content.decode()
    assert selected_stage(page).group(1) == "assembly" and 'value="100"' in page
    first = stage(client, batch, "assembly", 100, idempotency_key=key(page))
    again = stage(client, batch, "assembly", 100, idempotency_key=key(page))
    assert first.status_code == again.status_code == 200 and level(first) == "success"
    assert again["Idempotent-Replayed"] == "true"
    assert StageRecord.objects.get().quantity == 100
    assert selected_stage(first.content.decode()).group(1) == "labeling"
    beyond = stage(client, batch, "loop_stitch", 1)
    assert beyond.status_code == 409 and "only 0 are Labeling" in beyond.content.decode()
    assert stage(client, batch, "labeling", 100).status_code == 200
    over = stage(client, batch, "loop_stitch", 101)
    assert over.status_code == 409 and level(over) == "danger"
    for bad in ({"stage": "ironing", "quantity": 5}, {"stage": "loop_stitch", "quantity": "x"},
                {"stage": "loop_stitch", "quantity": -2}):  # fmt: skip
        response = client.post("/sewing/record/stage/", {"batch": batch.number, **bad})
        assert response.status_code == 400, bad
    assert StageRecord.objects.count() == 2 and balance(batch, "SEWING", "ready") == 0
    done = stage(client, batch, "loop_stitch", 100)
    assert done.status_code == 200 and balance(batch, "SEWING", "ready", "SEW-1") == 100


def qc(client, batch, **fields):
    return client.post(
        "/sewing/record/inline-qc/", {"batch": batch.number, "line": "SEW-1", **fields}
    )


def test_inline_qc_red_holds_the_batch_until_the_full_recheck(client, cast, on_sew_line):
    batch = on_sew_line
    as_user(client, cast["sewing"])
    stage(client, batch, "assembly", 100)
    stage(client, batch, "labeling", 100)
    stage(client, batch, "loop_stitch", 50)
    page = client.get("/sewing/?line=SEW-1").content.decode()
    assert 'name="checked" type="number" inputmode="numeric" min="1" value="7"' in page
    assert 'data-testid="qc-recheck"' not in page
    seam, stain = DefectCode.objects.get(code="OPEN_SEAM"), DefectCode.objects.get(code="STAIN")
    red = qc(client, batch, checked=7, rework=2, scrap=0, idempotency_key="qc-1",
             defect_code=[seam.pk, stain.pk, ""], defect_count=[1, 1, ""])  # fmt: skip
    replay = qc(client, batch, checked=7, rework=2, scrap=0, idempotency_key="qc-1",
                defect_code=[seam.pk, stain.pk, ""], defect_count=[1, 1, ""])  # fmt: skip
    assert red.status_code == replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    html = red.content.decode()
    assert level(red) == "danger" and 'data-light="RED"' in html and "● Red" in html
    assert Inspection.objects.count() == 1 and balance(batch, "SEWING", "rework") == 2
    assert Hold.objects.filter(batch=batch, released_at__isnull=True).count() == 1
    assert 'data-testid="qc-recheck"' in html  # the full-recheck box appears
    sent = client.post(
        "/sewing/send/",
        {"batch": batch.number, "quantity": 50, "to_line": "FIN-1", "from_line": "SEW-1"},
    )
    assert sent.status_code == 409 and Transfer.objects.filter(batch=batch).count() == 1
    recheck = qc(client, batch, checked=98, rework=0, scrap=0, recheck="1")
    assert recheck.status_code == 200 and 'data-light="GREEN"' in recheck.content.decode()
    assert not Hold.objects.filter(batch=batch, released_at__isnull=True).exists()
    sent = client.post(
        "/sewing/send/",
        {"batch": batch.number, "quantity": 50, "to_line": "FIN-1", "from_line": "SEW-1"},
    )
    assert sent.status_code == 200 and level(sent) == "success"


def test_inline_qc_bad_input_is_400_and_records_nothing(client, cast, on_sew_line):
    batch = on_sew_line
    as_user(client, cast["sewing"])
    seam = DefectCode.objects.get(code="OPEN_SEAM")
    for bad in (
        {"checked": "seven"},
        {"checked": ""},
        {"checked": 7, "rework": 5, "scrap": 3},
        {"checked": 7, "rework": "x"},
        {"checked": 7, "defect_code": [seam.pk], "defect_count": ["two"]},
        {"checked": 7, "defect_code": [seam.pk], "defect_count": [0]},
        {"checked": 7, "defect_code": [999999], "defect_count": [1]},
        {"checked": 7, "defect_code": [""], "defect_count": [2]},
    ):
        response = qc(client, batch, **bad)
        assert response.status_code == 400, bad
        assert level(response) == "danger"
    too_much = qc(client, batch, checked=200, rework=150)
    assert too_much.status_code == 409  # more rework than on the line: the ledger refuses
    assert Inspection.objects.count() == 0 and balance(batch, "SEWING", "rework") == 0


# --- embroidery -------------------------------------------------------------------------------
@pytest.fixture
def at_embroidery(cast):
    (batch,) = released_batches(quantity=100, route="FULL")
    cut(batch, 100)
    hand_over(
        batch, cast, to="EMBROIDERY", to_line="EMB-1", quantity=100, receiver=cast["embroidery"]
    )
    return batch


def test_embroidery_records_good_rework_and_scrap_once(client, cast, at_embroidery):
    batch = at_embroidery
    as_user(client, cast["embroidery"])
    page = client.get("/embroidery/").content.decode()
    assert 'data-testid="embroidery-form"' in page and "100 pcs to embroider" in page
    form = {"batch": batch.number, "quantity": 90, "rework": 6, "scrap": 4, "line": "EMB-1",
            "idempotency_key": key(page)}  # fmt: skip
    first = client.post("/embroidery/record/output/", form)
    again = client.post("/embroidery/record/output/", form)
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert level(first) == "warning" and "90 pcs embroidered" in first.content.decode()
    assert EmbroideryRecord.objects.count() == 1
    assert balance(batch, "EMBROIDERY", "ready") == 90
    assert balance(batch, "EMBROIDERY", "rework") == 6
    assert balance(batch, "EMBROIDERY", "scrap") == 4
    beyond = client.post("/embroidery/record/output/", {"batch": batch.number, "quantity": 1})
    assert beyond.status_code == 409 and level(beyond) == "danger"
    for bad in ({"quantity": "x"}, {"quantity": 0, "rework": 0}, {"quantity": -1},
                {"batch": "NOPE", "quantity": 1}):  # fmt: skip
        response = client.post("/embroidery/record/output/", {"batch": batch.number, **bad})
        assert response.status_code == 400, bad
    assert EmbroideryRecord.objects.count() == 1


# --- roles ------------------------------------------------------------------------------------
def test_other_departments_operators_are_refused(client, cast, at_embroidery):
    batch = at_embroidery
    attempts = [
        ("sewing", "/cutting/record/lay/", {"batch": batch.number, "quantity": 1}),
        ("embroidery", "/cutting/record/shortage/", {"spk": 1, "material": 1, "quantity": 1}),
        ("cutting", "/embroidery/record/output/", {"batch": batch.number, "quantity": 1}),
        (
            "finishing",
            "/sewing/record/stage/",
            {"batch": batch.number, "stage": "assembly", "quantity": 1},
        ),  # fmt: skip
        ("embroidery", "/sewing/record/inline-qc/", {"batch": batch.number, "checked": 7}),
    ]
    for who, url, form in attempts:
        as_user(client, cast[who])
        assert client.post(url, form).status_code == 403, (who, url)
    assert not CutRecord.objects.exists() and not EmbroideryRecord.objects.exists()
    assert not StageRecord.objects.exists() and not Inspection.objects.exists()
    as_user(client, cast["embroidery"])
    assert client.get("/embroidery/record/output/").status_code == 405


# --- query budget -----------------------------------------------------------------------------
BUDGET = 22  # the station shell budget of tests/transfers/test_stations.py


def queries(client, url):
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_record_tabs_keep_a_query_budget_independent_of_the_rows(client, cast):
    few = released_batches(quantity=20, batch_size=10, article="BEAR-20")
    for b in few:
        cut(b, 10)
        place(b, "SEWING", "SEW-2", 5)  # some left in cutting: both pages have rows
    counts = {}
    for who, url in (("cutting", "/cutting/?line=CUT-1"), ("sewing", "/sewing/?line=SEW-2")):
        as_user(client, cast[who])
        counts[url] = queries(client, url)
    many = released_batches(quantity=300, batch_size=10, article="BEAR-30", destination="US-X",
                            country="US")  # fmt: skip
    for b in many[:12]:
        cut(b, 10)
        place(b, "SEWING", "SEW-2", 10)
    for b in many[12:]:
        cut(b, 5)
    for who, url in (("cutting", "/cutting/?line=CUT-1"), ("sewing", "/sewing/?line=SEW-2")):
        as_user(client, cast[who])
        n = queries(client, url)
        assert n == counts[url] and n <= BUDGET, (url, counts[url], n)
    (full,) = released_batches(quantity=40, route="FULL", article="BEAR-F")
    cut(full, 40)
    place(full, "EMBROIDERY", "EMB-1", 40)
    as_user(client, cast["embroidery"])
    one = queries(client, "/embroidery/")
    more = released_batches(quantity=100, batch_size=10, route="FULL", article="BEAR-G")
    for b in more:
        cut(b, 10)
        place(b, "EMBROIDERY", "EMB-1", 10)
    assert queries(client, "/embroidery/") == one <= BUDGET
