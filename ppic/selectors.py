from django.db.models import Prefetch, QuerySet

from transfers.selectors import mo_progress_many  # noqa: F401  (re-exported for the pages)

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
