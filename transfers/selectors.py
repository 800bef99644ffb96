from django.db.models import Prefetch, QuerySet

from .models import Department, Line


def department_list() -> QuerySet[Department]:
    return Department.objects.prefetch_related(
        Prefetch("lines", queryset=Line.objects.filter(active=True).order_by("code"))
    ).order_by("sequence", "code")


def department_get(*, code: str) -> Department:
    return department_list().get(code=code)
