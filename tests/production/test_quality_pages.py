"""The Quality pages: the overview, the AQL final inspection (plan, verdict, history), the
quarantine board (decisions, the two-approver metal release) and the lab tests. Each page opens
for the quality roles only, every POST checks the role before reading input, a double submit
records once, bad input is a 400 sentence that changes nothing, and list pages keep the same
number of queries whatever their number of rows."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.models import Alert
from quality.lab import article_compliance, compliance_many, lab_test_record
from quality.models import FinalInspection, LabTest, Quarantine, QuarantineDecision
from quality.quarantine import quarantine_decide, quarantine_units
from quality.services import final_inspection_record
from tests.factories import ArticleFactory, UserFactory
from tests.transfers.helpers import balance, cut, dept, line, released_batches, users
from transfers.ledger import Bucket, Move, wip_moves
from transfers.models import Hold

pytestmark = [pytest.mark.django_db]

PAGES = ["/quality/", "/quality/final/", "/quality/final/history/", "/quality/quarantines/",
         "/quality/lab/", "/quality/final/plan/?lot_size=500"]  # fmt: skip


@pytest.fixture
def cast():
    return users()


def as_user(client, user):
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def key(html, n=0):
    return re.findall(r'name="idempotency_key" value="([0-9a-f]+)"', html)[n]


def result(response):
    """(level, sentence) of the page's result box."""
    html = response.content.decode()
    match = re.search(
        r'data-testid="result" data-level="(\w+)"[^>]*>.*?<span>(.*?)</span>', html, re.S
    )
    assert match, html[:3000]
    return match.group(1), re.sub(r"<[^>]+>", "", match.group(2)).strip()


def at_finishing(quantity=100, *, batches=1, line_code="FIN-1"):
    """Released batches whose units were cut and put on a finishing line."""
    made = released_batches(quantity=quantity * batches, batch_size=quantity)
    mover = users()["manager"]
    for batch in made:
        cut(batch, quantity)
        wip_moves(
            [Move(batch, Bucket(dept("CUTTING"), "ready", line("CUT-1")),
                  Bucket(dept("FINISHING"), "available", line(line_code)), quantity)],
            reason="test", user=mover,
        )  # fmt: skip
    return made


def quarantine(batch, quantity, kind=Quarantine.Kind.METAL_ALARM, reason="Detector MD-1 alarm"):
    return quarantine_units(
        batch=batch, department=dept("FINISHING"), line=line("FIN-1"), from_state="available",
        quantity=quantity, kind=kind, reason=reason, source="test", user=users()["finishing"],
    )  # fmt: skip


def decide(client, q, **form):
    return client.post(f"/quality/quarantines/{q.pk}/decide/", form)


def query_count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


# --- who may open what ------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["qc", "qc_lead", "qc_lab", "manager"])
def test_every_quality_page_opens_for_the_quality_roles(client, cast, who):
    as_user(client, cast[who])
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (who, url)
    nav = client.get("/quality/").content.decode()
    assert 'data-testid="quality-nav"' in nav and "Quarantine" in nav and "Lab tests" in nav


@pytest.mark.parametrize("who", ["sewing", "finishing", "ppic", "warehouse"])
def test_other_roles_get_403_on_every_page_and_every_post(client, cast, who):
    (batch,) = at_finishing(50)
    q = quarantine(batch, 10, kind=Quarantine.Kind.QC)
    as_user(client, cast[who])
    for url in PAGES:
        assert client.get(url).status_code == 403, (who, url)
    posts = {
        "/quality/final/": {"batch": batch.number, "lot_size": 50, "critical": 0, "major": 0,
                            "minor": 0, "idempotency_key": "k1"},
        f"/quality/quarantines/{q.pk}/decide/": {"decision": "scrap", "note": "x",
                                                 "idempotency_key": "k2"},
        "/quality/lab/record/": {"article": "BEAR-40", "test": "drop", "result": "PASS",
                                 "idempotency_key": "k3"},
    }  # fmt: skip
    for url, form in posts.items():
        response = client.post(url, form)
        assert response.status_code == 403, (who, url)
        assert b'data-testid="forbidden"' in response.content
    assert not FinalInspection.objects.exists() and not LabTest.objects.exists()
    q.refresh_from_db()
    assert q.remaining == 10 and not q.decisions.exists()


def test_the_lab_may_not_inspect_or_decide_and_an_inspector_may_not_record_lab_results(
    client, cast
):
    (batch,) = at_finishing(50)
    q = quarantine(batch, 10, kind=Quarantine.Kind.QC)
    as_user(client, cast["qc_lab"])
    page = client.get("/quality/final/").content.decode()
    assert 'data-testid="read-only"' in page and 'data-testid="final-submit"' not in page
    board = client.get("/quality/quarantines/").content.decode()
    assert 'data-testid="decide-form"' not in board
    final = {"batch": batch.number, "lot_size": 50, "critical": 0, "major": 0, "minor": 0}
    assert client.post("/quality/final/", final).status_code == 403
    assert decide(client, q, decision="scrap", note="no").status_code == 403
    as_user(client, cast["qc"])
    assert 'data-testid="lab-form"' not in client.get("/quality/lab/").content.decode()
    lab = {"article": "BEAR-40", "test": "drop", "result": "PASS"}
    assert client.post("/quality/lab/record/", lab).status_code == 403
    as_user(client, cast["manager"])  # the manager reads the lab page, the lab writes it
    assert 'data-testid="lab-form"' not in client.get("/quality/lab/").content.decode()
    assert client.post("/quality/lab/record/", lab).status_code == 403
    assert not FinalInspection.objects.exists() and not LabTest.objects.exists()
    assert not QuarantineDecision.objects.exists()


# --- overview -----------------------------------------------------------------------------------
def test_home_lists_batches_waiting_for_final_inspection_quarantines_and_p1_alerts(client, cast):
    first, second = at_finishing(100, batches=2)
    quarantine(first, 10)
    final_inspection_record(batch=second, critical=1, major=0, minor=0, user=cast["qc"])
    as_user(client, cast["qc"])
    html = client.get("/quality/").content.decode()
    rows = re.findall(r'<tr data-batch="([^"]+)">', html)
    assert rows == [first.number, second.number]  # not inspected first, then the rejected one
    assert 'data-verdict="REJECT"' in html and "Not inspected yet" in html
    assert re.search(r'data-testid="open-quarantines">1<', html)
    assert re.search(r'data-testid="p1-count">1<', html)  # the rejected lot's P1 alert
    assert "Final inspection rejected" in html
    assert f"/quality/final/?batch={first.number}" in html


# --- final inspection ---------------------------------------------------------------------------
def test_the_final_page_prefills_the_lot_and_shows_the_plan_for_each_class(client, cast):
    (batch,) = at_finishing(100)
    quarantine(batch, 10)  # quarantined units are still part of the lot
    as_user(client, cast["qc"])
    html = client.get(f"/quality/final/?batch={batch.number}").content.decode()
    assert re.search(r'name="lot_size"[^>]*\n?[^>]*value="100"', html)
    # 100 pcs: letter F (20); critical 0/1, major (AQL 2.5) 1/2, minor (AQL 4.0) 2/3
    assert 'data-class="critical" data-sample="20" data-accept="0" data-reject="1"' in html
    assert 'data-class="major" data-sample="20" data-accept="1" data-reject="2"' in html
    assert 'data-class="minor" data-sample="20" data-accept="2" data-reject="3"' in html
    partial = client.get("/quality/final/plan/?lot_size=2000", HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in text
    assert 'data-class="major" data-sample="125" data-accept="7" data-reject="8"' in text
    assert 'data-class="minor" data-sample="125" data-accept="10" data-reject="11"' in text
    for bad in ("1", "150001", "x", ""):
        refused = client.get(f"/quality/final/plan/?lot_size={bad}")
        assert refused.status_code == 400 and 'data-testid="plan-error"' in refused.content.decode()
    swapped = client.get(f"/quality/final/?batch={batch.number}", HTTP_HX_REQUEST="true")
    assert 'id="inspect"' in swapped.content.decode() and "<html" not in swapped.content.decode()


def test_an_accepted_lot_is_recorded_once_on_a_double_submit(client, cast):
    (batch,) = at_finishing(100)
    as_user(client, cast["qc"])
    page = client.get(f"/quality/final/?batch={batch.number}").content.decode()
    form = {"batch": batch.number, "lot_size": 100, "critical": 0, "major": 1, "minor": 2,
            "idempotency_key": key(page)}  # fmt: skip
    first = client.post("/quality/final/", form)
    again = client.post("/quality/final/", form)
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    html = first.content.decode()
    assert 'data-testid="verdict" data-verdict="ACCEPT"' in html and "ACCEPT" in html
    assert f"Lot {batch.number} accepted" in html
    inspection = FinalInspection.objects.get()
    assert (inspection.verdict, inspection.sample_size, inspection.user) == (
        "ACCEPT",
        20,
        cast["qc"],
    )
    assert not Hold.objects.filter(batch=batch).exists()


def test_a_rejected_lot_shows_red_and_holds_the_batch(client, cast):
    (batch,) = at_finishing(100)
    as_user(client, cast["qc_lead"])
    response = client.post("/quality/final/", {
        "batch": batch.number, "lot_size": 100, "critical": 0, "major": 2, "minor": 0,
        "idempotency_key": "reject-1",
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="verdict" data-verdict="REJECT"' in html and "REJECT" in html
    assert re.search(r'<tr data-class="major" class="table-danger">', html)
    assert Hold.objects.filter(batch=batch, kind=Hold.Kind.LOT_REJECTED).count() == 2
    assert Alert.objects.filter(kind="LOT_REJECTED", batch=batch).exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"batch": "NOPE"},
        {"batch": ""},
        {"lot_size": 1},
        {"lot_size": 150001},
        {"lot_size": "many"},
        {"critical": -1},
        {"major": "x"},
        {"minor": ""},
    ],
)
def test_bad_final_inspection_input_is_a_400_sentence_and_records_nothing(client, cast, bad):
    (batch,) = at_finishing(100)
    as_user(client, cast["qc"])
    form = {"batch": batch.number, "lot_size": 100, "critical": 0, "major": 0, "minor": 0,
            "idempotency_key": "bad-1", **bad}  # fmt: skip
    response = client.post("/quality/final/", form)
    assert response.status_code == 400
    level, sentence = result(response)
    assert level == "danger" and sentence
    assert not FinalInspection.objects.exists() and not Hold.objects.exists()


def test_the_history_filters_counts_and_exports_what_is_filtered(client, cast):
    first, second = at_finishing(100, batches=2)
    final_inspection_record(batch=first, critical=0, major=0, minor=0, user=cast["qc"])
    final_inspection_record(batch=second, critical=1, major=0, minor=0, user=cast["qc"])
    final_inspection_record(batch=second, critical=0, major=0, minor=0, user=cast["qc_lead"])
    as_user(client, cast["manager"])
    html = client.get("/quality/final/history/").content.decode()
    assert "3 final inspections" in html
    rejected = client.get("/quality/final/history/?verdict=REJECT").content.decode()
    assert "1 final inspection" in rejected and rejected.count('data-verdict="REJECT"') >= 1
    assert 'data-verdict="ACCEPT"' not in rejected.split('data-testid="final-inspections"')[1]
    by_batch = client.get(f"/quality/final/history/?batch={second.number}").content.decode()
    assert "2 final inspections" in by_batch
    export = client.get(f"/quality/final/history/?batch={second.number}&export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:2] == ["at", "batch"] and len(rows) == 3
    assert {r[1] for r in rows[1:]} == {second.number}
    xlsx = client.get("/quality/final/history/?verdict=ACCEPT&export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")


# --- quarantine board ---------------------------------------------------------------------------
def test_metal_release_needs_two_different_people_through_the_page(client, cast):
    (batch,) = at_finishing(100)
    q = quarantine(batch, 30)
    assert balance(batch, "FINISHING", "available", "FIN-1") == 70

    # the inspector approves first: the release waits, the units stay quarantined
    as_user(client, cast["qc"])
    board = client.get("/quality/quarantines/").content.decode()
    assert 'data-testid="metal-badge"' in board and 'data-testid="two-approver-rule"' in board
    first = decide(client, q, decision="release", quantity=30, note="Needle tip found, removed",
                   idempotency_key=key(board))  # fmt: skip
    assert first.status_code == 200
    level, sentence = result(first)
    assert level == "warning" and "second approver" in sentence
    q.refresh_from_db()
    assert q.status == Quarantine.Status.AWAITING_SECOND_APPROVAL and q.remaining == 30
    assert balance(batch, "FINISHING", "quarantined", "FIN-1") == 30
    board = client.get("/quality/quarantines/").content.decode()
    assert 'data-status="AWAITING_SECOND_APPROVAL"' in board
    assert cast["qc"].get_full_name() in board and 'data-testid="confirm-form"' not in board
    assert 'data-testid="awaiting-note"' in board

    # the same person again: refused with the rule's sentence, nothing moves
    same = decide(client, q, decision="release", quantity=30, note="again", idempotency_key="x2")
    assert same.status_code == 409
    level, sentence = result(same)
    assert level == "danger" and "second, different person" in sentence
    assert 'data-code="second_approver_required"' in same.content.decode()
    q.refresh_from_db()
    assert q.status == Quarantine.Status.AWAITING_SECOND_APPROVAL and q.remaining == 30

    # another inspector who is not the QC manager may not confirm either
    plain = UserFactory(username="t_qc_2", roles=["qc_inspector"])
    as_user(client, plain)
    assert 'data-testid="confirm-form"' not in client.get("/quality/quarantines/").content.decode()
    denied = decide(client, q, decision="release", quantity=30, note="ok", idempotency_key="x3")
    assert denied.status_code == 403 and result(denied)[0] == "danger"

    # the QC manager confirms: released, the units are back where they were
    as_user(client, cast["qc_lead"])
    board = client.get("/quality/quarantines/").content.decode()
    assert 'data-testid="confirm-form"' in board
    confirm = {"decision": "release", "quantity": 30, "note": "Checked the record",
               "idempotency_key": key(board)}  # fmt: skip
    done = decide(client, q, **confirm)
    replay = decide(client, q, **confirm)
    assert done.status_code == replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    level, sentence = result(done)
    assert level == "success" and "confirmed" in sentence and cast["qc"].get_full_name() in sentence
    q.refresh_from_db()
    assert q.status == Quarantine.Status.RELEASED and q.remaining == 0
    decision = q.decisions.get()
    assert (decision.decided_by, decision.approved_by) == (cast["qc"], cast["qc_lead"])
    assert balance(batch, "FINISHING", "quarantined", "FIN-1") == 0
    assert balance(batch, "FINISHING", "available", "FIN-1") == 100


def test_rework_and_scrap_in_parts_recorded_once_each(client, cast):
    (batch,) = at_finishing(100)
    q = quarantine(batch, 20, kind=Quarantine.Kind.QC, reason="Stains")
    as_user(client, cast["qc"])
    board = client.get("/quality/quarantines/").content.decode()
    assert 'data-testid="two-approver-rule"' not in board and 'value="20"' in board
    form = {"decision": "rework", "quantity": 5, "note": "Wash", "idempotency_key": key(board)}
    first = decide(client, q, **form)
    second = decide(client, q, **form)
    assert first.status_code == second.status_code == 200
    level, sentence = result(first)
    assert (
        level == "success" and "5 pcs" in sentence and "15 pcs are still in quarantine" in sentence
    )
    assert QuarantineDecision.objects.count() == 1
    assert balance(batch, "FINISHING", "rework", "FIN-1") == 5
    rest = decide(client, q, decision="scrap", note="Beyond repair", idempotency_key="s-1")
    assert rest.status_code == 200 and "scrapped" in result(rest)[1]
    q.refresh_from_db()
    assert q.status == Quarantine.Status.CLOSED and q.remaining == 0
    assert balance(batch, "FINISHING", "scrap") == 15
    assert q.pk not in {
        int(i) for i in re.findall(r'data-testid="quarantine-row" data-id="(\d+)"',
                                   client.get("/quality/quarantines/").content.decode())
    }  # fmt: skip
    everything = client.get("/quality/quarantines/?state=all").content.decode()
    assert f'data-id="{q.pk}" data-status="CLOSED"' in everything


@pytest.mark.parametrize(
    "bad, status",
    [
        ({"decision": "release", "note": ""}, 400),
        ({"decision": "release", "note": "   "}, 400),
        ({"decision": "burn", "note": "x"}, 400),
        ({"note": "x"}, 400),
        ({"decision": "scrap", "quantity": 0, "note": "x"}, 400),
        ({"decision": "scrap", "quantity": "ten", "note": "x"}, 400),
        ({"decision": "scrap", "quantity": 21, "note": "x"}, 400),  # more than quarantined
    ],
)
def test_bad_decisions_are_a_400_sentence_and_change_nothing(client, cast, bad, status):
    (batch,) = at_finishing(100)
    q = quarantine(batch, 20, kind=Quarantine.Kind.QC)
    as_user(client, cast["qc"])
    response = decide(client, q, idempotency_key="bad", **bad)
    assert response.status_code == status
    level, sentence = result(response)
    assert level == "danger" and sentence
    q.refresh_from_db()
    assert q.remaining == 20 and q.status == Quarantine.Status.OPEN
    assert not QuarantineDecision.objects.exists()
    assert balance(batch, "FINISHING", "quarantined", "FIN-1") == 20


def test_a_decision_by_htmx_swaps_only_its_row(client, cast):
    (batch,) = at_finishing(100)
    q = quarantine(batch, 10, kind=Quarantine.Kind.QC)
    as_user(client, cast["manager"])
    response = client.post(
        f"/quality/quarantines/{q.pk}/decide/",
        {"decision": "release", "note": "False alarm", "idempotency_key": "h-1"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.strip().startswith(f'<article id="q-row-{q.pk}"')
    assert 'data-status="RELEASED"' in html and 'data-level="success"' in html
    refused = client.post(
        f"/quality/quarantines/{q.pk}/decide/",
        {"decision": "scrap", "note": "late", "idempotency_key": "h-2"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 409 and 'data-level="danger"' in refused.content.decode()


def test_the_board_filters_by_state_and_kind(client, cast):
    first, second = at_finishing(100, batches=2)
    metal = quarantine(first, 5)
    hold = quarantine(second, 5, kind=Quarantine.Kind.QC)
    as_user(client, cast["qc"])

    def ids(url):
        html = client.get(url).content.decode()
        return {int(i) for i in re.findall(r'data-testid="quarantine-row" data-id="(\d+)"', html)}

    assert ids("/quality/quarantines/") == {metal.pk, hold.pk}
    assert ids("/quality/quarantines/?kind=metal") == {metal.pk}
    assert ids("/quality/quarantines/?kind=QC") == {hold.pk}
    assert ids(f"/quality/quarantines/?batch={second.number}") == {hold.pk}
    assert ids("/quality/quarantines/?kind=nonsense") == {metal.pk, hold.pk}


# --- lab tests ----------------------------------------------------------------------------------
def test_the_lab_records_a_result_once_and_the_compliance_follows(client, cast):
    article = ArticleFactory(code="BEAR-40")
    as_user(client, cast["qc_lab"])
    page = client.get("/quality/lab/").content.decode()
    assert 'data-article="BEAR-40" data-valid="0"' in page
    form = {"article": "BEAR-40", "test": "flammability", "value": "1.2", "limit": "2.5",
            "uncertainty": "0.1", "limit_kind": "max", "unit": "mm/s",
            "m1_key": "specimens", "m1_value": "5", "idempotency_key": key(page)}  # fmt: skip
    first = client.post("/quality/lab/record/", form)
    again = client.post("/quality/lab/record/", form)
    assert first.status_code == again.status_code == 200
    level, sentence = result(first)
    assert level == "success" and "recorded: Pass" in sentence  # the result from the values
    lab = LabTest.objects.get()
    assert lab.result == "PASS" and lab.user == cast["qc_lab"]
    assert lab.measurements == {"value": "1.2", "limit": "2.5", "uncertainty": "0.1",
                                "limit_kind": "max", "unit": "mm/s", "specimens": "5"}  # fmt: skip
    now = timezone.now()
    for test in ("torque", "tension", "seam", "drop", "small_parts", "filling"):
        lab_test_record(article=article, test=test, result="PASS", user=cast["qc_lab"],
                        tested_at=now - timedelta(days=1))  # fmt: skip
    as_user(client, cast["qc_lead"])  # the QC lead records too
    page = client.get("/quality/lab/").content.decode()
    assert 'data-article="BEAR-40" data-valid="1"' in page
    seam = client.post("/quality/lab/record/", {
        "article": "BEAR-40", "test": "seam", "result": "FAIL", "idempotency_key": key(page),
    })  # fmt: skip
    assert seam.status_code == 200 and result(seam)[0] == "warning"
    html = seam.content.decode()
    assert 'data-article="BEAR-40" data-valid="0"' in html and "Seam strength" in html


@pytest.mark.parametrize(
    "bad",
    [
        {"article": "NOPE"},
        {"test": "rotation"},
        {"result": "MAYBE"},
        {"result": ""},  # neither a result nor measurements
        {"value": "2.45", "limit": "2.5", "uncertainty": "0.1", "result": "PASS"},  # inconclusive
        {"value": "1.0"},  # a value without its limit
        {"value": "abc", "limit": "2"},
        {"tested_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
        {"m1_key": "specimens"},  # a reading without its value
    ],
)
def test_bad_lab_input_is_a_400_sentence_and_records_nothing(client, cast, bad):
    ArticleFactory(code="BEAR-40")
    as_user(client, cast["qc_lab"])
    form = {"article": "BEAR-40", "test": "flammability", "result": "PASS",
            "limit_kind": "max", "idempotency_key": "lab-bad", **bad}  # fmt: skip
    response = client.post("/quality/lab/record/", form)
    assert response.status_code == 400, bad
    level, sentence = result(response)
    assert level == "danger" and sentence
    assert not LabTest.objects.exists()


def test_lab_filters_export_and_bulk_compliance_agrees_with_the_service(client, cast):
    bear, cat = ArticleFactory(code="BEAR-40"), ArticleFactory(code="CAT-30")
    old = timezone.now() - timedelta(days=400)
    for test in ("torque", "tension", "seam", "drop", "small_parts", "filling", "flammability"):
        lab_test_record(article=bear, test=test, result="PASS", user=cast["qc_lab"])
        lab_test_record(article=cat, test=test, result="PASS", user=cast["qc_lab"],
                        tested_at=old if test == "drop" else None)  # fmt: skip
    lab_test_record(article=cat, test="seam", result="INCONCLUSIVE", user=cast["qc_lab"])
    bulk = compliance_many([bear, cat])
    for article in (bear, cat):
        one = article_compliance(article)
        assert (bulk[article.pk].valid, bulk[article.pk].missing) == (one.valid, one.missing)
        assert bulk[article.pk].expires_at == one.expires_at
    assert bulk[cat.pk].missing == ["seam", "drop"]
    as_user(client, cast["manager"])
    html = client.get("/quality/lab/?article=CAT").content.decode()
    assert 'data-article="CAT-30" data-valid="0"' in html and 'data-article="BEAR-40"' not in html
    assert "8 lab results" in html
    fails = client.get("/quality/lab/?result=INCONCLUSIVE").content.decode()
    assert "1 lab result" in fails
    export = client.get("/quality/lab/?article=CAT&test=seam&export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:4] == ["tested_at", "article", "test", "result"]
    assert [(r[1], r[2]) for r in rows[1:]] == [("CAT-30", "seam")] * 2


# --- query budgets ------------------------------------------------------------------------------
def test_list_pages_keep_their_query_count_with_many_rows(client, cast):
    """One row of each, then many: the number of queries stays the same (and small)."""
    as_user(client, cast["qc_lead"])
    (batch,) = at_finishing(100)
    final_inspection_record(batch=batch, critical=0, major=0, minor=0, user=cast["qc"])
    q = quarantine(batch, 2)
    ArticleFactory(code="BEAR-40")
    lab_test_record(article=batch.mo.article, test="drop", result="PASS", user=cast["qc_lab"])
    urls = ["/quality/", "/quality/final/", "/quality/final/history/", "/quality/quarantines/",
            "/quality/quarantines/?state=all", "/quality/lab/"]  # fmt: skip
    few = {url: query_count(client, url) for url in urls}

    more = at_finishing(20, batches=12, line_code="FIN-2")
    for i, b in enumerate(more):
        final_inspection_record(batch=b, critical=i % 2, major=0, minor=0, user=cast["qc"])
        extra = quarantine_units(
            batch=b, department=dept("FINISHING"), line=line("FIN-2"), from_state="available",
            quantity=3, kind=Quarantine.Kind.METAL_ALARM if i % 2 else Quarantine.Kind.QC,
            reason="r", source="t", user=cast["finishing"],
        )  # fmt: skip
        if i % 3 == 0:
            quarantine_decide(quarantine=extra, decision="release" if i % 2 else "rework",
                              quantity=1, note="n", user=cast["qc"])  # fmt: skip
        article = ArticleFactory(code=f"ART-Q{i}")
        for test in ("drop", "seam"):
            lab_test_record(article=article, test=test, result="PASS", user=cast["qc_lab"])
    # a pending metal release on the board
    quarantine_decide(quarantine=q, decision="release", note="n", user=cast["qc"])
    many = {url: query_count(client, url) for url in urls}
    assert many == few
    assert max(many.values()) <= 16, many
