from celery import shared_task


@shared_task(name="erp.ping")
def ping(value: str = "") -> str:
    """Round-trip check for workers (used by the deployment test and by operators):
    answers with the number of departments it can read, proving database access."""
    from transfers.models import Department

    return f"pong {value} departments={Department.objects.count()}"


@shared_task(name="erp.idempotency_purge")
def idempotency_purge(hours: int = 48) -> int:
    """Forget idempotency answers older than ``hours`` (a retry comes within minutes)."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import IdempotencyRecord

    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - timedelta(hours=hours)
    ).delete()
    return deleted
