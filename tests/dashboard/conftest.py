import pytest


@pytest.fixture(autouse=True)
def _own_channel_prefix(settings, worker_id):
    """Groups such as ``dashboard`` and ``managers`` live in Redis: parallel workers on one
    Redis database would hear each other's pulses. Each worker gets its own prefix."""
    layers = settings.CHANNEL_LAYERS
    if "channels_redis" in layers["default"]["BACKEND"]:
        config = {**layers["default"]["CONFIG"], "prefix": f"asgi-dash-{worker_id}"}
        settings.CHANNEL_LAYERS = {"default": {**layers["default"], "CONFIG": config}}
        from channels.layers import channel_layers

        channel_layers.backends.clear()
