"""Read side of finishing: detector status (dashboard, station), progress per batch."""

from .services import detector_status, latest_checks, progress, progress_many, verification

__all__ = ["detector_status", "latest_checks", "progress", "progress_many", "verification"]
