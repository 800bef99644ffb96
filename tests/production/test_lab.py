"""Lab tests and article compliance (EN 71-1 / ASTM F963 set of DOMAIN.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from quality.lab import REQUIRED_TESTS
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def client_for(username, roles, supervises=()):
    client = APIClient()
    client.force_authenticate(UserFactory(username=username, roles=roles, supervises=supervises))
    return client


def record(client, test, result="PASS", **extra):
    return client.post(
        "/api/v1/lab-tests/",
        {"article": "BEAR-40", "test": test, "result": result, **extra},
        format="json",
    )


def test_compliance_needs_every_test_passed_and_unexpired():
    ArticleFactory(code="BEAR-40")
    lab = client_for("lab", ["qc_lab"])
    reader = client_for("sew", ["sewing"])
    status = reader.get("/api/v1/articles/BEAR-40/compliance/").json()
    assert status == {"valid": False, "missing": REQUIRED_TESTS, "expires_at": None}
    old = (timezone.now() - timedelta(days=400)).isoformat()
    for test in REQUIRED_TESTS:
        assert record(lab, test, tested_at=old if test == "drop" else None).status_code == 201
    status = reader.get("/api/v1/articles/BEAR-40/compliance/").json()
    assert status["valid"] is False and status["missing"] == ["drop"]  # older than 12 months
    record(lab, "drop")
    status = reader.get("/api/v1/articles/BEAR-40/compliance/").json()
    assert status["valid"] is True and status["missing"] == [] and status["expires_at"]
    record(lab, "seam", result="FAIL")  # the latest result counts
    status = reader.get("/api/v1/articles/BEAR-40/compliance/").json()
    assert status["valid"] is False and status["missing"] == ["seam"]
    assert reader.get("/api/v1/articles/NOPE/compliance/").status_code == 404


def test_a_value_within_the_uncertainty_of_the_limit_is_inconclusive_not_a_pass():
    ArticleFactory(code="BEAR-40")
    lab = client_for("lab", ["qc_lab"])
    near = {"value": "2.45", "limit": "2.5", "uncertainty": "0.1", "limit_kind": "max"}
    refused = record(lab, "flammability", measurements=near)
    assert refused.status_code == 400 and refused.json()["error"]["fields"]["result"] == [
        "INCONCLUSIVE"
    ]
    assert record(lab, "flammability", "INCONCLUSIVE", measurements=near).status_code == 201
    clear = {"value": "1.2", "limit": "2.5", "uncertainty": "0.1", "limit_kind": "max"}
    assert record(lab, "flammability", measurements=clear).status_code == 201
    seam = {"value": "65", "limit": "70", "uncertainty": "2", "limit_kind": "min"}
    assert record(lab, "seam", "FAIL", measurements=seam).status_code == 201


def test_only_the_lab_and_the_qc_lead_record_results():
    ArticleFactory(code="BEAR-40")
    assert record(client_for("insp", ["qc_inspector"]), "drop").status_code == 403
    assert record(client_for("boss", ["manager"]), "drop").status_code == 403
    assert record(client_for("lead", ["qc_inspector"], ["QUALITY"]), "drop").status_code == 201
    lab = client_for("lab", ["qc_lab"])
    assert record(lab, "rotation").status_code == 400
    assert record(lab, "drop", "MAYBE").status_code == 400
    future = (timezone.now() + timedelta(days=2)).isoformat()
    assert record(lab, "drop", tested_at=future).status_code == 400
