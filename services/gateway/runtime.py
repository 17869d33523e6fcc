"""The gateway's process-wide resources: NATS, JetStream, the secret, the local sockets.

`sessions` holds only this process's sockets (to drain them on shutdown); nothing here knows
about sockets on other gateways, which is what lets any number of gateways run side by side.
"""

import contextlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import msgspec
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from contracts import subjects
from contracts.models.queries import QueryReply
from contracts.runtime.nats import TRANSIENT_NATS_ERRORS, streams_present
from contracts.streams import KV_AGENT_PRESENCE
from services.gateway.limits import RequestLimits, TokenLimits
from services.gateway.settings import GatewaySettings

if TYPE_CHECKING:
    from services.gateway.session import SocketSession

PRESENCE_FRESH = timedelta(seconds=60)


class GatewayRuntime:
    def __init__(self, settings: GatewaySettings, secret: str, nc: Client) -> None:
        self.settings = settings
        self.secret = secret
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        self.sessions: set[SocketSession] = set()
        self.limits = TokenLimits(
            settings.sockets_per_token,
            settings.frames_per_second,
            settings.frame_burst,
            bytes_per_second=settings.bytes_per_second,
            byte_burst=settings.byte_burst,
        )
        self.rest_limits = RequestLimits(settings.rest_per_second, settings.rest_burst)
        self.publish_timeout = 5.0
        self._presence: KeyValue | None = None
        # Never promise a frame size the NATS server would refuse to store.
        headroom = 64 * 1024
        self.max_frame_bytes = min(settings.max_frame_bytes, nc.max_payload - headroom)

    async def readiness(self) -> list[str]:
        """Problems that make this gateway unready (empty when ready)."""
        if not self.nc.is_connected:
            return ["nats: not connected"]
        try:
            missing = await streams_present(self.js)
        except TRANSIENT_NATS_ERRORS as exc:
            return [f"nats: {type(exc).__name__}"]
        return [f"stream missing: {name}" for name in missing]

    async def presence(self) -> KeyValue | None:
        if self._presence is None:
            with contextlib.suppress(*TRANSIENT_NATS_ERRORS):
                self._presence = await self.js.key_value(KV_AGENT_PRESENCE)
        return self._presence

    async def touch_presence(self, user_id: str) -> None:
        kv = await self.presence()
        if kv is not None:
            with contextlib.suppress(*TRANSIENT_NATS_ERRORS):
                await kv.put(user_id, datetime.now(UTC).isoformat().encode())

    async def clear_presence(self, user_id: str) -> None:
        kv = await self.presence()
        if kv is not None:
            with contextlib.suppress(*TRANSIENT_NATS_ERRORS):
                await kv.delete(user_id)

    async def agent_online(self, user_id: str) -> bool:
        """Whether an Agent of `user_id` was seen on any gateway within the last minute."""
        kv = await self.presence()
        if kv is None:
            return False
        try:
            entry = await kv.get(user_id)
        except TRANSIENT_NATS_ERRORS:
            return False
        if entry.value is None:
            return False
        seen = datetime.fromisoformat(entry.value.decode())
        return datetime.now(UTC) - seen < PRESENCE_FRESH

    async def query(
        self, op: str, user_id: str, params: dict[str, object], service: str = "graph"
    ) -> QueryReply:
        """Ask the `service` instance that owns `user_id`; a 503 reply when none answers."""
        body = msgspec.json.encode({k: v for k, v in params.items() if v is not None})
        try:
            reply = await self.nc.request(
                subjects.rpc(service, op, user_id), body, timeout=self.settings.query_timeout_s
            )
        except (NoRespondersError, NatsTimeoutError, NatsError):
            return QueryReply(ok=False, status=503, error=f"the {service} service did not answer")
        return QueryReply.model_validate_json(reply.data)

    async def request_full_sync(self, user_id: str) -> str | None:
        """The graph service's current `full_sync_response` for `user_id`, if it has state."""
        try:
            reply = await self.nc.request(
                subjects.rpc("graph", "full_sync", user_id),
                b"",
                timeout=self.settings.full_sync_timeout_s,
            )
        except (NoRespondersError, NatsTimeoutError, NatsError):
            return None
        return reply.data.decode() if reply.data else None
