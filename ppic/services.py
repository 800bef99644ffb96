"""Planning writes. Every function is keyword-only, atomic, and raises ApplicationError for
anything a person can fix."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.common.errors import ApplicationError
from erp.common.numbering import next_number
from transfers.models import Department

from .models import (
    KIND_DEPARTMENT,
    ROUTE_STEPS,
    Article,
    Batch,
    BomLine,
    Destination,
    ManufacturingOrder,
    Material,
    MaterialRequirement,
    Vendor,
    WorkOrder,
)

THOUSANDTH = Decimal("0.001")


def requirement_quantity(*, quantity: int, per_unit: Decimal, waste_pct: Decimal) -> Decimal:
    """quantity × per unit × (1 + waste % / 100), rounded half-up to 3 decimals."""
    raw = Decimal(quantity) * Decimal(per_unit) * (1 + Decimal(waste_pct) / Decimal(100))
    return raw.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def split_batches(*, quantity: int, batch_size: int) -> list[int]:
    """1000 by 300 → [300, 300, 300, 100]."""
    full, rest = divmod(quantity, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


# --- master data ------------------------------------------------------------------------------
@transaction.atomic
def material_create(*, code: str, name: str, uom: str, kind: str) -> Material:
    return Material.objects.create(code=code, name=name, uom=uom, kind=kind)


@transaction.atomic
def destination_create(*, code: str, name: str, country: str) -> Destination:
    return Destination.objects.create(code=code, name=name, country=country)


@transaction.atomic
def vendor_create(*, code: str, name: str, address: str = "") -> Vendor:
    return Vendor.objects.create(code=code, name=name, address=address)


def _check_bom(bom: list[dict]) -> None:
    seen = set()
    for line in bom:
        material = line["material"]
        if material.pk in seen:
            raise ApplicationError(
                "invalid",
                _("Material %(code)s appears twice in the BOM.") % {"code": material.code},
                fields={"bom": [_("Each material once.")]},
                status=400,
            )
        seen.add(material.pk)


@transaction.atomic
def article_create(
    *,
    code: str,
    name: str,
    default_route: str,
    fill_weight_g: Decimal,
    fill_tolerance_g: Decimal,
    units_per_carton: int,
    bom: list[dict],
    bundle_size: int = 20,
) -> Article:
    """Create an article with its BOM (``[{"material": Material, "quantity_per_unit",
    "waste_pct"}]``)."""
    _check_bom(bom)
    article = Article.objects.create(
        code=code,
        name=name,
        default_route=default_route,
        fill_weight_g=fill_weight_g,
        fill_tolerance_g=fill_tolerance_g,
        units_per_carton=units_per_carton,
        bundle_size=bundle_size,
    )
    BomLine.objects.bulk_create(
        BomLine(
            article=article,
            material=line["material"],
            quantity_per_unit=line["quantity_per_unit"],
            waste_pct=line.get("waste_pct") or Decimal("0"),
        )
        for line in bom
    )
    return article


@transaction.atomic
def article_update(*, article: Article, bom: list[dict] | None = None, **fields) -> Article:
    """Change an article's fields and, when given, replace its BOM. Released MOs keep the
    requirements they were released with."""
    article = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    if bom is not None:
        _check_bom(bom)
        article.bom.all().delete()
        BomLine.objects.bulk_create(
            BomLine(
                article=article,
                material=line["material"],
                quantity_per_unit=line["quantity_per_unit"],
                waste_pct=line.get("waste_pct") or Decimal("0"),
            )
            for line in bom
        )
    return article


# --- manufacturing orders ---------------------------------------------------------------------
@transaction.atomic
def mo_create(
    *,
    article: Article,
    quantity: int,
    destination: Destination,
    due_date: date,
    user,
    route: str | None = None,
    po_number: str = "",
    po_line=None,
    batch_size: int | None = None,
) -> ManufacturingOrder:
    if quantity < 1 or (batch_size is not None and batch_size < 1):
        raise ApplicationError(
            "invalid",
            _("Quantity and batch size must be at least 1."),
            fields={"quantity": [_("At least 1.")]},
            status=400,
        )
    if po_line is not None and po_line.article_id != article.pk:
        raise ApplicationError(
            "invalid",
            _("PO line %(po)s is for article %(code)s.")
            % {"po": po_line.po.number, "code": po_line.article.code},
            fields={"article": [_("Must match the PO line.")]},
            status=400,
        )
    article = Article.objects.get(pk=article.pk)  # the archive flag as stored now
    if not article.active:
        raise ApplicationError(
            "article_inactive", _("Article %(code)s is archived.") % {"code": article.code}
        )
    if not destination.active:
        raise ApplicationError(
            "destination_inactive",
            _("Destination %(code)s is archived.") % {"code": destination.code},
        )
    if po_line is not None and not po_number:
        po_number = po_line.po.number
    year = timezone.localdate().year
    number = f"MO-{year}-{next_number(series='MO', year=year):04d}"
    return ManufacturingOrder.objects.create(
        number=number,
        article=article,
        quantity=quantity,
        destination=destination,
        due_date=due_date,
        route=route or article.default_route,
        batch_size=min(batch_size or quantity, quantity),
        po_line=po_line,
        po_number=po_number,
        created_by=user,
    )


def _locked_mo(mo_id: int) -> ManufacturingOrder:
    return ManufacturingOrder.objects.select_for_update(no_key=True).get(pk=mo_id)


@transaction.atomic
def mo_release(*, mo: ManufacturingOrder, user) -> ManufacturingOrder:
    """DRAFT → RELEASED: batches (``MO-…-B01``…), one SPK per route step with the MO quantity
    as target, and each SPK's material requirements from the BOM. Locks the MO row."""
    mo = _locked_mo(mo.pk)
    if mo.status != ManufacturingOrder.Status.DRAFT:
        raise ApplicationError(
            "invalid_transition",
            _("%(number)s is %(status)s; only a draft can be released.")
            % {"number": mo.number, "status": mo.get_status_display()},
        )
    bom = list(mo.article.bom.select_related("material"))
    if not bom:
        raise ApplicationError(
            "bom_missing",
            _("Article %(code)s has no BOM: add its materials before releasing.")
            % {"code": mo.article.code},
        )
    Batch.objects.bulk_create(
        Batch(mo=mo, number=f"{mo.number}-B{seq:02d}", sequence=seq, quantity=qty)
        for seq, qty in enumerate(split_batches(quantity=mo.quantity, batch_size=mo.batch_size), 1)
    )
    steps = ROUTE_STEPS[mo.route]
    departments = Department.objects.in_bulk(steps, field_name="code")
    work_orders = {}
    for step, code in enumerate(steps, 1):
        work_orders[code] = WorkOrder.objects.create(
            mo=mo,
            number=f"SPK-{mo.number[3:]}-{step:02d}",
            step=step,
            department=departments[code],
            target_quantity=mo.quantity,
        )
    MaterialRequirement.objects.bulk_create(
        MaterialRequirement(
            work_order=work_orders.get(
                KIND_DEPARTMENT.get(line.material.kind), work_orders[steps[0]]
            ),
            material=line.material,
            quantity=requirement_quantity(
                quantity=mo.quantity, per_unit=line.quantity_per_unit, waste_pct=line.waste_pct
            ),
        )
        for line in bom
    )
    mo.status = ManufacturingOrder.Status.RELEASED
    mo.released_at = timezone.now()
    mo.released_by = user
    mo.save(update_fields=["status", "released_at", "released_by", "updated_at"])
    return mo


@transaction.atomic
def mo_cancel(*, mo: ManufacturingOrder, user, reason: str = "") -> ManufacturingOrder:
    """A draft, or a released MO of which nothing has been cut, becomes CANCELLED."""
    from transfers.selectors import mo_units_cut

    mo = _locked_mo(mo.pk)
    if mo.status not in (ManufacturingOrder.Status.DRAFT, ManufacturingOrder.Status.RELEASED):
        raise ApplicationError(
            "invalid_transition",
            _("%(number)s is %(status)s and cannot be cancelled.")
            % {"number": mo.number, "status": mo.get_status_display()},
        )
    cut = mo_units_cut(mo=mo)
    if cut:
        raise ApplicationError(
            "invalid_transition",
            _("%(number)s cannot be cancelled: %(cut)d units are already cut.")
            % {"number": mo.number, "cut": cut},
        )
    mo.status = ManufacturingOrder.Status.CANCELLED
    mo.cancelled_at = timezone.now()
    mo.cancelled_by = user
    mo.cancel_reason = reason
    mo.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    mo.work_orders.update(status=WorkOrder.Status.CANCELLED)
    return mo


# --- customer POs -----------------------------------------------------------------------------
@transaction.atomic
def po_create(
    *,
    number: str,
    destination: Destination,
    ship_date: date,
    lines: list[dict],
):
    """Create a customer PO with its lines (``[{"article": Article, "quantity": int}]``).

    Refused (400, nothing written) when the number is taken, there are no lines, an article
    appears twice or a quantity is below 1; refused (409) when the destination or an article is
    archived."""
    from django.db import IntegrityError

    from .models import CustomerPO, CustomerPOLine

    number = (number or "").strip()
    if not number:
        raise ApplicationError(
            "invalid",
            _("The PO number is required."),
            fields={"number": [_("This field is required.")]},
            status=400,
        )
    if CustomerPO.objects.filter(number=number).exists():
        raise ApplicationError(
            "invalid",
            _("PO %(number)s already exists.") % {"number": number},
            fields={"number": [_("This PO number is already used.")]},
            status=400,
        )
    if not lines:
        raise ApplicationError(
            "invalid",
            _("A PO needs at least one line."),
            fields={"lines": [_("Add at least one article.")]},
            status=400,
        )
    # The archive flags are read from the database: the objects handed in may be stale.
    if not Destination.objects.filter(pk=destination.pk, active=True).exists():
        raise ApplicationError(
            "destination_inactive",
            _("Destination %(code)s is archived.") % {"code": destination.code},
        )
    archived = set(
        Article.objects.filter(
            pk__in=[line["article"].pk for line in lines], active=False
        ).values_list("code", flat=True)
    )
    seen = set()
    for line in lines:
        article, quantity = line["article"], line["quantity"]
        if article.pk in seen:
            raise ApplicationError(
                "invalid",
                _("Article %(code)s appears twice in the PO.") % {"code": article.code},
                fields={"lines": [_("Each article once.")]},
                status=400,
            )
        seen.add(article.pk)
        if article.code in archived:
            raise ApplicationError(
                "article_inactive", _("Article %(code)s is archived.") % {"code": article.code}
            )
        if int(quantity) < 1:
            raise ApplicationError(
                "invalid",
                _("The quantity of %(code)s must be at least 1.") % {"code": article.code},
                fields={"lines": [_("Quantities are at least 1.")]},
                status=400,
            )
    try:
        with transaction.atomic():
            po = CustomerPO.objects.create(
                number=number, destination=destination, ship_date=ship_date
            )
    except IntegrityError:  # a concurrent create took the number between the check and here
        raise ApplicationError(
            "invalid",
            _("PO %(number)s already exists.") % {"number": number},
            fields={"number": [_("This PO number is already used.")]},
            status=400,
        ) from None
    CustomerPOLine.objects.bulk_create(
        CustomerPOLine(po=po, article=line["article"], quantity=int(line["quantity"]))
        for line in lines
    )
    return po
