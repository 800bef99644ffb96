"""Needle control at sewing and embroidery (DOMAIN.md "Needle and metal control").

Needles are exchanged one-for-one by a named custodian. A broken needle is recorded with its
fragments; a fragment not found holds the operator's batch at the line (``Hold`` NEEDLE) and
raises a P1 alert to the department and QUALITY (managers see every alert), until a supervisor
or QC records the hand-detector search.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for, user_has_role, user_is_supervisor_of
from dashboard.models import AlertKind, AlertPriority
from dashboard.services import alert_raise, alerts_resolve_for_reference
from erp.common.errors import ApplicationError
from transfers.models import Department, Hold, Line

from .models import BrokenNeedle, NeedleDepartment, NeedleLog

SEARCH_ROLES = ("qc_inspector", "manager")


def _forbidden(message: str) -> ApplicationError:
    return ApplicationError("permission_denied", message, status=403)


def _invalid(message: str, field: str) -> ApplicationError:
    return ApplicationError("invalid", message, fields={field: [message]}, status=400)


def needle_assert_may_record(*, user, department: str) -> None:
    """The department's own users (operators and leads), QC inspectors and managers."""
    if department not in NeedleDepartment.values:
        raise _invalid(_("Needle control is kept at sewing and embroidery."), "department")
    if not (user_can_act_for(user, department) or user_has_role(user, "qc_inspector")):
        raise _forbidden(_("You may not record needles for %(dept)s.") % {"dept": department})


def _check_people_and_line(*, department: str, line: Line, operator, custodian) -> None:
    if line.department.code != department:
        raise _invalid(
            _("Line %(line)s is not a line of %(dept)s.") % {"line": line.code, "dept": department},
            "line",
        )
    if operator.pk == custodian.pk:
        raise _invalid(
            _("The custodian and the operator both sign: they must be two people."), "custodian"
        )


def needle_exchange_record(
    *,
    department: str,
    line: Line,
    operator,
    custodian,
    old_needle_returned: bool,
    user,
    action: str = NeedleLog.Action.EXCHANGE,
) -> NeedleLog:
    """Log a needle issued or exchanged. An exchange without the old needle is refused (409
    ``needle_not_returned``): a needle that does not come back whole is a broken-needle record."""
    needle_assert_may_record(user=user, department=department)
    _check_people_and_line(department=department, line=line, operator=operator, custodian=custodian)
    if action == NeedleLog.Action.EXCHANGE and not old_needle_returned:
        raise ApplicationError(
            "needle_not_returned",
            _(
                "A needle is exchanged one-for-one: without the old needle there is no exchange. "
                "Record a broken needle instead."
            ),
            fields={"old_needle_returned": [_("The old needle must be returned.")]},
        )
    return NeedleLog.objects.create(
        department=department,
        line=line,
        operator=operator,
        custodian=custodian,
        action=action,
        old_needle_returned=old_needle_returned,
        recorded_by=user,
    )


def broken_needle_record(
    *,
    department: str,
    line: Line,
    operator,
    custodian,
    batch,
    fragments_found: bool,
    user,
    note: str = "",
) -> BrokenNeedle:
    """Record a broken needle. Fragments missing: in the same transaction, hold ``batch`` at the
    department and line (nothing of it may be sent from there) and raise a P1 alert."""
    needle_assert_may_record(user=user, department=department)
    _check_people_and_line(department=department, line=line, operator=operator, custodian=custodian)
    with transaction.atomic():
        record = BrokenNeedle.objects.create(
            department=department,
            line=line,
            operator=operator,
            custodian=custodian,
            batch=batch,
            fragments_found=fragments_found,
            note=note[:300],
            recorded_by=user,
        )
        if not fragments_found:
            Hold.objects.create(
                batch=batch,
                department=Department.objects.get(code=department),
                line=line,
                kind=Hold.Kind.NEEDLE,
                reason=_("Needle fragment missing: search with the hand detector first."),
                reference=record.reference,
                created_by=user,
            )
            alert_raise(
                kind=AlertKind.NEEDLE_FRAGMENT_MISSING,
                priority=AlertPriority.P1,
                message=_(
                    "Needle fragment missing at %(line)s (operator %(operator)s): %(batch)s is "
                    "held until the hand-detector search is recorded."
                )
                % {
                    "line": line.code,
                    "operator": operator.get_full_name() or operator.username,
                    "batch": batch.number,
                },
                departments=[department, "QUALITY"],
                batch=batch,
                line=line,
                reference=record.reference,
            )
    return record


def needle_search_assert_allowed(*, user, broken_needle: BrokenNeedle) -> None:
    """The department's supervisor, a QC inspector or a manager records the search."""
    if not (
        user_is_supervisor_of(user, broken_needle.department) or user_has_role(user, *SEARCH_ROLES)
    ):
        raise _forbidden(
            _("Only a supervisor of %(dept)s or QC records the needle search.")
            % {"dept": broken_needle.department}
        )


def needle_search_record(
    *, broken_needle: BrokenNeedle, found: bool, note: str, user
) -> BrokenNeedle:
    """Record the hand-detector search for a missing fragment. Locks the record, then its
    holds; releases them and resolves the alert (found or not: the recorded search is what
    lets the batch go, and the note says what was isolated and scanned)."""
    needle_search_assert_allowed(user=user, broken_needle=broken_needle)
    note = (note or "").strip()
    if not found and not note:
        raise _invalid(
            _("Fragment not found: write what was isolated and scanned with the hand detector."),
            "note",
        )
    with transaction.atomic():
        record = BrokenNeedle.objects.select_for_update(no_key=True).get(pk=broken_needle.pk)
        if record.fragments_found:
            raise ApplicationError(
                "invalid_transition",
                _("All fragments were found: no search is needed."),
            )
        if record.search_recorded_at is not None:
            raise ApplicationError(
                "invalid_transition",
                _("The search for this needle was already recorded."),
            )
        now = timezone.now()
        record.search_recorded_by, record.search_recorded_at = user, now
        record.search_result = (
            BrokenNeedle.SearchResult.FOUND if found else BrokenNeedle.SearchResult.NOT_FOUND
        )
        record.search_note = note[:300]
        record.save(
            update_fields=[
                "search_recorded_by", "search_recorded_at", "search_result", "search_note"
            ]
        )  # fmt: skip
        summary = (
            _("Hand-detector search: fragment found.")
            if found
            else _("Hand-detector search: fragment not found.")
        )
        release_note = f"{summary} {note}".strip()[:300]
        for hold in (
            Hold.objects.select_for_update(no_key=True)
            .filter(kind=Hold.Kind.NEEDLE, reference=record.reference, released_at__isnull=True)
            .order_by("pk")
        ):
            hold.released_by, hold.released_at, hold.release_note = user, now, release_note
            hold.save(update_fields=["released_by", "released_at", "release_note"])
        alerts_resolve_for_reference(
            reference=record.reference,
            kind=AlertKind.NEEDLE_FRAGMENT_MISSING,
            user=user,
            note=release_note,
        )
    return record
