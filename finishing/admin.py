from django.contrib import admin

from erp.common.admin import ReadOnlyAdmin

from .models import Detector, DetectorCheck, DetectorScan, FgConversion, StuffingRecord


@admin.register(Detector)
class DetectorAdmin(admin.ModelAdmin):
    """Detectors are equipment: the admin adds one or takes it out of service (``active``);
    never deleted, its checks and scans refer to it."""

    list_display = ["code", "name", "line", "active"]
    list_filter = ["active"]
    list_select_related = ["line"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DetectorCheck)
class DetectorCheckAdmin(ReadOnlyAdmin):
    list_display = ["detector", "result", "points_detected", "test_piece_mm", "occasion", "user",
                    "at"]  # fmt: skip
    list_filter = ["result", "detector", "occasion"]
    list_select_related = ["detector", "user"]
    date_hierarchy = "at"


@admin.register(DetectorScan)
class DetectorScanAdmin(ReadOnlyAdmin):
    list_display = ["detector", "batch", "line", "passed", "failed", "user", "at"]
    list_filter = ["detector"]
    search_fields = ["batch__number"]
    list_select_related = ["detector", "batch", "line", "user"]
    date_hierarchy = "at"


@admin.register(StuffingRecord)
class StuffingRecordAdmin(ReadOnlyAdmin):
    list_display = ["batch", "line", "quantity", "target_g", "tolerance_g", "out_of_tolerance",
                    "user", "at"]  # fmt: skip
    search_fields = ["batch__number"]
    list_select_related = ["batch", "line", "user"]
    date_hierarchy = "at"


@admin.register(FgConversion)
class FgConversionAdmin(ReadOnlyAdmin):
    list_display = ["batch", "line", "quantity", "user", "at"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "line", "user"]
    date_hierarchy = "at"
