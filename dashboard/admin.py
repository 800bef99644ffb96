"""Alerts are read-only here: they are raised, acknowledged and resolved through
``dashboard.services`` (which also broadcast them)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from erp.common.admin import ReadOnlyAdmin

from .models import Alert


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "raised_at",
        "priority",
        "kind",
        "department_list",
        "line",
        "batch",
        "message",
        "acknowledged_by",
        "resolved_by",
        "resolved_at",
    ]
    list_filter = [
        ("resolved_at", admin.EmptyFieldListFilter),
        "priority",
        "kind",
        "departments",
    ]
    search_fields = ["message", "reference", "batch__number"]
    list_select_related = ["batch", "line", "acknowledged_by", "resolved_by"]
    date_hierarchy = "raised_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departments")

    @admin.display(description=_("departments"))
    def department_list(self, obj):
        return ", ".join(d.code for d in obj.departments.all())
