"""A tiny API used only by the idempotency tests: creates a line, refuses duplicates (409)."""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response

from erp.common.errors import ApplicationError
from erp.common.idempotency import ErpAPIView
from transfers.models import Department, Line


class LineCreateApi(ErpAPIView):
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=20)

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data["code"]
        if Line.objects.filter(code=code).exists():
            raise ApplicationError("duplicate", f"Line {code} exists.")
        line = Line.objects.create(
            code=code, name=code, department=Department.objects.get(code="SEWING")
        )
        return Response({"id": line.pk, "code": line.code}, status=201)


urlpatterns = [path("api/v1/test-lines/", LineCreateApi.as_view())]
