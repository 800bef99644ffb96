"""Planning office pages: who may open and change them, what they show, query budgets, and the
article → PO → MO → release → cancel flow through the forms."""

import csv
import io
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ppic import selectors, services
from ppic.models import (
    Article,
    BomLine,
    CustomerPO,
    ManufacturingOrder,
    WorkOrder,
)
from tests.factories import ArticleFactory, DestinationFactory, MaterialFactory

pytestmark = [pytest.mark.django_db]

PLANNING_ROLES = ["ppic", "manager", "admin"]
OTHER_ROLES = ["sewing", "warehouse", "qc_inspector"]


# --- helpers ----------------------------------------------------------------------------------
def key() -> str:
    return uuid.uuid4().hex


def login(client, make_user, role):
    """Log in; these tests read the English wording (Indonesian is tested in test_i18n)."""
    from django.conf import settings

    client.force_login(make_user(username=f"{role}-user", roles=[role]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def make_mo(*, user, article=None, destination=None, quantity=1000, due_in_days=30, **kwargs):
    return services.mo_create(
        article=article or ArticleFactory(code="BEAR-40"),
        quantity=quantity,
        destination=destination or DestinationFactory(code="DE-DORT", country="DE"),
        due_date=timezone.localdate() + timedelta(days=due_in_days),
        user=user,
        **kwargs,
    )


def cut(batch, quantity, user):
    """Units of a batch leave the input bucket at cutting (what a cutting record does)."""
    from transfers.ledger import Bucket, wip_move
    from transfers.models import Department

    wip_move(
        batch=batch,
        source=None,
        target=Bucket(Department.objects.get(code="CUTTING"), "available"),
        quantity=quantity,
        reason="cut",
        user=user,
    )


def formset_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{i}-{name}"] = value
    return data


def article_post(**overrides) -> dict:
    data = {
        "code": "RABBIT-30",
        "name": "Rabbit 30 cm",
        "default_route": "DIRECT",
        "fill_weight_g": "180",
        "fill_tolerance_g": "8",
        "units_per_carton": "36",
        "bundle_size": "20",
        "idempotency_key": key(),
        **formset_data(
            "bom",
            [
                {"material": "PLUSH-1", "quantity_per_unit": "0.2", "waste_pct": "4"},
                {"material": "THR-1", "quantity_per_unit": "0.01", "waste_pct": ""},
                {"material": "", "quantity_per_unit": "", "waste_pct": ""},  # blank: ignored
            ],
        ),
    }
    data.update(overrides)
    return data


def mo_post(**overrides) -> dict:
    data = {
        "article": "BEAR-40",
        "quantity": "1000",
        "destination": "DE-DORT",
        "due_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "route": "",
        "po_number": "",
        "batch_size": "300",
        "po_line": "",
        "idempotency_key": key(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def master_data():
    MaterialFactory(code="PLUSH-1", kind="fabric", uom="m")
    MaterialFactory(code="THR-1", kind="thread", uom="cone")
    return {
        "article": ArticleFactory(code="BEAR-40", default_route="FULL"),
        "destination": DestinationFactory(code="DE-DORT", country="DE"),
    }


@pytest.fixture
def released_mo(master_data, make_user):
    planner = make_user(username="planner", roles=["ppic"])
    mo = make_mo(user=planner, batch_size=300)
    return services.mo_release(mo=mo, user=planner)


@pytest.fixture
def make_mo_draft(master_data, make_user):
    return make_mo(user=make_user(username="planner", roles=["ppic"]))


@pytest.fixture
def po(master_data):
    return services.po_create(
        number="4500012345",
        destination=master_data["destination"],
        ship_date=timezone.localdate() + timedelta(days=40),
        lines=[{"article": master_data["article"], "quantity": 1200}],
    )


def pages(mo, po, article) -> list[str]:
    spk = mo.work_orders.order_by("step").first()
    return [
        "/ppic/",
        "/ppic/mos/",
        f"/ppic/mos/{mo.pk}/",
        f"/ppic/spk/{spk.number}/print/",
        "/ppic/plan/",
        "/ppic/articles/",
        f"/ppic/articles/{article.pk}/",
        "/ppic/pos/",
        f"/ppic/pos/{po.pk}/",
    ]


# --- who may open and change what ---------------------------------------------------------------
@pytest.mark.parametrize("role", PLANNING_ROLES)
def test_every_planning_page_answers_200_for_the_planning_roles(
    client, make_user, released_mo, po, master_data, role
):
    login(client, make_user, role)
    for url in pages(released_mo, po, master_data["article"]):
        assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_planning_page_answers_403_for_other_roles(
    client, make_user, released_mo, po, master_data, role
):
    login(client, make_user, role)
    urls = pages(released_mo, po, master_data["article"])
    urls += ["/ppic/articles/new/", "/ppic/pos/new/", "/ppic/mos/new/"]
    for url in urls:
        assert client.get(url).status_code == 403, (role, url)


def test_anonymous_users_are_sent_to_login(client, released_mo, po, master_data):
    for url in pages(released_mo, po, master_data["article"]) + ["/ppic/mos/new/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url, writers",
    [
        ("/ppic/articles/new/", {"ppic", "admin"}),
        ("/ppic/pos/new/", {"ppic", "manager"}),
        ("/ppic/mos/new/", {"ppic", "manager"}),
    ],
)
@pytest.mark.parametrize("role", PLANNING_ROLES)
def test_new_forms_open_only_for_the_roles_that_may_save_them(
    client, make_user, master_data, url, writers, role
):
    login(client, make_user, role)
    assert client.get(url).status_code == (200 if role in writers else 403)


def test_read_only_roles_see_no_action_buttons(client, make_user, master_data, make_mo_draft):
    # given an admin (reads MOs and POs) and a manager (reads articles)
    login(client, make_user, "admin")
    # when the admin opens the MO list and a draft MO
    mo_list = client.get("/ppic/mos/").content.decode()
    detail = client.get(f"/ppic/mos/{make_mo_draft.pk}/").content.decode()
    # then no create, release or cancel buttons are there
    assert 'data-testid="new-mo"' not in mo_list
    assert 'data-testid="release"' not in detail and 'data-testid="cancel"' not in detail
    assert 'data-testid="new-article"' in client.get("/ppic/articles/").content.decode()

    login(client, make_user, "manager")
    article_page = client.get(f"/ppic/articles/{master_data['article'].pk}/").content.decode()
    assert 'data-testid="read-only"' in article_page and 'data-testid="save"' not in article_page
    assert 'data-testid="new-article"' not in client.get("/ppic/articles/").content.decode()
    assert 'data-testid="release"' in client.get(f"/ppic/mos/{make_mo_draft.pk}/").content.decode()


def test_posts_by_read_only_roles_are_403_and_change_nothing(
    client, make_user, master_data, make_mo_draft, po
):
    article = master_data["article"]
    # a manager may not change master data
    login(client, make_user, "manager")
    assert client.post("/ppic/articles/new/", article_post()).status_code == 403
    edit = article_post(code=article.code, name="Changed")
    assert client.post(f"/ppic/articles/{article.pk}/", edit).status_code == 403
    archive = {"active": "0", "idempotency_key": key()}
    assert client.post(f"/ppic/articles/{article.pk}/archive/", archive).status_code == 403
    # an admin may not plan
    login(client, make_user, "admin")
    assert client.post("/ppic/mos/new/", mo_post()).status_code == 403
    release = {"idempotency_key": key()}
    assert client.post(f"/ppic/mos/{make_mo_draft.pk}/release/", release).status_code == 403
    cancel = {"reason": "no", "idempotency_key": key()}
    assert client.post(f"/ppic/mos/{make_mo_draft.pk}/cancel/", cancel).status_code == 403
    po_data = {"number": "PO-X", "destination": "DE-DORT", "ship_date": "2030-01-01"}
    po_data |= formset_data("lines", [{"article": "BEAR-40", "quantity": "5"}])
    assert client.post("/ppic/pos/new/", po_data).status_code == 403
    # an operator may not post anything here
    login(client, make_user, "sewing")
    assert client.post("/ppic/mos/new/", mo_post()).status_code == 403
    assert client.post(f"/ppic/mos/{make_mo_draft.pk}/release/", release).status_code == 403

    article.refresh_from_db()
    make_mo_draft.refresh_from_db()
    assert article.name != "Changed" and article.active
    assert not Article.objects.filter(code="RABBIT-30").exists()
    assert ManufacturingOrder.objects.count() == 1 and make_mo_draft.status == "DRAFT"
    assert list(CustomerPO.objects.values_list("number", flat=True)) == [po.number]
    from erp.common.models import IdempotencyRecord

    assert IdempotencyRecord.objects.count() == 0


# --- query budgets --------------------------------------------------------------------------------
def build_rows(n: int, make_user):
    """n articles, n POs and n MOs (released, some units cut) with their progress."""
    planner = make_user(username="planner", roles=["ppic"])
    cutter = make_user(username="cutter", roles=["cutting"])
    destination = DestinationFactory(code="DE-DORT")
    for i in range(n):
        article = ArticleFactory(code=f"ART-{i:03d}")
        services.po_create(
            number=f"PO-{i:03d}",
            destination=destination,
            ship_date=timezone.localdate() + timedelta(days=i),
            lines=[{"article": article, "quantity": 100}],
        )
        mo = make_mo(
            user=planner,
            article=article,
            destination=destination,
            quantity=100,
            due_in_days=i - 5,  # a few are late
            batch_size=50,
        )
        if i % 2 == 0:
            services.mo_release(mo=mo, user=planner)
            cut(mo.batches.first(), 10, cutter)


# Measured: 5, 6, 8, 7 (session, user, roles, then the page); two to spare for the layout.
BUDGETS = {"/ppic/articles/": 7, "/ppic/pos/": 8, "/ppic/mos/": 10, "/ppic/plan/": 9}


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize("url", list(BUDGETS))
def test_list_pages_stay_within_a_fixed_query_budget(
    client, make_user, django_assert_max_num_queries, url, rows
):
    # given rows of everything (60 is more than a page)
    build_rows(rows, make_user)
    login(client, make_user, "ppic")
    # when the page is opened, then it costs the same number of queries whatever the rows
    with django_assert_max_num_queries(BUDGETS[url]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-") >= min(rows, 50)  # a full page


def test_mo_progress_many_equals_mo_progress_for_each_mo(make_user, django_assert_num_queries):
    from transfers.selectors import mo_progress

    build_rows(4, make_user)
    mos = list(ManufacturingOrder.objects.all())
    with django_assert_num_queries(2):
        many = selectors.mo_progress_many(mos)
    for mo in mos:
        assert many[mo.pk] == mo_progress(mo=mo)
    released = next(mo for mo in mos if mo.status == "RELEASED")
    assert many[released.pk][0] == {
        "department": "CUTTING",
        "target_quantity": 100,
        "wip": 10,
        "done": 0,
    }


# --- articles and BOM ---------------------------------------------------------------------------
def test_article_with_bom_is_created_through_the_form(client, make_user, master_data):
    login(client, make_user, "ppic")
    response = client.post("/ppic/articles/new/", article_post())
    assert response.status_code == 302, response.content.decode()
    article = Article.objects.get(code="RABBIT-30")
    assert response["Location"] == f"/ppic/articles/{article.pk}/"
    assert article.units_per_carton == 36 and article.fill_weight_g == Decimal("180")
    assert sorted(
        (b.material.code, b.quantity_per_unit, b.waste_pct) for b in article.bom.all()
    ) == [("PLUSH-1", Decimal("0.2"), Decimal("4")), ("THR-1", Decimal("0.01"), Decimal("0"))]
    page = client.get(response["Location"]).content.decode()
    assert 'value="PLUSH-1"' in page and 'value="THR-1"' in page


def test_article_edit_replaces_the_bom_and_keeps_the_code(client, make_user, master_data):
    article = master_data["article"]  # BOM: PLUSH-BRN, FIBER-7D
    login(client, make_user, "admin")
    data = article_post(code="RENAMED", name="Bear 40 cm, new")
    data.update(
        formset_data(
            "bom",
            [
                {"material": "PLUSH-BRN", "quantity_per_unit": "0.3", "waste_pct": "5"},
                {"material": "FIBER-7D", "quantity_per_unit": "0.12", "DELETE": "on"},
                {"material": "THR-1", "quantity_per_unit": "0.02", "waste_pct": "0"},
            ],
            initial=2,
        )
    )
    response = client.post(f"/ppic/articles/{article.pk}/", data)
    assert response.status_code == 302, response.content.decode()
    article.refresh_from_db()
    assert article.code == "BEAR-40" and article.name == "Bear 40 cm, new"
    assert sorted((b.material.code, b.quantity_per_unit) for b in article.bom.all()) == [
        ("PLUSH-BRN", Decimal("0.3")),
        ("THR-1", Decimal("0.02")),
    ]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"bom-0-material": "NOPE"}, "NOPE"),
        ({"bom-0-quantity_per_unit": "-1"}, "is-invalid"),
        ({"bom-1-material": "PLUSH-1"}, "PLUSH-1 is already on another line"),
        ({"bom-0-waste_pct": "120"}, "is-invalid"),
        ({"bom-1-quantity_per_unit": ""}, "is-invalid"),
        ({"name": ""}, "is-invalid"),
        ({"units_per_carton": "0"}, "is-invalid"),
        ({"code": "BEAR-40"}, "is-invalid"),  # taken
    ],
)
def test_bad_article_input_shows_the_error_and_writes_nothing(
    client, make_user, master_data, overrides, message
):
    login(client, make_user, "ppic")
    before = (Article.objects.count(), BomLine.objects.count())
    response = client.post("/ppic/articles/new/", article_post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Article.objects.count(), BomLine.objects.count()) == before


def test_archiving_an_article_keeps_it_and_hides_it_from_new_mos(client, make_user, master_data):
    article = master_data["article"]
    login(client, make_user, "ppic")
    response = client.post(
        f"/ppic/articles/{article.pk}/archive/", {"active": "0", "idempotency_key": key()}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.active is False
    listing = client.get("/ppic/articles/").content.decode()
    assert 'data-code="BEAR-40"' not in listing
    assert 'data-code="BEAR-40"' in client.get("/ppic/articles/?active=0").content.decode()
    login(client, make_user, "manager")
    refused = client.post("/ppic/mos/new/", mo_post())
    assert refused.status_code == 400 and ManufacturingOrder.objects.count() == 0


def test_article_list_filters_sorts_and_counts(client, make_user, master_data):
    ArticleFactory(code="RABBIT-30", name="Rabbit")
    ArticleFactory(code="ELEPHANT-20", name="Elephant")
    login(client, make_user, "ppic")
    html = client.get("/ppic/articles/?q=rabb").content.decode()
    assert 'data-code="RABBIT-30"' in html and 'data-code="BEAR-40"' not in html
    html = client.get("/ppic/articles/?sort=-code").content.decode()
    assert html.index("RABBIT-30") < html.index("ELEPHANT-20") < html.index("BEAR-40")
    count = re.search(r'data-testid="count">(\d+) ', client.get("/ppic/articles/").content.decode())
    assert count.group(1) == "3"


@pytest.mark.parametrize(
    "url", ["/ppic/mos/?status=DRAFT", "/ppic/plan/", "/ppic/articles/?q=B", "/ppic/pos/"]
)
def test_htmx_filtering_answers_only_the_list(client, make_user, make_mo_draft, url):
    login(client, make_user, "ppic")
    response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="list">') and "<html" not in html


# --- customer POs -----------------------------------------------------------------------------
def test_po_is_created_through_the_form_and_its_line_prefills_an_mo(client, make_user, master_data):
    login(client, make_user, "ppic")
    ship = timezone.localdate() + timedelta(days=50)
    data = {"number": "4500099999", "destination": "DE-DORT", "ship_date": ship.isoformat()}
    data |= {"idempotency_key": key()}
    data |= formset_data(
        "lines",
        [{"article": "BEAR-40", "quantity": "1500"}, {"article": "", "quantity": ""}],
    )
    response = client.post("/ppic/pos/new/", data)
    assert response.status_code == 302, response.content.decode()
    po = CustomerPO.objects.get(number="4500099999")
    line = po.lines.get()
    assert (line.article.code, line.quantity, po.ship_date) == ("BEAR-40", 1500, ship)

    detail = client.get(response["Location"]).content.decode()
    assert f"/ppic/mos/new/?po_line={line.pk}" in detail
    form = client.get(f"/ppic/mos/new/?po_line={line.pk}").content.decode()
    assert 'value="1500"' in form and 'value="4500099999"' in form
    assert f'value="{ship.isoformat()}"' in form and 'value="BEAR-40" selected' in form

    created = client.post(
        "/ppic/mos/new/",
        mo_post(quantity="1000", po_line=str(line.pk), due_date=ship.isoformat()),
    )
    assert created.status_code == 302
    mo = ManufacturingOrder.objects.get()
    assert mo.po_line == line and mo.po_number == "4500099999"
    assert "500" in client.get(f"/ppic/pos/{po.pk}/").content.decode()  # still to plan


def test_an_mo_from_a_po_line_must_keep_its_article_and_destination(
    client, make_user, master_data, po
):
    ArticleFactory(code="OTHER")
    DestinationFactory(code="SE-ALM", country="SE")
    login(client, make_user, "ppic")
    line = po.lines.get()
    response = client.post(
        "/ppic/mos/new/", mo_post(article="OTHER", destination="SE-ALM", po_line=str(line.pk))
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "BEAR-40" in html and "is-invalid" in html
    assert ManufacturingOrder.objects.count() == 0


def test_bad_po_input_writes_nothing(client, make_user, master_data, po):
    login(client, make_user, "ppic")
    data = {"number": po.number, "destination": "DE-DORT", "ship_date": "2030-01-01"}
    data |= formset_data(
        "lines",
        [{"article": "BEAR-40", "quantity": "10"}, {"article": "BEAR-40", "quantity": "5"}],
    )
    response = client.post("/ppic/pos/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "already used" in html and "BEAR-40 is already on another line" in html
    empty = {"number": "NEW-1", "destination": "DE-DORT", "ship_date": "2030-01-01"}
    empty |= formset_data("lines", [{"article": "", "quantity": ""}])
    assert client.post("/ppic/pos/new/", empty).status_code == 400
    assert CustomerPO.objects.count() == 1


def test_po_create_service_refuses_archived_articles_and_repeated_numbers(master_data, po):
    from erp.common.errors import ApplicationError

    article = master_data["article"]
    with pytest.raises(ApplicationError) as taken:
        services.po_create(
            number=po.number,
            destination=master_data["destination"],
            ship_date=po.ship_date,
            lines=[{"article": article, "quantity": 1}],
        )
    assert taken.value.status == 400 and "number" in taken.value.fields
    services.article_update(article=article, active=False)
    with pytest.raises(ApplicationError) as archived:
        services.po_create(
            number="NEW",
            destination=master_data["destination"],
            ship_date=po.ship_date,
            lines=[{"article": article, "quantity": 1}],
        )
    assert archived.value.code == "article_inactive"
    assert CustomerPO.objects.count() == 1


# --- manufacturing orders ---------------------------------------------------------------------
def test_mo_create_release_and_cancel_through_the_pages(client, make_user, master_data):
    login(client, make_user, "ppic")
    client.cookies["django_language"] = "en"  # decimals with a point
    # create
    created = client.post("/ppic/mos/new/", mo_post())
    assert created.status_code == 302, created.content.decode()
    mo = ManufacturingOrder.objects.get()
    assert created["Location"] == f"/ppic/mos/{mo.pk}/"
    assert (mo.status, mo.route, mo.batch_size) == ("DRAFT", "FULL", 300)
    page = client.get(created["Location"]).content.decode()
    assert 'data-testid="release"' in page and 'data-status="DRAFT"' in page
    # release
    released = client.post(f"/ppic/mos/{mo.pk}/release/", {"idempotency_key": key()})
    assert released.status_code == 302
    mo.refresh_from_db()
    assert mo.status == "RELEASED"
    page = client.get(f"/ppic/mos/{mo.pk}/").content.decode()
    assert f"{mo.number}-B04" in page and 'data-testid="release"' not in page
    spks = list(mo.work_orders.order_by("step").values_list("number", flat=True))
    assert len(spks) == 5 and all(f"/ppic/spk/{n}/print/" in page for n in spks)
    assert "260.000" in page  # 1000 × 0.25 m × 1.04 on the cutting SPK
    # cancel needs a reason
    no_reason = client.post(f"/ppic/mos/{mo.pk}/cancel/", {"idempotency_key": key()})
    assert no_reason.status_code == 400
    mo.refresh_from_db()
    assert mo.status == "RELEASED"
    cancelled = client.post(
        f"/ppic/mos/{mo.pk}/cancel/", {"reason": "PO withdrawn", "idempotency_key": key()}
    )
    assert cancelled.status_code == 302
    mo.refresh_from_db()
    assert mo.status == "CANCELLED" and mo.cancel_reason == "PO withdrawn"
    page = client.get(f"/ppic/mos/{mo.pk}/").content.decode()
    assert 'data-testid="cancel"' not in page and "PO withdrawn" in page


def test_a_double_submitted_mo_form_creates_one_mo(client, make_user, master_data):
    login(client, make_user, "ppic")
    data = mo_post()
    first = client.post("/ppic/mos/new/", data)
    second = client.post("/ppic/mos/new/", data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert ManufacturingOrder.objects.count() == 1
    # a new form (a new key) is a new MO
    assert client.post("/ppic/mos/new/", mo_post()).status_code == 302
    assert ManufacturingOrder.objects.count() == 2


def test_a_double_submitted_release_releases_once(client, make_user, make_mo_draft):
    login(client, make_user, "manager")
    data = {"idempotency_key": key()}
    first = client.post(f"/ppic/mos/{make_mo_draft.pk}/release/", data)
    second = client.post(f"/ppic/mos/{make_mo_draft.pk}/release/", data)
    assert first.status_code == second.status_code == 302
    assert make_mo_draft.batches.count() == 1  # one batch: the whole MO


def test_service_refusals_show_a_red_box_with_409(client, make_user, master_data):
    planner = make_user(username="planner", roles=["ppic"])
    empty = ArticleFactory(code="EMPTY", bom=[])
    mo = make_mo(user=planner, article=empty)
    login(client, make_user, "ppic")
    # release without a BOM
    response = client.post(f"/ppic/mos/{mo.pk}/release/", {"idempotency_key": key()})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="error"' in html and 'data-code="bom_missing"' in html and "EMPTY" in html
    mo.refresh_from_db()
    assert mo.status == "DRAFT"
    # releasing twice
    bear = make_mo(user=planner)
    client.post(f"/ppic/mos/{bear.pk}/release/", {"idempotency_key": key()})
    again = client.post(f"/ppic/mos/{bear.pk}/release/", {"idempotency_key": key()})
    assert again.status_code == 409 and 'data-code="invalid_transition"' in again.content.decode()
    # cancelling after cutting
    cut(bear.batches.first(), 10, make_user(username="cutter", roles=["cutting"]))
    refused = client.post(
        f"/ppic/mos/{bear.pk}/cancel/", {"reason": "late", "idempotency_key": key()}
    )
    assert refused.status_code == 409 and "10" in refused.content.decode()
    bear.refresh_from_db()
    assert bear.status == "RELEASED"


def test_mo_list_filters_and_exports_exactly_the_filtered_rows(client, make_user, master_data):
    from openpyxl import load_workbook

    planner = make_user(username="planner", roles=["ppic"])
    other = DestinationFactory(code="SE-ALM", country="SE")
    soon = make_mo(user=planner, due_in_days=5)
    later = make_mo(user=planner, due_in_days=60)
    sweden = make_mo(user=planner, destination=other, due_in_days=5)
    services.mo_release(mo=soon, user=planner)
    login(client, make_user, "ppic")
    until = (timezone.localdate() + timedelta(days=10)).isoformat()
    query = f"destination=DE-DORT&due_before={until}"

    html = client.get(f"/ppic/mos/?{query}").content.decode()
    assert soon.number in html and later.number not in html and sweden.number not in html
    assert f"{query.replace('&', '&amp;')}&amp;export=csv" in html

    csv_response = client.get(f"/ppic/mos/?{query}&export=csv")
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert [r[0] for r in rows[1:]] == [soon.number]
    assert rows[1][1] == "RELEASED" and rows[1][5] == "DE-DORT"

    xlsx = client.get(f"/ppic/mos/?{query}&export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [soon.number]

    draft_rows = client.get("/ppic/mos/?status=DRAFT&export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(draft_rows.streaming_content).decode())))
    assert sorted(r[0] for r in rows[1:]) == sorted([later.number, sweden.number])
    by_article = client.get("/ppic/mos/?article=NOPE").content.decode()
    assert soon.number not in by_article


def test_mo_list_shows_progress_per_department(client, make_user, released_mo):
    cut(released_mo.batches.first(), 120, make_user(username="cutter", roles=["cutting"]))
    login(client, make_user, "ppic")
    html = client.get("/ppic/mos/").content.decode()
    row = html.split(f'data-number="{released_mo.number}"')[1].split("</tr>")[0]
    assert 'data-department="CUTTING"' in row and "+120" in row and "/ 1000" in row


def test_a_bad_filter_value_is_ignored_not_a_500(client, make_user, master_data):
    login(client, make_user, "ppic")
    response = client.get("/ppic/mos/?due_before=someday&status=NOPE&sort=evil&page=x")
    assert response.status_code == 200


# --- SPK and plan board -------------------------------------------------------------------------
def test_the_printable_spk_shows_number_requirements_and_a_qr_code(client, make_user, released_mo):
    spk = WorkOrder.objects.get(mo=released_mo, department__code="CUTTING")
    login(client, make_user, "ppic")
    client.cookies["django_language"] = "en"  # decimals with a point
    html = client.get(f"/ppic/spk/{spk.number}/print/").content.decode()
    assert spk.number in html and released_mo.number in html
    assert "<svg" in html and "@page" in html and "A4" in html
    assert "PLUSH-BRN" in html and "260.000" in html and ">m<" in html
    assert f"{released_mo.number}-B04" in html and "BEAR-40" in html and "DE" in html
    assert client.get("/ppic/spk/SPK-NOPE/print/").status_code == 404


def test_the_plan_board_marks_late_mos_and_counts_them(client, make_user, master_data):
    planner = make_user(username="planner", roles=["ppic"])
    late = make_mo(user=planner, due_in_days=-3)
    on_time = make_mo(user=planner, due_in_days=10)
    done = make_mo(user=planner, due_in_days=-10)
    services.mo_cancel(mo=done, user=planner, reason="x")
    login(client, make_user, "ppic")
    client.cookies["django_language"] = "en"
    html = client.get("/ppic/plan/").content.decode()
    late_row = html.split(f'data-number="{late.number}"')[1].split("</tr>")[0]
    on_time_row = html.split(f'data-number="{on_time.number}"')[1].split("</tr>")[0]
    assert 'data-testid="late"' in late_row and "Late" in late_row
    assert 'data-testid="late"' not in on_time_row
    assert f'data-number="{late.number}" class="table-danger" data-late="1"' in html
    assert done.number not in html  # cancelled MOs are not on the board
    assert 'data-testid="late-count" data-count="1"' in html
    assert html.index(late.number) < html.index(on_time.number)  # by due date
    assert html.count('data-testid="week"') == 2
