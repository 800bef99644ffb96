"""The QT-09 transfer state machine (DESIGN.md). One service per action, each atomic:

lock the transfer row, then the receiving line (clearance), then the WIP balances (pk order);
assert the move is allowed from the state re-read under the lock; apply; append a
``TransferEvent``; send ``transfer_state_changed``. Permission and input checks run before any
lock; only SQL runs while locks are held.
"""

from __future__ import annotations

import base64
import secrets

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for, user_is_supervisor_of
from dashboard.models import AlertKind, AlertPriority
from dashboard.services import alert_raise, alerts_resolve_for_reference
from erp.common.errors import ApplicationError
from ppic.models import ROUTE_STEPS, Batch

from .ledger import Bucket, Move, wip_moves
from .models import (
    Department,
    Hold,
    Line,
    LineClearance,
    Transfer,
    TransferEvent,
    TransferState,
    WipBalance,
    WipState,
)
from .reference_cache import departments_with_lines
from .signals import transfer_state_changed

S = TransferState
ALLOWED: dict[str | None, set[str]] = {
    None: {S.IN_TRANSIT, S.BLOCKED},
    S.BLOCKED: {S.IN_TRANSIT, S.BLOCKED, S.CANCELLED},
    S.IN_TRANSIT: {S.ACCEPTED, S.HELD, S.REJECTED, S.CANCELLED},
    S.HELD: {S.ACCEPTED, S.REJECTED},
    S.ACCEPTED: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}
OCCUPYING_STATES = (
    WipState.AVAILABLE,
    WipState.READY,
    WipState.LOCKED,
    WipState.QUARANTINED,
    WipState.REWORK,
)
SEGREGATED_BY_BATCH = {"EMBROIDERY", "SEWING", "PACKING"}
SEGREGATED_BY_DESTINATION = {"FINISHING"}


# --- helpers ------------------------------------------------------------------------------------
def new_slip_code() -> str:
    """24 characters from 120 random bits, QR-alphanumeric and scanner friendly."""
    return base64.b32encode(secrets.token_bytes(15)).decode()


def _forbidden(message: str) -> ApplicationError:
    return ApplicationError("permission_denied", message, status=403)


def _assert_allowed(transfer: Transfer, new: str) -> None:
    if new not in ALLOWED[transfer.state]:
        raise ApplicationError(
            "invalid_transition",
            _("Transfer %(number)s is %(state)s: it cannot become %(new)s.")
            % {
                "number": transfer.number,
                "state": transfer.get_state_display(),
                "new": TransferState(new).label,
            },
            fields={"state": transfer.state},
        )


def _event(transfer, *, action, old, user, quantity=None, note="") -> None:
    TransferEvent.objects.create(
        transfer=transfer,
        action=action,
        from_state=old or "",
        to_state=transfer.state,
        quantity=quantity,
        note=note[:300],
        user=user,
    )
    transfer_state_changed.send(
        sender=Transfer, transfer=transfer, old=old, new=transfer.state, user=user
    )


def _locked(transfer_id: int) -> Transfer:
    return Transfer.objects.select_for_update(no_key=True).get(pk=transfer_id)


def _with_relations(transfer_id: int) -> Transfer:
    return Transfer.objects.select_related(
        "batch", "batch__mo", "from_department", "from_line", "to_department", "to_line"
    ).get(pk=transfer_id)


def _sender_bucket(t: Transfer, state: str) -> Bucket:
    return Bucket(t.from_department, state, t.from_line)


def _release_lock(t: Transfer, *, reason: str, user, quantity: int | None = None) -> None:
    """Locked units go back to the sender as sendable again."""
    qty = t.quantity if quantity is None else quantity
    if qty:
        wip_moves(
            [
                Move(
                    t.batch,
                    _sender_bucket(t, WipState.LOCKED),
                    _sender_bucket(t, WipState.READY),
                    qty,
                )
            ],
            reason=reason,
            user=user,
            reference=f"transfer:{t.pk}",
        )


# Departments whose received units are sendable as they arrive: the subcontractor's work
# happens at the vendor, so what the vendor received is what it returns.
SENDABLE_ON_ARRIVAL = {"SUBCON"}


def _receiver_bucket(t: Transfer) -> Bucket:
    state = WipState.READY if t.to_department.code in SENDABLE_ON_ARRIVAL else WipState.AVAILABLE
    return Bucket(t.to_department, state, t.to_line)


def next_department(*, route: str, from_code: str) -> str | None:
    steps = ROUTE_STEPS[route]
    if from_code not in steps:
        return None
    i = steps.index(from_code)
    return steps[i + 1] if i + 1 < len(steps) else None


def subcon_vendor_of(batch):
    """The vendor holding the batch: the one of its latest accepted dispatch to SUBCON."""
    dispatch = (
        Transfer.objects.filter(
            batch=batch, to_department__code="SUBCON", state=S.ACCEPTED, vendor__isnull=False
        )
        .select_related("vendor")
        .order_by("-id")
        .first()
    )
    return dispatch.vendor if dispatch else None


# --- line clearance --------------------------------------------------------------------------
def line_occupants(line: Line) -> set[int]:
    """Batches on the line now (units there, or transfers to it in transit/held), less those a
    supervisor's latest clearance check covered."""
    on_line = (
        WipBalance.objects.filter(line=line, quantity__gt=0, state__in=OCCUPYING_STATES)
        .values_list("batch_id")
        .order_by()
    )
    incoming = (
        Transfer.objects.filter(to_line=line, state__in=[S.IN_TRANSIT, S.HELD])
        .values_list("batch_id")
        .order_by()
    )
    occupants = {pk for (pk,) in on_line.union(incoming)}  # one query
    if not occupants:
        return occupants
    cleared = LineClearance.objects.filter(line=line).values_list("cleared_batch_ids", flat=True)
    return occupants - set(cleared.first() or [])


def clearance_problem(*, batch: Batch, to_department: Department, to_line: Line | None) -> str:
    """Why the receiving line is not clear for this batch ("" when it is). Call under a lock on
    the line row."""
    if to_line is None:
        return ""
    code = to_department.code
    if code not in SEGREGATED_BY_BATCH | SEGREGATED_BY_DESTINATION:
        return ""
    others = line_occupants(to_line) - {batch.pk}
    if not others:
        return ""
    occupants = list(
        Batch.objects.filter(pk__in=others).select_related("mo__destination").order_by("number")
    )
    if code in SEGREGATED_BY_DESTINATION:
        mine = batch.mo.destination_id
        foreign = [b for b in occupants if b.mo.destination_id != mine]
        if not foreign:
            return ""
        return _(
            "Segregation: line %(line)s carries %(batches)s for %(theirs)s; this batch goes to "
            "%(mine)s."
        ) % {
            "line": to_line.code,
            "batches": ", ".join(b.number for b in foreign),
            "theirs": ", ".join(sorted({b.mo.destination.country for b in foreign})),
            "mine": batch.mo.destination.country,
        }
    return _(
        "Line %(line)s is not clear: %(batches)s still on it. Finish it there or record a "
        "line-clearance check."
    ) % {"line": to_line.code, "batches": ", ".join(b.number for b in occupants)}


@transaction.atomic
def line_clearance_record(*, line: Line, note: str, user) -> LineClearance:
    """The receiving supervisor (or a manager) records that the line is clear."""
    if not user_is_supervisor_of(user, line.department.code):
        raise _forbidden(
            _("Only a supervisor of %(dept)s may clear its lines.") % {"dept": line.department.code}
        )
    if not note.strip():
        raise ApplicationError(
            "invalid", _("Say what was checked."), fields={"note": [_("Required.")]}, status=400
        )
    line = Line.objects.select_for_update(no_key=True).get(pk=line.pk)
    occupants = sorted(
        set(
            WipBalance.objects.filter(
                line=line, quantity__gt=0, state__in=OCCUPYING_STATES
            ).values_list("batch_id", flat=True)
        )
        | set(
            Transfer.objects.filter(to_line=line, state__in=[S.IN_TRANSIT, S.HELD]).values_list(
                "batch_id", flat=True
            )
        )
    )
    return LineClearance.objects.create(
        line=line, note=note.strip()[:300], cleared_batch_ids=occupants, recorded_by=user
    )


# --- prepare -----------------------------------------------------------------------------------
def _resolve_from_line(batch: Batch, department: Department, from_line: Line | None) -> Line | None:
    if from_line is not None:
        if from_line.department_id != department.pk:
            raise ApplicationError(
                "invalid",
                _("Line %(line)s is not a line of %(dept)s.")
                % {"line": from_line.code, "dept": department.code},
                fields={"from_line": [_("Not a line of the sending department.")]},
                status=400,
            )
        return from_line
    lines = list(
        WipBalance.objects.filter(
            batch=batch, department=department, state=WipState.READY, quantity__gt=0
        )
        .values_list("line_id", flat=True)
        .distinct()
    )
    if len(lines) > 1:
        raise ApplicationError(
            "invalid",
            _("%(batch)s is on several lines of %(dept)s: say which one sends (from_line).")
            % {"batch": batch.number, "dept": department.code},
            fields={"from_line": [_("Required: the batch is on more than one line.")]},
            status=400,
        )
    if lines and lines[0] is not None:
        return Line.objects.get(pk=lines[0])
    return None


def transfer_prepare(
    *,
    batch: Batch,
    from_department: Department,
    to_department: Department,
    quantity: int,
    user,
    from_line: Line | None = None,
    to_line: Line | None = None,
    vendor=None,
    expected_return=None,
) -> Transfer:
    """Sender locks ``quantity`` sendable units for the next department of the batch's route;
    the receiving line's clearance decides IN_TRANSIT (slip issued) or BLOCKED (P1 alert)."""
    # checks before any lock: actor, route, lines, quarantine
    if not user_can_act_for(user, from_department.code):
        raise _forbidden(_("You may not send for %(dept)s.") % {"dept": from_department.code})
    expected = next_department(route=batch.mo.route, from_code=from_department.code)
    if expected != to_department.code:
        raise ApplicationError(
            "route_violation",
            _("%(batch)s follows the %(route)s route: after %(from)s comes %(next)s, not %(to)s.")
            % {
                "batch": batch.number,
                "route": batch.mo.route,
                "from": from_department.code,
                "next": expected or _("nothing (not on the route)"),
                "to": to_department.code,
            },
            fields={"expected": expected},
        )
    if to_department.code == "SUBCON" and vendor is None:
        raise ApplicationError(
            "invalid",
            _("Name the vendor the pieces go to."),
            fields={"vendor": [_("Required for a dispatch to a subcontractor.")]},
            status=400,
        )
    if from_department.code == "SUBCON" and vendor is None:
        vendor = subcon_vendor_of(batch)
    if to_line is None and to_department.pk in departments_with_lines():
        raise ApplicationError(
            "invalid",
            _("Choose the receiving line of %(dept)s.") % {"dept": to_department.code},
            fields={"to_line": [_("Required: the receiving department has lines.")]},
            status=400,
        )
    if to_line is not None and to_line.department_id != to_department.pk:
        raise ApplicationError(
            "invalid",
            _("Line %(line)s is not a line of %(dept)s.")
            % {"line": to_line.code, "dept": to_department.code},
            fields={"to_line": [_("Not a line of the receiving department.")]},
            status=400,
        )
    from_line = _resolve_from_line(batch, from_department, from_line)
    hold = (
        Hold.objects.filter(batch=batch, department=from_department, released_at__isnull=True)
        .filter(models.Q(line__isnull=True) | models.Q(line=from_line))
        .first()
    )
    if hold is not None:
        raise ApplicationError(
            "batch_held",
            _("%(batch)s is held at %(dept)s%(line)s: %(reason)s")
            % {
                "batch": batch.number,
                "dept": from_department.code,
                "line": f" {hold.line.code}" if hold.line_id else "",
                "reason": hold.reason,
            },
            fields={"hold": hold.kind},
        )
    with transaction.atomic():
        if to_line is not None:
            to_line = Line.objects.select_for_update(no_key=True).get(pk=to_line.pk)
        problem = clearance_problem(batch=batch, to_department=to_department, to_line=to_line)
        state = S.BLOCKED if problem else S.IN_TRANSIT
        transfer = Transfer.objects.create(
            batch=batch,
            from_department=from_department,
            from_line=from_line,
            to_department=to_department,
            to_line=to_line,
            quantity=quantity,
            state=state,
            slip_code=None if problem else new_slip_code(),
            blocked_reason=problem,
            vendor=vendor,
            expected_return=expected_return,
            created_by=user,
        )
        wip_moves(
            [
                Move(
                    batch,
                    Bucket(from_department, WipState.READY, from_line),
                    Bucket(from_department, WipState.LOCKED, from_line),
                    quantity,
                )
            ],
            reason="transfer_prepare",
            user=user,
            reference=f"transfer:{transfer.pk}",
            refuse_quarantined_at=from_department,
        )
        if problem:
            alert_raise(
                kind=AlertKind.LINE_BLOCKED,
                priority=AlertPriority.P1,
                message=_("%(number)s blocked: %(problem)s")
                % {"number": transfer.number, "problem": problem},
                departments=[from_department.code, to_department.code],
                batch=batch,
                line=to_line,
                reference=f"transfer:{transfer.pk}",
            )
        _event(transfer, action="prepare", old=None, user=user, quantity=quantity, note=problem)
    return transfer


# --- retry, cancel -----------------------------------------------------------------------------
def _assert_sender(user, transfer: Transfer, verb: str) -> None:
    if not user_can_act_for(user, transfer.from_department.code):
        raise _forbidden(
            _("Only %(dept)s may %(verb)s this transfer.")
            % {"dept": transfer.from_department.code, "verb": verb}
        )


@transaction.atomic
def transfer_retry(*, transfer: Transfer, user) -> Transfer:
    """BLOCKED → IN_TRANSIT when the receiving line is clear now; otherwise stays BLOCKED."""
    transfer = _with_relations(transfer.pk)
    _assert_sender(user, transfer, _("retry"))
    locked = _locked(transfer.pk)
    _assert_allowed(locked, S.IN_TRANSIT)
    line = (
        Line.objects.select_for_update(no_key=True).get(pk=locked.to_line_id)
        if locked.to_line_id
        else None
    )
    problem = clearance_problem(
        batch=transfer.batch, to_department=transfer.to_department, to_line=line
    )
    old = locked.state
    if problem:
        locked.blocked_reason = problem
        locked.save(update_fields=["blocked_reason", "updated_at"])
        _event(locked, action="retry", old=old, user=user, note=problem)
        return locked
    locked.state = S.IN_TRANSIT
    locked.slip_code = new_slip_code()
    locked.blocked_reason = ""
    locked.save(update_fields=["state", "slip_code", "blocked_reason", "updated_at"])
    alerts_resolve_for_reference(
        reference=f"transfer:{locked.pk}",
        kind=AlertKind.LINE_BLOCKED,
        user=user,
        note=_("Line clear on retry; slip issued."),
    )
    _event(locked, action="retry", old=old, user=user)
    return locked


@transaction.atomic
def transfer_cancel(
    *, transfer: Transfer, user, reason: str = "", safety_stop: bool = False
) -> Transfer:
    """BLOCKED/IN_TRANSIT → CANCELLED by the sender; locked units become sendable again.
    ``safety_stop``: QC stops a transfer whose units must be quarantined (a failed metal
    detector check), whoever records the check."""
    transfer = _with_relations(transfer.pk)
    if not safety_stop:
        _assert_sender(user, transfer, _("cancel"))
    locked = _locked(transfer.pk)
    _assert_allowed(locked, S.CANCELLED)
    old = locked.state
    locked.state = S.CANCELLED
    locked.save(update_fields=["state", "updated_at"])
    _release_lock(transfer, reason="transfer_cancel", user=user)
    alerts_resolve_for_reference(
        reference=f"transfer:{locked.pk}",
        kind=AlertKind.LINE_BLOCKED,
        user=user,
        note=_("Transfer cancelled."),
    )
    _event(locked, action="cancel", old=old, user=user, note=reason)
    return locked


# --- accept, approve, reject -------------------------------------------------------------------
def transfer_get_by_slip(slip_code: str) -> Transfer:
    """The transfer of a scanned slip, with what the checks need, in one query."""
    code = (slip_code or "").strip().upper()
    transfer = (
        Transfer.objects.select_related(
            "batch__mo__article",
            "batch__mo__destination",
            "from_department",
            "from_line",
            "to_department",
            "to_line",
            "created_by",
        )
        .filter(slip_code=code)
        .first()
        if code
        else None
    )
    if transfer is None:
        raise ApplicationError(
            "slip_not_found",
            _("No transfer slip %(code)s. Scan the QR code on the slip again.")
            % {"code": code or "-"},
            status=404,
        )
    return transfer


def _already_accepted(transfer: Transfer) -> ApplicationError:
    at = timezone.localtime(transfer.accepted_at)
    return ApplicationError(
        "already_accepted",
        _("Already accepted by %(user)s at %(at)s: nothing moved.")
        % {"user": transfer.accepted_by.get_username(), "at": at.strftime("%Y-%m-%d %H:%M")},
        fields={"accepted_by": transfer.accepted_by.get_username(), "accepted_at": at.isoformat()},
    )


def transfer_accept(*, slip_code: str, quantity_received: int, user) -> Transfer:
    """Receiver scans a slip and counts. Equal to sent: ACCEPTED and the units move to the
    receiver; fewer: HELD for the receiving supervisor with a P1 alert. A repeat scan of an
    accepted slip answers who accepted it and when, and moves nothing."""
    transfer = transfer_get_by_slip(slip_code)
    if not user_can_act_for(user, transfer.to_department.code):
        raise _forbidden(
            _("This slip goes to %(dept)s: only %(dept)s accepts it.")
            % {"dept": transfer.to_department.code}
        )
    if quantity_received < 0:
        raise ApplicationError(
            "invalid",
            _("Count cannot be negative."),
            fields={"quantity_received": [_("≥ 0")]},
            status=400,
        )
    if quantity_received > transfer.quantity:
        raise ApplicationError(
            "count_exceeds_sent",
            _("You counted %(got)d but only %(sent)d were sent. Count again.")
            % {"got": quantity_received, "sent": transfer.quantity},
            fields={"quantity_received": [_("At most %(sent)d.") % {"sent": transfer.quantity}]},
            status=400,
        )
    with transaction.atomic():
        locked = _locked(transfer.pk)
        if locked.state == S.ACCEPTED:
            raise _already_accepted(
                Transfer.objects.select_related("accepted_by").get(pk=locked.pk)
            )
        if locked.state == S.HELD:
            raise ApplicationError(
                "invalid_transition",
                _("%(number)s is held for the supervisor (counted %(got)d of %(sent)d).")
                % {
                    "number": locked.number,
                    "got": locked.quantity_received,
                    "sent": locked.quantity,
                },
                fields={"state": locked.state},
            )
        new = S.ACCEPTED if quantity_received == locked.quantity else S.HELD
        _assert_allowed(locked, new)
        old = locked.state
        locked.state = new
        locked.quantity_received = quantity_received
        if new == S.ACCEPTED:
            locked.accepted_by, locked.accepted_at = user, timezone.now()
            wip_moves(
                [
                    Move(
                        transfer.batch,
                        _sender_bucket(transfer, WipState.LOCKED),
                        _receiver_bucket(transfer),
                        locked.quantity,
                    )
                ],
                reason="transfer_accept",
                user=user,
                reference=f"transfer:{locked.pk}",
            )
        else:
            alert_raise(
                kind=AlertKind.QTY_DISCREPANCY,
                priority=AlertPriority.P1,
                message=_(
                    "%(number)s %(batch)s: counted %(got)d of %(sent)d at %(to)s; held for "
                    "the supervisor."
                )
                % {
                    "number": locked.number,
                    "batch": transfer.batch.number,
                    "got": quantity_received,
                    "sent": locked.quantity,
                    "to": transfer.to_department.code,
                },  # fmt: skip
                departments=[transfer.from_department.code, transfer.to_department.code],
                batch=transfer.batch,
                line=transfer.to_line,
                reference=f"transfer:{locked.pk}",
            )
        locked.save(
            update_fields=["state", "quantity_received", "accepted_by", "accepted_at", "updated_at"]
        )
        _event(locked, action="accept", old=old, user=user, quantity=quantity_received)
    # the caller gets the scanned object (relations loaded) with the new state
    for field in ("state", "quantity_received", "accepted_by", "accepted_at", "updated_at"):
        setattr(transfer, field, getattr(locked, field))
    return transfer


@transaction.atomic
def transfer_approve(
    *, transfer: Transfer, quantity: int, remainder: str, reason: str, user
) -> Transfer:
    """HELD → ACCEPTED by the receiving supervisor (or a manager): ``quantity`` moves to the
    receiver; the rest goes back to the sender (``return``) or is written off (``write_off``)."""
    transfer = _with_relations(transfer.pk)
    if not user_is_supervisor_of(user, transfer.to_department.code):
        raise _forbidden(
            _("Only a supervisor of %(dept)s (or a manager) may approve a held transfer.")
            % {"dept": transfer.to_department.code}
        )
    if remainder not in ("return", "write_off"):
        raise ApplicationError(
            "invalid", _("Say what happens to the rest: return or write_off."),
            fields={"remainder": [_("return or write_off")]}, status=400,
        )  # fmt: skip
    if not reason.strip():
        raise ApplicationError(
            "invalid", _("Give the reason for the difference."),
            fields={"reason": [_("Required.")]}, status=400,
        )  # fmt: skip
    if not 0 <= quantity <= transfer.quantity:
        raise ApplicationError(
            "count_exceeds_sent",
            _("Approve between 0 and %(sent)d units.") % {"sent": transfer.quantity},
            fields={"quantity": [_("At most %(sent)d.") % {"sent": transfer.quantity}]},
            status=400,
        )
    locked = _locked(transfer.pk)
    _assert_allowed(locked, S.ACCEPTED)
    if locked.state != S.HELD:
        raise ApplicationError(
            "invalid_transition",
            _("Only a held transfer is approved; %(number)s is %(state)s.")
            % {"number": locked.number, "state": locked.get_state_display()},
        )
    old = locked.state
    rest = locked.quantity - quantity
    moves = []
    if quantity:
        moves.append(
            Move(
                transfer.batch,
                _sender_bucket(transfer, WipState.LOCKED),
                _receiver_bucket(transfer),
                quantity,
            )
        )
    if rest:
        target = (
            _sender_bucket(transfer, WipState.READY)
            if remainder == "return"
            else Bucket(transfer.from_department, WipState.WRITTEN_OFF)
        )
        moves.append(Move(transfer.batch, _sender_bucket(transfer, WipState.LOCKED), target, rest))
    wip_moves(
        moves, reason=f"transfer_approve_{remainder}", user=user, reference=f"transfer:{locked.pk}"
    )
    locked.state = S.ACCEPTED
    locked.quantity_received = quantity
    locked.accepted_by, locked.accepted_at = user, timezone.now()
    locked.save(
        update_fields=["state", "quantity_received", "accepted_by", "accepted_at", "updated_at"]
    )
    alerts_resolve_for_reference(
        reference=f"transfer:{locked.pk}",
        kind=AlertKind.QTY_DISCREPANCY,
        user=user,
        note=_("Approved %(q)d, rest %(rest)d: %(how)s. %(reason)s")
        % {"q": quantity, "rest": rest, "how": remainder, "reason": reason},
    )
    _event(
        locked, action="approve", old=old, user=user, quantity=quantity,
        note=f"{remainder}: {reason}",
    )  # fmt: skip
    return locked


@transaction.atomic
def transfer_reject(*, transfer: Transfer, reason: str, user) -> Transfer:
    """IN_TRANSIT/HELD → REJECTED by the receiver; the units go back to the sender."""
    transfer = _with_relations(transfer.pk)
    if not user_can_act_for(user, transfer.to_department.code):
        raise _forbidden(
            _("Only %(dept)s may reject this transfer.") % {"dept": transfer.to_department.code}
        )
    if not reason.strip():
        raise ApplicationError(
            "invalid", _("Give the reason for rejecting."),
            fields={"reason": [_("Required.")]}, status=400,
        )  # fmt: skip
    locked = _locked(transfer.pk)
    _assert_allowed(locked, S.REJECTED)
    old = locked.state
    locked.state = S.REJECTED
    locked.save(update_fields=["state", "updated_at"])
    _release_lock(transfer, reason="transfer_reject", user=user)
    alerts_resolve_for_reference(
        reference=f"transfer:{locked.pk}",
        kind=AlertKind.QTY_DISCREPANCY,
        user=user,
        note=_("Transfer rejected: %(reason)s") % {"reason": reason},
    )
    _event(locked, action="reject", old=old, user=user, note=reason)
    return locked
