from django.contrib import admin

from erp.common.admin import ReadOnlyAdmin

from .models import EmbroideryRecord


@admin.register(EmbroideryRecord)
class EmbroideryRecordAdmin(ReadOnlyAdmin):
    list_display = ["batch", "line", "quantity", "rework", "scrap", "user", "at"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "line", "user"]
    date_hierarchy = "at"
