"""Idempotent seeding of reference data (departments, lines, role groups).

Called by the data migration and again on every ``post_migrate``, which Django also sends after
the flushes of ``transaction=True`` tests, so reference rows are always there.
"""

from .reference import DEPARTMENTS, seeded_lines


def ensure_departments_and_lines(apps, using: str = "default") -> None:
    Department = apps.get_model("transfers", "Department")
    Line = apps.get_model("transfers", "Line")
    by_code = {}
    for sequence, (code, name, name_id, kind, _prefix, _count) in enumerate(DEPARTMENTS, 1):
        dept, _created = Department.objects.using(using).get_or_create(
            code=code,
            defaults={"name": name, "name_id": name_id, "kind": kind, "sequence": sequence * 10},
        )
        by_code[code] = dept
    for dept_code, line_code, line_name in seeded_lines():
        Line.objects.using(using).get_or_create(
            code=line_code, defaults={"department": by_code[dept_code], "name": line_name}
        )
