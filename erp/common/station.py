"""The station page shell shared by the production departments.

Later issues fill the tabs (incoming transfers, WIP here, record work, send); the shell already
shows the department, its lines with a line picker, the user's rights and the scan box.
"""

from django.shortcuts import render

from accounts.selectors import user_is_supervisor_of
from transfers.selectors import department_get

from .permissions import AREAS, area_required


def station_view(area_key: str):
    area = AREAS[area_key]

    @area_required(area_key)
    def station(request):
        department = department_get(code=area.department)
        lines = list(department.lines.all())
        chosen = request.GET.get("line")
        line = next((ln for ln in lines if ln.code == chosen), lines[0] if lines else None)
        context = {
            "area": area,
            "department": department,
            "lines": lines,
            "line": line,
            "is_supervisor": user_is_supervisor_of(request.user, department.code),
        }
        return render(request, "stations/station.html", context)

    station.__name__ = f"{area_key}_station"
    return station
