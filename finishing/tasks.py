from celery import shared_task


@shared_task
def detector_reminders() -> int:
    """Every minute (``CELERY_BEAT_SCHEDULE``): detector check due soon (P3 to the finishing
    station) or overdue (P2)."""
    from .services import detector_reminders as run

    return len(run())
