from django.contrib import admin

from erp.common.admin import ReadOnlyAdmin

from .models import Bundle, CutRecord


@admin.register(CutRecord)
class CutRecordAdmin(ReadOnlyAdmin):
    list_display = ["batch", "line", "quantity", "plies", "user", "at"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "line", "user"]
    date_hierarchy = "at"


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ["code", "batch", "number", "total", "quantity", "dye_lot", "created_at"]
    search_fields = ["code", "batch__number"]
    list_select_related = ["batch"]
    date_hierarchy = "created_at"
