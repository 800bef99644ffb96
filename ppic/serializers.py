from decimal import Decimal

from rest_framework import serializers

from .models import (
    Article,
    Batch,
    BomLine,
    Destination,
    ManufacturingOrder,
    Material,
    Route,
    Vendor,
    WorkOrder,
)


def code_field(queryset, **kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=queryset, **kwargs)


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["code", "name", "uom", "kind", "active"]
        read_only_fields = ["active"]


class DestinationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Destination
        fields = ["code", "name", "country", "active"]
        read_only_fields = ["active"]


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["code", "name", "address", "active"]
        read_only_fields = ["active"]


class BomLineSerializer(serializers.ModelSerializer):
    material = code_field(Material.objects.filter(active=True))
    quantity_per_unit = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal("0.0001")
    )
    waste_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("99.99"),
        required=False, default=Decimal("0"),
    )  # fmt: skip

    class Meta:
        model = BomLine
        fields = ["material", "quantity_per_unit", "waste_pct"]


class ArticleSerializer(serializers.ModelSerializer):
    bom = BomLineSerializer(many=True)
    default_route = serializers.ChoiceField(choices=Route.choices)
    fill_weight_g = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0"))
    fill_tolerance_g = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0")
    )
    units_per_carton = serializers.IntegerField(min_value=1, max_value=100000)
    bundle_size = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=20)

    class Meta:
        model = Article
        fields = [
            "code", "name", "default_route", "fill_weight_g", "fill_tolerance_g",
            "units_per_carton", "bundle_size", "active", "bom",
        ]  # fmt: skip
        read_only_fields = ["active"]


class BatchBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Batch
        fields = ["number", "quantity"]


class WorkOrderBriefSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")

    class Meta:
        model = WorkOrder
        fields = ["number", "department", "target_quantity", "step", "status"]


class MOCreateSerializer(serializers.Serializer):
    article = code_field(Article.objects.filter(active=True))
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    destination = code_field(Destination.objects.filter(active=True))
    due_date = serializers.DateField()
    route = serializers.ChoiceField(choices=Route.choices, required=False, allow_null=True)
    po_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, allow_null=True, default=""
    )
    batch_size = serializers.IntegerField(
        min_value=1, max_value=10_000_000, required=False, allow_null=True
    )

    def validate_po_number(self, value):
        return value or ""


class MOSerializer(serializers.ModelSerializer):
    article = serializers.CharField(source="article.code")
    destination = serializers.CharField(source="destination.code")
    country = serializers.CharField(source="destination.country")
    batches = BatchBriefSerializer(many=True)
    work_orders = WorkOrderBriefSerializer(many=True)
    material_requirements = serializers.SerializerMethodField()

    class Meta:
        model = ManufacturingOrder
        fields = [
            "id", "number", "status", "article", "quantity", "destination", "country",
            "due_date", "route", "batch_size", "po_number", "released_at", "batches",
            "work_orders", "material_requirements",
        ]  # fmt: skip

    def get_material_requirements(self, mo) -> list[dict]:
        totals: dict[str, Decimal] = {}
        for wo in mo.work_orders.all():
            for req in wo.requirements.all():
                totals[req.material.code] = totals.get(req.material.code, Decimal(0)) + req.quantity
        return [
            {"material": code, "quantity": f"{quantity:.3f}"}
            for code, quantity in sorted(totals.items())
        ]


class MOListSerializer(serializers.ModelSerializer):
    article = serializers.CharField(source="article.code")
    destination = serializers.CharField(source="destination.code")

    class Meta:
        model = ManufacturingOrder
        fields = [
            "id", "number", "status", "article", "quantity", "destination", "due_date",
            "route", "batch_size", "po_number",
        ]  # fmt: skip
