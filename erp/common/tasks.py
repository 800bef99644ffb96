from celery import shared_task


@shared_task(name="erp.ping")
def ping(value: str = "") -> str:
    """Round-trip check for workers (used by the deployment test and by operators):
    answers with the number of departments it can read, proving database access."""
    from transfers.models import Department

    return f"pong {value} departments={Department.objects.count()}"
