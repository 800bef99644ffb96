"""The finishing station's "Record work" tab: the line's detector panel with the 9-point check,
and per batch stuffing weights, the detector scan, physical QC and conversion to FG. Each form
records once on a double submit, bad input is a 400 sentence that changes nothing, a scan
without a passing check is a 409 sentence, a failed check quarantines, other departments are
refused, and the page keeps the same number of queries whatever the batches on the line."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finishing.models import Detector, DetectorCheck, DetectorScan, FgConversion, StuffingRecord
from finishing.services import detector_check_record, progress
from quality.models import DefectCode, Inspection, Quarantine
from tests.transfers.helpers import balance, cut, dept, line, released_batches, users
from transfers import services
from transfers.ledger import Bucket, Move, wip_moves

pytestmark = [pytest.mark.django_db]

PAGE = "/finishing/?line=FIN-1"


@pytest.fixture
def cast():
    return users()


def as_user(client, user):
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def key(html, form):
    """The idempotency key of the first ``form`` (its data-testid) on the page."""
    part = html.split(f'data-testid="{form}"', 1)[1]
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', part).group(1)


def level(response):
    return re.search(r'data-testid="result" data-level="(\w+)"', response.content.decode()).group(1)


def text(response):
    html = response.content.decode()
    return re.search(r'data-testid="result".*?<span>(.*?)</span>', html, re.S).group(1)


def at_finishing(batch, quantity, cast, *, to_line="FIN-1"):
    """Units cut, sewn (placed past loop stitch) and sent SEWING → FINISHING, accepted there."""
    cut(batch, quantity)
    wip_moves(
        [Move(batch, Bucket(dept("CUTTING"), "ready", line("CUT-1")),
              Bucket(dept("SEWING"), "ready", line("SEW-1")), quantity)],
        reason="test", user=cast["manager"],
    )  # fmt: skip
    t = services.transfer_prepare(
        batch=batch, from_department=dept("SEWING"), to_department=dept("FINISHING"),
        from_line=line("SEW-1"), to_line=line(to_line), quantity=quantity, user=cast["sewing"],
    )  # fmt: skip
    services.transfer_accept(slip_code=t.slip_code, quantity_received=quantity,
                             user=cast["finishing"])  # fmt: skip
    return batch


@pytest.fixture
def batch(cast):
    (b,) = released_batches(quantity=100)
    return at_finishing(b, 100, cast)


def md1():
    return Detector.objects.get(code="MD-1")


def passing_check(cast):
    return detector_check_record(
        detector=md1(), test_piece_mm="1.2", points_detected=9, user=cast["finishing"]
    )


ALL_POINTS = [f"{h}-{s}" for h in ("h10", "h5", "belt") for s in ("left", "centre", "right")]


def post(client, url, **form):
    return client.post(f"/finishing/record/{url}/", {"line": "FIN-1", **form})


def stuff(client, batch, quantity, weights, **extra):
    return post(client, "stuffing", batch=batch.number, quantity=quantity,
                sample_weights_g=weights, **extra)  # fmt: skip


def scan(client, batch, passed, failed=0, **extra):
    return post(client, "detector-scan", batch=batch.number, passed=passed, failed=failed,
                detector="MD-1", **extra)  # fmt: skip


def check(client, points, card="1.2", **extra):
    form = {"detector": "MD-1", "test_piece_mm": card, "point": points, "occasion": "hourly"}
    return post(client, "detector-check", **{**form, **extra})


# --- the page ---------------------------------------------------------------------------------
def test_the_record_tab_shows_the_detector_and_each_batch(client, cast, batch):
    as_user(client, cast["finishing"])
    html = client.get(PAGE).content.decode()
    panel = html.split('data-testid="detector-panel"', 1)[1]
    assert 'data-detector="MD-1"' in html and 'data-verified="no"' in html
    assert "NOT verified — do the 9-point check" in panel and "never been checked" in panel
    assert '<option value="1.2" selected>' in panel  # the setting's card
    assert '<option value="1.5"' not in panel  # a bigger card would not prove anything
    assert panel.count('name="point"') == 9 and " checked" not in panel.split("check-points")[1]
    card = html.split('data-testid="finishing-batch"', 1)[1]
    assert f'data-batch="{batch.number}"' in html
    assert re.search(r'data-testid="fig-received">100<', card)
    assert (
        'value="100" required class="form-control form-control-lg" data-testid="stuffing-quan'
        in card
    )
    assert "Fill 250 g ± 10 g" in card and "240–260 g" in card
    assert 'data-testid="scan-not-verified"' in card


# --- stuffing ---------------------------------------------------------------------------------
def test_stuffing_records_once_and_names_the_toys_out_of_tolerance(client, cast, batch):
    as_user(client, cast["finishing"])
    page = client.get(PAGE).content.decode()
    form = {"batch": batch.number, "quantity": 40, "sample_weights_g": "250 252,5\n275; 248",
            "line": "FIN-1", "idempotency_key": key(page, "stuffing-form")}  # fmt: skip
    first = client.post("/finishing/record/stuffing/", form)
    again = client.post("/finishing/record/stuffing/", form)
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert level(first) == "warning"
    sentence = text(first)
    assert "40 pcs" in sentence and "4 toys weighed" in sentence
    assert "1 out of tolerance" in sentence and "must be corrected" in sentence
    record = StuffingRecord.objects.get()
    assert record.sample_weights_g == ["250", "252.5", "275", "248"]
    assert record.out_of_tolerance == 1 and record.line.code == "FIN-1"
    assert progress(batch=batch, line=line("FIN-1")).stuffed == 39  # not until corrected
    # the next record gives the corrected weight at once: all counted
    ok = stuff(client, batch, 20, "262 250", corrected_weights_g="255")
    assert ok.status_code == 200 and level(ok) == "success"
    assert "corrected" in text(ok)
    assert progress(batch=batch, line=line("FIN-1")).stuffed == 59
    assert 'data-testid="fig-stuffed">59<' in ok.content.decode()


def test_stuffing_bad_input_is_a_400_sentence_and_records_nothing(client, cast, batch):
    as_user(client, cast["finishing"])
    for quantity, weights, extra in (
        ("x", "250", {}),
        ("", "250", {}),
        (0, "250", {}),
        (5, "", {}),
        (5, "abc", {}),
        (5, "250 -3", {}),  # the service: a weight is more than 0 g
        (1, "250 251", {}),  # more weights than units
        (5, "250 275", {"corrected_weights_g": "280"}),  # still out of tolerance
        (5, "250", {"corrected_weights_g": "255"}),  # nothing to correct
    ):
        response = stuff(client, batch, quantity, weights, **extra)
        assert response.status_code == 400, (quantity, weights, extra)
        assert level(response) == "danger" and text(response)
    nope = post(client, "stuffing", batch="NOPE", quantity=5, sample_weights_g="250")
    assert nope.status_code == 400 and "Choose the batch" in text(nope)
    beyond = stuff(client, batch, 101, "250")
    assert beyond.status_code == 409 and "100 units on FIN-1 still to stuff" in text(beyond)
    assert not StuffingRecord.objects.exists()


# --- detector ---------------------------------------------------------------------------------
def test_a_scan_without_a_passing_check_is_refused_then_the_check_verifies(client, cast, batch):
    as_user(client, cast["finishing"])
    stuff(client, batch, 50, "250")
    refused = scan(client, batch, 10)
    assert refused.status_code == 409 and level(refused) == "danger"
    assert "MD-1 may not scan: it has never been checked" in text(refused)
    assert "9-point check" in text(refused)
    page = client.get(PAGE).content.decode()
    form = {"detector": "MD-1", "test_piece_mm": "1.2", "point": ALL_POINTS, "occasion": "start_up",
            "line": "FIN-1", "idempotency_key": key(page, "check-form")}  # fmt: skip
    first = client.post("/finishing/record/detector-check/", form)
    again = client.post("/finishing/record/detector-check/", form)
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert level(first) == "success" and text(first).startswith("PASS")
    c = DetectorCheck.objects.get()
    assert (c.result, c.points_detected, str(c.test_piece_mm), c.occasion) == (
        "PASS", 9, "1.2", "start_up",
    )  # fmt: skip
    html = first.content.decode()
    assert 'data-verified="yes"' in html and "Verified: it may scan" in html
    assert 'data-testid="scan-not-verified"' not in html
    page = client.get(PAGE).content.decode()
    form = {"batch": batch.number, "passed": 50, "failed": 0, "detector": "MD-1", "line": "FIN-1",
            "idempotency_key": key(page, "scan-form")}  # fmt: skip
    ok = client.post("/finishing/record/detector-scan/", form)
    replay = client.post("/finishing/record/detector-scan/", form)
    assert ok.status_code == replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert level(ok) == "success" and "50 pcs" in text(ok)
    assert DetectorScan.objects.get().passed == 50
    over = scan(client, batch, 51)  # 50 of the 100 on the line are through already
    assert over.status_code == 409 and "not yet through the detector" in text(over)


def test_a_failed_check_stops_the_detector_and_quarantines_what_it_passed(client, cast, batch):
    as_user(client, cast["finishing"])
    passing_check(cast)
    stuff(client, batch, 60, "250")
    assert scan(client, batch, 60).status_code == 200
    failed = check(client, ALL_POINTS[:7])
    assert failed.status_code == 200 and level(failed) == "danger"  # recorded, not refused
    sentence = text(failed)
    assert sentence.startswith("FAIL") and "only 7 of 9 points" in sentence
    assert "STOPPED" in sentence and "60 units" in sentence and "quarantined" in sentence
    q = Quarantine.objects.get(batch=batch)
    assert q.kind == Quarantine.Kind.DETECTOR_CHECK_FAILED and q.quantity == 60
    assert balance(batch, "FINISHING", "quarantined") == 60
    html = failed.content.decode()
    assert 'data-verified="no"' in html and "its last check failed (7 of 9 points)" in html
    refused = scan(client, batch, 1)
    assert refused.status_code == 409 and "its last check failed" in text(refused)
    assert DetectorScan.objects.count() == 1


def test_a_metal_alarm_quarantines_the_batch(client, cast, batch):
    as_user(client, cast["finishing"])
    passing_check(cast)
    stuff(client, batch, 30, "250")
    alarm = scan(client, batch, 29, 1)
    assert alarm.status_code == 200 and level(alarm) == "danger"
    assert "METAL ALARM on MD-1: 1 toy(s)" in text(alarm)
    assert Quarantine.objects.get(batch=batch).kind == Quarantine.Kind.METAL_ALARM
    assert balance(batch, "FINISHING", "available") == 0


def test_detector_forms_bad_input_is_a_400_sentence_and_records_nothing(client, cast, batch):
    as_user(client, cast["finishing"])
    for points, card, extra in (
        (ALL_POINTS, "9.9", {}),  # no such card
        (ALL_POINTS, "", {}),
        (ALL_POINTS, "2.0", {}),  # bigger than the setting's 1.2 mm: proves nothing
        (["top-left"], "1.2", {}),
        (ALL_POINTS, "1.2", {"occasion": "lunch"}),
        (ALL_POINTS, "1.2", {"detector": "MD-2"}),  # FIN-2's detector
        (ALL_POINTS, "1.2", {"batch": "NOPE"}),
    ):
        response = check(client, points, card, **extra)
        assert response.status_code == 400, (points, card, extra)
        assert level(response) == "danger" and text(response)
    assert not DetectorCheck.objects.exists()
    passing_check(cast)
    stuff(client, batch, 10, "250")
    for bad in ({"passed": "x"}, {"passed": -1}, {"passed": 0, "failed": 0}, {"failed": "?"}):
        response = post(client, "detector-scan", batch=batch.number, detector="MD-1", **bad)
        assert response.status_code == 400, bad
    assert not DetectorScan.objects.exists()


# --- physical QC and FG -----------------------------------------------------------------------
def test_physical_qc_then_fg_conversion_once_each(client, cast, batch):
    as_user(client, cast["finishing"])
    passing_check(cast)
    stuff(client, batch, 50, "250")
    scan(client, batch, 50)
    page = client.get(PAGE).content.decode()
    assert (
        'value="50" required class="form-control form-control-lg" data-testid="fqc-checked"' in page
    )
    seam = DefectCode.objects.get(code="OPEN_SEAM")
    form = {"batch": batch.number, "checked": 50, "rework": 2, "scrap": 1, "line": "FIN-1",
            "defect_code": [seam.pk, "", ""], "defect_count": [3, "", ""],
            "idempotency_key": key(page, "fqc-form")}  # fmt: skip
    first = client.post("/finishing/record/qc/", form)
    again = client.post("/finishing/record/qc/", form)
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert level(first) == "warning" and "50 checked, 47 passed, 2 rework, 1 scrap" in text(first)
    inspection = Inspection.objects.get()
    assert inspection.department.code == "FINISHING" and inspection.line.code == "FIN-1"
    assert inspection.kind == "inline" and inspection.light == ""
    assert balance(batch, "FINISHING", "rework") == 2
    html = first.content.decode()
    assert (
        'value="47" required class="form-control form-control-lg" data-testid="fg-quantity"' in html
    )
    beyond = post(client, "fg", batch=batch.number, quantity=48)
    assert beyond.status_code == 409 and "Only 47 units" in text(beyond)
    page = first.content.decode()
    fg = {"batch": batch.number, "quantity": 47, "line": "FIN-1",
          "idempotency_key": key(page, "fg-form")}  # fmt: skip
    ok = client.post("/finishing/record/fg/", fg)
    replay = client.post("/finishing/record/fg/", fg)
    assert ok.status_code == replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert level(ok) == "success" and "47 pcs" in text(ok) and "packing" in text(ok)
    assert FgConversion.objects.get().quantity == 47
    assert balance(batch, "FINISHING", "ready", "FIN-1") == 47
    html = ok.content.decode()
    assert 'data-testid="fig-fg">47<' in html and 'data-testid="send-form"' in html


def test_qc_and_fg_bad_input_is_a_400_sentence_and_records_nothing(client, cast, batch):
    as_user(client, cast["finishing"])
    seam = DefectCode.objects.get(code="OPEN_SEAM")
    for bad in (
        {"checked": "seven"},
        {"checked": ""},
        {"checked": 7, "rework": 5, "scrap": 3},
        {"checked": 7, "scrap": "x"},
        {"checked": 7, "defect_code": [seam.pk], "defect_count": ["two"]},
        {"checked": 7, "defect_code": [999999], "defect_count": [1]},
        {"checked": 7, "defect_code": [""], "defect_count": [2]},
    ):
        response = post(client, "qc", batch=batch.number, **bad)
        assert response.status_code == 400, bad
        assert level(response) == "danger" and text(response)
    for bad in ({"quantity": "x"}, {"quantity": 0}, {"quantity": ""}, {"batch": "NOPE"}):
        response = post(client, "fg", **{"batch": batch.number, "quantity": 1, **bad})
        assert response.status_code == 400, bad
    nothing = post(client, "fg", batch=batch.number, quantity=1)
    assert nothing.status_code == 409 and "Only 0 units" in text(nothing)
    assert not Inspection.objects.exists() and not FgConversion.objects.exists()
    assert balance(batch, "FINISHING", "available") == 100


# --- roles ------------------------------------------------------------------------------------
def test_other_departments_are_refused_and_only_post_records(client, cast, batch):
    passing_check(cast)
    as_user(client, cast["sewing"])
    for url, form in (
        ("stuffing", {"batch": batch.number, "quantity": 1, "sample_weights_g": "250"}),
        ("detector-check", {"detector": "MD-1", "test_piece_mm": "1.2", "point": ALL_POINTS}),
        ("detector-scan", {"batch": batch.number, "passed": 1, "detector": "MD-1"}),
        ("qc", {"batch": batch.number, "checked": 1}),
        ("fg", {"batch": batch.number, "quantity": 1}),
    ):
        assert post(client, url, **form).status_code == 403, url
    assert client.get(PAGE).status_code == 403
    assert DetectorCheck.objects.count() == 1 and not StuffingRecord.objects.exists()
    assert not DetectorScan.objects.exists() and not Inspection.objects.exists()
    as_user(client, cast["finishing"])
    assert client.get("/finishing/record/stuffing/").status_code == 405
    as_user(client, cast["manager"])  # the manager acts for every department
    assert post(client, "detector-check", detector="MD-1", test_piece_mm="1.2",
                point=ALL_POINTS).status_code == 200  # fmt: skip


# --- query budget -----------------------------------------------------------------------------
def queries(client, url):
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_record_tab_keeps_a_query_budget_independent_of_the_batches(client, cast):
    (first,) = released_batches(quantity=20, article="BEAR-20")
    at_finishing(first, 20, cast)
    passing_check(cast)
    as_user(client, cast["finishing"])
    one = queries(client, PAGE)
    assert client.get(PAGE).content.decode().count('data-testid="finishing-batch"') == 1
    more = released_batches(quantity=40, batch_size=10, article="BEAR-30")
    for b in more:
        at_finishing(b, 10, cast)
    stuff(client, more[0], 5, "250")
    scan(client, more[0], 5)
    html = client.get(PAGE).content.decode()
    assert html.count('data-testid="finishing-batch"') == 5
    assert queries(client, PAGE) == one, one
    assert one <= 34, one
