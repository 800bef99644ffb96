"""Shipping: FG cartons of one destination leave in a container; their units move to ``shipped``.
A carton already shipped, of another destination, not yet in the FG warehouse, or of an
article without a valid compliance status is refused, and nothing moves."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_can_act_for
from erp.common.errors import ApplicationError
from erp.common.numbering import next_number
from packing.models import Carton
from quality.lab import article_compliance
from transfers.ledger import Bucket, Move, wip_moves
from transfers.models import Department, WipState

from .models import Shipment, ShipmentEvent

TRACKING_ORDER = [
    Shipment.Status.SHIPPED,
    Shipment.Status.IN_TRANSIT,
    Shipment.Status.ARRIVED,
    Shipment.Status.DELIVERED,
]


def assert_may_ship(user) -> None:
    if not user_can_act_for(user, "FG_WAREHOUSE"):
        raise ApplicationError(
            "permission_denied", _("Only the warehouse or a manager ships."), status=403
        )


def shipment_create(*, destination, sscc_list: list[str], user, container: str = "") -> Shipment:
    assert_may_ship(user)
    codes = list(dict.fromkeys(s.strip() for s in sscc_list if s and s.strip()))
    if not codes:
        raise ApplicationError(
            "invalid", _("Name at least one carton (SSCC)."), fields={"cartons": [_("Required.")]},
            status=400,
        )  # fmt: skip
    with transaction.atomic():
        cartons = list(
            Carton.objects.select_for_update(no_key=True, of=("self",))
            .filter(sscc__in=codes)
            .select_related("batch__mo__article", "destination", "shipment")
            .order_by("pk")
        )
        found = {c.sscc for c in cartons}
        unknown = [s for s in codes if s not in found]
        if unknown:
            raise ApplicationError(
                "not_found", _("Unknown carton(s): %(list)s.") % {"list": ", ".join(unknown)},
                fields={"cartons": unknown}, status=404,
            )  # fmt: skip
        shipped = [c for c in cartons if c.status == Carton.Status.SHIPPED]
        if shipped:
            raise ApplicationError(
                "already_shipped",
                _("Carton %(sscc)s already left in shipment %(number)s.")
                % {"sscc": shipped[0].sscc, "number": shipped[0].shipment.number},
                fields={"cartons": [c.sscc for c in shipped]},
            )
        other = [c for c in cartons if c.destination_id != destination.pk]
        if other:
            raise ApplicationError(
                "wrong_destination",
                _("Carton %(sscc)s goes to %(theirs)s, not %(ours)s: a shipment carries one "
                  "destination.") % {"sscc": other[0].sscc, "theirs": other[0].destination.code,
                                     "ours": destination.code},
                fields={"cartons": [c.sscc for c in other]},
            )  # fmt: skip
        not_in_fg = [c for c in cartons if c.status != Carton.Status.IN_FG]
        if not_in_fg:
            raise ApplicationError(
                "not_ready",
                _("Carton %(sscc)s is not in the FG warehouse yet (packing has not completed its "
                  "batch).") % {"sscc": not_in_fg[0].sscc},
                fields={"cartons": [c.sscc for c in not_in_fg]},
            )  # fmt: skip
        for article in {c.batch.mo.article for c in cartons}:
            compliance = article_compliance(article)
            if not compliance.valid:
                raise ApplicationError(
                    "not_ready",
                    _("%(article)s may not ship: lab tests missing, failed or expired (%(t)s).")
                    % {"article": article.code, "t": ", ".join(compliance.missing)},
                    fields={"lab_tests": compliance.missing},
                )
        now = timezone.now()
        local_year = timezone.localtime(now).year
        shipment = Shipment.objects.create(
            number=f"SHP-{local_year}-{next_number(series='SHP', year=local_year):04d}",
            destination=destination, container=container[:30],
            quantity=sum(c.quantity for c in cartons), carton_count=len(cartons), shipped_by=user,
            shipped_at=now,
        )  # fmt: skip
        fg = Department.objects.get(code="FG_WAREHOUSE")
        per_batch: dict = defaultdict(int)
        for c in cartons:
            per_batch[c.batch] += c.quantity
        wip_moves(
            [
                Move(batch, Bucket(fg, WipState.AVAILABLE), Bucket(fg, WipState.SHIPPED), units)
                for batch, units in sorted(per_batch.items(), key=lambda kv: kv[0].pk)
            ],
            reason="shipment",
            user=user,
            reference=f"shipment:{shipment.number}",
        )
        Carton.objects.filter(pk__in=[c.pk for c in cartons]).update(
            status=Carton.Status.SHIPPED, shipment=shipment
        )
        ShipmentEvent.objects.create(shipment=shipment, status=shipment.status, user=user)
    return shipment


def shipment_track(*, shipment: Shipment, status: str, user, note: str = "") -> Shipment:
    """Move the tracking status forward (never back)."""
    assert_may_ship(user)
    if status not in Shipment.Status.values:
        raise ApplicationError(
            "invalid", _("Unknown tracking status."),
            fields={"status": [", ".join(Shipment.Status.values)]}, status=400,
        )  # fmt: skip
    with transaction.atomic():
        s = Shipment.objects.select_for_update(no_key=True).get(pk=shipment.pk)
        if TRACKING_ORDER.index(status) <= TRACKING_ORDER.index(s.status):
            raise ApplicationError(
                "invalid_transition",
                _("Shipment %(n)s is already %(state)s.") % {"n": s.number,
                                                             "state": s.get_status_display()},
            )  # fmt: skip
        s.status = status
        s.save(update_fields=["status", "updated_at"])
        ShipmentEvent.objects.create(shipment=s, status=status, note=note[:300], user=user)
    return s
