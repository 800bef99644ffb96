"""Quarantine and disposition (DOMAIN.md, needle and metal control).

Units go into the ``quarantined`` bucket of the department (and line) where they are; nothing
quarantined is ever sent or packed (the ledger refuses to move them, and a batch with
quarantined units at finishing cannot leave it). QC decides on part or all of a quarantine:
release (back to where the units came from), rework or scrap. Releasing a metal-related
quarantine is a safety override: an inspector approves first, a *different* QC manager or factory
manager confirms, and only then do the units move."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_has_role, user_is_supervisor_of
from erp.common.errors import ApplicationError
from transfers.ledger import Bucket, Move, wip_moves
from transfers.models import WipState

from .models import Quarantine, QuarantineDecision

DECIDERS = ("qc_inspector", "manager")

D = QuarantineDecision.Decision
S = Quarantine.Status


def may_decide(user) -> bool:
    return user_has_role(user, *DECIDERS)


def may_confirm_metal_release(user) -> bool:
    """The second approver of a metal release: the QC manager (qc_lead) or a manager."""
    return user_has_role(user, "manager") or user_is_supervisor_of(user, "QUALITY")


def quarantine_units(
    *, batch, department, line, from_state: str, quantity: int, kind: str, reason: str,
    source: str, user,
) -> Quarantine:  # fmt: skip
    """Move ``quantity`` units of the batch from ``from_state`` at (department, line) into
    quarantine there, with a record saying why. Inside the caller's transaction."""
    with transaction.atomic():
        wip_moves(
            [
                Move(
                    batch,
                    Bucket(department, from_state, line),
                    Bucket(department, WipState.QUARANTINED, line),
                    quantity,
                )
            ],
            reason="quarantine",
            user=user,
            reference=source[:60],
        )
        return Quarantine.objects.create(
            batch=batch, department=department, line=line, from_state=from_state, kind=kind,
            quantity=quantity, remaining=quantity, reason=reason[:300], source=source[:60],
            created_by=user,
        )  # fmt: skip


def _release_target(q: Quarantine) -> str:
    """Where released units go back to. Units that a failed detector check took at finishing
    lost their scan: they go back to ``available`` and must be scanned (and converted) again."""
    if q.kind == Quarantine.Kind.DETECTOR_CHECK_FAILED and q.department.code == "FINISHING":
        return WipState.AVAILABLE
    return q.from_state


def _apply(q: Quarantine, decision: QuarantineDecision, user) -> None:
    here = Bucket(q.department, WipState.QUARANTINED, q.line)
    if decision.decision == D.RELEASE:
        target = Bucket(q.department, _release_target(q), q.line)
    elif decision.decision == D.REWORK:
        target = Bucket(q.department, WipState.REWORK, q.line)
    else:
        target = Bucket(q.department, WipState.SCRAP)
    wip_moves(
        [Move(q.batch, here, target, decision.quantity)],
        reason=f"quarantine_{decision.decision}",
        user=user,
        reference=f"quarantine:{q.pk}",
    )
    q.remaining -= decision.quantity
    if q.remaining == 0:
        kinds = set(
            q.decisions.filter(status=QuarantineDecision.Status.APPLIED).values_list(
                "decision", flat=True
            )
        ) | {decision.decision}
        final = {D.RELEASE: S.RELEASED, D.REWORK: S.REWORK, D.SCRAP: S.SCRAPPED}
        q.status = final[kinds.pop()] if len(kinds) == 1 else S.CLOSED
        q.closed_at = timezone.now()
    else:
        q.status = S.OPEN
    q.save(update_fields=["remaining", "status", "closed_at"])


def quarantine_decide(
    *, quarantine: Quarantine, decision: str, user, note: str, quantity: int | None = None
) -> Quarantine:
    """Decide on ``quantity`` units (default: all still quarantined). A metal release is held
    for a second approver: the first call records it (``AWAITING_SECOND_APPROVAL``), a call by
    another person who is QC manager or manager applies it; the same person again → 409
    ``second_approver_required``."""
    if not may_decide(user):
        raise ApplicationError(
            "permission_denied", _("Only QC inspectors, the QC manager or a manager decide."),
            status=403,
        )  # fmt: skip
    if decision not in D.values:
        raise ApplicationError(
            "invalid", _("Decide release, rework or scrap."),
            fields={"decision": [_("release, rework or scrap")]}, status=400,
        )  # fmt: skip
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            "invalid", _("Write a note: what was found and what was done."),
            fields={"note": [_("Required.")]}, status=400,
        )  # fmt: skip
    with transaction.atomic():
        q = (
            Quarantine.objects.select_for_update(no_key=True, of=("self",))
            .select_related("batch", "department", "line")
            .get(pk=quarantine.pk)
        )
        if not q.is_open:
            raise ApplicationError(
                "invalid_transition",
                _("This quarantine is closed: nothing of it is left to decide."),
            )
        pending = q.decisions.filter(status=QuarantineDecision.Status.PENDING).first()
        if pending is not None:
            if decision != D.RELEASE or (quantity is not None and quantity != pending.quantity):
                raise ApplicationError(
                    "invalid_transition",
                    _("A release of %(n)d units awaits its second approver: confirm it first.")
                    % {"n": pending.quantity},
                )
            if pending.decided_by_id == user.pk:
                raise ApplicationError(
                    "second_approver_required",
                    _("You approved this release already: a second, different person (the QC "
                      "manager or the factory manager) must confirm it."),
                )  # fmt: skip
            if not may_confirm_metal_release(user):
                raise ApplicationError(
                    "permission_denied",
                    _("The second approval of a metal release is for the QC manager or the "
                      "factory manager."),
                    status=403,
                )  # fmt: skip
            pending.status = QuarantineDecision.Status.APPLIED
            pending.approved_by, pending.approved_at = user, timezone.now()
            pending.approval_note = note[:300]
            pending.save()
            _apply(q, pending, user)
            return q
        amount = q.remaining if quantity is None else quantity
        if amount < 1 or amount > q.remaining:
            raise ApplicationError(
                "invalid",
                _("Decide between 1 and %(n)d units (still quarantined).") % {"n": q.remaining},
                fields={"quantity": [_("1 to %(n)d") % {"n": q.remaining}]},
                status=400,
            )
        needs_two = q.metal and decision == D.RELEASE
        record = QuarantineDecision.objects.create(
            quarantine=q, decision=decision, quantity=amount, note=note[:300], decided_by=user,
            status=QuarantineDecision.Status.PENDING if needs_two else
            QuarantineDecision.Status.APPLIED,
        )  # fmt: skip
        if needs_two:
            q.status = S.AWAITING_SECOND_APPROVAL
            q.save(update_fields=["status"])
        else:
            _apply(q, record, user)
    return q


def open_quarantines(batch):
    return Quarantine.objects.filter(batch=batch, status__in=Quarantine.OPEN_STATUSES)


def quarantined_units(batch) -> int:
    return open_quarantines(batch).aggregate(s=Sum("remaining"))["s"] or 0
