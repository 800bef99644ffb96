"""ASGI entry point: websockets under ``/ws/`` (uvicorn in production, daphne in ``runserver``).

Websockets pass the allowed-hosts Origin check, then session authentication, then the JWT
``?token=`` fallback for API clients; consumers refuse anonymous users themselves.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from erp.common.startup import production_startup_guard  # noqa: E402
from erp.common.ws_auth import JwtQueryAuthMiddleware  # noqa: E402
from erp.routing import websocket_urlpatterns  # noqa: E402

production_startup_guard()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(JwtQueryAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
