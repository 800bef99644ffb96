"""Master data (materials, destinations, vendors, articles with their BOM) is edited here by the
admin role, with history, and archived instead of deleted. Orders, batches, SPKs and material
requirements are read-only: they change only through ``ppic.services``."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from erp.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    Article,
    Batch,
    BomLine,
    CustomerPO,
    CustomerPOLine,
    Destination,
    ManufacturingOrder,
    Material,
    MaterialRequirement,
    Vendor,
    WorkOrder,
)


# --- master data ------------------------------------------------------------------------------
class MasterDataAdmin(SimpleHistoryAdmin):
    """Editable with history. Never deleted (orders, BOMs and stock refer to it): ``active`` is
    the archive switch. The code is the business key (imports match on it, slips print it), so
    it is set once, when the record is added."""

    actions = ["archive", "restore"]

    def has_delete_permission(self, request, obj=None):
        return False  # referenced by orders, BOMs and stock: archive instead

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "code"] if obj is not None else fields

    def _set_active(self, request, queryset, active: bool) -> int:
        changed = 0
        for obj in queryset.filter(active=not active):
            obj.active = active
            obj.save()  # one by one, so each change writes its history row
            self.log_change(request, obj, [{"changed": {"fields": ["active"]}}])
            changed += 1
        return changed

    @admin.action(description=_("Archive selected"), permissions=["change"])
    def archive(self, request, queryset):
        count = self._set_active(request, queryset, active=False)
        self.message_user(
            request,
            ngettext("%(count)d record archived.", "%(count)d records archived.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Restore selected from the archive"), permissions=["change"])
    def restore(self, request, queryset):
        count = self._set_active(request, queryset, active=True)
        self.message_user(
            request,
            ngettext("%(count)d record restored.", "%(count)d records restored.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Material)
class MaterialAdmin(MasterDataAdmin):
    list_display = ["code", "name", "kind", "uom", "active", "updated_at"]
    list_filter = ["active", "kind"]
    search_fields = ["code", "name"]


@admin.register(Destination)
class DestinationAdmin(MasterDataAdmin):
    list_display = ["code", "name", "country", "active", "updated_at"]
    list_filter = ["active", "country"]
    search_fields = ["code", "name", "country"]


@admin.register(Vendor)
class VendorAdmin(MasterDataAdmin):
    list_display = ["code", "name", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["code", "name", "address"]


class BomLineInline(admin.TabularInline):
    """Removing a line from a BOM is an edit of the article (released MOs keep the requirements
    they were released with); the line's history keeps what it was."""

    model = BomLine
    extra = 0
    fields = ["material", "quantity_per_unit", "waste_pct"]
    autocomplete_fields = ["material"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("material")


@admin.register(Article)
class ArticleAdmin(MasterDataAdmin):
    list_display = [
        "code",
        "name",
        "default_route",
        "fill_weight_g",
        "fill_tolerance_g",
        "units_per_carton",
        "bundle_size",
        "active",
    ]
    list_filter = ["active", "default_route"]
    search_fields = ["code", "name"]
    inlines = [BomLineInline]


# --- customer POs -----------------------------------------------------------------------------
class CustomerPOLineInline(ReadOnlyTabularInline):
    model = CustomerPOLine
    fields = ["article", "quantity"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


@admin.register(CustomerPO)
class CustomerPOAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["number", "destination", "ship_date", "status", "created_at"]
    list_filter = ["status", "destination"]
    search_fields = ["number", "destination__code"]
    list_select_related = ["destination"]
    date_hierarchy = "created_at"
    inlines = [CustomerPOLineInline]


# --- manufacturing orders, batches, SPKs ------------------------------------------------------
class BatchInline(ReadOnlyTabularInline):
    model = Batch
    fields = ["number", "sequence", "quantity"]
    readonly_fields = fields


class WorkOrderInline(ReadOnlyTabularInline):
    model = WorkOrder
    fields = ["number", "step", "department", "target_quantity", "status"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")


@admin.register(ManufacturingOrder)
class ManufacturingOrderAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "article",
        "quantity",
        "destination",
        "due_date",
        "route",
        "batch_size",
        "po_number",
        "status",
        "created_by",
        "released_at",
    ]
    list_filter = ["status", "route", "destination"]
    search_fields = ["number", "po_number", "article__code", "article__name"]
    list_select_related = ["article", "destination", "created_by"]
    date_hierarchy = "created_at"
    inlines = [BatchInline, WorkOrderInline]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["number", "mo", "mo_article", "sequence", "quantity", "created_at"]
    list_filter = ["mo__status"]
    search_fields = ["number", "mo__number", "mo__article__code"]
    list_select_related = ["mo", "mo__article"]
    date_hierarchy = "created_at"
    ordering = ["-mo_id", "sequence"]

    @admin.display(description=_("article"), ordering="mo__article__code")
    def mo_article(self, obj):
        return obj.mo.article


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "mo", "step", "department", "target_quantity", "status"]
    list_filter = ["status", "department"]
    search_fields = ["number", "mo__number"]
    list_select_related = ["mo", "department"]
    date_hierarchy = "created_at"
    ordering = ["-mo_id", "step"]


@admin.register(MaterialRequirement)
class MaterialRequirementAdmin(ReadOnlyAdmin):
    list_display = ["work_order", "department", "material", "quantity", "uom"]
    list_filter = ["work_order__department", "material__kind"]
    search_fields = ["work_order__number", "work_order__mo__number", "material__code"]
    list_select_related = ["work_order", "work_order__department", "material"]
    ordering = ["-work_order__mo_id", "work_order__step", "material__code"]

    @admin.display(description=_("department"), ordering="work_order__department__sequence")
    def department(self, obj):
        return obj.work_order.department

    @admin.display(description=_("unit"))
    def uom(self, obj):
        return obj.material.uom
