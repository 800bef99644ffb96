"""Landing pages of the office areas (dashboard, planning, warehouse, quality)."""

from django.shortcuts import render

from transfers.selectors import department_list

from .permissions import AREAS, area_required


def office_home_view(area_key: str, template: str):
    area = AREAS[area_key]

    @area_required(area_key)
    def home(request):
        departments = list(department_list())
        return render(request, template, {"area": area, "departments": departments})

    home.__name__ = f"{area_key}_home"
    return home
