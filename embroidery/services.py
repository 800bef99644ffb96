from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for
from erp.common.errors import ApplicationError
from transfers.ledger import Bucket, Move, line_of_units, wip_moves
from transfers.models import Department

from .models import EmbroideryRecord


def embroidery_output_record(
    *, batch, quantity: int, user, rework: int = 0, scrap: int = 0, line=None
) -> EmbroideryRecord:
    """Available units at EMBROIDERY: good → ready to send, rework → rework, scrap → scrap.
    Never more than the batch's units there (409 insufficient_wip, nothing recorded)."""
    if not user_can_act_for(user, "EMBROIDERY"):
        raise ApplicationError(
            "permission_denied", _("Only embroidery records embroidery."), status=403
        )
    if quantity + rework + scrap <= 0:
        raise ApplicationError(
            "invalid", _("Record at least one piece."), fields={"quantity": [_("> 0")]}, status=400
        )
    department = Department.objects.get(code="EMBROIDERY")
    line = line_of_units(batch=batch, department=department, line=line)
    with transaction.atomic():
        record = EmbroideryRecord.objects.create(
            batch=batch, line=line, quantity=quantity, rework=rework, scrap=scrap, user=user
        )
        here = Bucket(department, "available", line)
        moves = [
            Move(batch, here, target, n)
            for target, n in (
                (Bucket(department, "ready", line), quantity),
                (Bucket(department, "rework", line), rework),
                (Bucket(department, "scrap"), scrap),
            )
            if n
        ]
        wip_moves(moves, reason="embroidery", user=user, reference=f"embroidery:{record.pk}")
    return record
