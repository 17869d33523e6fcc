"""Who is calling: tokens from `?token=` or `Authorization: Bearer`, and tenancy checks."""

import math
from typing import Annotated

from fastapi import Depends, HTTPException, Request, WebSocket, status

from contracts.tokens import Principal, TokenError, verify_token
from services.gateway.metrics import AUTH_REFUSED


def token_from(conn: Request | WebSocket) -> str | None:
    """The bearer token of an HTTP request or WebSocket handshake, if any."""
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return conn.query_params.get("token") or None


def authenticate(conn: Request | WebSocket) -> Principal:
    """The caller's principal; raises TokenError for a missing, forged or expired token."""
    secret: str = conn.app.state.secret
    previous: list[str] = conn.app.state.previous_secrets
    return verify_token(secret, token_from(conn), previous)


def rest_principal(request: Request) -> Principal:
    """The caller, once its token is valid and within its REST rate (else 401 or 429)."""
    try:
        principal = authenticate(request)
    except TokenError as exc:
        AUTH_REFUSED.labels(why="token").inc()
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    runtime = getattr(request.app.state, "runtime", None)
    wait = runtime.rest_limits.admit(principal.token_id) if runtime is not None else None
    if wait is not None:
        AUTH_REFUSED.labels(why="rest_rate").inc()
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many requests from this token; try again later",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return principal


def analyst_only(principal: Principal) -> None:
    """403 unless `principal` is an analyst. An Agent's token is for its socket only: on REST
    it could otherwise turn auto-send on or delete the creator's data."""
    if principal.role != "analyst":
        AUTH_REFUSED.labels(why="role").inc()
        raise HTTPException(status.HTTP_403_FORBIDDEN, "an analyst token is required")


def analyst_for(
    user_id: str, principal: Annotated[Principal, Depends(rest_principal)]
) -> Principal:
    """An analyst whose token covers `user_id`; else 403."""
    analyst_only(principal)
    if not principal.may_access(user_id):
        AUTH_REFUSED.labels(why="tenant").inc()
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token does not cover that creator")
    return principal


AnyPrincipal = Annotated[Principal, Depends(rest_principal)]
UserPrincipal = Annotated[Principal, Depends(analyst_for)]
