"""The WIP ledger: double-entry bookkeeping of units (DESIGN.md).

Locking policy (the whole project follows it): rows are locked with
``select_for_update(no_key=True)`` (FOR NO KEY UPDATE). A plain FOR UPDATE also blocks the
FOR KEY SHARE that PostgreSQL takes when another transaction inserts a row referencing the locked
one (a balance on a locked line, a transfer of a locked batch), which deadlocked mixed traffic in
tests/concurrency. Order: transfer row, then line row, then batch row, then balance rows by pk.

Every change of WIP goes through ``wip_moves`` (or ``wip_move`` for one), which, inside the
caller's transaction, locks the balance rows involved in primary-key order, checks that no bucket
goes negative, appends the movements and updates the balances. Only SQL runs while the locks are
held; callers validate before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils.translation import gettext as _

from erp.common.errors import ApplicationError

from .models import Department, Line, WipBalance, WipMovement, WipState

SOURCE = None  # the batch's input bucket (units not yet cut)


@dataclass(frozen=True)
class Bucket:
    department: Department
    state: str
    line: Line | None = None

    def label(self) -> str:
        line = f" {self.line.code}" if self.line else ""
        return f"{self.department.code}{line} {self.state}"


@dataclass(frozen=True)
class Move:
    batch: object  # ppic.Batch
    source: Bucket | None  # None: the input bucket
    target: Bucket
    quantity: int


def _key(batch_id: int, bucket: Bucket) -> tuple:
    return (batch_id, bucket.department.pk, bucket.line.pk if bucket.line else None, bucket.state)


def _lock_rows(batch_ids) -> dict[tuple, WipBalance]:
    """Lock every balance row of the batches, in primary-key order (one query)."""
    return {
        (r.batch_id, r.department_id, r.line_id, r.state): r
        for r in WipBalance.objects.select_for_update(no_key=True)
        .filter(batch_id__in=sorted(batch_ids))
        .only("id", "batch_id", "department_id", "line_id", "state", "quantity")
        .order_by("pk")
    }


def wip_moves(
    moves: list[Move],
    *,
    reason: str,
    user,
    reference: str = "",
    refuse_quarantined_at: Department | None = None,
) -> list[WipMovement]:
    """Apply several moves atomically: lock the batches' balance rows (pk order; missing rows are
    inserted first, a concurrent twin insert is ignored), check, update them in one statement,
    append the movements. Moves out of the input bucket also lock their batch row, so cutting
    never exceeds the batch. ``refuse_quarantined_at``: refuse (409 ``batch_quarantined``) when
    the batch has quarantined units at that department, checked on the locked rows."""
    if not moves:
        return []
    for move in moves:
        if move.quantity <= 0:
            raise ApplicationError("invalid", _("A quantity must be more than zero."), status=400)
        if move.target.state == WipState.INPUT:
            raise ApplicationError("invalid", _("Units never move back to input."), status=400)

    with transaction.atomic():
        keys = {_key(m.batch.pk, m.target) for m in moves}
        keys |= {_key(m.batch.pk, m.source) for m in moves if m.source is not SOURCE}
        batch_ids = {k[0] for k in keys}

        source_batches = sorted({m.batch.pk for m in moves if m.source is SOURCE})
        if source_batches:
            from ppic.models import Batch

            list(
                Batch.objects.select_for_update(no_key=True)
                .filter(pk__in=source_batches)
                .order_by("pk")
                .values_list("pk", flat=True)
            )

        rows = _lock_rows(batch_ids)
        missing = keys - rows.keys()
        if missing:
            WipBalance.objects.bulk_create(
                [
                    WipBalance(batch_id=b, department_id=d, line_id=ln, state=st, quantity=0)
                    for b, d, ln, st in sorted(missing, key=str)
                ],
                ignore_conflicts=True,
            )
            rows = _lock_rows(batch_ids)

        if refuse_quarantined_at is not None:
            batch = moves[0].batch
            if any(
                r.quantity > 0 and r.state == WipState.QUARANTINED and r.batch_id == batch.pk
                and r.department_id == refuse_quarantined_at.pk
                for r in rows.values()
            ):  # fmt: skip
                raise ApplicationError(
                    "batch_quarantined",
                    _("%(batch)s has quarantined units at %(dept)s: nothing of it leaves until "
                      "QC decides.") % {"batch": batch.number, "dept": refuse_quarantined_at.code},
                )  # fmt: skip

        deltas: dict[tuple, int] = defaultdict(int)
        cut: dict[int, int] = defaultdict(int)
        for move in moves:
            if move.source is SOURCE:
                cut[move.batch.pk] += move.quantity
            else:
                deltas[_key(move.batch.pk, move.source)] -= move.quantity
            deltas[_key(move.batch.pk, move.target)] += move.quantity

        for key, delta in deltas.items():
            if rows[key].quantity + delta < 0:
                move = next(
                    m for m in moves if m.source is not SOURCE and _key(m.batch.pk, m.source) == key
                )
                raise ApplicationError(
                    "insufficient_wip",
                    _("Only %(have)d units of %(batch)s are %(bucket)s; %(want)d asked.")
                    % {
                        "have": rows[key].quantity,
                        "batch": move.batch.number,
                        "bucket": move.source.label(),
                        "want": -delta,
                    },
                    fields={"available": rows[key].quantity},
                )
        for batch_id, quantity in cut.items():
            batch = next(m.batch for m in moves if m.batch.pk == batch_id)
            already = sum(r.quantity for k, r in rows.items() if k[0] == batch_id)
            if already + quantity > batch.quantity:
                raise ApplicationError(
                    "exceeds_batch",
                    _("%(batch)s has %(total)d units; %(done)d are cut, %(want)d more is too many.")
                    % {
                        "batch": batch.number,
                        "total": batch.quantity,
                        "done": already,
                        "want": quantity,
                    },
                    fields={"remaining": batch.quantity - already},
                )

        from dashboard.live import dashboard_changed_on_commit

        dashboard_changed_on_commit("wip")  # one pulse per transaction, after it commits
        changed = {rows[key].pk: delta for key, delta in deltas.items() if delta}
        if changed:
            WipBalance.objects.filter(pk__in=list(changed)).update(
                quantity=F("quantity")
                + Case(*(When(pk=pk, then=Value(d)) for pk, d in changed.items()), default=Value(0))
            )
        return WipMovement.objects.bulk_create(
            WipMovement(
                batch=move.batch,
                from_department=None if move.source is SOURCE else move.source.department,
                from_line=None if move.source is SOURCE else move.source.line,
                from_state=WipState.INPUT if move.source is SOURCE else move.source.state,
                to_department=move.target.department,
                to_line=move.target.line,
                to_state=move.target.state,
                quantity=move.quantity,
                reason=reason,
                reference=reference,
                user=user,
            )
            for move in moves
        )


def wip_move(
    *, batch, source: Bucket | None, target: Bucket, quantity: int, reason: str, user,
    reference: str = "",
) -> WipMovement:  # fmt: skip
    return wip_moves(
        [Move(batch, source, target, quantity)], reason=reason, user=user, reference=reference
    )[0]


def batch_units_out_of_input(batch_id: int) -> int:
    """Units ever taken out of the batch's input bucket (= cut), from the balances."""
    total = WipBalance.objects.filter(batch_id=batch_id).aggregate(s=Sum("quantity"))["s"]
    return total or 0


def reconcile(batch_ids=None) -> list[str]:
    """Replay the ledger and compare with the balances; one line per difference."""
    expected: dict[tuple, int] = defaultdict(int)
    movements = WipMovement.objects.all()
    balances = WipBalance.objects.all()
    if batch_ids is not None:
        movements = movements.filter(batch_id__in=batch_ids)
        balances = balances.filter(batch_id__in=batch_ids)
    fields = ["batch_id", "from_department_id", "from_line_id", "from_state"]
    fields += ["to_department_id", "to_line_id", "to_state", "quantity"]
    for batch, f_dept, f_line, f_state, t_dept, t_line, t_state, qty in movements.values_list(
        *fields
    ).iterator():
        if f_state != WipState.INPUT:
            expected[(batch, f_dept, f_line, f_state)] -= qty
        expected[(batch, t_dept, t_line, t_state)] += qty
    actual = {
        (b.batch_id, b.department_id, b.line_id, b.state): b.quantity for b in balances.iterator()
    }
    problems = []
    for key in sorted(set(expected) | set(actual), key=str):
        if expected.get(key, 0) != actual.get(key, 0):
            problems.append(
                f"batch={key[0]} department={key[1]} line={key[2]} state={key[3]}: "
                f"ledger={expected.get(key, 0)} balance={actual.get(key, 0)}"
            )
        if actual.get(key, 0) < 0:
            problems.append(f"negative balance {key}")
    return problems


def line_of_units(*, batch, department, state: str = "available", line=None):
    """The line where a batch's units sit in a department: the given one, the only one, or an
    error asking which (400). None for departments without lines."""
    from .models import Line  # local: models imports nothing from here

    if line is not None:
        if line.department_id != department.pk:
            raise ApplicationError(
                "invalid",
                _("Line %(line)s is not a line of %(dept)s.")
                % {"line": line.code, "dept": department.code},
                fields={"line": [_("Not a line of this department.")]},
                status=400,
            )
        return line
    line_ids = list(
        WipBalance.objects.filter(batch=batch, department=department, state=state, quantity__gt=0)
        .values_list("line_id", flat=True)
        .distinct()
    )
    if len(line_ids) > 1:
        raise ApplicationError(
            "invalid",
            _("%(batch)s is on several lines of %(dept)s: say which line.")
            % {"batch": batch.number, "dept": department.code},
            fields={"line": [_("Required: the batch is on more than one line.")]},
            status=400,
        )
    if line_ids and line_ids[0] is not None:
        return Line.objects.get(pk=line_ids[0])
    return None
