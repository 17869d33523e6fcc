"""Parsing query parameters of `rpc.graph.*` requests; errors carry an HTTP status."""

from datetime import datetime
from typing import Any


class QueryError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def int_param(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise QueryError(422, f"{name} must be an integer") from exc
    return max(low, min(high, number))


def time_ms_param(value: Any, default: int) -> int:
    if value in (None, ""):
        return default
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    try:
        return int(datetime.fromisoformat(str(value)).timestamp() * 1000)
    except ValueError as exc:
        raise QueryError(422, "times are ISO-8601 or epoch milliseconds") from exc
