from django.contrib import admin

from erp.common.admin import ReadOnlyAdmin

from .models import BatchCompletion, Carton


@admin.register(Carton)
class CartonAdmin(ReadOnlyAdmin):
    list_display = ["sscc", "batch", "sequence", "article", "destination", "quantity", "status",
                    "shipment", "packed_at"]  # fmt: skip
    list_filter = ["status", "destination"]
    search_fields = ["sscc", "batch__number", "po_number"]
    list_select_related = ["batch", "article", "destination", "shipment"]
    date_hierarchy = "packed_at"


@admin.register(BatchCompletion)
class BatchCompletionAdmin(ReadOnlyAdmin):
    list_display = ["batch", "quantity", "cartons", "user", "at"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "user"]
    date_hierarchy = "at"
