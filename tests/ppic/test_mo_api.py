"""Manufacturing orders: create, release (batches, SPKs, requirements), cancel."""

from decimal import Decimal

import pytest

from ppic.models import ManufacturingOrder
from ppic.services import requirement_quantity, split_batches
from tests.factories import ArticleFactory, DestinationFactory, MaterialFactory

pytestmark = [pytest.mark.django_db]


def create_mo(client, **overrides):
    body = {
        "article": "BEAR-40",
        "quantity": 1000,
        "destination": "DE-DORT",
        "due_date": "2026-12-20",
        "batch_size": 300,
    }
    body.update(overrides)
    return client.post("/api/v1/manufacturing-orders/", body, format="json")


@pytest.fixture
def master_data():
    ArticleFactory(code="BEAR-40", default_route="FULL")
    DestinationFactory(code="DE-DORT", country="DE")


@pytest.mark.smoke
def test_release_1000_by_300_gives_four_batches_five_spks_and_bom_requirements(
    as_role, master_data
):
    ppic = as_role("ppic")
    created = create_mo(ppic)
    assert created.status_code == 201, created.content
    mo = created.json()
    assert mo["status"] == "DRAFT" and mo["number"].startswith("MO-")
    released = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/")
    assert released.status_code == 200, released.content
    body = released.json()
    assert body["status"] == "RELEASED"
    assert [b["quantity"] for b in body["batches"]] == [300, 300, 300, 100]
    assert [b["number"] for b in body["batches"]] == [f"{mo['number']}-B0{i}" for i in (1, 2, 3, 4)]
    assert [(w["department"], w["target_quantity"]) for w in body["work_orders"]] == [
        ("CUTTING", 1000),
        ("EMBROIDERY", 1000),
        ("SEWING", 1000),
        ("FINISHING", 1000),
        ("PACKING", 1000),
    ]
    # 1000 × 0.25 × 1.04 = 260.000 m; 1000 × 0.12 × 1.02 = 122.400 kg (decimals, not floats)
    assert body["material_requirements"] == [
        {"material": "FIBER-7D", "quantity": "122.400"},
        {"material": "PLUSH-BRN", "quantity": "260.000"},
    ]


def test_requirement_arithmetic_is_decimal_and_rounds_half_up():
    assert requirement_quantity(
        quantity=333, per_unit=Decimal("0.1235"), waste_pct=Decimal("3.5")
    ) == Decimal("42.565")  # 333 × 0.1235 × 1.035 = 42.5648925 → 42.565
    assert requirement_quantity(quantity=1, per_unit=Decimal("0.0005"), waste_pct=Decimal("0")) == (
        Decimal("0.001")
    )  # half-up, not banker's rounding
    assert split_batches(quantity=1000, batch_size=300) == [300, 300, 300, 100]
    assert split_batches(quantity=600, batch_size=300) == [300, 300]
    assert split_batches(quantity=5, batch_size=10) == [5]


def test_batch_size_defaults_to_one_batch_and_route_to_the_articles(as_role, master_data):
    ppic = as_role("ppic")
    mo = create_mo(ppic, batch_size=None, quantity=250).json()
    body = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/").json()
    assert body["route"] == "FULL"
    assert [b["quantity"] for b in body["batches"]] == [250]


@pytest.mark.parametrize(
    "route, departments",
    [
        ("DIRECT", ["CUTTING", "SEWING", "FINISHING", "PACKING"]),
        ("SUBCON", ["CUTTING", "SUBCON", "FINISHING", "PACKING"]),
    ],
)
def test_one_spk_per_step_of_each_route(as_role, master_data, route, departments):
    ppic = as_role("ppic")
    mo = create_mo(ppic, route=route).json()
    body = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/").json()
    assert [w["department"] for w in body["work_orders"]] == departments


def test_material_requirements_sit_on_the_spk_that_consumes_them(as_role, master_data):
    ppic = as_role("ppic")
    mo = create_mo(ppic, route="DIRECT").json()
    body = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/").json()
    cutting = next(w["number"] for w in body["work_orders"] if w["department"] == "CUTTING")
    finishing = next(w["number"] for w in body["work_orders"] if w["department"] == "FINISHING")
    spk = ppic.get(f"/api/v1/work-orders/{cutting}/").json()
    assert [r["material"] for r in spk["material_requirements"]] == ["PLUSH-BRN"]
    spk = ppic.get(f"/api/v1/work-orders/{finishing}/").json()
    assert [r["material"] for r in spk["material_requirements"]] == ["FIBER-7D"]


def test_releasing_twice_is_refused_and_changes_nothing(as_role, master_data):
    ppic = as_role("ppic")
    mo = create_mo(ppic).json()
    ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/")
    again = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    assert ManufacturingOrder.objects.get(pk=mo["id"]).batches.count() == 4


def test_release_without_a_bom_is_refused(as_role):
    ArticleFactory(code="EMPTY", bom=[])
    DestinationFactory(code="DE-DORT")
    ppic = as_role("ppic")
    mo = create_mo(ppic, article="EMPTY").json()
    response = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "bom_missing"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"article": "NOPE"}, "article"),
        ({"destination": "NOWHERE"}, "destination"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "many"}, "quantity"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"route": "SIDEWAYS"}, "route"),
        ({"batch_size": -3}, "batch_size"),
    ],
)
def test_bad_mo_input_is_400_naming_the_field(as_role, master_data, overrides, field):
    response = create_mo(as_role("ppic"), **overrides)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert ManufacturingOrder.objects.count() == 0


@pytest.mark.parametrize("role", ["sewing", "warehouse", "qc_inspector", "admin"])
def test_only_ppic_and_manager_create_and_release(as_role, master_data, role):
    response = create_mo(as_role(role), article="NOPE")  # role check before validation
    assert response.status_code == 403
    mo = create_mo(as_role("manager")).json()
    assert (
        as_role(role).post(f"/api/v1/manufacturing-orders/{mo['id']}/release/").status_code == 403
    )
    assert as_role(role).get(f"/api/v1/manufacturing-orders/{mo['id']}/").status_code == 200


def test_cancel_a_released_mo_before_cutting(as_role, master_data):
    ppic = as_role("ppic")
    mo = create_mo(ppic).json()
    ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/")
    response = ppic.post(
        f"/api/v1/manufacturing-orders/{mo['id']}/cancel/", {"reason": "PO withdrawn"}
    )
    assert response.status_code == 200 and response.json()["status"] == "CANCELLED"
    again = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/cancel/")
    assert again.status_code == 409


def test_cancel_after_cutting_is_refused(as_role, master_data, make_user):
    from ppic.models import Batch
    from transfers.ledger import Bucket, wip_move
    from transfers.models import Department

    ppic = as_role("ppic")
    mo = create_mo(ppic).json()
    ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/release/")
    batch = Batch.objects.filter(mo_id=mo["id"]).first()
    wip_move(
        batch=batch,
        source=None,
        target=Bucket(Department.objects.get(code="CUTTING"), "available"),
        quantity=10,
        reason="cut",
        user=make_user("cutter", roles=["cutting"]),
    )
    response = ppic.post(f"/api/v1/manufacturing-orders/{mo['id']}/cancel/")
    assert response.status_code == 409
    assert "10" in response.json()["error"]["message"]
    assert ManufacturingOrder.objects.get(pk=mo["id"]).status == "RELEASED"


def test_mo_numbers_are_sequential_per_year(as_role, master_data):
    ppic = as_role("ppic")
    first = create_mo(ppic).json()["number"]
    second = create_mo(ppic).json()["number"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_master_data_endpoints(as_role):
    ppic = as_role("ppic")
    assert (
        ppic.post(
            "/api/v1/materials/",
            {"code": "THR-1", "name": "Thread", "uom": "cone", "kind": "thread"},
        ).status_code
        == 201
    )
    bad_kind = ppic.post(
        "/api/v1/materials/", {"code": "X", "name": "X", "uom": "m", "kind": "gold"}
    )
    assert bad_kind.status_code == 400
    duplicate = ppic.post(
        "/api/v1/materials/", {"code": "THR-1", "name": "Thread", "uom": "cone", "kind": "thread"}
    )
    assert duplicate.status_code == 400 and "code" in duplicate.json()["error"]["fields"]
    MaterialFactory(code="PLUSH-1")
    article = ppic.post(
        "/api/v1/articles/",
        {
            "code": "RABBIT-30",
            "name": "Rabbit 30 cm",
            "default_route": "DIRECT",
            "fill_weight_g": "180",
            "fill_tolerance_g": "8",
            "units_per_carton": 36,
            "bom": [
                {"material": "PLUSH-1", "quantity_per_unit": "0.2", "waste_pct": 4},
                {"material": "THR-1", "quantity_per_unit": "0.01"},
            ],
        },
        format="json",
    )
    assert article.status_code == 201, article.content
    assert article.json()["bom"][0] == {
        "material": "PLUSH-1",
        "quantity_per_unit": "0.2000",
        "waste_pct": "4.00",
    }
    unknown = ppic.post(
        "/api/v1/articles/",
        {
            "code": "R2", "name": "R", "default_route": "DIRECT", "fill_weight_g": "1",
            "fill_tolerance_g": "1", "units_per_carton": 1,
            "bom": [{"material": "NOPE", "quantity_per_unit": "1"}],
        },
        format="json",
    )  # fmt: skip
    assert unknown.status_code == 400
    assert (
        ppic.post(
            "/api/v1/destinations/", {"code": "SE-ALM", "name": "Älmhult", "country": "SE"}
        ).status_code
        == 201
    )
    assert (
        as_role("sewing")
        .post("/api/v1/destinations/", {"code": "X", "name": "X", "country": "X"})
        .status_code
        == 403
    )
    listing = as_role("sewing").get("/api/v1/articles/").json()
    assert listing["count"] == 1 and listing["results"][0]["code"] == "RABBIT-30"
