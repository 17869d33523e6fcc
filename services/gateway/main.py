"""`ofca service gateway`: run the gateway under uvicorn."""

import uvicorn

from contracts.runtime.logs import configure_logging
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


def run() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_format, settings.log_level)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        ws_max_size=settings.hard_frame_bytes,
        ws_ping_interval=30,
        ws_ping_timeout=60,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
