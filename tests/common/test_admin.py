"""The Django admin: master data is edited by the admin role, with history, and archived instead of
deleted; workflow and ledger models are browsable but read-only (state changes only through the
services, ledgers are append-only); every changelist costs a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Alert, AlertKind, AlertPriority
from dashboard.services import alert_raise, alert_resolve
from ppic.models import (
    Article,
    Batch,
    BomLine,
    CustomerPO,
    Destination,
    ManufacturingOrder,
    Material,
    MaterialRequirement,
    Vendor,
    WorkOrder,
)
from ppic.services import mo_create, mo_release, po_create, vendor_create
from tests.factories import ArticleFactory, DestinationFactory, MaterialFactory, UserFactory
from tests.transfers.helpers import cut, dept, line, users
from transfers.models import (
    Department,
    Hold,
    Line,
    LineClearance,
    Transfer,
    WipBalance,
    WipMovement,
)
from transfers.services import line_clearance_record, transfer_prepare
from warehouse.models import ShortageRequest, StockLot, StockMove
from warehouse.services import (
    shortage_request_create,
    shortage_request_decide,
    stock_issue,
    stock_receive,
)

pytestmark = [pytest.mark.django_db]

MASTER_DATA = [Material, Destination, Vendor, Article]
READ_ONLY = [
    CustomerPO,
    ManufacturingOrder,
    Batch,
    WorkOrder,
    MaterialRequirement,
    StockLot,
    StockMove,
    ShortageRequest,
    WipBalance,
    WipMovement,
    Transfer,
    LineClearance,
    Alert,
]

# Queries per changelist for a staff user with view permissions, whatever the number of rows.
# Every page: session, user, the user's and the groups' permissions, the navigation's roles and
# the alert banner (6), then the count (twice where the full count is shown), the page itself,
# one per related-model or all-values filter, two for the date hierarchy, and the prefetch of
# the alert departments.
BUDGETS = {
    Material: 9,
    Destination: 10,
    Vendor: 9,
    Article: 9,
    CustomerPO: 12,
    ManufacturingOrder: 12,
    Batch: 11,
    WorkOrder: 12,
    MaterialRequirement: 10,
    StockLot: 11,
    StockMove: 10,
    ShortageRequest: 12,
    WipBalance: 12,
    WipMovement: 12,
    Transfer: 13,
    LineClearance: 13,
    Alert: 12,
}
APPS = {"ppic", "warehouse", "transfers", "dashboard"}


def url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def populate(count: int, *, start: int = 0) -> None:
    """``count`` more of every row the admin lists, each pointing at different related rows,
    all written through the services: POs, MOs (one batch each) with SPKs and requirements,
    lots received and issued, shortage requests (every other one refused), cut units, transfers
    (the first to SEW-1 is in transit, the others find the line occupied: BLOCKED with a P1
    alert), alerts (every other one resolved), line clearances."""
    cast = users()
    planner = cast["ppic"]
    keeper = UserFactory(username="t_warehouse", roles=["warehouse"])
    plush = MaterialFactory(code="PLUSH-BRN", kind="fabric", uom="m")
    for i in range(start, start + count):
        vendor_create(code=f"V-{i:03d}", name=f"Vendor {i}")
        MaterialFactory(code=f"THREAD-{i:03d}", kind="thread", uom="cone")
        destination = DestinationFactory(code=f"DC-{i:03d}", country=f"C{i % 7}")
        article = ArticleFactory(code=f"ART-{i:03d}")
        po_create(
            number=f"PO-{i:03d}",
            destination=destination,
            ship_date=timezone.localdate() + timedelta(days=40 + i),
            lines=[{"article": article, "quantity": 20}],
        )
        mo = mo_create(
            article=article,
            quantity=20,
            destination=destination,
            due_date=timezone.localdate() + timedelta(days=30 + i),
            route="DIRECT",
            batch_size=20,
            user=planner,
        )
        mo = mo_release(mo=mo, user=planner)
        batch = mo.batches.get()
        spk = mo.work_orders.get(department__code="CUTTING")
        stock_receive(
            material=plush, lot_number=f"ROLL-{i:03d}", quantity=Decimal("50"), user=keeper
        )
        stock_issue(work_order=spk, user=keeper)
        shortage = shortage_request_create(
            work_order=spk,
            material=plush,
            quantity=Decimal("1"),
            reason="torn",
            user=cast["cutting"],
        )
        if i % 2:
            shortage_request_decide(shortage=shortage, approve=False, user=keeper, note="no")
        cut(batch, 20, user=cast["cutting"])
        transfer_prepare(
            batch=batch,
            from_department=dept("CUTTING"),
            to_department=dept("SEWING"),
            to_line=line("SEW-1"),
            quantity=10,
            user=cast["cutting"],
        )
        alert = alert_raise(
            kind=AlertKind.SHORTAGE,
            priority=AlertPriority.P2,
            message=f"shortage {i}",
            departments=["WAREHOUSE", "CUTTING"],
            batch=batch,
            line=line("CUT-1"),
        )
        if i % 2:
            alert_resolve(alert=alert, user=keeper, note="delivered")
        line_clearance_record(line=line("SEW-2"), note=f"check {i}", user=cast["sewing_lead"])


@pytest.fixture
def viewer(client, make_user):
    """A staff user who may look at everything and change nothing (the manager role)."""
    client.force_login(make_user(username="admin_viewer", roles=["manager"], is_staff=True))
    return client


@pytest.fixture
def office_admin(client, make_user):
    """The admin role: staff, master data and users, nothing of the workflow."""
    user = make_user(username="office_admin", roles=["admin"], is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def almighty(client, make_user):
    """A staff user holding every model permission of the read-only models, so a refusal can
    only come from the admin classes themselves."""
    user = make_user(username="almighty", roles=["manager"], is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["ppic", "warehouse", "transfers", "dashboard"]
        )
    )
    client.force_login(user)
    return user


def test_the_finishing_packing_quality_and_shipping_records_are_in_the_admin_read_only(client):
    from finishing.models import Detector, DetectorCheck, DetectorScan, FgConversion, StuffingRecord
    from packing.models import BatchCompletion, Carton
    from quality.models import Quarantine
    from warehouse.models import Shipment

    for model in [DetectorCheck, DetectorScan, FgConversion, StuffingRecord, Carton,
                  BatchCompletion, Quarantine, Shipment]:  # fmt: skip
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(None), model
        assert not model_admin.has_change_permission(None), model
        assert not model_admin.has_delete_permission(None), model
    assert not admin.site._registry[Detector].has_delete_permission(None)


def test_every_model_of_the_four_apps_is_registered():
    # BOM lines, PO lines and transfer events are inlines of their parents; history models and
    # the alert-department link are not models of their own in the admin
    registered = {m for m in admin.site._registry if m._meta.app_label in APPS}
    from warehouse.models import Shipment

    assert registered == {*MASTER_DATA, *READ_ONLY, Department, Line, Hold, Shipment}


def test_every_changelist_answers_200_in_a_fixed_number_of_queries(
    viewer, django_assert_max_num_queries
):
    """One walk over every changelist with a few rows, then again with ten times as many (the
    rows written once for all the models: populating is the slow part)."""
    # given a few rows
    populate(3)
    few = {}
    for model, budget in BUDGETS.items():
        with django_assert_max_num_queries(budget) as captured:
            response = viewer.get(url(model))
        assert response.status_code == 200, model
        assert response.context["cl"].result_count >= 3, model
        few[model] = len(captured.captured_queries)

    # when there are ten times as many
    populate(27, start=3)
    for model, budget in BUDGETS.items():
        with django_assert_max_num_queries(budget) as many:
            response = viewer.get(url(model))

        # then the same number of queries
        assert response.status_code == 200, model
        assert response.context["cl"].result_count >= 30, model
        assert len(many.captured_queries) == few[model], model


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_the_change_page_of_a_workflow_or_ledger_row_is_read_only(model, viewer):
    populate(2)
    obj = model.objects.order_by("pk").first()
    response = viewer.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_workflow_and_ledger_rows_refuse_add_change_and_delete_even_with_every_permission(
    model, client, almighty, rf
):
    # given a user holding add/change/delete permissions on the model
    populate(1)
    obj = model.objects.order_by("pk").first()
    before = model.objects.count()
    assert almighty.has_perm(f"{model._meta.app_label}.delete_{model._meta.model_name}")
    request = rf.get("/")
    request.user = almighty
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)

    # when they post to the add, change and delete pages
    added = client.post(url(model, "add"), {})
    changed = client.post(url(model, "change", obj.pk), {})
    deleted = client.post(url(model, "delete", obj.pk), {"post": "yes"})
    bulk = client.post(
        url(model), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )

    # then every page refuses and nothing changed
    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)  # no such action: the changelist says so
    assert model.objects.count() == before
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_admin_role_sees_the_master_data_but_not_the_workflow(client, office_admin):
    populate(2)
    for model in MASTER_DATA:
        assert client.get(url(model)).status_code == 200, model
        assert client.get(url(model, "add")).status_code == 200, model
    for model in READ_ONLY:
        assert client.get(url(model)).status_code == 403, model


@pytest.mark.parametrize("model", MASTER_DATA, ids=lambda m: m._meta.label)
def test_master_data_is_never_deleted_archive_instead(model, client, office_admin):
    populate(1)
    obj = model.objects.order_by("pk").first()
    assert office_admin.has_perm(f"ppic.delete_{model._meta.model_name}")

    page = client.get(url(model))
    actions = [name for name, _label in page.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"archive", "restore"} <= set(actions)
    assert client.get(url(model, "delete", obj.pk)).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()

    # the archive action sets active off and records who did it
    response = client.post(url(model), {"action": "archive", "_selected_action": [obj.pk]})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.active is False
    assert obj.history.latest().history_user == office_admin


def test_a_material_changed_in_the_admin_writes_a_history_row(client, office_admin):
    # given
    material = MaterialFactory(code="THREAD-RED", name="Red thread", kind="thread", uom="cone")
    rows = material.history.count()

    # when the admin renames it (and tries to change its code, which is read-only once set)
    response = client.post(
        url(Material, "change", material.pk),
        {
            "code": "OTHER",
            "name": "Red thread 40/2",
            "uom": "cone",
            "kind": "thread",
            "active": "on",
        },
    )

    # then
    assert response.status_code == 302, response.context and response.context["errors"]
    material.refresh_from_db()
    assert (material.code, material.name) == ("THREAD-RED", "Red thread 40/2")
    assert material.history.count() == rows + 1
    latest = material.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", office_admin)
    assert client.get(url(Material, "history", material.pk)).status_code == 200


def test_an_article_is_added_with_its_bom_in_the_admin(client, office_admin):
    plush = MaterialFactory(code="PLUSH-BRN", kind="fabric", uom="m")
    fiber = MaterialFactory(code="FIBER-7D", kind="filling", uom="kg")
    prefix = "bom"
    response = client.post(
        url(Article, "add"),
        {
            "code": "BEAR-99",
            "name": "Bear 99",
            "default_route": "DIRECT",
            "fill_weight_g": "250",
            "fill_tolerance_g": "10",
            "units_per_carton": "24",
            "bundle_size": "20",
            "active": "on",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-material": plush.pk,
            f"{prefix}-0-quantity_per_unit": "0.25",
            f"{prefix}-0-waste_pct": "4",
            f"{prefix}-1-material": fiber.pk,
            f"{prefix}-1-quantity_per_unit": "0.12",
            f"{prefix}-1-waste_pct": "2",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    article = Article.objects.get(code="BEAR-99")
    assert sorted(article.bom.values_list("material__code", flat=True)) == ["FIBER-7D", "PLUSH-BRN"]
    assert BomLine.history.filter(article_id=article.pk).count() == 2
    assert client.get(url(Article, "change", article.pk)).status_code == 200


def test_a_transfer_is_found_by_its_number(viewer):
    populate(3)
    transfer = Transfer.objects.order_by("pk")[1]
    response = viewer.get(url(Transfer), {"q": transfer.number.lower()})
    assert [t.pk for t in response.context["cl"].result_list] == [transfer.pk]
    assert transfer.number.encode() in response.content


def test_the_changelists_filter_by_state_and_department(viewer):
    populate(3)
    blocked = viewer.get(url(Transfer), {"state__exact": "BLOCKED"})
    assert {t.state for t in blocked.context["cl"].result_list} == {"BLOCKED"}
    sewing = viewer.get(url(WorkOrder), {"department__id__exact": dept("SEWING").pk})
    assert {w.department.code for w in sewing.context["cl"].result_list} == {"SEWING"}
    open_alerts = viewer.get(url(Alert), {"resolved_at__isempty": "1"})
    assert {a.resolved_at for a in open_alerts.context["cl"].result_list} == {None}
    assert (
        open_alerts.context["cl"].result_count
        == Alert.objects.filter(resolved_at__isnull=True).count()
    )


def test_the_admin_index_lists_the_models_in_a_fixed_number_of_queries(
    viewer, django_assert_max_num_queries
):
    populate(1)
    with django_assert_max_num_queries(7):
        response = viewer.get(reverse("admin:index"))
    assert response.status_code == 200
    listed = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert {m.__name__ for m in READ_ONLY + MASTER_DATA} <= listed


@pytest.mark.parametrize(
    "label",
    ["quality.defectcode", "quality.inspection", "quality.finalinspection", "cutting.cutrecord",
     "cutting.bundle",
     "embroidery.embroideryrecord", "sewing.stagerecord", "sewing.needlelog",
     "sewing.brokenneedle", "transfers.hold"],
)  # fmt: skip
def test_the_production_record_admins_open(label, make_user, client):
    app_label, model_name = label.split(".")
    user = make_user(roles=["manager"], is_staff=True)
    client.force_login(user)
    assert client.get(f"/admin/{app_label}/{model_name}/").status_code == 200


def test_defect_codes_are_kept_in_the_admin_with_history(make_user, client):
    from quality.models import DefectCode

    user = make_user(roles=["admin"], is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quality", codename__endswith="defectcode"
        )
    )
    client.force_login(user)
    code = DefectCode.objects.get(code="STAIN")
    response = client.post(
        f"/admin/quality/defectcode/{code.pk}/change/",
        {"code": "STAIN", "name": "Stain or dirt", "name_id": "Noda", "active": "on"},
    )
    assert response.status_code == 302
    assert code.history.count() >= 1 and DefectCode.objects.get(pk=code.pk).name == "Stain or dirt"
