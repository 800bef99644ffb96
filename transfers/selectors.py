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
AT_DEPARTMENT = ("available", "ready", "locked", "quarantined", "rework")


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
            {"department": row["department__code"], **dict.fromkeys(WIP_STATES, 0), "sendable": 0},
        )
        entry["available" if state == "ready" else state] += quantity
        if state == "ready":
            entry["sendable"] += quantity
    cut = sum(sum(e[s] for s in WIP_STATES) for e in per_department.values())
    cut += sum(terminal.values())
    return {"wip": list(per_department.values()), **terminal, "cut": cut}


def mo_progress(*, mo) -> list[dict]:
    """Per route step: units there now and units that have gone past it (later departments,
    FG warehouse, shipped, or scrapped/written off after it)."""
    return mo_progress_many([mo])[mo.pk]


def mo_progress_many(mos) -> dict[int, list[dict]]:
    """Progress per route step for many MOs in two queries (one aggregate over the
    WIP balances grouped by MO, department and state; one for the SPK targets), whatever their
    number. Returns ``{mo.pk: [{"department", "target_quantity", "wip", "done"}, ...]}``."""
    from django.db.models import Sum

    from ppic.models import ROUTE_STEPS, WorkOrder

    from .models import WipBalance

    at_department = AT_DEPARTMENT

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


def transfer_qs():
    from .models import Transfer

    return Transfer.objects.select_related(
        "batch", "batch__mo", "batch__mo__article", "batch__mo__destination", "from_department",
        "from_line", "to_department", "to_line", "created_by", "accepted_by", "vendor",
    )  # fmt: skip


def transfers_visible_to(user):
    """Sending and receiving departments' users see their transfers; ppic, QC, managers all."""
    from django.db.models import Q

    from accounts.selectors import user_departments, user_roles

    qs = transfer_qs()
    if user_roles(user) & {"manager", "ppic", "qc_inspector", "qc_lab"}:
        return qs
    codes = user_departments(user)
    return qs.filter(Q(from_department__code__in=codes) | Q(to_department__code__in=codes))


def wip_rows(*, department=None, batch=None, line=None) -> list[dict]:
    """One row per batch and department (lines summed), or per line when ``line`` is given:
    available (incl. sendable), sendable, locked, quarantined, rework."""
    from .models import WipBalance

    qs = WipBalance.objects.filter(
        quantity__gt=0, state__in=["available", "ready", "locked", "quarantined", "rework"]
    )
    if department is not None:
        qs = qs.filter(department=department)
    if batch is not None:
        qs = qs.filter(batch=batch)
    keys = ["batch__number", "department__code", "department__sequence"]
    if line is not None:
        qs = qs.filter(line=line)
        keys.append("line__code")
    rows: dict[tuple, dict] = {}
    for r in qs.values(*keys, "state").annotate(q=Sum("quantity")).order_by(*keys):
        key = tuple(r[k] for k in keys)
        row = rows.setdefault(
            key,
            {
                "batch": r["batch__number"],
                "department": r["department__code"],
                "line": r.get("line__code"),
                "available": 0,
                "sendable": 0,
                "locked": 0,
                "quarantined": 0,
                "rework": 0,
            },
        )
        if r["state"] == "ready":
            row["available"] += r["q"]
            row["sendable"] += r["q"]
        else:
            row[r["state"]] += r["q"]
    return list(rows.values())


def subcon_holdings(*, today=None) -> list[dict]:
    """What is at each vendor now: per batch, the units at SUBCON, the vendor and expected
    return of the latest accepted dispatch, and whether it is overdue."""
    from django.utils import timezone

    from ppic.models import Batch

    from .models import Transfer, WipBalance

    today = today or timezone.localdate()
    at_vendor = dict(
        WipBalance.objects.filter(
            department__code="SUBCON", quantity__gt=0, state__in=AT_DEPARTMENT
        )
        .values("batch_id")
        .annotate(q=Sum("quantity"))
        .values_list("batch_id", "q")
    )
    if not at_vendor:
        return []
    dispatches = {}
    for t in (
        Transfer.objects.filter(
            batch_id__in=at_vendor, to_department__code="SUBCON", state="ACCEPTED"
        )
        .select_related("vendor")
        .order_by("batch_id", "-id")
    ):
        dispatches.setdefault(t.batch_id, t)
    batches = Batch.objects.select_related("mo__article", "mo__destination").in_bulk(at_vendor)
    rows = []
    for batch_id, quantity in at_vendor.items():
        dispatch = dispatches.get(batch_id)
        expected = dispatch.expected_return if dispatch else None
        rows.append(
            {
                "batch": batches[batch_id].number,
                "article": batches[batch_id].mo.article.code,
                "quantity": quantity,
                "vendor": dispatch.vendor.code if dispatch and dispatch.vendor else None,
                "vendor_name": dispatch.vendor.name if dispatch and dispatch.vendor else "",
                "dispatched_at": dispatch.accepted_at if dispatch else None,
                "expected_return": expected,
                "overdue": bool(expected and expected < today),
            }
        )
    rows.sort(key=lambda r: (r["vendor"] or "", r["expected_return"] or today, r["batch"]))
    return rows
