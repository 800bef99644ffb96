from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from ppic.models import Batch, Material
from ppic.serializers import code_field

from .models import ShortageRequest, StockLot, StockMove

POSITIVE_QTY = {"max_digits": 14, "decimal_places": 3, "min_value": Decimal("0.001")}


class StockLotSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code")
    uom = serializers.CharField(source="material.uom")
    issuable = serializers.BooleanField(read_only=True)

    class Meta:
        model = StockLot
        fields = [
            "id", "material", "uom", "lot_number", "dye_lot", "received_at",
            "quantity_received", "quantity_on_hand", "inspection", "inspection_points",
            "issuable",
        ]  # fmt: skip


class ReceiptInputSerializer(serializers.Serializer):
    material = code_field(Material.objects.filter(active=True))
    lot_number = serializers.CharField(max_length=60)
    dye_lot = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(**POSITIVE_QTY)
    received_at = serializers.DateTimeField(required=False)
    inspection_points = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0"), required=False
    )


class IssueInputSerializer(serializers.Serializer):
    material = code_field(Material.objects.all(), required=False)
    quantity = serializers.DecimalField(**POSITIVE_QTY, required=False)
    batch = serializers.SlugRelatedField(
        slug_field="number", queryset=Batch.objects.all(), required=False
    )

    def validate(self, attrs):
        if ("material" in attrs) != ("quantity" in attrs):
            missing = "quantity" if "material" in attrs else "material"
            raise serializers.ValidationError(
                {missing: [_("Give material and quantity together, or neither.")]}
            )
        return attrs


class StockMoveSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="lot.material.code")
    lot_number = serializers.CharField(source="lot.lot_number")
    dye_lot = serializers.CharField(source="lot.dye_lot")
    work_order = serializers.CharField(source="work_order.number", default=None)
    batch = serializers.CharField(source="batch.number", default=None)
    user = serializers.CharField(source="user.username")

    class Meta:
        model = StockMove
        fields = [
            "id", "at", "kind", "material", "lot_number", "dye_lot", "quantity", "work_order",
            "batch", "shortage", "reason", "user",
        ]  # fmt: skip


class ShortageSerializer(serializers.ModelSerializer):
    work_order = serializers.CharField(source="work_order.number")
    material = serializers.CharField(source="material.code")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = ShortageRequest
        fields = [
            "id", "work_order", "material", "quantity", "reason", "status", "requested_by",
            "created_at", "decided_by", "decided_at", "decision_note",
        ]  # fmt: skip


class ShortageInputSerializer(serializers.Serializer):
    work_order = serializers.CharField(max_length=40)
    material = code_field(Material.objects.all())
    quantity = serializers.DecimalField(**POSITIVE_QTY)
    reason = serializers.CharField(max_length=300)


def issues_data(issues) -> list[dict]:
    return [
        {
            "material": i.material,
            "lot_number": i.lot_number,
            "dye_lot": i.dye_lot,
            "quantity": f"{i.quantity:.3f}",
        }
        for i in issues
    ]
