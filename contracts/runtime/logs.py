"""Structured logs: JSON in production, readable in dev. Never message text or credentials.

structlog and the standard library (uvicorn, nats) go through one formatter, so every line of a
service has the same shape. Anything that looks like a token in a URL or header is redacted
before it is written: uvicorn logs WebSocket paths, and ours carry `?token=`.
"""

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET = re.compile(r"(?i)(token=|bearer\s+)[^&\s\"',]+")


def redact(text: str) -> str:
    """`text` with tokens in query strings and bearer headers replaced by `[redacted]`."""
    return _SECRET.sub(r"\1[redacted]", text)


def _redact_event(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = redact(value)
    return event_dict


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):  # structlog's own events were redacted already
            record.msg = redact(record.getMessage())
            record.args = None
        return True


def configure_logging(service: str, fmt: str = "json", level: str = "INFO") -> None:
    """Route structlog and stdlib logging to stderr in one format, tagged with `service`."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        # Plain tracebacks: with `rich` installed (a dependency of some dev tools) structlog
        # would render locals with syntax highlighting, which can take minutes for a frame
        # holding a multi-MiB snapshot part and makes a stopping service look hung.
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_event,
    ]
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_RedactingFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric_level)
    # Lifecycle chatter of the embedded probe servers; errors still come through.
    logging.getLogger("uvicorn.error").setLevel(max(numeric_level, logging.WARNING))
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    structlog.contextvars.bind_contextvars(service=service)
