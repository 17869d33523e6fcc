"""The answers REST routes give besides their success, as documented in the OpenAPI.

FastAPI documents a route's success and its request validation (422) only; the gateway also
answers 401, 403, 404 and 503 with `{"detail": "why"}`, and some routes answer CSV. Listing them
lets clients (the dashboard's generated one, schemathesis) check every answer.
"""

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """`{"detail": "why"}`, the body of every refusal the gateway raises itself."""

    detail: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


Responses = dict[int | str, dict[str, Any]]

UNAUTHORIZED: Responses = {
    401: _error("No token, or a forged or expired one."),
    429: _error("Too many requests from this token (`OFCA_REST_PER_SECOND`): see Retry-After."),
}
FORBIDDEN: Responses = {
    403: _error("The token is not an analyst's, or does not cover this creator.")
}
NOT_FOUND: Responses = {404: _error("No such chat, fan or command, or no data for the creator.")}
UNAVAILABLE: Responses = {
    503: _error("A service behind the gateway did not answer, or could not store: try again.")
}

BAD_BODY: Responses = {400: _error("The request body is not JSON.")}

TOO_LARGE: Responses = {
    413: _error("The answer (or the request body) is too large: ask for less, or page it.")
}

# Every route under /api/v1/users/{user_id} and the agency view.
CREATOR_ROUTE: Responses = UNAUTHORIZED | FORBIDDEN | NOT_FOUND | UNAVAILABLE | TOO_LARGE

CSV: Responses = {
    200: {
        "description": "A CSV file (header row first).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
JSON_OR_CSV: Responses = {
    200: {
        "description": "JSON (`what=all`: an object of tables; one table: an array of rows), "
        "or CSV with `format=csv`.",
        "content": {
            "application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array"}]}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}
