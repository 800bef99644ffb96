from celery import shared_task


@shared_task
def escalate_alerts() -> int:
    """Every minute (``CELERY_BEAT_SCHEDULE``): escalate unacknowledged P1s to the managers.
    Safe to run twice or concurrently: each alert escalates once."""
    from .services import alerts_escalate

    return len(alerts_escalate())
