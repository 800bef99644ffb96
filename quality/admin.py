from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from erp.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    DefectCode,
    FinalInspection,
    Inspection,
    InspectionDefect,
    LabTest,
    Quarantine,
    QuarantineDecision,
)


@admin.register(DefectCode)
class DefectCodeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "name_id", "critical", "active"]
    list_filter = ["critical", "active"]
    search_fields = ["code", "name", "name_id"]

    def has_delete_permission(self, request, obj=None):
        return False  # referenced by inspections: archive (active) instead


class InspectionDefectInline(ReadOnlyTabularInline):
    model = InspectionDefect
    fields = ["code", "count"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["batch", "department", "line", "kind", "passed", "rework", "scrap", "light",
                    "user", "at"]  # fmt: skip
    list_filter = ["kind", "light", "department"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "department", "line", "user"]
    date_hierarchy = "at"
    inlines = [InspectionDefectInline]


@admin.register(FinalInspection)
class FinalInspectionAdmin(ReadOnlyAdmin):
    list_display = ["batch", "lot_size", "sample_size", "critical", "major", "minor", "verdict",
                    "user", "at"]  # fmt: skip
    list_filter = ["verdict"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "user"]
    date_hierarchy = "at"


@admin.register(LabTest)
class LabTestAdmin(ReadOnlyAdmin):
    list_display = ["article", "test", "result", "tested_at", "user"]
    list_filter = ["test", "result"]
    search_fields = ["article__code"]
    list_select_related = ["article", "user"]
    date_hierarchy = "tested_at"


class QuarantineDecisionInline(ReadOnlyTabularInline):
    model = QuarantineDecision
    fields = ["decision", "quantity", "note", "status", "decided_by", "approved_by", "decided_at"]
    readonly_fields = fields


@admin.register(Quarantine)
class QuarantineAdmin(ReadOnlyAdmin):
    list_display = ["batch", "department", "line", "kind", "quantity", "remaining", "status",
                    "created_at"]  # fmt: skip
    list_filter = ["status", "kind", "department"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "department", "line"]
    date_hierarchy = "created_at"
    inlines = [QuarantineDecisionInline]
