"""Bundle tickets: a cut record's pieces split into ticketed bundles of the article's size."""

from __future__ import annotations

import base64
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for
from erp.common.errors import ApplicationError
from ppic.models import MaterialKind

from .models import Bundle, CutRecord

DEFAULT_BUNDLE_SIZE = 20


def new_bundle_code() -> str:
    """24 characters from 120 random bits, QR-alphanumeric (like a transfer slip's code)."""
    return base64.b32encode(secrets.token_bytes(15)).decode()


def bundle_sizes(quantity: int, size: int) -> list[int]:
    """``quantity`` in bundles of ``size``; the last takes the rest (45 by 20: 20, 20, 5)."""
    size = size if size and size > 0 else DEFAULT_BUNDLE_SIZE
    full, rest = divmod(quantity, size)
    return [size] * full + ([rest] if rest else [])


def cut_record_dye_lot(cut_record: CutRecord) -> str:
    """The dye lot of the fabric the lay was cut from ("" when no lot was named)."""
    lots = list(cut_record.lots.select_related("material"))
    fabric = [lot for lot in lots if lot.material.kind == MaterialKind.FABRIC] or lots
    return ", ".join(sorted({lot.dye_lot for lot in fabric if lot.dye_lot}))[:120]


def bundles_for_cut(*, cut_record: CutRecord, user) -> list[Bundle]:
    """The bundles of a cut record, created on the first call (later calls create nothing).
    Locks the cut record row so two tablets printing at once make one set of bundles."""
    if not user_can_act_for(user, "CUTTING"):
        raise ApplicationError(
            "permission_denied", _("Only cutting prints bundle tickets."), status=403
        )
    with transaction.atomic():
        record = (
            CutRecord.objects.select_for_update(no_key=True)
            .select_related("batch__mo__article")
            .get(pk=cut_record.pk)
        )
        bundles = list(Bundle.objects.filter(cut_record=record).order_by("number"))
        if bundles:
            return bundles
        sizes = bundle_sizes(record.quantity, record.batch.mo.article.bundle_size)
        dye_lot = cut_record_dye_lot(record)
        return Bundle.objects.bulk_create(
            Bundle(
                cut_record=record,
                batch=record.batch,
                number=n,
                total=len(sizes),
                quantity=quantity,
                dye_lot=dye_lot,
                code=new_bundle_code(),
            )
            for n, quantity in enumerate(sizes, start=1)
        )
