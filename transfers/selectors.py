from django.db.models import Prefetch, QuerySet, Sum

from .models import Department, Line


def department_list() -> QuerySet[Department]:
    return Department.objects.prefetch_related(
        Prefetch("lines", queryset=Line.objects.filter(active=True).order_by("code"))
    ).order_by("sequence", "code")


def department_get(*, code: str) -> Department:
    return department_list().get(code=code)


def mo_units_cut(*, mo) -> int:
    """Units of the MO's batches that have left the input bucket (been cut)."""
    from django.db.models import Sum

    from .models import WipBalance

    total = WipBalance.objects.filter(batch__mo=mo).aggregate(s=Sum("quantity"))["s"]
    return total or 0


WIP_STATES = ("available", "locked", "quarantined", "rework")


def batch_wip_summary(*, batch) -> dict:
    """``wip`` per department (lines summed) plus the terminal buckets; they add up to ``cut``."""
    from .models import WipBalance

    rows = (
        WipBalance.objects.filter(batch=batch, quantity__gt=0)
        .values("department__code", "department__sequence", "state")
        .annotate(q=Sum("quantity"))
        .order_by("department__sequence")
    )
    per_department: dict[str, dict] = {}
    terminal = {"scrap": 0, "written_off": 0, "shipped": 0}
    for row in rows:
        state, quantity = row["state"], row["q"]
        if state in terminal:
            terminal[state] += quantity
            continue
        entry = per_department.setdefault(
            row["department__code"],
            {"department": row["department__code"], **dict.fromkeys(WIP_STATES, 0)},
        )
        entry[state] += quantity
    cut = sum(sum(e[s] for s in WIP_STATES) for e in per_department.values())
    cut += sum(terminal.values())
    return {"wip": list(per_department.values()), **terminal, "cut": cut}


def mo_progress(*, mo) -> list[dict]:
    """Per route step: units there now and units that have gone past it (later departments,
    FG warehouse, shipped, or scrapped/written off after it)."""
    from ppic.models import ROUTE_STEPS

    from .models import WipBalance

    steps = ROUTE_STEPS[mo.route]
    order = {code: i for i, code in enumerate(steps)}
    beyond = len(steps)  # FG warehouse and shipped count as past every step
    here = dict.fromkeys(steps, 0)
    past = dict.fromkeys(steps, 0)
    rows = (
        WipBalance.objects.filter(batch__mo=mo, quantity__gt=0)
        .values("department__code", "state")
        .annotate(q=Sum("quantity"))
    )
    for row in rows:
        position = order.get(row["department__code"], beyond)
        if row["state"] == "shipped":
            position = beyond
        if position < beyond and row["state"] in WIP_STATES:
            here[steps[position]] += row["q"]
        for code in steps[:position]:
            past[code] += row["q"]
    targets = {wo.department.code: wo.target_quantity for wo in mo.work_orders.all()}
    return [
        {
            "department": code,
            "target_quantity": targets.get(code, mo.quantity),
            "wip": here[code],
            "done": past[code],
        }
        for code in steps
    ]
