"""WSGI entry point: gunicorn serves all HTTP here (websockets go to ``erp.asgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")

application = get_wsgi_application()

from erp.common.startup import production_startup_guard  # noqa: E402

production_startup_guard()
