"""Logs never carry tokens, whichever logger writes them."""

import json
import logging

import pytest
import structlog

from contracts.runtime.logs import configure_logging, redact


def test_redact_covers_query_strings_and_bearer_headers() -> None:
    assert redact("GET /ws/agent?token=abc.def.ghi&x=1") == "GET /ws/agent?token=[redacted]&x=1"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer [redacted]"
    assert redact("nothing here") == "nothing here"


def test_stdlib_and_structlog_lines_are_json_without_tokens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("test", "json", "INFO")
    logging.getLogger("uvicorn.error").warning(
        '"WebSocket /ws/agent?token=%s" [accepted]', "sekret.jwt.sig"
    )
    structlog.get_logger().warning("socket_open", url="/ws/bridge?token=sekret.jwt.sig&user=1")
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert len(lines) == 2
    assert all(line["service"] == "test" for line in lines)
    assert "sekret" not in json.dumps(lines)
