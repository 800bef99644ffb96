from rest_framework import serializers

from .models import Department, Line


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Line
        fields = ["code", "name"]


class DepartmentSerializer(serializers.ModelSerializer):
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "lines"]


class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    slip_code = serializers.CharField(allow_null=True)
    blocked_reason = serializers.CharField()
    batch = serializers.CharField(source="batch.number")
    article = serializers.CharField(source="batch.mo.article.code")
    destination = serializers.CharField(source="batch.mo.destination.code")
    country = serializers.CharField(source="batch.mo.destination.country")
    from_department = serializers.CharField(source="from_department.code")
    from_line = serializers.CharField(source="from_line.code", allow_null=True, default=None)
    to_department = serializers.CharField(source="to_department.code")
    to_line = serializers.CharField(source="to_line.code", allow_null=True, default=None)
    quantity = serializers.IntegerField()
    quantity_received = serializers.IntegerField(allow_null=True)
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    accepted_by = serializers.CharField(
        source="accepted_by.username", allow_null=True, default=None
    )
    accepted_at = serializers.DateTimeField(allow_null=True)
    vendor = serializers.CharField(source="vendor.code", allow_null=True, default=None)
    expected_return = serializers.DateField(allow_null=True)
    slip_url = serializers.SerializerMethodField()

    def get_slip_url(self, transfer) -> str | None:
        return f"/api/v1/transfers/{transfer.pk}/slip/" if transfer.slip_code else None


class TransferEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    quantity = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    user = serializers.CharField(source="user.username")
    at = serializers.DateTimeField()


class TransferDetailSerializer(TransferSerializer):
    events = TransferEventSerializer(many=True)


class WipRowSerializer(serializers.Serializer):
    batch = serializers.CharField()
    department = serializers.CharField()
    line = serializers.CharField(allow_null=True)
    available = serializers.IntegerField()
    sendable = serializers.IntegerField()
    locked = serializers.IntegerField()
    quarantined = serializers.IntegerField()
    rework = serializers.IntegerField()
