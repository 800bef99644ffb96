"""Departments and lines change a few times a year: hot paths (every scan and send) read them
from a per-process map instead of the database. A code not in the map reloads it once, and the
map expires after a minute, so an admin's new line is seen quickly everywhere."""

from __future__ import annotations

import threading
import time

from .models import Department, Line

_TTL_SECONDS = 60.0
_lock = threading.Lock()
_state: dict = {"at": 0.0, "departments": {}, "lines": {}}


def _load() -> None:
    departments = {d.code: d for d in Department.objects.all()}
    by_id = {d.pk: d for d in departments.values()}
    lines = {}
    for line in Line.objects.all():
        line.department = by_id[line.department_id]
        lines[line.code] = line
    _state.update(at=time.monotonic(), departments=departments, lines=lines)


def _get(kind: str, code: str):
    with _lock:
        if time.monotonic() - _state["at"] > _TTL_SECONDS or code not in _state[kind]:
            _load()
        return _state[kind].get(code)


def department_by_code(code: str) -> Department | None:
    return _get("departments", code)


def line_by_code(code: str) -> Line | None:
    return _get("lines", code)


def departments_with_lines() -> set[int]:
    with _lock:
        if time.monotonic() - _state["at"] > _TTL_SECONDS or not _state["lines"]:
            _load()
        return {ln.department_id for ln in _state["lines"].values() if ln.active}


def clear() -> None:
    with _lock:
        _state["at"] = 0.0
