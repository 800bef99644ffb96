from django.contrib import admin

from erp.common.admin import ReadOnlyAdmin

from .models import StageRecord


@admin.register(StageRecord)
class StageRecordAdmin(ReadOnlyAdmin):
    list_display = ["batch", "line", "stage", "quantity", "user", "at"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "line", "user"]
    date_hierarchy = "at"
