from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Line


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
