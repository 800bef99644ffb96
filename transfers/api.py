from rest_framework.generics import ListAPIView

from .selectors import department_list
from .serializers import DepartmentSerializer


class DepartmentListApi(ListAPIView):
    """Departments with their lines (everyone logged in may read)."""

    serializer_class = DepartmentSerializer

    def get_queryset(self):
        return department_list()
