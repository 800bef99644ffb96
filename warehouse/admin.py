"""Stock is read-only here: lots, the append-only stock ledger and shortage requests change
only through ``warehouse.services`` (receipts, issues, adjustments, decisions)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from erp.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Shipment, ShipmentEvent, ShortageRequest, StockLot, StockMove


@admin.register(StockLot)
class StockLotAdmin(ReadOnlyAdmin):
    list_display = [
        "lot_number",
        "material",
        "dye_lot",
        "received_at",
        "quantity_received",
        "quantity_on_hand",
        "inspection",
        "inspection_points",
        "received_by",
    ]
    list_filter = ["inspection", "material__kind"]
    search_fields = ["lot_number", "dye_lot", "material__code", "material__name"]
    list_select_related = ["material", "received_by"]
    date_hierarchy = "received_at"
    ordering = ["-received_at", "-id"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "at",
        "kind",
        "material",
        "lot_number",
        "quantity",
        "work_order",
        "batch",
        "shortage",
        "reason",
        "user",
    ]
    list_filter = ["kind", "lot__material__kind"]
    search_fields = [
        "lot__lot_number",
        "lot__material__code",
        "work_order__number",
        "work_order__mo__number",
        "batch__number",
        "reason",
    ]
    list_select_related = ["lot", "lot__material", "work_order", "batch", "shortage", "user"]
    date_hierarchy = "at"
    show_full_result_count = False  # the ledger grows without end: one COUNT per page is enough

    @admin.display(description=_("material"), ordering="lot__material__code")
    def material(self, obj):
        return obj.lot.material

    @admin.display(description=_("lot / roll number"), ordering="lot__lot_number")
    def lot_number(self, obj):
        return obj.lot.lot_number


@admin.register(ShortageRequest)
class ShortageRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "work_order",
        "material",
        "quantity",
        "reason",
        "status",
        "requested_by",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "work_order__department"]
    search_fields = ["work_order__number", "work_order__mo__number", "material__code", "reason"]
    list_select_related = ["work_order", "material", "requested_by", "decided_by"]
    date_hierarchy = "created_at"


class ShipmentEventInline(ReadOnlyTabularInline):
    model = ShipmentEvent
    fields = ["status", "note", "user", "at"]
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["number", "destination", "container", "status", "carton_count", "quantity",
                    "shipped_at"]  # fmt: skip
    list_filter = ["status", "destination"]
    search_fields = ["number", "container"]
    list_select_related = ["destination"]
    date_hierarchy = "shipped_at"
    inlines = [ShipmentEventInline]
