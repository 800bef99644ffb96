"""Who may open which area of the site. One registry drives both the navigation and the checks
on the server, so a link is shown exactly when the page behind it would open."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.selectors import user_roles


@dataclass(frozen=True)
class Area:
    key: str
    url_name: str
    label: Promise
    roles: frozenset[str]
    department: str | None = None  # station areas belong to one department
    icon: str = ""
    extra: dict = field(default_factory=dict)


def _area(key, url_name, label, roles, department=None, icon=""):
    return Area(key, url_name, label, frozenset(roles), department, icon)


AREAS: dict[str, Area] = {
    a.key: a
    for a in [
        _area(
            "dashboard", "dashboard:home", _("Dashboard"), {"manager", "ppic", "admin"}, icon="▦"
        ),
        _area("ppic", "ppic:home", _("Planning"), {"ppic", "manager", "admin"}, icon="☰"),
        _area(
            "warehouse",
            "warehouse:home",
            _("Warehouse"),
            {"warehouse", "manager", "ppic"},
            "WAREHOUSE",
            "▤",
        ),
        _area("cutting", "cutting:station", _("Cutting"), {"cutting", "manager"}, "CUTTING", "✂"),
        _area(
            "embroidery",
            "embroidery:station",
            _("Embroidery"),
            {"embroidery", "manager"},
            "EMBROIDERY",
            "✿",
        ),
        _area("sewing", "sewing:station", _("Sewing"), {"sewing", "manager"}, "SEWING", "⧉"),
        _area(
            "finishing",
            "finishing:station",
            _("Finishing"),
            {"finishing", "manager"},
            "FINISHING",
            "◎",
        ),
        _area("packing", "packing:station", _("Packing"), {"packing", "manager"}, "PACKING", "▣"),
        _area("subcon", "transfers:subcon", _("Subcontractors"), {"ppic", "manager"}, "SUBCON"),
        _area(
            "quality",
            "quality:home",
            _("Quality"),
            {"qc_inspector", "qc_lab", "manager"},
            "QUALITY",
            "✓",
        ),
        _area(
            "analytics",
            "analytics:home",
            _("Analytics"),
            {"manager", "ppic", "qc_inspector", "admin"},
            icon="∿",
        ),
        _area("admin", "admin:index", _("Administration"), {"admin"}, icon="⚙"),
    ]
}

# Where each role lands after login (first role in API.md's order wins).
LANDING_AREA = {
    "admin": "dashboard",
    "manager": "dashboard",
    "ppic": "dashboard",
    "warehouse": "warehouse",
    "cutting": "cutting",
    "embroidery": "embroidery",
    "sewing": "sewing",
    "finishing": "finishing",
    "packing": "packing",
    "qc_inspector": "quality",
    "qc_lab": "quality",
}


def user_may_open(user, area_key: str) -> bool:
    return bool(user_roles(user) & AREAS[area_key].roles)


def visible_areas(user) -> list[Area]:
    roles = user_roles(user)
    return [a for a in AREAS.values() if roles & a.roles]


def area_required(area_key: str):
    """View decorator: log in first, then 403 unless one of the user's roles opens the area."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_may_open(request.user, area_key):
                raise PermissionDenied(_("Your role may not open this page."))
            return view(request, *args, **kwargs)

        wrapped.area_key = area_key
        return wrapped

    return decorator


def role_required(*roles: str):
    """View decorator for pages that a set of roles may open (beyond the area registry)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_roles(request.user) & set(roles):
                raise PermissionDenied(_("Your role may not open this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRole(BasePermission):
    """DRF permission: ``permission_classes = [HasRole.of("ppic", "manager")]``."""

    roles: frozenset[str] = frozenset()
    message = _("Your role may not do this.")

    @classmethod
    def of(cls, *roles: str):
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request, view):
        return bool(user_roles(request.user) & self.roles)


class ReadOrRoles(BasePermission):
    """Any logged-in user reads; only ``write_roles`` write:
    ``permission_classes = [ReadOrRoles.of("admin", "ppic")]``."""

    write_roles: frozenset[str] = frozenset()
    message = _("Your role may not change this.")

    @classmethod
    def of(cls, *roles: str):
        return type(f"ReadOrRoles_{'_'.join(roles)}", (cls,), {"write_roles": frozenset(roles)})

    def has_permission(self, request, view):
        from rest_framework.permissions import SAFE_METHODS

        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return bool(user_roles(request.user) & self.write_roles)
