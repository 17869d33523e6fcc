"""Who may do what: every token flaw on every socket and every REST route, tenancy across
creators, per-creator subjects, and no secret in the logs.

REST routes are read from the live gateway's OpenAPI, so a new route is covered the day it is
added (and a route that should be public must be named in PUBLIC).
"""

import base64
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import pytest
from nats.aio.client import Client
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from contracts import subjects
from contracts.runtime.logs import _redact_event, _RedactingFilter, redact
from contracts.streams import AGENT_IN, COMMANDS
from contracts.tokens import issue_token
from ofca.agent_protocol import AgentClient, new_raw_message
from tests.conftest import Gateway
from tests.graph.stack import nothing_within
from tests.security.stack import LoggedGateway, close_quietly, new_user, open_socket, recv_json

pytestmark = pytest.mark.nats

PUBLIC = {
    ("GET", "/api/v1/schemas/wss"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}
ANY_ROLE = {("GET", "/api/v1/whoami")}  # tells a token's holder what the token is
SOCKETS = {"agent": "/ws/agent", "analyst": "/ws/bridge"}
OTHER_ROLE = {"agent": "analyst", "analyst": "agent"}
# Tokens handed out in this module; none may ever show up in the gateway's output.
ISSUED: list[str] = []


class Audited:
    def __init__(self, gw: Gateway, server: LoggedGateway) -> None:
        self.gw = gw
        self.server = server
        self.secret = gw.secret

    def token(self, role: str, *users: str) -> str:
        token = self.gw.token(role, *users)
        ISSUED.append(token)
        return token


@pytest.fixture(scope="module")
async def audited(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Audited]:
    tmp: Path = tmp_path_factory.mktemp("audited")
    env = {"OFCA_LOG_LEVEL": "DEBUG", "OFCA_SOCKETS_PER_TOKEN": "50"}
    server = LoggedGateway(nats_url, secret, tmp / "data", tmp / "gateway.log", **env)
    yield Audited(await server.ready(), server)
    server.stop()


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(role: str, users: list[str], **override: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base = {
        "iss": "ofca",
        "role": role,
        "users": users,
        "iat": now,
        "exp": now + timedelta(hours=1),
        "jti": uuid.uuid4().hex,
    }
    return {k: v for k, v in {**base, **override}.items() if v is not None}


def bad_tokens(secret: str, role: str, user: str) -> dict[str, str | None]:
    """Every way a token can be wrong, for `role` and `user` (each refused with 401/403)."""
    good = issue_token(secret, role, [user])  # type: ignore[arg-type]
    head, body, sig = good.split(".")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    other = _b64({**jwt.decode(good, options={"verify_signature": False}), "users": [new_user()]})
    none_head = _b64({"alg": "none", "typ": "JWT"})

    def signed(data: dict[str, Any], algorithm: str = "HS256") -> str:
        return jwt.encode(data, secret, algorithm=algorithm)

    tokens: dict[str, str | None] = {
        "missing": None,
        "empty": "",
        "garbage": "not-a-token",
        "forged_signature": f"{head}.{body}.{flipped}",
        "forged_claims": f"{head}.{other}.{sig}",
        "unsigned_alg_none": jwt.encode(claims(role, [user]), None, algorithm="none"),
        "alg_none_header_real_signature": f"{none_head}.{body}.{sig}",
        "expired": issue_token(secret, role, [user], ttl=timedelta(seconds=-60)),  # type: ignore[arg-type]
        "wrong_secret": issue_token("w" * 48, role, [user]),  # type: ignore[arg-type]
        "hs512_real_secret": signed(claims(role, [user]), "HS512"),
        "wrong_issuer": signed(claims(role, [user], iss="someone-else")),
        "no_expiry": signed(claims(role, [user], exp=None)),
        "no_token_id": signed(claims(role, [user], jti=None)),
        "unknown_role": signed(claims("admin", [user])),
        "subject_wildcard_user": signed(claims(role, [">"])),
        "no_users": signed(claims(role, [])),
        "users_not_a_list": signed(claims(role, user)),  # type: ignore[arg-type]
    }
    ISSUED.extend(t for t in tokens.values() if t)
    return tokens


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def request_for(path: str, op: dict[str, Any], user: str) -> tuple[str, dict[str, str], Any]:
    """A request to `path` for creator `user` that, once authorized, changes nothing: required
    inputs are filled with values the route refuses (422) where it would act."""
    url = (
        path.replace("{user_id}", user)
        .replace("{chat_id}", "400001")
        .replace("{command_id}", "c-matrix")
    )
    assert "{" not in url, f"a path parameter this matrix does not know yet: {path}"
    params: dict[str, str] = {}
    for param in op.get("parameters", []):
        if param["in"] == "query" and param.get("required"):
            params[param["name"]] = {"users": user, "confirm": "not-the-creator"}.get(
                param["name"], "x"
            )
    body = None
    if "requestBody" in op:
        # A command for another creator (422 if it ever got past auth); settings unchanged.
        body = {
            "commandId": "c-matrix",
            "userId": "1",
            "chatId": 400001,
            "text": "x",
            "createdAt": datetime.now(UTC).isoformat(),
        }
        if path.endswith("/settings"):
            body = {}
    return url, params, body


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    params: dict[str, str],
    body: Any,
    token: str | None,
    via: str = "header",
) -> httpx.Response:
    headers: dict[str, str] = {}
    if token is not None and via == "header":
        headers["Authorization"] = f"Bearer {token}".strip()
    elif token is not None:
        params = {**params, "token": token}
    return await http.request(method, url, params=params, json=body, headers=headers)


async def spec_of(gw: Gateway) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=gw.http) as http:
        return dict((await http.get("/openapi.json")).json())


async def test_every_rest_route_refuses_every_bad_token(audited: Audited) -> None:
    gw, user = audited.gw, new_user()
    ops = [o for o in operations(await spec_of(gw)) if (o[0], o[1]) not in PUBLIC]
    assert len(ops) >= 20
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=gw.http, timeout=30) as http:
        for method, path, op in ops:
            url, params, body = request_for(path, op, user)
            for name, token in bad_tokens(audited.secret, "analyst", user).items():
                for via in ("header", "query"):
                    reply = await call(http, method, url, params, body, token, via)
                    if reply.status_code != 401:
                        wrong.append(f"{method} {path} {name} via {via}: {reply.status_code}")
                    elif via == "header" and token is None:
                        assert reply.headers.get("www-authenticate") == "Bearer"
            # The same request with a good token is not refused (so the 401s meant the token).
            control = await call(http, method, url, params, body, audited.token("analyst", user))
            assert control.status_code not in {401, 403}, (method, path, control.text)
    assert wrong == []


async def test_creator_routes_refuse_other_creators_and_agent_tokens(audited: Audited) -> None:
    gw = audited.gw
    a, b, c = new_user(), new_user(), new_user()
    spec = await spec_of(gw)
    ops = [
        o for o in operations(spec) if (o[0], o[1]) not in PUBLIC | ANY_ROLE
    ]  # fmt: skip
    creator_ops = [o for o in ops if o[1].startswith("/api/v1/users/{user_id}")]
    assert len(creator_ops) >= 15
    refusals = {
        "analyst of A": audited.token("analyst", a),
        "analyst of A and C": audited.token("analyst", a, c),
        "agent of B (REST is for analysts)": audited.token("agent", b),
    }
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=gw.http, timeout=30) as http:
        for method, path, op in ops:
            url, params, body = request_for(path, op, b)
            for who, token in refusals.items():
                for via in ("header", "query"):
                    reply = await call(http, method, url, params, body, token, via)
                    if reply.status_code != 403:
                        wrong.append(f"{method} {path} as {who} via {via}: {reply.status_code}")
            own = await call(http, method, url, params, body, audited.token("analyst", b))
            assert own.status_code not in {401, 403}, (method, path, own.text)
        # The agency view: every creator named must be covered.
        for users in (b, f"{a},{b}", f"{b},{a}"):
            for path in ("/api/v1/agency/graph", "/api/v1/agency/insights"):
                reply = await http.get(
                    path, params={"users": users, "token": refusals["analyst of A"]}
                )
                if reply.status_code != 403:
                    wrong.append(f"GET {path}?users={users} as analyst of A: {reply.status_code}")
        whoami = await http.get(
            "/api/v1/whoami", params={"token": refusals["agent of B (REST is for analysts)"]}
        )
        assert whoami.json() == {"role": "agent", "user_ids": [b]}
    assert wrong == [], "\n".join(wrong)


async def test_sockets_refuse_every_bad_token_before_any_frame(audited: Audited) -> None:
    gw, user = audited.gw, new_user()
    wrong: list[str] = []

    async def refused(url: str, headers: dict[str, str] | None = None) -> bool:
        try:
            ws = await connect(url, additional_headers=headers)
        except InvalidStatus as exc:
            return exc.response.status_code == 403
        await ws.close()
        return False

    for role, path in SOCKETS.items():
        tokens = bad_tokens(audited.secret, role, user)
        tokens["wrong_role"] = audited.token(OTHER_ROLE[role], user)
        for name, token in tokens.items():
            query = "" if token is None else f"?token={token}"
            if not await refused(f"{gw.ws}{path}{query}"):
                wrong.append(f"{path} {name} in the query")
            if token and not await refused(f"{gw.ws}{path}", {"Authorization": f"Bearer {token}"}):
                wrong.append(f"{path} {name} as a bearer header")
    # A Bridge for a creator the token does not cover, or for something that is not a creator
    # id at all (NATS wildcards and separators would widen the subscription).
    a, b = new_user(), new_user()
    token = audited.token("analyst", a)
    for target in (b, ">", "*", f"{a}.>", f"{a}.*", f"{a}.{b}", f"{a} ", f"{a}\n", ""):
        if not await refused(f"{gw.ws}/ws/bridge?token={token}&user={quote(target)}"):
            wrong.append(f"bridge of {a} for user={target!r}")
    assert wrong == []


async def test_agent_frames_are_stored_only_under_the_tokens_creator(
    audited: Audited, nc: Client
) -> None:
    gw = audited.gw
    a, b = new_user(), new_user()
    js = nc.jetstream()
    # Asking for B in the URL changes nothing: an agent token is bound to its one creator.
    ws = await connect(f"{gw.ws}/ws/agent?token={audited.token('agent', a)}&user={b}")
    ack = await recv_json(ws)
    assert ack["payload"]["userIds"] == [a]
    agent = AgentClient(ws, ack)
    frames = [
        new_raw_message(b, {"id": 1, "fromUser": {"id": int(b)}, "toUser": {"id": int(b)}}),
        json.dumps(
            {
                "type": "cache_update",
                "ref": f"{b}:0",
                "payload": {"snapshot_id": b, "part": 0, "parts": 1, "chats": [], "messages": []},
            }
        ).encode(),
        json.dumps(
            {"type": "command_result", "payload": {"commandId": f"{b}-1", "status": "sent"}}
        ).encode(),
    ]
    for frame in frames:
        receipt = await agent.send_and_wait(frame)
        assert receipt["type"] == "ingest_ack", receipt
        stream = COMMANDS.name if b'"command_result"' in frame else AGENT_IN.name
        stored = await js.get_msg(stream, receipt["payload"]["streamSeq"])
        assert stored.subject is not None and subjects.user_of(stored.subject) == a
        assert stored.subject.split(".")[0] in {"agent", "commands"}
        assert b not in stored.subject
        assert stored.headers and stored.headers[subjects.HEADER_USER] == a
    for stream, subject in (
        (AGENT_IN.name, subjects.agent_in_stored(b)),
        (COMMANDS.name, subjects.commands_stored(b)),
    ):
        info = await js.stream_info(stream, subjects_filter=subject)
        assert not info.state.subjects, f"something was stored for {b} in {stream}"
    await agent.close()


async def test_sockets_receive_only_their_creators_core_subjects(
    audited: Audited, nc: Client
) -> None:
    gw = audited.gw
    a, b = new_user(), new_user()
    both = audited.token("analyst", a, b)  # an analyst of both, watching A
    bridge_a = await open_socket(gw, f"/ws/bridge?token={both}&user={a}")
    await recv_json(bridge_a)  # system_status
    agent_a = await open_socket(gw, f"/ws/agent?token={audited.token('agent', a)}")
    bridge_b = await open_socket(gw, f"/ws/bridge?token={audited.token('analyst', b)}")
    await recv_json(bridge_b)  # system_status
    await recv_json(bridge_a)  # A's Agent came online
    await nc.flush()
    for subject in (subjects.bridge(b), subjects.agent_user(b), subjects.agent_all(b)):
        await nc.publish(
            subject, json.dumps({"type": "system_status", "payload": {"for": b}}).encode()
        )
    # B's Bridge gets B's frame, so it was delivered; A's sockets get none of them.
    assert (await recv_json(bridge_b))["payload"] == {"for": b}
    for subject, ws in ((subjects.bridge(a), bridge_a), (subjects.agent_all(a), agent_a)):
        await nc.publish(
            subject, json.dumps({"type": "system_status", "payload": {"for": a}}).encode()
        )
        assert (await recv_json(ws))["payload"] == {"for": a}, "A's own frames arrive, in order"
    assert await nothing_within(bridge_a, 0.3) and await nothing_within(agent_a, 0.1)
    await close_quietly(bridge_a, agent_a, bridge_b)


async def test_no_secret_and_no_token_reaches_the_logs(audited: Audited) -> None:
    gw, user = audited.gw, new_user()
    token = audited.token("analyst", user)
    agent_token = audited.token("agent", user)
    # Exercise what writes log lines: sockets with tokens in their URLs (opened, refused,
    # failing frames), REST with tokens in the query and in headers, refused ones.
    agent = await AgentClient.connect(gw.ws, agent_token)
    await agent.send_and_wait(b"{not json")
    await agent.send_and_wait(new_raw_message(1, {"id": 1}))
    bridge = await open_socket(gw, f"/ws/bridge?token={token}")
    for bad in bad_tokens(audited.secret, "agent", user).values():
        with pytest.raises(InvalidStatus):
            await connect(f"{gw.ws}/ws/agent?token={bad or ''}")
    async with httpx.AsyncClient(base_url=gw.http, timeout=30) as http:
        await http.get(f"/api/v1/users/{user}/status", params={"token": token})
        await http.get(f"/api/v1/users/{user}/status", headers={"Authorization": f"Bearer {token}"})
        await http.get(f"/api/v1/users/{user}/status", params={"token": agent_token + "x"})
        await http.get("/api/v1/whoami", params={"token": token[:-5]})
    await close_quietly(agent.ws, bridge)

    output = audited.server.output()
    assert "socket_open" in output and "frame" in output, "the gateway logged nothing?"
    assert audited.secret not in output
    signatures = [t.split(".")[-1] for t in ISSUED if len(t.split(".")[-1]) >= 16]
    leaked = [t for t in ISSUED if t in output] + [s for s in signatures if s in output]
    assert leaked == [], f"{len(leaked)} tokens or signatures in the gateway's output"
    assert "token=ey" not in output and "Bearer ey" not in output


def test_token_shapes_in_log_lines_are_redacted(secret: str) -> None:
    """The redaction every service's logging runs (`contracts/runtime/logs.py`), on the lines
    that could carry a token: uvicorn's access lines (its own `%s` arguments), headers, and
    structlog fields."""
    token = issue_token(secret, "analyst", [new_user()])
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" 403',
        ("127.0.0.1:5000", f"/ws/bridge?user=1&token={token}"), None,
    )  # fmt: skip
    assert _RedactingFilter().filter(record)
    assert token not in record.getMessage() and "token=[redacted]" in record.getMessage()
    for line in (
        f"GET /api/v1/whoami?token={token} HTTP/1.1",
        f"GET /x?a=1&token={token}&b=2",
        f"authorization: Bearer {token}",
        f"{{'token={token}'}}",
    ):
        assert token not in redact(line), line
    event = _redact_event(None, "info", {"event": "request", "url": f"/ws/agent?token={token}"})
    assert token not in str(event)
