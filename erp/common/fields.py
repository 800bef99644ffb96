"""Serializer fields shared by the production APIs."""

from rest_framework import serializers

from ppic.models import Batch
from transfers.models import Department, Line


def batch_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="number", queryset=Batch.objects.select_related("mo__destination"), **kwargs
    )


def line_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Line.objects.select_related("department"), **kwargs
    )


def department_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), **kwargs
    )


def count_field(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=1_000_000, **kwargs)
