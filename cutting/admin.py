from django.contrib import admin

from erp.common.admin import ReadOnlyAdmin

from .models import CutRecord


@admin.register(CutRecord)
class CutRecordAdmin(ReadOnlyAdmin):
    list_display = ["batch", "line", "quantity", "plies", "user", "at"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "line", "user"]
    date_hierarchy = "at"
