from django.db.models import Prefetch, QuerySet

from .models import Article, BomLine, ManufacturingOrder, MaterialRequirement, WorkOrder


def article_list() -> QuerySet[Article]:
    return Article.objects.prefetch_related(
        Prefetch("bom", queryset=BomLine.objects.select_related("material"))
    )


def mo_list(*, status=None, article=None, destination=None) -> QuerySet[ManufacturingOrder]:
    qs = ManufacturingOrder.objects.select_related("article", "destination")
    if status:
        qs = qs.filter(status=status)
    if article:
        qs = qs.filter(article__code=article)
    if destination:
        qs = qs.filter(destination__code=destination)
    return qs


def mo_detail_qs() -> QuerySet[ManufacturingOrder]:
    return ManufacturingOrder.objects.select_related("article", "destination").prefetch_related(
        "batches",
        Prefetch(
            "work_orders",
            queryset=WorkOrder.objects.select_related("department").prefetch_related(
                Prefetch(
                    "requirements", queryset=MaterialRequirement.objects.select_related("material")
                )
            ),
        ),
    )


def work_order_qs() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related("mo", "mo__article", "department")


# --- office pages -----------------------------------------------------------------------------
def article_list_filtered(*, search: str = "", active: bool | None = None) -> QuerySet[Article]:
    """Articles for the list page, with ``bom_count``; ``search`` matches code or name."""
    from django.db.models import Count, Q

    qs = Article.objects.annotate(bom_count=Count("bom"))
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def article_get_with_bom(*, pk: int) -> Article:
    return article_list().get(pk=pk)


def po_list_filtered(*, search: str = "", destination=None, status=None) -> QuerySet:
    """Customer POs with ``line_count`` and ``total_quantity``; ``search`` matches the number."""
    from django.db.models import Count, Sum

    from .models import CustomerPO

    qs = CustomerPO.objects.select_related("destination").annotate(
        line_count=Count("lines"), total_quantity=Sum("lines__quantity")
    )
    if search:
        qs = qs.filter(number__icontains=search)
    if destination:
        qs = qs.filter(destination__code=destination)
    if status:
        qs = qs.filter(status=status)
    return qs


def po_detail_qs() -> QuerySet:
    """POs with their lines; each line carries ``planned`` = units of its MOs not cancelled."""
    from django.db.models import Q, Sum

    from .models import CustomerPO, CustomerPOLine

    lines = (
        CustomerPOLine.objects.select_related("article")
        .annotate(
            planned=Sum("mos__quantity", filter=~Q(mos__status=ManufacturingOrder.Status.CANCELLED))
        )
        .order_by("id")
    )
    return CustomerPO.objects.select_related("destination").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


def mo_list_filtered(
    *,
    status=None,
    article=None,
    destination=None,
    due_after=None,
    due_before=None,
    search: str = "",
) -> QuerySet[ManufacturingOrder]:
    """``mo_list`` plus a due-date window (inclusive) and a search on MO or PO number."""
    from django.db.models import Q

    qs = mo_list(status=status, article=article, destination=destination)
    if due_after:
        qs = qs.filter(due_date__gte=due_after)
    if due_before:
        qs = qs.filter(due_date__lte=due_before)
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(po_number__icontains=search))
    return qs


def plan_board_list(*, destination=None) -> QuerySet[ManufacturingOrder]:
    """Open MOs (draft and released) by due date."""
    qs = mo_list(destination=destination).filter(
        status__in=[ManufacturingOrder.Status.DRAFT, ManufacturingOrder.Status.RELEASED]
    )
    return qs.order_by("due_date", "number")


def mo_progress_many(mos) -> dict[int, list[dict]]:
    """``transfers.selectors.mo_progress`` for many MOs in two queries (one aggregate over the
    WIP balances grouped by MO, department and state; one for the SPK targets), whatever their
    number. Returns ``{mo.pk: [{"department", "target_quantity", "wip", "done"}, ...]}``."""
    from django.db.models import Sum

    from transfers import selectors as wip
    from transfers.models import WipBalance

    from .models import ROUTE_STEPS

    # The states that count as "units at a department now", exactly as mo_progress counts them.
    at_department = getattr(wip, "AT_DEPARTMENT", wip.WIP_STATES)

    mos = list(mos)
    if not mos:
        return {}
    ids = [mo.pk for mo in mos]
    rows = (
        WipBalance.objects.filter(batch__mo_id__in=ids, quantity__gt=0)
        .values("batch__mo_id", "department__code", "state")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    by_mo: dict[int, list[dict]] = {}
    for row in rows:
        by_mo.setdefault(row["batch__mo_id"], []).append(row)
    targets: dict[tuple[int, str], int] = {
        (mo_id, code): target
        for mo_id, code, target in WorkOrder.objects.filter(mo_id__in=ids)
        .values_list("mo_id", "department__code", "target_quantity")
        .order_by()
    }
    result: dict[int, list[dict]] = {}
    for mo in mos:
        steps = ROUTE_STEPS[mo.route]
        order = {code: i for i, code in enumerate(steps)}
        beyond = len(steps)  # FG warehouse and shipped count as past every step
        here = dict.fromkeys(steps, 0)
        past = dict.fromkeys(steps, 0)
        for row in by_mo.get(mo.pk, []):
            position = order.get(row["department__code"], beyond)
            if row["state"] == "shipped":
                position = beyond
            if position < beyond and row["state"] in at_department:
                here[steps[position]] += row["q"]
            for code in steps[:position]:
                past[code] += row["q"]
        result[mo.pk] = [
            {
                "department": code,
                "target_quantity": targets.get((mo.pk, code), mo.quantity),
                "wip": here[code],
                "done": past[code],
            }
            for code in steps
        ]
    return result
