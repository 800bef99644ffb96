from django.contrib import admin

from erp.common.admin import ReadOnlyAdmin

from .models import BrokenNeedle, NeedleLog, StageRecord


@admin.register(StageRecord)
class StageRecordAdmin(ReadOnlyAdmin):
    list_display = ["batch", "line", "stage", "quantity", "user", "at"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "line", "user"]
    date_hierarchy = "at"


@admin.register(NeedleLog)
class NeedleLogAdmin(ReadOnlyAdmin):
    list_display = ["department", "line", "operator", "custodian", "action", "at"]
    list_filter = ["department", "action"]
    list_select_related = ["line", "operator", "custodian"]
    date_hierarchy = "at"


@admin.register(BrokenNeedle)
class BrokenNeedleAdmin(ReadOnlyAdmin):
    list_display = ["department", "line", "operator", "batch", "fragments_found", "at",
                    "search_recorded_at"]  # fmt: skip
    list_filter = ["department", "fragments_found"]
    search_fields = ["batch__number"]
    list_select_related = ["line", "operator", "batch"]
    date_hierarchy = "at"
