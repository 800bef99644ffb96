from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from erp.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    Department,
    Hold,
    Line,
    LineClearance,
    Transfer,
    TransferEvent,
    WipBalance,
    WipMovement,
)


# --- read-only bases (used by the ppic, warehouse and dashboard admins too) -------------------
# --- reference data -----------------------------------------------------------------------------
class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    fields = ["code", "name", "active"]


@admin.register(Department)
class DepartmentAdmin(GuardedModelAdmin, SimpleHistoryAdmin):
    """Supervisors are granted on the "Object permissions" page of a department."""

    list_display = ["code", "name", "name_id", "kind", "sequence"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_id"]
    readonly_fields = ["code"]
    inlines = [LineInline]

    def has_delete_permission(self, request, obj=None):
        return False  # referenced by everything; archive lines instead


@admin.register(Line)
class LineAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "department", "active"]
    list_filter = ["department", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["department"]

    def has_delete_permission(self, request, obj=None):
        return False


# --- the WIP ledger -----------------------------------------------------------------------------
@admin.register(WipBalance)
class WipBalanceAdmin(ReadOnlyAdmin):
    """A cache of the ledger: ``manage.py wip_reconcile`` checks it, nobody edits it."""

    list_display = ["batch", "department", "line", "state", "quantity", "updated_at"]
    list_filter = ["state", "department"]
    search_fields = ["batch__number", "batch__mo__number", "line__code"]
    list_select_related = ["batch", "department", "line"]
    date_hierarchy = "updated_at"
    ordering = ["batch", "department__sequence", "line__code", "state"]


@admin.register(WipMovement)
class WipMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "at",
        "batch",
        "from_department",
        "from_line",
        "from_state",
        "to_department",
        "to_line",
        "to_state",
        "quantity",
        "reason",
        "reference",
        "user",
    ]
    list_filter = ["to_state", "from_state", "to_department", "reason"]
    search_fields = ["batch__number", "batch__mo__number", "reference"]
    list_select_related = [
        "batch",
        "from_department",
        "from_line",
        "to_department",
        "to_line",
        "user",
    ]
    date_hierarchy = "at"
    ordering = ["-id"]
    show_full_result_count = False  # the ledger grows without end: one COUNT per page is enough


# --- QT-09 transfers ----------------------------------------------------------------------------
class TransferEventInline(ReadOnlyTabularInline):
    model = TransferEvent
    fields = ["at", "action", "from_state", "to_state", "quantity", "note", "user"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "slip_code",
        "batch",
        "from_department",
        "from_line",
        "to_department",
        "to_line",
        "quantity",
        "quantity_received",
        "state",
        "vendor",
        "created_by",
        "created_at",
        "accepted_at",
    ]
    list_filter = ["state", "from_department", "to_department"]
    search_fields = ["slip_code", "batch__number", "batch__mo__number"]
    list_select_related = [
        "batch",
        "from_department",
        "from_line",
        "to_department",
        "to_line",
        "vendor",
        "created_by",
    ]
    date_hierarchy = "created_at"
    inlines = [TransferEventInline]

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj):
        return obj.number

    def get_search_results(self, request, queryset, search_term):
        """Also finds a transfer by its number (TRF-000123), which is derived from the pk."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pk = Transfer.pk_from_number(search_term)
        if pk is not None:
            found |= queryset.filter(pk=pk)
        return found, may_have_duplicates


@admin.register(LineClearance)
class LineClearanceAdmin(ReadOnlyAdmin):
    list_display = ["line", "recorded_at", "recorded_by", "note", "cleared_batch_ids"]
    list_filter = ["line__department", "line"]
    search_fields = ["line__code", "note"]
    list_select_related = ["line", "recorded_by"]
    date_hierarchy = "recorded_at"


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["batch", "department", "line", "kind", "reason", "created_at", "released_at"]
    list_filter = ["kind", "department"]
    search_fields = ["batch__number"]
    list_select_related = ["batch", "department", "line"]
    date_hierarchy = "created_at"
