"""What refreshes the summaries: connected in ``AnalyticsConfig.ready()``. Receivers only queue
a Celery task with ``transaction.on_commit``; the task reads committed rows. Analytics is best
effort: a failure to queue or run a refresh is logged and never fails the request that
recorded the event (the nightly ``refresh_recent`` repairs it)."""

import logging

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from transfers.signals import transfer_state_changed

from . import tasks

log = logging.getLogger(__name__)

# Department work that makes units ready to send (WipMovement rows are bulk-created, so they
# send no signal; their records do).
WORK_RECORD_MODELS = (
    "cutting.CutRecord",
    "embroidery.EmbroideryRecord",
    "sewing.StageRecord",
    "finishing.FgConversion",
    "packing.Carton",
)


# The output of a day is one aggregate over that day's ledger rows: refreshed at most once a
# minute per day (the first event queues it to run a minute later, covering every event of
# that minute), so busy traffic does not recompute it on every scan.
OUTPUT_DEBOUNCE_SECONDS = 60


def _queue(task, *args, countdown: int | None = None) -> None:
    """Queue ``task`` after commit, unless ``settings.ANALYTICS_REFRESH_ON_COMMIT`` is False
    (then the summaries follow nightly and on the pages' rebuild button only)."""
    if not getattr(settings, "ANALYTICS_REFRESH_ON_COMMIT", True):
        return

    def send():
        try:
            if countdown:
                task.apply_async(args=args, countdown=countdown)
            else:
                task.delay(*args)
        except Exception:  # broker down, or an eager refresh failed: the nightly run repairs
            log.exception("analytics refresh %s%r not done", task.name, args)

    transaction.on_commit(send)


def _queue_output(day: str) -> None:
    """Queue the day's output refresh unless one is already queued for it. A queued task runs
    when its key expires, after every event that found the key: it sees all of them. (If the
    cache is down, ``add`` answers None: queue anyway.)"""
    if not getattr(settings, "ANALYTICS_REFRESH_ON_COMMIT", True):
        return
    if cache.add(f"analytics:output:{day}", 1, OUTPUT_DEBOUNCE_SECONDS) is False:
        return
    _queue(tasks.refresh_output_day, day, countdown=OUTPUT_DEBOUNCE_SECONDS)


def on_inspection_saved(sender, instance, created, **kwargs):
    if created:
        _queue(tasks.refresh_inspection, instance.pk)


def on_stuffing_saved(sender, instance, created, **kwargs):
    if created:
        _queue(tasks.refresh_stuffing, instance.pk)


def on_work_recorded(sender, instance, created, **kwargs):
    if created:
        _queue_output(timezone.localdate().isoformat())


def on_transfer_state_changed(sender, transfer, old=None, new=None, **kwargs):
    """Lead times change incrementally (a couple of queries, since this follows every QT-09
    action): an accept opens one, a new send closes the open ones of its department, a
    cancelled or rejected send rebuilds the batch's (rare)."""
    if old is None:  # prepared (IN_TRANSIT or BLOCKED): a send out of from_department
        _queue(
            tasks.lead_time_sent, transfer.pk, transfer.batch_id, transfer.from_department_id,
            transfer.created_at.isoformat(),
        )  # fmt: skip
    if new == "ACCEPTED":
        _queue(tasks.lead_time_accepted, transfer.pk)
        _queue_output(timezone.localdate().isoformat())  # units handed over: sender's output
    elif new in ("CANCELLED", "REJECTED") and old is not None:
        _queue(tasks.refresh_lead_times, transfer.batch_id)


def connect() -> None:
    post_save.connect(
        on_inspection_saved, sender="quality.Inspection", dispatch_uid="analytics-inspection"
    )
    post_save.connect(
        on_stuffing_saved, sender="finishing.StuffingRecord", dispatch_uid="analytics-stuffing"
    )
    for label in WORK_RECORD_MODELS:
        try:
            apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(on_work_recorded, sender=label, dispatch_uid=f"analytics-work-{label}")
    transfer_state_changed.connect(on_transfer_state_changed, dispatch_uid="analytics-transfer")
