"""ISO 2859-1 general level II, normal, single sampling (DOMAIN.md examples)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from quality.aql import code_letter, plan

pytestmark = [pytest.mark.smoke]


@pytest.mark.parametrize(
    "lot, letter",
    [(2, "A"), (8, "A"), (9, "B"), (25, "C"), (26, "D"), (90, "E"), (150, "F"), (151, "G"),
     (500, "H"), (501, "J"), (1200, "J"), (1201, "K"), (3200, "K"), (3201, "L"), (10000, "L"),
     (10001, "M"), (35001, "N"), (150000, "N")],
)  # fmt: skip
def test_code_letters_by_lot_size(lot, letter):
    assert code_letter(lot) == letter


@pytest.mark.parametrize(
    "lot, aql, expected",
    [
        (2000, "2.5", (125, 7, 8)),  # DOMAIN: 1201–3200 at 2.5 → n 125, 7/8
        (5000, "2.5", (200, 10, 11)),  # 3201–10000 at 2.5 → 200, 10/11
        (5000, "1.0", (200, 5, 6)),
        (5000, "4.0", (200, 14, 15)),
        (800, "1.5", (80, 3, 4)),  # 501–1200 at 1.5 → 80, 3/4
        (20, "2.5", (5, 0, 1)),  # C is the 0/1 cell of 2.5
        (40, "2.5", (5, 0, 1)),  # D is ↑: the plan above, C(5)
        (60, "2.5", (20, 1, 2)),  # E is ↓: the plan below, F(20)
        (10, "0.65", (10, 0, 1)),  # B above F's 0/1 is ↓ → F(20) ≥ lot: 100 %
        (100000, "4.0", (315, 21, 22)),  # N would be after 21/22 at 4.0: ↑ to M
        (100000, "6.5", (200, 21, 22)),
        (1000, "0", (80, 0, 1)),  # critical: accept 0, reject 1 at the letter's sample
    ],
)
def test_plans_follow_the_table_and_its_arrows(lot, aql, expected):
    p = plan(lot_size=lot, aql=Decimal(aql))
    assert (p.sample_size, p.accept, p.reject) == expected


@pytest.mark.django_db
def test_the_aql_plan_endpoint(make_user):
    client = APIClient()
    client.force_authenticate(make_user(roles=["qc_inspector"]))
    response = client.get("/api/v1/aql/plan/?lot_size=2000&aql=2.5")
    assert response.status_code == 200
    assert response.json() == {"code_letter": "K", "sample_size": 125, "accept": 7, "reject": 8}
    assert client.get("/api/v1/aql/plan/?lot_size=40&aql=2.5").json()["code_letter"] == "D"
    for bad in ("lot_size=1&aql=2.5", "lot_size=150001&aql=2.5", "lot_size=x&aql=2.5",
                "lot_size=100&aql=3.0", "aql=2.5", "lot_size=100"):  # fmt: skip
        r = client.get(f"/api/v1/aql/plan/?{bad}")
        assert r.status_code == 400, bad
        assert r.json()["error"]["fields"]
    assert APIClient().get("/api/v1/aql/plan/?lot_size=100&aql=2.5").status_code == 401


@pytest.mark.django_db
def test_final_inspection_accepts_rejects_and_a_reject_holds_the_batch():
    from dashboard.models import Alert
    from tests.transfers.helpers import cut, dept, line, make_ready, released_batches, users
    from transfers import services

    cast = users()
    (batch,) = released_batches(quantity=2000)
    cut(batch, 2000)
    services.transfer_accept(
        slip_code=services.transfer_prepare(
            batch=batch, from_department=dept("CUTTING"), to_department=dept("SEWING"),
            to_line=line("SEW-1"), quantity=2000, user=cast["cutting"],
        ).slip_code,
        quantity_received=2000, user=cast["sewing"],
    )  # fmt: skip
    make_ready(batch, "SEWING", 2000, line_code="SEW-1")
    services.transfer_accept(
        slip_code=services.transfer_prepare(
            batch=batch, from_department=dept("SEWING"), to_department=dept("FINISHING"),
            to_line=line("FIN-1"), quantity=2000, user=cast["sewing"],
        ).slip_code,
        quantity_received=2000, user=cast["finishing"],
    )  # fmt: skip
    qc = APIClient()
    qc.force_authenticate(cast["qc"])
    body = {"batch": batch.number, "critical": 0, "major": 7, "minor": 10}
    accepted = qc.post("/api/v1/final-inspections/", body, format="json")
    assert accepted.status_code == 201, accepted.content
    result = accepted.json()
    assert result["lot_size"] == 2000 and result["verdict"] == "ACCEPT"
    assert result["plans"]["major"]["sample_size"] == 125
    assert (result["plans"]["major"]["accept"], result["plans"]["major"]["reject"]) == (7, 8)
    assert (result["plans"]["minor"]["accept"], result["plans"]["minor"]["reject"]) == (10, 11)
    assert (result["plans"]["critical"]["accept"], result["plans"]["critical"]["reject"]) == (0, 1)
    assert result["sample_size"] == 125  # the largest of the classes' plans (all K here)
    operator = APIClient()
    operator.force_authenticate(cast["finishing"])
    assert operator.post("/api/v1/final-inspections/", body, format="json").status_code == 403
    rejected = qc.post(
        "/api/v1/final-inspections/", {**body, "critical": 1, "major": 0}, format="json"
    ).json()
    assert rejected["verdict"] == "REJECT"
    assert Alert.objects.filter(kind="LOT_REJECTED", priority="P1").exists()
    make_ready(batch, "FINISHING", 10, line_code="FIN-1")
    with pytest.raises(Exception) as held:
        services.transfer_prepare(
            batch=batch, from_department=dept("FINISHING"), to_department=dept("PACKING"),
            to_line=line("PCK-1"), quantity=10, user=cast["finishing"],
        )  # fmt: skip
    assert getattr(held.value, "code", "") == "batch_held"
    bad = qc.post("/api/v1/final-inspections/", {**body, "lot_size": 1}, format="json")
    assert bad.status_code == 400
