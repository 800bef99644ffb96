"""Factory settings: defaults from DOMAIN.md, overridden by rows the admin edits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .models import FactorySetting

# key: (default, description)
DEFAULTS: dict[str, tuple[Any, str]] = {
    "fabric_inspection_limit_points": (20, "4-point inspection limit, points per 100 yd²"),
    "max_plies_plush": (8, "Most plies in one lay of plush fabric"),
    "bundle_size_default": (20, "Pieces per bundle when the article sets none"),
    "detector_check_interval_minutes": (60, "Metal detector check interval"),
    "detector_test_piece_mm": (1.2, "Ferrous test card (mm) the detector must find"),
    "inline_qc_pieces": (7, "Pieces checked per operation in an inline QC round"),
    "inline_qc_rounds_per_day": (4, "Inline QC rounds per day"),
    "lab_test_validity_months": (12, "How long a passed lab test stays valid"),
    "alert_escalation_minutes": (10, "Unacknowledged P1 escalates to managers after"),
    "sscc_company_prefix": ("0888888", "GS1 company prefix for SSCC-18"),
    "carton_tare_kg": (0.8, "Weight of an empty export carton (kg), for the gross weight"),
    "aql_plan": (
        {"critical": 0, "major": 2.5, "minor": 4.0},
        "Final inspection AQL per defect class (the customer's plan)",
    ),
}


def get_setting(key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(f"unknown factory setting {key!r}")
    row = FactorySetting.objects.filter(key=key).values_list("value", flat=True).first()
    return DEFAULTS[key][0] if row is None else row


def get_decimal(key: str) -> Decimal:
    return Decimal(str(get_setting(key)))
