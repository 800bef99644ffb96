"""CSV / XLSX export of exactly what a list page shows (its filtered queryset)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal | int | float | date):
        return value
    return "" if value is None else str(value)


def export_response(
    *,
    fmt: str,
    filename: str,
    headers: list[str],
    rows: Iterable,
    row: Callable[[object], list],
) -> HttpResponse:
    """``fmt`` is "csv" or "xlsx"; ``row(obj)`` gives one row's cells in ``headers`` order."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=filename[:31])
        sheet.append(headers)
        for obj in rows:
            sheet.append([_cell(v) for v in row(obj)])
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response

    writer = csv.writer(_Echo())

    def stream():
        yield writer.writerow(headers)
        for obj in rows:
            yield writer.writerow([_cell(v) for v in row(obj)])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
