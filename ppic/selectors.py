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
