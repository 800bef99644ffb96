"""Master-data import (issue 3, acceptance 4): a file with one bad row writes nothing and reports
the row; a good file imports every row; importing it again changes nothing."""

from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from erp.common.errors import ApplicationError
from ppic.importing import (
    MAX_BYTES,
    RowError,
    import_rows,
    import_tables,
    read_table,
)
from ppic.models import Article, BomLine, Destination, Material
from tests.factories import ArticleFactory, DestinationFactory, MaterialFactory
from warehouse.models import StockLot, StockMove

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"

MATERIALS_CSV = """code,name,uom,kind
PLUSH-BRN,Plush brown,m,fabric
FIBER-7D,Fibre 7D,kg,filling
EYE-12,Safety eye 12 mm,pcs,accessory
"""

ARTICLES_CSV = """\ufeffarticle_code;article_name;default_route;fill_weight_g;fill_tolerance_g;\
units_per_carton;material_code;quantity_per_unit;waste_pct
BEAR-30;Bear 30 cm;DIRECT;250,5;10;24;PLUSH-BRN;0,25;4
BEAR-30;Bear 30 cm;DIRECT;250.50;10;24;FIBER-7D;0,12;2,5
BEAR-30;Bear 30 cm;DIRECT;250,5;10;24;EYE-12;2;
BUNNY-40;Bunny 40 cm;FULL;320;12;12;PLUSH-BRN;0.38;5
"""

STOCK_CSV = """material_code,lot_number,dye_lot,quantity,received_at,inspection_points
PLUSH-BRN,R-001,DL-7,52.5,2024-01-08 08:30,12
PLUSH-BRN,R-002,DL-7,48,08/01/2024,25
FIBER-7D,B-007,,250,,
"""


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def planner(make_user):
    return make_user(username="rina", roles=["ppic"])


def table(text: str, name: str = "file.csv") -> list[dict]:
    return read_table(text.encode("utf-8"), name)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def history_rows() -> int:
    return sum(model.history.count() for model in (Material, Destination, Article, BomLine))


# --- materials and destinations ---------------------------------------------------------------
def test_good_materials_file_imports_every_row(planner):
    result = import_rows("materials", table(MATERIALS_CSV), planner)

    assert result.ok and result.written
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    fibre = Material.objects.get(code="FIBER-7D")
    assert (fibre.name, fibre.uom, fibre.kind) == ("Fibre 7D", "kg", "filling")
    assert fibre.history.get().history_user == planner


def test_one_bad_row_writes_nothing_and_reports_its_row_and_column(planner):
    # given: row 3 (header = row 1) has a kind that is not one of the model's choices
    text = MATERIALS_CSV.replace("kg,filling", "kg,Filling")

    # when
    result = import_rows("materials", table(text), planner)

    # then
    assert Material.objects.count() == 0
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [(3, "kind")]
    assert '"Filling" is not one of: fabric, thread, filling' in result.errors[0].message


def test_importing_the_same_file_again_changes_nothing(planner):
    import_rows("materials", table(MATERIALS_CSV), planner)
    before = list(Material.objects.values_list("code", "updated_at"))
    histories = history_rows()

    again = import_rows("materials", table(MATERIALS_CSV), planner)

    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(Material.objects.values_list("code", "updated_at")) == before
    assert history_rows() == histories


def test_changed_name_is_an_update_recorded_in_history(planner):
    MaterialFactory(code="EYE-12", name="Eye", uom="pcs", kind="accessory")

    result = import_rows("materials", table(MATERIALS_CSV), planner)

    assert [(c.key, c.action, c.fields) for c in result.changes if c.key == "EYE-12"] == [
        ("EYE-12", "update", ("name",))
    ]
    eye = Material.objects.get(code="EYE-12")
    latest = eye.history.first()
    assert (eye.name, latest.history_type, latest.history_user) == (
        "Safety eye 12 mm",
        "~",
        planner,
    )
    assert latest.history_change_reason == "import materials"


def test_dry_run_lists_what_would_change_and_writes_nothing(planner):
    DestinationFactory(code="DC-DE01", name="IKEA Dortmund", country="Germany")
    text = (
        "code;name;country\nDC-DE01;IKEA DC Dortmund;Germany\nDC-NL02;IKEA DC Venlo;Netherlands\n"
    )

    result = import_rows("destinations", table(text), planner, dry_run=True)

    assert result.ok and not result.written
    assert [(c.row, c.key, c.action) for c in result.changes] == [
        (2, "DC-DE01", "update"),
        (3, "DC-NL02", "create"),
    ]
    assert "Dry run" in result.summary()
    assert Destination.objects.get(code="DC-DE01").name == "IKEA Dortmund"
    assert not Destination.objects.filter(code="DC-NL02").exists()


def test_every_bad_row_is_reported_at_once(planner):
    text = "code,name,uom,kind\n,No code,m,fabric\nA,,m,fabric\n\nA,Again,m,fabric\n"

    result = import_rows("materials", table(text), planner)

    # the blank line 4 keeps its number: the rows are the spreadsheet's
    assert [(e.row, e.column) for e in result.errors] == [(2, "code"), (3, "name"), (5, "code")]
    assert result.errors[2].message == "Code A is already on row 3."
    assert Material.objects.count() == 0


# --- articles with BOMs -----------------------------------------------------------------------
def test_articles_with_semicolons_decimal_commas_and_bom_import_their_boms(planner):
    # given: the materials of an earlier import run
    import_rows("materials", table(MATERIALS_CSV), planner)

    # when
    result = import_rows("articles", table(ARTICLES_CSV), planner)

    # then
    assert result.ok, result.errors
    assert (result.rows, result.created) == (4, 2)
    bear = Article.objects.get(code="BEAR-30")
    assert (bear.fill_weight_g, bear.fill_tolerance_g, bear.units_per_carton) == (
        Decimal("250.5"),
        Decimal("10"),
        24,
    )
    assert {
        (line.material.code, line.quantity_per_unit, line.waste_pct) for line in bear.bom.all()
    } == {
        ("PLUSH-BRN", Decimal("0.25"), Decimal("4")),
        ("FIBER-7D", Decimal("0.12"), Decimal("2.5")),
        ("EYE-12", Decimal("2"), Decimal("0")),
    }
    assert Article.objects.get(code="BUNNY-40").default_route == "FULL"


def test_articles_again_change_nothing_and_a_bom_change_is_an_update(planner):
    import_rows("materials", table(MATERIALS_CSV), planner)
    import_rows("articles", table(ARTICLES_CSV), planner)
    histories = history_rows()

    again = import_rows("articles", table(ARTICLES_CSV), planner)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert history_rows() == histories

    changed = import_rows(
        "articles", table(ARTICLES_CSV.replace("PLUSH-BRN;0,25", "PLUSH-BRN;0,3")), planner
    )
    assert [(c.key, c.fields) for c in changed.changes if c.action == "update"] == [
        ("BEAR-30", ("bom",))
    ]
    line = BomLine.objects.get(article__code="BEAR-30", material__code="PLUSH-BRN")
    assert line.quantity_per_unit == Decimal("0.3")
    # one history row for the one changed BOM line; the article row itself was not saved
    assert history_rows() == histories + 1


def test_the_file_replaces_an_existing_articles_bom(planner):
    ArticleFactory(code="BEAR-30", name="Bear 30 cm", fill_weight_g=Decimal("250.5"))
    import_rows("materials", table(MATERIALS_CSV), planner)

    result = import_rows("articles", table(ARTICLES_CSV), planner)

    assert [c.fields for c in result.changes if c.key == "BEAR-30"] == [("bom",)]
    codes = set(
        BomLine.objects.filter(article__code="BEAR-30").values_list("material__code", flat=True)
    )
    assert codes == {"PLUSH-BRN", "FIBER-7D", "EYE-12"}


def test_articles_may_use_materials_the_same_run_brings(planner):
    results = import_tables(
        [("articles", table(ARTICLES_CSV)), ("materials", table(MATERIALS_CSV))],
        user=planner,
    )

    assert [r.kind for r in results] == ["materials", "articles"]
    assert all(r.ok and r.written for r in results)
    assert BomLine.objects.filter(article__code="BEAR-30").count() == 3


def test_rows_of_one_article_must_agree_and_materials_must_exist(planner):
    MaterialFactory(code="PLUSH-BRN")
    MaterialFactory(code="FIBER-7D", active=False)
    text = (
        "article_code,article_name,default_route,fill_weight_g,fill_tolerance_g,"
        "units_per_carton,material_code,quantity_per_unit,waste_pct\n"
        "BEAR-30,Bear,DIRECT,250,10,24,PLUSH-BRN,0.25,4\n"
        "BEAR-30,Bear,DIRECT,260,10,24,FIBER-7D,0.12,2\n"
        "BEAR-30,Bear,direct,250,10,24,NOPE,0,100\n"
        "BEAR-30,Bear,DIRECT,250,10,24,PLUSH-BRN,0.2,\n"
    )

    result = import_rows("articles", table(text), planner)

    assert [(e.row, e.column) for e in result.errors] == [
        (3, "fill_weight_g"),
        (3, "material_code"),
        (4, "default_route"),
        (4, "material_code"),
        (4, "quantity_per_unit"),
        (4, "waste_pct"),
        (5, "material_code"),
    ]
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(3, "fill_weight_g")].startswith('Differs from row 2 ("250")')
    assert messages[(3, "material_code")] == "Material FIBER-7D is archived."
    assert "NOPE does not exist" in messages[(4, "material_code")]
    assert "already in this article's BOM on row 2" in messages[(5, "material_code")]
    assert not Article.objects.exists()


def test_xlsx_articles_with_number_cells(planner):
    import_rows("materials", table(MATERIALS_CSV), planner)
    header = ARTICLES_CSV.splitlines()[0].lstrip("\ufeff").split(";")
    data = xlsx(
        [
            [h.upper() for h in header],  # headers are matched case-insensitively
            ["BEAR-30", "Bear 30 cm", "DIRECT", 250.5, 10, 24, "PLUSH-BRN", 0.25, 4],
            ["BEAR-30", "Bear 30 cm", "DIRECT", 250.5, 10, 24.0, "FIBER-7D", "0,12", None],
            [None] * 9,
        ]
    )

    result = import_rows("articles", read_table(data, "ARTICLES.XLSX"), planner)

    assert result.ok, result.errors
    assert BomLine.objects.get(material__code="FIBER-7D").quantity_per_unit == Decimal("0.12")
    assert Article.objects.get(code="BEAR-30").units_per_carton == 24


def test_xlsx_bad_row_is_reported_with_its_sheet_row(planner):
    data = xlsx(
        [["code", "name", "uom", "kind"], ["A", "A", "m", "fabric"], [], ["B", "B", "m", "wool"]]
    )

    result = import_rows("materials", read_table(data, "m.xlsx"), planner)

    assert [(e.row, e.column) for e in result.errors] == [(4, "kind")]
    assert not Material.objects.exists()


def test_numbers_are_checked_against_the_model(planner):
    MaterialFactory(code="PLUSH-BRN")
    text = (
        "article_code;article_name;default_route;fill_weight_g;fill_tolerance_g;"
        "units_per_carton;material_code;quantity_per_unit;waste_pct\n"
        "A;A;DIRECT;1.234,5;-1;2,5;PLUSH-BRN;0,00001;12,345\n"
    )

    result = import_rows("articles", table(text), planner)

    messages = {e.column: e.message for e in result.errors}
    assert "one decimal separator" in messages["fill_weight_g"]
    assert messages["fill_tolerance_g"] == "Must be at least 0."
    assert messages["units_per_carton"] == '"2,5" is not a whole number.'
    assert messages["quantity_per_unit"] == "At most 4 decimals."
    assert messages["waste_pct"] == "At most 2 decimals."


def test_decimal_comma_in_a_comma_separated_file_is_a_row_error(planner):
    text = "code,name,country\nDC-1,Dortmund,Germany\nDC-2,Venlo,Nether,lands\n"

    result = import_rows("destinations", table(text), planner)

    assert [(e.row, e.column) for e in result.errors] == [(3, "")]
    assert "decimal comma" in result.errors[0].message


# --- opening stock ----------------------------------------------------------------------------
def test_opening_stock_is_received_through_the_warehouse(planner):
    import_rows("materials", table(MATERIALS_CSV), planner)

    result = import_rows("stock", table(STOCK_CSV), planner)

    assert result.ok, result.errors
    assert result.created == 3
    first = StockLot.objects.get(lot_number="R-001")
    assert first.quantity_on_hand == Decimal("52.5")
    assert first.received_by == planner
    assert timezone.localtime(first.received_at).strftime("%Y-%m-%d %H:%M") == "2024-01-08 08:30"
    assert first.inspection == StockLot.Inspection.PASSED
    assert StockLot.objects.get(lot_number="R-002").inspection == StockLot.Inspection.FAILED
    assert StockMove.objects.filter(kind=StockMove.Kind.RECEIPT, user=planner).count() == 3


def test_opening_stock_again_is_unchanged_and_a_different_lot_is_refused(planner):
    import_rows("materials", table(MATERIALS_CSV), planner)
    import_rows("stock", table(STOCK_CSV), planner)

    again = import_rows("stock", table(STOCK_CSV), planner)
    assert (again.created, again.unchanged) == (0, 3)
    assert StockMove.objects.count() == 3

    changed = STOCK_CSV.replace("FIBER-7D,B-007,,250", "FIBER-7D,B-007,,260") + "EYE-12,E-1,,10,,\n"
    refused = import_rows("stock", table(changed), planner)
    assert [(e.row, e.column) for e in refused.errors] == [(4, "quantity")]
    assert "Receipts are a ledger" in refused.errors[0].message
    assert not StockLot.objects.filter(lot_number="E-1").exists()


def test_opening_stock_checks_its_rows(planner):
    MaterialFactory(code="FIBER-7D", kind="filling")
    text = (
        "material_code,lot_number,dye_lot,quantity,received_at,inspection_points\n"
        "FIBER-7D,B-1,,0,2999-01-01,5\n"
        "FIBER-7D,B-1,,1,31/13/2024,\n"
        "GHOST,G-1,,1,,\n"
    )

    result = import_rows("stock", table(text), planner, dry_run=True)

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "quantity"),
        (2, "received_at"),
        (2, "inspection_points"),
        (3, "lot_number"),
        (3, "received_at"),
        (4, "material_code"),
    ]
    assert not StockLot.objects.exists()


# --- files ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "m.csv", "The file is empty."),
        (b"code,name\n", "m.csv", "no data rows"),
        (b"\xff\xfec\x00o\x00", "m.csv", "not UTF-8"),
        (b"code,name,uom,kind\nA,B,m,fabric\n", "m.txt", "Upload a CSV or XLSX file"),
        (b"code;name;uom;kind\n", "m.xls", "old .xls format"),
        (b"code,name,uom,kind\n", "m.xlsx", "cannot be read"),
        (b"x" * (MAX_BYTES + 1), "m.csv", "larger than 5 MB"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(data, name, message):
    with pytest.raises(ApplicationError) as refused:
        read_table(data, name)

    assert refused.value.status == 400
    assert message in refused.value.message


def test_a_header_that_does_not_fit_the_kind_is_refused(planner):
    with pytest.raises(ApplicationError) as refused:
        import_rows("materials", table("code;name;country\nA;B;C\n"), planner)

    assert refused.value.status == 400
    assert "missing columns: uom, kind" in refused.value.message
    assert "unknown columns: country" in refused.value.message
    assert "looks like a file of Destinations" in refused.value.message


def test_the_sample_files_import_together(planner):
    files = {
        "materials": "materials.csv",
        "destinations": "destinations.csv",
        "articles": "articles.csv",
        "stock": "opening_stock.csv",
    }
    tables = [
        (kind, read_table((SAMPLES / name).read_bytes(), name)) for kind, name in files.items()
    ]

    results = import_tables(tables, user=planner)

    assert all(r.ok for r in results), [r.errors for r in results]
    again = import_tables(tables, user=planner, dry_run=True)
    assert all(r.created == r.updated == 0 for r in again)
    xlsx_rows = read_table((SAMPLES / "materials.xlsx").read_bytes(), "materials.xlsx")
    assert import_rows("materials", xlsx_rows, planner, dry_run=True).unchanged == len(xlsx_rows)


# --- the page ---------------------------------------------------------------------------------
def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


@pytest.mark.parametrize("role", ["ppic", "admin", "manager"])
def test_the_page_opens_for_planning_roles(client, make_user, role):
    client.force_login(make_user(roles=[role]))

    response = client.get(reverse("ppic:import"))

    assert response.status_code == 200
    assert b'data-testid="import-form"' in response.content


@pytest.mark.parametrize("role", ["sewing", "warehouse"])
def test_the_page_is_refused_to_other_roles(client, make_user, role):
    client.force_login(make_user(roles=[role]))

    assert client.get(reverse("ppic:import")).status_code == 403
    assert client.post(reverse("ppic:import")).status_code == 403


def test_a_manager_may_look_but_not_import(client, make_user):
    client.force_login(make_user(roles=["manager"]))

    response = client.post(
        reverse("ppic:import"), {"kind": "materials", "file": upload("m.csv", MATERIALS_CSV)}
    )

    assert response.status_code == 403
    assert client.post(reverse("ppic:import-confirm"), {"digest": "x"}).status_code == 403
    assert not Material.objects.exists()


def test_dry_run_then_confirm_imports_the_file(client, planner):
    client.force_login(planner)

    checked = client.post(
        reverse("ppic:import"), {"kind": "materials", "file": upload("m.csv", MATERIALS_CSV)}
    )
    assert checked.status_code == 200
    assert checked.context["result"].created == 3
    assert b'data-testid="import-confirm"' in checked.content
    assert not Material.objects.exists()

    digest = checked.context["pending"]["digest"]
    confirmed = client.post(
        reverse("ppic:import-confirm"), {"digest": digest, "idempotency_key": "k1"}
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("ppic:import")
    assert Material.objects.count() == 3

    # a double tap on confirm answers the first response and imports nothing more
    replay = client.post(
        reverse("ppic:import-confirm"), {"digest": digest, "idempotency_key": "k1"}
    )
    assert replay.status_code == 302
    assert Material.history.count() == 3


def test_the_page_lists_row_errors_and_offers_no_confirm(client, planner):
    client.force_login(planner)
    text = MATERIALS_CSV.replace("pcs,accessory", "pcs,button")

    response = client.post(
        reverse("ppic:import"), {"kind": "materials", "file": upload("m.csv", text)}
    )

    assert response.status_code == 200
    assert b'data-testid="import-errors"' in response.content
    assert b'<tr data-row="4"><td>4</td><td><code>kind</code>' in response.content
    assert b'data-testid="import-confirm"' not in response.content
    assert client.post(reverse("ppic:import-confirm"), {"digest": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("m.pdf", b"%PDF-1.4", b"Upload a CSV or XLSX file"),
        ("m.csv", b"code,name\nA,B\n", b"missing columns: uom, kind"),
        ("m.xlsx", b"not a workbook", b"cannot be read"),
    ],
)
def test_a_bad_upload_answers_400_with_the_message(client, planner, name, data, message):
    client.force_login(planner)

    response = client.post(
        reverse("ppic:import"),
        {"kind": "materials", "file": upload(name, data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert b'data-testid="import-error"' in response.content
    assert message in response.content


def test_an_upload_over_the_limit_answers_400(client, planner, monkeypatch):
    monkeypatch.setattr("ppic.importing.MAX_BYTES", 10)
    client.force_login(planner)

    response = client.post(
        reverse("ppic:import"),
        {"kind": "materials", "file": upload("m.csv", MATERIALS_CSV)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert b"split it into smaller files" in response.content


def test_an_empty_upload_answers_400(client, planner):
    client.force_login(planner)

    response = client.post(reverse("ppic:import"), {"kind": "materials"})

    assert response.status_code == 400


# --- the command ------------------------------------------------------------------------------
def test_command_imports_and_prints_the_summary(tmp_path, planner):
    path = tmp_path / "materials.csv"
    path.write_text(MATERIALS_CSV, encoding="utf-8")
    out = StringIO()

    call_command("import_master_data", "materials", str(path), "--user", "rina", stdout=out)

    assert "3 rows; 3 new, 0 updated, 0 unchanged." in out.getvalue()
    assert Material.objects.count() == 3


def test_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "materials.xlsx"
    path.write_bytes(xlsx([["code", "name", "uom", "kind"], ["A", "A", "m", "fabric"]]))
    out = StringIO()

    call_command("import_master_data", "materials", str(path), "--dry-run", stdout=out)

    assert "Dry run: nothing was written." in out.getvalue()
    assert not Material.objects.exists()


def test_command_reports_row_errors_and_exits_non_zero(tmp_path, planner, capsys):
    path = tmp_path / "materials.csv"
    path.write_text(MATERIALS_CSV.replace("m,fabric", "m,velvet"), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_master_data", "materials", str(path), stderr=err, stdout=StringIO())

    assert failed.value.returncode == 1
    assert f'{path}: Row 2, kind: "velvet" is not one of' in err.getvalue()
    assert not Material.objects.exists()

    # the real command line: manage.py's exit status
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_master_data", "materials", str(path)]).execute()
    assert exited.value.code == 1
    assert "1 row error(s); nothing was written." in capsys.readouterr().err


def test_command_runs_several_files_as_one_import(tmp_path, planner):
    materials, articles = tmp_path / "m.csv", tmp_path / "a.csv"
    materials.write_text(MATERIALS_CSV, encoding="utf-8")
    articles.write_text(ARTICLES_CSV, encoding="utf-8")

    call_command(
        "import_master_data", "articles", str(articles), "materials", str(materials),
        stdout=StringIO(),
    )  # fmt: skip

    assert Article.objects.count() == 2


def test_command_needs_a_user_for_opening_stock(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text(STOCK_CSV, encoding="utf-8")

    with pytest.raises(CommandError, match="--user"):
        call_command("import_master_data", "stock", str(path))
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_master_data", "stock", str(path), "--user", "nobody")


def test_row_error_reads_as_a_sentence():
    assert str(RowError(7, "kind", "Required.")) == "Row 7, kind: Required."
