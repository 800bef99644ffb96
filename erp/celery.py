"""Celery application, configured from Django settings (``CELERY_*``).

Without ``REDIS_URL`` tasks run eagerly in the calling process (the embedded default); tests run
eagerly even when Redis is configured.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")

app = Celery("erp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
