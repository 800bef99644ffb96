"""Master-data import from the legacy system: materials, destinations, articles with their BOMs,
and opening stock, from CSV or XLSX.

``read_table`` turns a file into rows; ``import_rows`` validates every row before it writes
anything, then writes all of them in one transaction, or nothing when any row is invalid. Row
numbers are the spreadsheet's (the header is row 1). Importing the same file twice changes
nothing: an identical record is "unchanged"; a changed field of an existing code is an update
saved through the model, so django-simple-history records who changed what; a stock lot is a
ledger entry, so an import never changes one (a lot that differs is an error).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from erp.common.errors import ApplicationError
from warehouse.models import StockLot
from warehouse.services import stock_receive

from .models import Article, BomLine, Destination, Material, MaterialKind, Route
from .services import article_create, destination_create, material_create

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
ROW = "_row"  # read_table's key for the spreadsheet row number
EXTRA = "_extra"  # …and for the number of non-empty cells under no column name

MATERIALS, DESTINATIONS, ARTICLES, STOCK = "materials", "destinations", "articles", "stock"
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


_ARTICLE_REQUIRED = (
    "article_code", "article_name", "default_route", "fill_weight_g", "fill_tolerance_g",
    "units_per_carton", "material_code", "quantity_per_unit",
)  # fmt: skip

# In the order a combined import writes them: materials before the articles and lots using them.
KINDS: dict[str, Kind] = {
    k.key: k
    for k in [
        Kind(MATERIALS, gettext_lazy("Materials"), ("code", "name", "uom", "kind")),
        Kind(DESTINATIONS, gettext_lazy("Destinations"), ("code", "name", "country")),
        Kind(ARTICLES, gettext_lazy("Articles with BOMs"), _ARTICLE_REQUIRED, ("waste_pct",)),
        Kind(
            STOCK,
            gettext_lazy("Opening stock"),
            ("material_code", "lot_number", "dye_lot", "quantity"),
            ("received_at", "inspection_points"),
        ),
    ]
}


# --- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # "" when the row as a whole is wrong
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "-",
            "message": self.message,
        }


@dataclass(frozen=True)
class Change:
    action: str  # CREATE, UPDATE or UNCHANGED
    key: str  # the record's code; "MATERIAL / LOT" for a stock lot
    row: int  # first row of the record
    fields: tuple[str, ...] = ()  # what an UPDATE changes


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return sum(c.action == CREATE for c in self.changes)

    @property
    def updated(self) -> int:
        return sum(c.action == UPDATE for c in self.changes)

    @property
    def unchanged(self) -> int:
        return sum(c.action == UNCHANGED for c in self.changes)

    def summary(self) -> str:
        values = {
            "kind": KINDS[self.kind].label,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }
        if self.errors:
            return _("%(kind)s: %(rows)d rows, %(errors)d errors; nothing was written.") % values
        text = (
            _(
                "%(kind)s: %(rows)d rows; %(created)d new, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % values
        )
        if not self.written:
            text += " " + _("Dry run: nothing was written.")
        return text


# --- reading files ----------------------------------------------------------------------------
def _bad_file(message: str) -> ApplicationError:
    return ApplicationError("invalid_file", message, status=400)


def check_file_size(size: int) -> None:
    if size > MAX_BYTES:
        raise _bad_file(
            _("The file is larger than %(limit)d MB: split it into smaller files.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )


def read_table(file_bytes: bytes, filename: str) -> list[dict]:
    """The rows of a CSV file (UTF-8 with or without BOM, "," or ";" separated) or of an XLSX
    file's first sheet, as dicts keyed by the header in lower case with "_" for spaces, each
    with its spreadsheet row number under ``ROW``. Blank rows are skipped. Raises
    ApplicationError (400) for a file that cannot be read."""
    if not file_bytes:
        raise _bad_file(_("The file is empty."))
    check_file_size(len(file_bytes))
    name = filename.lower()
    if name.endswith(".csv"):
        grid = _csv_grid(file_bytes)
    elif name.endswith(".xlsx"):
        grid = _xlsx_grid(file_bytes)
    elif name.endswith(".xls"):
        raise _bad_file(_("The old .xls format is not read: save the file as .xlsx or CSV."))
    else:
        raise _bad_file(_("Upload a CSV or XLSX file (a name ending in .csv or .xlsx)."))
    return _rows_from_grid(grid)


def _csv_grid(data: bytes) -> Iterator[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise _bad_file(
            _('The CSV file is not UTF-8 text: save it as "CSV UTF-8" and upload it again.')
        )
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    try:
        return iter(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as exc:
        raise _bad_file(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _xlsx_grid(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    unreadable = _bad_file(_("The XLSX file cannot be read: is it a real Excel workbook?"))
    if not data.startswith(b"PK"):
        raise unreadable
    grid: list[list] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for cells in workbook.worksheets[0].iter_rows(values_only=True):
                grid.append(list(cells))
                if len(grid) > MAX_ROWS * 5:  # even if most are empty, formatted rows
                    break
        finally:
            workbook.close()
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) on bad files
        raise unreadable from exc
    if len(grid) > MAX_ROWS * 5:
        raise _too_many_rows()
    return iter(grid)


def _too_many_rows() -> ApplicationError:
    return _bad_file(_("The file has more than %(limit)d rows: split it.") % {"limit": MAX_ROWS})


def _header_name(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s-]+", "_", text.replace("\ufeff", "").strip().lower())


def _cell_value(value):
    """Text stays text (stripped); XLSX numbers become their shortest text (24.0 → "24"), dates
    stay dates."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value).strip()


def _is_blank(cells: Iterable) -> bool:
    return all(_cell_value(c) == "" for c in cells)


def _rows_from_grid(grid: Iterator[list]) -> list[dict]:
    header_cells = next(grid, None)
    if header_cells is None or _is_blank(header_cells):
        raise _bad_file(_("The first row must hold the column names; it is empty."))
    header = [_header_name(c) for c in header_cells]
    named = [h for h in header if h]
    duplicates = sorted({h for h in named if named.count(h) > 1})
    if duplicates:
        raise _bad_file(
            _("The column %(names)s appears more than once.") % {"names": ", ".join(duplicates)}
        )
    rows = []
    for number, cells in enumerate(grid, 2):
        if _is_blank(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        row = {
            name: _cell_value(cells[i]) if i < len(cells) else ""
            for i, name in enumerate(header)
            if name
        }
        row[ROW] = number
        extra = sum(
            _cell_value(c) != "" for i, c in enumerate(cells) if i >= len(header) or not header[i]
        )
        if extra:
            row[EXTRA] = extra
        rows.append(row)
    if not rows:
        raise _bad_file(_("The file has column names but no data rows."))
    return rows


def check_columns(kind: str, rows: list[dict]) -> None:
    """Every required column present, no unknown one: a misspelt optional column would
    otherwise be ignored silently."""
    spec = KINDS[kind]
    if not rows:
        raise _bad_file(_("The file has no data rows."))
    columns = [c for c in rows[0] if c not in (ROW, EXTRA)]
    missing = [c for c in spec.required if c not in columns]
    unknown = [c for c in columns if c not in spec.columns]
    if not missing and not unknown:
        return
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    message = _("The header does not fit %(kind)s (%(problems)s). Expected: %(expected)s.") % {
        "kind": spec.label,
        "problems": "; ".join(problems),
        "expected": ", ".join(spec.required)
        + ("" if not spec.optional else " [" + ", ".join(spec.optional) + "]"),
    }
    for other in KINDS.values():
        if other.key != kind and set(other.required) <= set(columns) <= set(other.columns):
            message += " " + _("It looks like a file of %(kind)s.") % {"kind": other.label}
    raise ApplicationError("invalid_columns", message, status=400)


# --- parsing cells ----------------------------------------------------------------------------
class _Bad(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(max_length: int) -> Callable[[object], str]:
    def parse(value) -> str:
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        if len(text) > max_length:
            raise _Bad(_("At most %(n)d characters.") % {"n": max_length})
        return text

    return parse


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def parse_decimal(value) -> Decimal:
    """ "1.5", "1,5", " 12 " → Decimal. Thousands separators are refused: "1.250" is one and a
    quarter, never twelve hundred and fifty."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    text = re.sub(r"\s", "", str(value))
    if "," in text and "." in text or text.count(",") > 1:
        raise _Bad(
            _('"%(value)s": use one decimal separator ("." or ","), no thousands separators.')
            % {"value": value}
        )
    text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):  # no exponents, NaN or infinity
        raise _Bad(_('"%(value)s" is not a number.') % {"value": value})
    return Decimal(text)


def _decimal(
    model,
    name: str,
    *,
    minimum: Decimal | None = None,
    above: Decimal | None = None,
    below: Decimal | None = None,
) -> Callable[[object], Decimal]:
    """A decimal fitting the model field's digits and places, within the given bounds."""
    model_field = model._meta.get_field(name)
    places, digits = model_field.decimal_places, model_field.max_digits

    def parse(value) -> Decimal:
        number = parse_decimal(value)
        if max(0, -number.normalize().as_tuple().exponent) > places:
            raise _Bad(_("At most %(n)d decimals.") % {"n": places})
        if abs(number) >= Decimal(10) ** (digits - places):
            raise _Bad(_("Too large: at most %(n)d digits before the decimal separator.") % {
                "n": digits - places
            })  # fmt: skip
        if minimum is not None and number < minimum:
            raise _Bad(_("Must be at least %(n)s.") % {"n": minimum})
        if above is not None and number <= above:
            raise _Bad(_("Must be more than %(n)s.") % {"n": above})
        if below is not None and number >= below:
            raise _Bad(_("Must be less than %(n)s.") % {"n": below})
        return number

    return parse


def _whole(*, minimum: int, maximum: int) -> Callable[[object], int]:
    def parse(value) -> int:
        number = parse_decimal(value)
        if number != number.to_integral_value():
            raise _Bad(_('"%(value)s" is not a whole number.') % {"value": value})
        if not minimum <= number <= maximum:
            raise _Bad(_("Must be between %(min)d and %(max)d.") % {"min": minimum, "max": maximum})
        return int(number)

    return parse


def _choice(choices) -> Callable[[object], str]:
    def parse(value) -> str:
        text = str(value).strip()
        if text not in choices.values:
            raise _Bad(
                _('"%(value)s" is not one of: %(choices)s.')
                % {"value": text, "choices": ", ".join(choices.values)}
            )
        return text

    return parse


_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y")


def parse_moment(value) -> datetime:
    """XLSX dates, ISO ("2024-01-15", "2024-01-15 08:30") or day first ("15/01/2024"); a time
    without a zone is the factory's local time, a date alone is its midnight."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    else:
        text = str(value).strip()
        try:
            moment = parse_datetime(text)
            if moment is None and (day := parse_date(text)) is not None:
                moment = datetime.combine(day, time.min)
        except ValueError:
            moment = None
        for pattern in _DAY_FIRST:
            if moment is not None:
                break
            try:
                moment = datetime.strptime(text, pattern)  # made aware below
            except ValueError:
                continue
        if moment is None:
            raise _Bad(
                _('"%(value)s" is not a date: write 2024-01-31, 2024-01-31 08:30 or 31/01/2024.')
                % {"value": text}
            )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise _Bad(_("Lies in the future."))
    return moment


class _Row:
    """One row's cells, parsed column by column: a bad cell adds a RowError and gives None."""

    def __init__(self, raw: dict, number: int, errors: list[RowError]):
        self.raw, self.number, self.errors, self.ok = raw, number, errors, True
        if raw.get(EXTRA):
            self.error(
                "",
                _(
                    "%(n)d cells outside the named columns: a decimal comma in a comma-separated "
                    "file? Quote such numbers or separate the columns with semicolons."
                )
                % {"n": raw[EXTRA]},
            )

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.number, column, str(message)))

    def get(self, column: str, parse: Callable, *, required: bool = True, default=None):
        value = self.raw.get(column)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if required:
                self.error(column, _("Required."))
            return default
        try:
            return parse(value)
        except _Bad as exc:
            self.error(column, exc.message)
            return None


def _numbered(rows: list[dict]) -> Iterator[tuple[int, dict]]:
    for index, raw in enumerate(rows):
        yield raw.get(ROW) or index + 2, raw


# --- planning: validate and compare, no writes -------------------------------------------------
class _ApplyFailed(Exception):
    def __init__(self, result: ImportResult, error: RowError):
        super().__init__(error.message)
        self.result, self.error = result, error


@dataclass
class _Plan:
    result: ImportResult
    apply: Callable[[], None]


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Context:
    """What one import knows across its tables: whether to lock, who imports, and the
    materials its own materials table brings (so articles and lots may use them)."""

    def __init__(self, *, lock: bool, user, dry_run: bool):
        self.lock, self.user, self.dry_run = lock, user, dry_run
        self.planned_materials: dict[str, str | None] = {}  # code → kind

    def fetch(self, queryset, field_name: str, keys: Iterable[str]) -> dict:
        """Existing rows by ``field_name``; when writing, locked (SELECT … FOR NO KEY UPDATE) in
        primary-key order so two imports updating the same codes queue instead of deadlocking."""
        keys = sorted(set(keys))
        found = {}
        if not self.lock:
            for chunk in _chunks(keys):
                for obj in queryset.filter(**{f"{field_name}__in": chunk}):
                    found[getattr(obj, field_name)] = obj
            return found
        pks = []
        for chunk in _chunks(keys):
            pks += queryset.model.objects.filter(**{f"{field_name}__in": chunk}).values_list(
                "pk", flat=True
            )
        for chunk in _chunks(sorted(pks)):
            for obj in queryset.select_for_update(no_key=True).filter(pk__in=chunk).order_by("pk"):
                found[getattr(obj, field_name)] = obj
        return found

    def materials(self, codes: Iterable[str]) -> dict[str, tuple[bool, str | None]]:
        """code → (active, kind) for the materials that exist or that this import brings."""
        known = {code: (True, kind) for code, kind in self.planned_materials.items()}
        for chunk in _chunks(sorted(set(codes))):
            for code, active, kind in Material.objects.filter(code__in=chunk).values_list(
                "code", "active", "kind"
            ):
                # The materials table never (re)activates a material; its kind may change.
                known[code] = (active, self.planned_materials.get(code) or kind)
        return known


def _material_problem(code: str, known: dict) -> str | None:
    if code not in known:
        return _("Material %(code)s does not exist (import the materials first).") % {"code": code}
    if not known[code][0]:
        return _("Material %(code)s is archived.") % {"code": code}
    return None


@contextmanager
def _guard(result: ImportResult, row: int, column: str):
    """Turn a refusal met while writing (someone created the same code meanwhile) into a row
    error; raising out of the transaction rolls back everything written so far."""
    try:
        yield
    except ApplicationError as exc:
        raise _ApplyFailed(result, RowError(row, column, exc.message)) from exc
    except IntegrityError as exc:
        message = _("Changed by someone else during the import; nothing was written. Try again.")
        raise _ApplyFailed(result, RowError(row, column, message)) from exc


def _save_changed(obj, values: dict, changed: Iterable[str], kind: str) -> None:
    for name in changed:
        setattr(obj, name, values[name])
    obj._change_reason = f"import {kind}"  # stored on the history row by simple_history
    obj.save()


def _plan_coded(rows, ctx: _Context, *, kind: str, model, parsers: dict, create) -> _Plan:
    """Materials and destinations: one row per code, created through the service or updated."""
    result = ImportResult(kind=kind, dry_run=ctx.dry_run, rows=len(rows))
    first_row: dict[str, int] = {}
    parsed = []
    for number, raw in _numbered(rows):
        row = _Row(raw, number, result.errors)
        values = {name: row.get(name, parse) for name, parse in parsers.items()}
        code = values["code"]
        if code is not None:
            if code in first_row:
                row.error(
                    "code",
                    _("Code %(code)s is already on row %(row)d.")
                    % {"code": code, "row": first_row[code]},
                )
            else:
                first_row[code] = number
                if kind == MATERIALS:
                    ctx.planned_materials[code] = values.get("kind")
        if row.ok:
            parsed.append((number, values))
    existing = ctx.fetch(model.objects.all(), "code", (v["code"] for _n, v in parsed))
    todo = []
    for number, values in parsed:
        obj = existing.get(values["code"])
        changed = ()
        if obj is None:
            action = CREATE
        else:
            changed = tuple(n for n in parsers if getattr(obj, n) != values[n])
            action = UPDATE if changed else UNCHANGED
        result.changes.append(Change(action, values["code"], number, changed))
        if action != UNCHANGED:
            todo.append((number, obj, values, changed))

    def apply():
        for number, obj, values, changed in todo:
            with _guard(result, number, "code"):
                if obj is None:
                    create(**values)
                else:
                    _save_changed(obj, values, changed, kind)

    return _Plan(result, apply)


def _plan_materials(rows, ctx: _Context) -> _Plan:
    return _plan_coded(
        rows,
        ctx,
        kind=MATERIALS,
        model=Material,
        parsers={
            "code": _text(_max_length(Material, "code")),
            "name": _text(_max_length(Material, "name")),
            "uom": _text(_max_length(Material, "uom")),
            "kind": _choice(MaterialKind),
        },
        create=material_create,
    )


def _plan_destinations(rows, ctx: _Context) -> _Plan:
    return _plan_coded(
        rows,
        ctx,
        kind=DESTINATIONS,
        model=Destination,
        parsers={
            "code": _text(_max_length(Destination, "code")),
            "name": _text(_max_length(Destination, "name")),
            "country": _text(_max_length(Destination, "country")),
        },
        create=destination_create,
    )


# file column → (Article field, parser); the rows of one article must agree on these.
_ARTICLE_COLUMNS = {
    "article_name": ("name", _text(_max_length(Article, "name"))),
    "default_route": ("default_route", _choice(Route)),
    "fill_weight_g": ("fill_weight_g", _decimal(Article, "fill_weight_g", minimum=Decimal(0))),
    "fill_tolerance_g": (
        "fill_tolerance_g",
        _decimal(Article, "fill_tolerance_g", minimum=Decimal(0)),
    ),
    "units_per_carton": ("units_per_carton", _whole(minimum=1, maximum=100_000)),
}
_BOM_QUANTITY = _decimal(BomLine, "quantity_per_unit", above=Decimal(0))
_BOM_WASTE = _decimal(BomLine, "waste_pct", minimum=Decimal(0), below=Decimal(100))


def _plan_articles(rows, ctx: _Context) -> _Plan:
    """One row per BOM line. An article's BOM becomes exactly the lines the file gives it."""
    result = ImportResult(kind=ARTICLES, dry_run=ctx.dry_run, rows=len(rows))
    code_text = _text(_max_length(Article, "code"))
    material_text = _text(_max_length(Material, "code"))
    lines = []
    for number, raw in _numbered(rows):
        row = _Row(raw, number, result.errors)
        code = row.get("article_code", code_text)
        values = {f: row.get(column, parse) for column, (f, parse) in _ARTICLE_COLUMNS.items()}
        material = row.get("material_code", material_text)
        quantity = row.get("quantity_per_unit", _BOM_QUANTITY)
        waste = row.get("waste_pct", _BOM_WASTE, required=False, default=Decimal(0))
        lines.append((row, code, values, material, quantity, waste))

    known = ctx.materials(line[3] for line in lines if line[3] is not None)
    groups: dict[str, dict] = {}
    for row, code, values, material, quantity, waste in lines:
        if material is not None and (problem := _material_problem(material, known)):
            row.error("material_code", problem)
        if code is None:
            continue
        group = groups.setdefault(
            code, {"row": row.number, "values": values, "bom": {}, "ok": True}
        )
        for column, (name, _parse) in _ARTICLE_COLUMNS.items():
            mine, first = values[name], group["values"][name]
            if group["row"] != row.number and None not in (mine, first) and mine != first:
                row.error(
                    column,
                    _('Differs from row %(row)d ("%(value)s"): rows of one article must agree.')
                    % {"row": group["row"], "value": first},
                )
        if material is not None:
            if material in group["bom"]:
                row.error(
                    "material_code",
                    _("Material %(code)s is already in this article's BOM on row %(row)d.")
                    % {"code": material, "row": group["bom"][material][2]},
                )
            else:
                group["bom"][material] = (quantity, waste, row.number)
        group["ok"] = group["ok"] and row.ok

    valid = {code: g for code, g in groups.items() if g["ok"]}
    existing = ctx.fetch(Article.objects.prefetch_related("bom__material"), "code", valid.keys())
    todo = []
    for code, group in valid.items():
        values = group["values"]
        bom = {m: (q, w) for m, (q, w, _row) in group["bom"].items()}
        article = existing.get(code)
        changed: tuple[str, ...] = ()
        if article is None:
            action = CREATE
        else:
            current = {
                line.material.code: (line.quantity_per_unit, line.waste_pct)
                for line in article.bom.all()
            }
            changed = tuple(n for n in values if getattr(article, n) != values[n])
            changed += ("bom",) if current != bom else ()
            action = UPDATE if changed else UNCHANGED
        result.changes.append(Change(action, code, group["row"], changed))
        if action != UNCHANGED:
            todo.append((group["row"], code, article, values, bom, changed))

    def apply():
        codes = {m for *_x, bom, _c in todo for m in bom}
        materials = Material.objects.in_bulk(codes, field_name="code")
        for number, code, article, values, bom, changed in todo:
            with _guard(result, number, "article_code"):
                if article is None:
                    article_create(
                        code=code,
                        bom=[
                            {"material": materials[m], "quantity_per_unit": q, "waste_pct": w}
                            for m, (q, w) in bom.items()
                        ],
                        **values,
                    )
                else:
                    _article_update(article, values, bom, changed, materials)

    return _Plan(result, apply)


def _article_update(article: Article, values: dict, bom: dict, changed, materials) -> None:
    """Save the article only when its own fields changed, and each BOM line that changes, so
    every history row is a real change (article_update would rewrite the whole BOM)."""
    own = [n for n in changed if n != "bom"]
    if own:
        _save_changed(article, values, own, ARTICLES)
    if "bom" not in changed:
        return
    lines = {line.material.code: line for line in article.bom.all()}
    for code, line in lines.items():
        if code not in bom:
            line._change_reason = f"import {ARTICLES}"
            line.delete()
    for code, (quantity, waste) in bom.items():
        line = lines.get(code)
        if line is None:
            line = BomLine(article=article, material=materials[code])
        elif (line.quantity_per_unit, line.waste_pct) == (quantity, waste):
            continue
        line.quantity_per_unit, line.waste_pct = quantity, waste
        line._change_reason = f"import {ARTICLES}"
        line.save()


def _plan_stock(rows, ctx: _Context) -> _Plan:
    """Opening stock through stock_receive. A lot already received is left alone when it is
    the same, and is an error when it differs: receipts are a ledger."""
    result = ImportResult(kind=STOCK, dry_run=ctx.dry_run, rows=len(rows))
    material_text = _text(_max_length(Material, "code"))
    lot_text = _text(_max_length(StockLot, "lot_number"))
    dye_text = _text(_max_length(StockLot, "dye_lot"))
    quantity_parse = _decimal(StockLot, "quantity_received", above=Decimal(0))
    points_parse = _decimal(StockLot, "inspection_points", minimum=Decimal(0))
    parsed = []
    for number, raw in _numbered(rows):
        row = _Row(raw, number, result.errors)
        values = {
            "material": row.get("material_code", material_text),
            "lot_number": row.get("lot_number", lot_text),
            "dye_lot": row.get("dye_lot", dye_text, required=False, default=""),
            "quantity": row.get("quantity", quantity_parse),
            "received_at": row.get("received_at", parse_moment, required=False),
            "inspection_points": row.get("inspection_points", points_parse, required=False),
        }
        parsed.append((row, values))

    known = ctx.materials(v["material"] for _r, v in parsed if v["material"] is not None)
    first_row: dict[tuple[str, str], int] = {}
    for row, values in parsed:
        material, lot = values["material"], values["lot_number"]
        if material is None:
            continue
        if problem := _material_problem(material, known):
            row.error("material_code", problem)
        elif values["inspection_points"] is not None and known[material][1] != "fabric":
            row.error("inspection_points", _("4-point inspection is for fabric rolls only."))
        if lot is not None:
            if (material, lot) in first_row:
                row.error(
                    "lot_number",
                    _("Lot %(lot)s of %(material)s is already on row %(row)d.")
                    % {"lot": lot, "material": material, "row": first_row[(material, lot)]},
                )
            else:
                first_row[(material, lot)] = row.number

    good = [(row, v) for row, v in parsed if row.ok]
    existing = {}
    for chunk in _chunks(sorted({v["lot_number"] for _r, v in good})):
        for lot in StockLot.objects.filter(lot_number__in=chunk).select_related("material"):
            existing[(lot.material.code, lot.lot_number)] = lot
    todo = []
    for row, values in good:
        key = f"{values['material']} / {values['lot_number']}"
        lot = existing.get((values["material"], values["lot_number"]))
        if lot is None:
            result.changes.append(Change(CREATE, key, row.number))
            todo.append((row.number, values))
            continue
        for column, theirs, mine in [
            ("dye_lot", lot.dye_lot, values["dye_lot"]),
            ("quantity", lot.quantity_received, values["quantity"]),
            ("inspection_points", lot.inspection_points, values["inspection_points"]),
            ("received_at", lot.received_at, values["received_at"] or lot.received_at),
        ]:
            if theirs != mine:
                shown = timezone.localtime(theirs) if isinstance(theirs, datetime) else theirs
                row.error(
                    column,
                    _(
                        "Lot %(lot)s of %(material)s was already received with %(column)s "
                        '"%(value)s". Receipts are a ledger: correct it with a stock adjustment.'
                    )
                    % {
                        "lot": values["lot_number"],
                        "material": values["material"],
                        "column": column,
                        "value": "" if shown is None else shown,
                    },
                )
        if row.ok:
            result.changes.append(Change(UNCHANGED, key, row.number))

    def apply():
        materials = Material.objects.in_bulk({v["material"] for _n, v in todo}, field_name="code")
        for number, values in todo:
            with _guard(result, number, "lot_number"):
                stock_receive(
                    material=materials[values["material"]],
                    lot_number=values["lot_number"],
                    quantity=values["quantity"],
                    user=ctx.user,
                    dye_lot=values["dye_lot"],
                    received_at=values["received_at"],
                    inspection_points=values["inspection_points"],
                )

    return _Plan(result, apply)


_PLANNERS: dict[str, Callable[[list[dict], _Context], _Plan]] = {
    MATERIALS: _plan_materials,
    DESTINATIONS: _plan_destinations,
    ARTICLES: _plan_articles,
    STOCK: _plan_stock,
}


# --- entry points -----------------------------------------------------------------------------
@contextmanager
def _history_user(user):
    """Services create through ``objects.create()``, for which simple_history takes the user
    from the request its middleware keeps. A command has no request: lend it the importer."""
    context = HistoricalRecords.context
    if user is None or getattr(context, "request", None) is not None:
        yield
        return
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        del context.request


def import_rows(kind: str, rows: list[dict], user, dry_run: bool = False) -> ImportResult:
    """Validate every row of one table, then write all of it or nothing (see import_tables)."""
    return import_tables([(kind, rows)], user=user, dry_run=dry_run)[0]


def import_tables(
    tables: list[tuple[str, list[dict]]], *, user, dry_run: bool = False
) -> list[ImportResult]:
    """Import several tables as one: materials first, so articles and stock lots may use the
    materials the same import brings. Every row of every table is validated first; with any
    row error, or in a dry run, nothing is written. Otherwise all is written in one
    transaction, locking the existing records it updates in primary-key order.

    Raises ApplicationError (400) for a header that does not fit its kind, an empty table, a
    kind given twice, or opening stock without a user."""
    for kind, rows in tables:
        if kind not in KINDS:
            raise ApplicationError(
                "invalid_kind",
                _('Unknown kind "%(kind)s": use one of %(kinds)s.')
                % {"kind": kind, "kinds": ", ".join(KINDS)},
                status=400,
            )
        check_columns(kind, rows)
    kinds = [kind for kind, _rows in tables]
    if len(set(kinds)) != len(kinds):
        raise ApplicationError(
            "invalid_kind", _("Give each kind once: put its rows in one file."), status=400
        )
    if not dry_run and user is None and STOCK in kinds:
        raise ApplicationError(
            "user_required", _("Opening stock needs the user who receives it."), status=400
        )
    tables = sorted(tables, key=lambda table: list(KINDS).index(table[0]))
    ctx = _Context(lock=not dry_run, user=user, dry_run=dry_run)
    plans: list[_Plan] = []
    try:
        with transaction.atomic() if not dry_run else nullcontext(), _history_user(user):
            plans = [_PLANNERS[kind](rows, ctx) for kind, rows in tables]
            for plan in plans:
                order = {"": -1} | {c: i for i, c in enumerate(KINDS[plan.result.kind].columns)}
                plan.result.errors.sort(key=lambda e, o=order: (e.row, o.get(e.column, 99)))
            if dry_run or any(plan.result.errors for plan in plans):
                return [plan.result for plan in plans]
            for plan in plans:
                plan.apply()
    except _ApplyFailed as failure:
        failure.result.errors.append(failure.error)
        return [plan.result for plan in plans]
    for plan in plans:
        plan.result.written = True
    return [plan.result for plan in plans]
