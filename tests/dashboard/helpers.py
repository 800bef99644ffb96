"""Builders for dashboard tests: batches moved through cutting → sewing → finishing by the
transfer services, the way the floor does it."""

from tests.transfers.helpers import dept, line, make_ready
from transfers import services
from transfers.models import Transfer


def send(batch, src, dst, dst_line, quantity, user, *, from_line=None) -> Transfer:
    return services.transfer_prepare(
        batch=batch, from_department=dept(src), to_department=dept(dst),
        to_line=line(dst_line) if dst_line else None, quantity=quantity, user=user,
        from_line=line(from_line) if from_line else None,
    )  # fmt: skip


def accept(transfer: Transfer, user, counted=None) -> Transfer:
    return services.transfer_accept(
        slip_code=transfer.slip_code,
        quantity_received=transfer.quantity if counted is None else counted,
        user=user,
    )


def hand_over(batch, src, dst, dst_line, quantity, cast, *, from_line=None, counted=None):
    """Prepare and accept (count = sent unless ``counted``)."""
    transfer = send(batch, src, dst, dst_line, quantity, cast[src.lower()], from_line=from_line)
    assert transfer.state == "IN_TRANSIT", transfer.blocked_reason
    return accept(transfer, cast[dst.lower()], counted)


def sew(batch, quantity, line_code):
    """Sewing done on ``quantity`` units at the line: sendable to finishing."""
    make_ready(batch, "SEWING", quantity, line_code=line_code)
