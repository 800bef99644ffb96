"""Security log: every login, failed login and lockout as one structured line."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from erp.common.logging import security_log


def client_ip(request) -> str:
    if request is None:
        return ""
    ip = getattr(request, "axes_ip_address", None)
    return ip or request.META.get("REMOTE_ADDR", "")


def _channel(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


@receiver(user_logged_in, dispatch_uid="erp.security.login")
def log_login(sender, request, user, **kwargs):
    security_log.info(
        "login",
        extra={
            "user": user.get_username(),
            "ip": client_ip(request),
            "channel": _channel(request),
            "at": timezone.now().isoformat(),
        },
    )


@receiver(user_logged_out, dispatch_uid="erp.security.logout")
def log_logout(sender, request, user, **kwargs):
    security_log.info(
        "logout",
        extra={
            "user": user.get_username() if user else "",
            "ip": client_ip(request),
            "at": timezone.now().isoformat(),
        },
    )


@receiver(user_login_failed, dispatch_uid="erp.security.login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    security_log.warning(
        "login_failed",
        extra={
            "user": credentials.get("username", ""),
            "ip": client_ip(request),
            "channel": _channel(request),
            "at": timezone.now().isoformat(),
        },
    )


@receiver(user_locked_out, dispatch_uid="erp.security.locked_out")
def log_locked_out(sender, request, username, ip_address, **kwargs):
    security_log.warning(
        "locked_out",
        extra={
            "user": username or "",
            "ip": ip_address or client_ip(request),
            "channel": _channel(request),
            "at": timezone.now().isoformat(),
        },
    )
