"""Bad input on every write endpoint gets a 4xx in the error envelope, never a 500, and changes
nothing: a small fuzzer over each POST path of API.md with malformed bodies, as a manager (who
may write almost everything) and as an operator."""

import re

import pytest
from django.urls import get_resolver
from rest_framework.test import APIClient

from tests.transfers.helpers import released_batches, users
from transfers.models import WipMovement

pytestmark = pytest.mark.django_db

BODIES = [
    {},
    [],
    "x",
    None,
    {"batch": None, "quantity": None},
    {"batch": "NOPE", "quantity": 5},
    {"batch": 12, "quantity": "ten"},
    {"batch": {"a": 1}, "quantity": [1]},
    {"quantity": -1, "passed": -5, "failed": -1},
    {"quantity": 10**12, "passed": 10**12, "lot_size": 10**9},
    {"quantity": 1.5, "points_detected": 9.5, "test_piece_mm": "abc"},
    {"detector": "MD-9", "test_piece_mm": "NaN", "points_detected": 9},
    {"detector": "MD-1", "test_piece_mm": "Infinity", "points_detected": 9},
    {"sample_weights_g": "250", "quantity": 1},
    {"sample_weights_g": [None, "x", -1], "quantity": 1},
    {"cartons": "not-a-list", "destination": 5},
    {"cartons": [None, 1, {"a": 1}], "destination": "NOPE"},
    {"decision": "burn", "note": ""},
    {"decision": "release", "quantity": 0, "note": "x" * 5000},
    {"slip_code": None, "quantity_received": "x"},
    {"article": "NOPE", "test": "x", "result": "y", "measurements": "z"},
    {"critical": "a", "major": -1, "minor": None, "batch": "NOPE"},
    {"status": "TELEPORTED"},
    {"code": "", "name": "", "uom": "", "kind": "plasma"},
]

POST_PATHS = [
    "/api/v1/finishing/stuffing/",
    "/api/v1/finishing/fg/",
    "/api/v1/finishing/detector-checks/",
    "/api/v1/finishing/detector-scans/",
    "/api/v1/quarantines/1/release/",
    "/api/v1/quarantines/999999/release/",
    "/api/v1/packing/cartons/",
    "/api/v1/packing/batches/NOPE/complete/",
    "/api/v1/packing/batches/{batch}/complete/",
    "/api/v1/shipments/",
    "/api/v1/shipments/999999/tracking/",
    "/api/v1/final-inspections/",
    "/api/v1/inspections/",
    "/api/v1/lab-tests/",
    "/api/v1/transfers/",
    "/api/v1/transfers/accept/",
    "/api/v1/cutting/outputs/",
    "/api/v1/embroidery/outputs/",
    "/api/v1/sewing/stages/",
    "/api/v1/manufacturing-orders/",
    "/api/v1/materials/",
    "/api/v1/stock/receipts/",
]


def test_every_api_post_path_is_listed_here():
    """New write endpoints join the fuzzer: this fails when one is missing from POST_PATHS or
    tested elsewhere on purpose (``ELSEWHERE``)."""
    elsewhere = {
        "auth/token/", "auth/token/refresh/", "transfers/<int:pk>/approve/",
        "transfers/<int:pk>/reject/", "transfers/<int:pk>/cancel/", "transfers/<int:pk>/retry/",
        "manufacturing-orders/<int:pk>/release/", "manufacturing-orders/<int:pk>/cancel/",
        "work-orders/<str:number>/issue-material/", "shortage-requests/",
        "shortage-requests/<int:pk>/approve/", "shortage-requests/<int:pk>/refuse/",
        "cutting/outputs/<int:pk>/bundles/", "needles/exchanges/", "needles/broken/",
        "needles/broken/<int:pk>/search/", "alerts/<int:pk>/acknowledge/",
        "alerts/<int:pk>/resolve/", "lines/<str:code>/clearance/", "articles/",
        "destinations/", "vendors/",
    }  # fmt: skip
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if str(p.pattern) == "api/v1/")
    listed = {
        re.sub(r"/\d+/", "/<int:pk>/", p.split("/api/v1/")[1])
        .replace("NOPE", "<str:number>")
        .replace("{batch}", "<str:number>")
        for p in POST_PATHS
    }
    missing = []
    for pattern in api.url_patterns:
        route = str(pattern.pattern)
        view = pattern.callback
        cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
        if cls is None or not hasattr(cls, "post") or route in elsewhere:
            continue
        if route not in listed:
            missing.append(route)
    assert missing == []


@pytest.mark.parametrize("who", ["manager", "sewing"])
def test_malformed_bodies_get_a_4xx_envelope_and_change_nothing(who):
    cast = users()
    (batch,) = released_batches(quantity=10)
    client = APIClient()
    client.force_authenticate(cast[who])
    before = WipMovement.objects.count()
    for path in POST_PATHS:
        path = path.format(batch=batch.number)
        for body in BODIES:
            response = client.post(path, body, format="json")
            assert 400 <= response.status_code < 500, (path, body, response.status_code)
            error = response.json()["error"]
            assert error["code"] and error["message"], (path, body)
    assert WipMovement.objects.count() == before
