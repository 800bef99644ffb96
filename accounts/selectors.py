"""Who a user is in the factory: roles, the departments they act for, those they supervise.

Results are cached on the user object, so a request asks the database once.
"""

from __future__ import annotations

from guardian.shortcuts import get_objects_for_user

from transfers.models import Department
from transfers.reference import DEPARTMENT_CODES

from .roles import ROLE_DEPARTMENTS, ROLES


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_erp_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._erp_roles = cached
    return cached


def user_has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_departments(user) -> list[str]:
    """Department codes the user acts for, in the factory's order."""
    codes: set[str] = set()
    for role in user_roles(user):
        codes.update(ROLE_DEPARTMENTS.get(role, []))
    return [c for c in DEPARTMENT_CODES if c in codes]


def user_supervises(user) -> list[str]:
    """Department codes the user supervises: guardian grants, or all of them for a manager."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_erp_supervises", None)
    if cached is None:
        if user_has_role(user, "manager"):
            cached = list(DEPARTMENT_CODES)
        else:
            granted = set(
                get_objects_for_user(
                    user,
                    "transfers.supervise_department",
                    klass=Department,
                    with_superuser=False,
                    accept_global_perms=False,
                ).values_list("code", flat=True)
            )
            cached = [c for c in DEPARTMENT_CODES if c in granted]
        user._erp_supervises = cached
    return cached


def user_can_act_for(user, department_code: str) -> bool:
    return department_code in user_departments(user)


def user_is_supervisor_of(user, department_code: str) -> bool:
    return department_code in user_supervises(user)


def user_primary_role(user) -> str | None:
    """The role shown in the header and used for the landing page (first in API.md's order)."""
    roles = user_roles(user)
    return next((r for r in ROLES if r in roles), None)
