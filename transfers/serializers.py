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
