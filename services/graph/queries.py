"""Answers to `rpc.graph.<op>.<user>` requests (the gateway's REST routes), for owned creators.

Every instance receives every request; only the owner of the creator's partition answers, so
several graph instances can run side by side without a registry.
"""

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import structlog
from nats.aio.msg import Msg
from nats.js.object_store import ObjectStore

from contracts.drafts import suggestion_of
from contracts.models.graph import FanRef
from contracts.models.insights import FullSyncResponse
from contracts.models.queries import (
    ChatMessage,
    ChatPage,
    FanProfile,
    MessagePage,
    QueryReply,
)
from services.graph import exports, pushes
from services.graph.analytics import compute_analytics_sliced
from services.graph.analytics.sessions import live_messages
from services.graph.coverage import coverage_of
from services.graph.metrics import QUERIES
from services.graph.network_queries import NetworkQueries
from services.graph.projection import Projection
from services.graph.query_params import QueryError, int_param, time_ms_param
from services.graph.settings import GraphSettings
from services.graph.state import CreatorState, now_ms
from services.graph.views import NodeCache, ms_to_datetime

log = structlog.get_logger()
MAX_CHATS_PAGE = 500
MAX_MESSAGES_PAGE = 200
MAX_SPAN_DAYS = 3660
DAY_MS = 86_400_000
MAX_IN_FLIGHT = 64  # requests served at once; beyond it a request waits its turn
# Queries whose work grows with the creator's history: one at a time per creator, so a
# flood from one creator's analysts queues behind itself, not in front of other creators.
HEAVY_OPS = frozenset({"analytics", "export_file", "export"})
PAGED_OPS = frozenset({"chats", "messages"})  # `limit` pages them: a smaller page still answers
MAX_REPLY_BYTES = 8 * 1024 * 1024 - 64 * 1024  # below NATS's max payload (`ofca up`: 8 MiB)


def first_message_ms(state: CreatorState | None) -> int | None:
    if state is None:
        return None
    firsts = [chat.order[0][0] for chat in state.chats.values() if chat.order]
    return min(firsts) if firsts else None


class Queries:
    def __init__(self, projection: Projection, cache: NodeCache, settings: GraphSettings) -> None:
        self.projection = projection
        self.cache = cache
        self.settings = settings
        self.networks = NetworkQueries(projection)
        self.ops: dict[str, Callable[[str, CreatorState | None, dict[str, Any]], Any]] = {
            "full_sync": lambda user, _s, _p: self.full_sync(user),
            "chats": self.chats,
            "messages": self.messages,
            "fan": self.fan,
            "export": self.export,
            "graph": self.networks.graph,
            "graph_insights": self.networks.graph_insights,
            "counts": self.counts,
            "coverage": lambda _user, state, _p: coverage_of(state),
            "drafts": self.drafts,
            "agency_graph": self.networks.agency_graph,
            "agency_insights": self.networks.agency_insights,
        }
        self.async_ops: dict[
            str, Callable[[str, CreatorState | None, dict[str, Any]], Awaitable[Any]]
        ] = {"analytics": self.analytics}
        self.exports: ObjectStore | None = None
        self.on_forget: Callable[[str], Awaitable[None]] | None = None
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._heavy: dict[str, tuple[asyncio.Lock, int]] = {}  # per creator: lock, users
        self._tasks: set[asyncio.Task[None]] = set()
        self.max_reply_bytes = MAX_REPLY_BYTES  # the service sets it from the connection

    async def handle(self, msg: Msg) -> None:
        """The subscription's callback: serve each request in a task of its own, so a slow
        answer for one creator never holds the next request (nats-py calls one at a time)."""
        task = asyncio.create_task(self._serve(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, msg: Msg) -> None:
        parts = msg.subject.split(".")
        if len(parts) == 4 and parts[2] in HEAVY_OPS:
            user_id = parts[3]
            lock, users = self._heavy.get(user_id, (asyncio.Lock(), 0))
            self._heavy[user_id] = (lock, users + 1)
            try:
                async with lock, self._in_flight:
                    await self._respond(msg)
            finally:
                lock, users = self._heavy[user_id]
                if users == 1:
                    del self._heavy[user_id]
                else:
                    self._heavy[user_id] = (lock, users - 1)
            return
        async with self._in_flight:
            await self._respond(msg)

    async def _respond(self, msg: Msg) -> None:
        parts = msg.subject.split(".")
        if len(parts) != 4 or not msg.reply:
            return
        op, user_id = parts[2], parts[3]
        if not self.projection.owns(user_id):
            return  # another instance owns this creator
        params: dict[str, Any] = {}
        if msg.data:
            try:
                decoded = msgspec.json.decode(msg.data)
                params = decoded if isinstance(decoded, dict) else {}
            except msgspec.DecodeError:
                params = {}
        if op == "full_sync":  # the gateway forwards this body verbatim to a Bridge
            state = self.projection.state(user_id)
            body = b"" if state is None else self._full_sync_frame(user_id)
            await msg.respond(body)
            return
        if op == "forget":
            await self.forget(user_id)
            reply = QueryReply(ok=True, data="forgotten")
        elif op == "export_file":
            reply = await self.export_file(user_id, params)
        else:
            reply = await self._answer(op, user_id, params)
        await msg.respond(await self._fitting(reply, op, user_id, params))

    async def _fitting(
        self, reply: QueryReply, op: str, user_id: str, params: dict[str, Any]
    ) -> bytes:
        """The reply's bytes, below NATS's max payload: a page too large to send is asked
        again with half its `limit` (the client follows `nextOffset`/`nextCursor` for the
        rest); anything else that large is refused with 413 instead of never arriving."""
        body = reply.model_dump_json(by_alias=True).encode()
        limit = int_param(params, "limit", 50, 1, MAX_CHATS_PAGE) if op in PAGED_OPS else 0
        while len(body) > self.max_reply_bytes and limit > 1:
            limit //= 2
            reply = await self._answer(op, user_id, {**params, "limit": limit})
            body = reply.model_dump_json(by_alias=True).encode()
        if len(body) > self.max_reply_bytes:
            QUERIES.labels(op=op, outcome="413").inc()
            refusal = QueryReply(
                ok=False, status=413, error=f"the {op} answer is too large to send; ask less"
            )
            body = refusal.model_dump_json(by_alias=True).encode()
        return body

    async def _answer(self, op: str, user_id: str, params: dict[str, Any]) -> QueryReply:
        handler = self.ops.get(op)
        slow = self.async_ops.get(op)
        if handler is None and slow is None:
            QUERIES.labels(op="unknown", outcome="404").inc()
            return QueryReply(ok=False, status=404, error=f"unknown query {op!r}")
        state = self.projection.state(user_id)
        try:
            if slow is not None:
                data = await slow(user_id, state, params)
            else:
                assert handler is not None
                data = handler(user_id, state, params)
        except QueryError as exc:
            QUERIES.labels(op=op, outcome=str(exc.status)).inc()
            return QueryReply(ok=False, status=exc.status, error=str(exc))
        QUERIES.labels(op=op, outcome="200").inc()
        return QueryReply(ok=True, data=data)

    def _full_sync_frame(self, user_id: str) -> bytes:
        from contracts.wire import FullSyncResponseMessage  # noqa: PLC0415 - avoid a cycle

        response = self.full_sync(user_id)
        return FullSyncResponseMessage(payload=response).model_dump_json(by_alias=True).encode()

    def full_sync(self, user_id: str) -> FullSyncResponse:
        return pushes.full_sync(
            user_id,
            self.projection.state(user_id),
            self.cache,
            self.settings.full_sync_max,
            self.settings.analytics_window_days,
        )

    # -- queries ----------------------------------------------------------------------------
    def chats(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        limit = int_param(params, "limit", 50, 1, MAX_CHATS_PAGE)
        offset = int_param(params, "offset", 0, 0, 10**9)
        sort, filt = params.get("sort", "priority"), params.get("filter", "all")
        search = str(params.get("q", "")).strip().lower()
        nodes = self.cache.nodes(state, now_ms()) if state else []
        keep: dict[str, Callable[[Any], bool]] = {
            "all": lambda n: True,
            "unread": lambda n: n.unread > 0,
            "awaiting": lambda n: n.awaiting_reply_since is not None,
            "spenders": lambda n: n.revenue.total > 0,
        }
        if filt not in keep:
            raise QueryError(422, f"filter must be one of {sorted(keep)}")
        nodes = [n for n in nodes if keep[filt](n)]
        if search:
            nodes = [
                n
                for n in nodes
                if search in (n.fan.name or "").lower()
                or search in (n.fan.username or "").lower()
                or search == n.chat_id
            ]
        orders: dict[str, Callable[[Any], Any]] = {
            "priority": lambda n: (n.priority, n.chat_id),
            "waiting": lambda n: (
                -(n.awaiting_reply_since.timestamp()) if n.awaiting_reply_since else float("-inf"),
                n.chat_id,
            ),
            "revenue": lambda n: (n.revenue.total, n.chat_id),
            "recent": lambda n: (n.last_message.at.timestamp() if n.last_message else 0, n.chat_id),
        }
        if sort not in orders:
            raise QueryError(422, f"sort must be one of {sorted(orders)}")
        nodes.sort(key=orders[sort], reverse=True)
        page = nodes[offset : offset + limit]
        next_offset = offset + limit if offset + limit < len(nodes) else None
        return ChatPage(
            items=page, total=len(nodes), offset=offset, limit=limit, next_offset=next_offset
        )

    def messages(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        chat_id = int_param(params, "chat_id", -1, -1, 2**63)
        chat = state.chats.get(chat_id) if state else None
        if chat is None:
            raise QueryError(404, "no such chat")
        limit = int_param(params, "limit", 50, 1, MAX_MESSAGES_PAGE)
        before = params.get("before")
        items = live_messages(chat)
        if before not in (None, ""):
            cursor = int_param(params, "before", 0, 0, 2**63)
            position = next((i for i, m in enumerate(items) if m.message_id == cursor), None)
            if position is None:
                raise QueryError(422, "unknown cursor")
            items = items[:position]
        page = items[-limit:][::-1]
        next_cursor = str(page[-1].message_id) if len(items) > limit else None
        return MessagePage(
            items=[
                ChatMessage(
                    id=str(m.message_id),
                    direction=m.direction,
                    at=ms_to_datetime(m.created_at),
                    text=m.text,
                    price=m.price,
                    is_tip=m.is_tip,
                    tip_amount=m.tip_amount,
                    is_ppv=m.is_ppv,
                    purchased=m.purchased,
                    sentiment=m.sentiment,
                    topics=list(m.topics),
                )
                for m in page
            ],
            next_cursor=next_cursor,
        )

    async def analytics(
        self, user_id: str, state: CreatorState | None, params: dict[str, Any]
    ) -> Any:
        """Analytics over [from, to): `to` at most a day ahead, `from` no earlier than the
        creator's first message (nothing is before it), the span at most MAX_SPAN_DAYS: one
        request's work is bounded by the creator's own history, never by the numbers sent."""
        now = now_ms()
        to_ms = min(time_ms_param(params.get("to"), now), now + DAY_MS)
        from_ms = time_ms_param(
            params.get("from"), to_ms - self.settings.analytics_window_days * DAY_MS
        )
        first = first_message_ms(state)
        if first is not None:
            from_ms = max(from_ms, first - first % DAY_MS)
        if from_ms >= to_ms:
            raise QueryError(422, "`from` must be before `to` (and `to` at most a day ahead)")
        if to_ms - from_ms > MAX_SPAN_DAYS * DAY_MS:
            raise QueryError(422, f"analytics span at most {MAX_SPAN_DAYS} days")
        return await compute_analytics_sliced(state or CreatorState(0), from_ms, to_ms, now)

    def fan(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        chat_id = int_param(params, "chat_id", -1, -1, 2**63)
        chat = state.chats.get(chat_id) if state else None
        if state is None or chat is None:
            raise QueryError(404, "no such fan")
        messages = live_messages(chat)
        node = self.cache.node(state, chat, now_ms())
        topics = Counter(t for m in messages if m.direction == "in" for t in m.topics)
        return FanProfile(
            fan=FanRef(id=str(chat_id), name=node.fan.name, username=node.fan.username),
            lifetime_spend=node.revenue.total,
            tips=node.revenue.tips,
            ppv=node.revenue.ppv,
            messages=len(messages),
            first_message_at=ms_to_datetime(messages[0].created_at) if messages else None,
            last_message_at=ms_to_datetime(messages[-1].created_at) if messages else None,
            topics=[t for t, _ in topics.most_common(10)],
            conversation=node,
            rfm=chat.score.rfm if chat.score else None,
            segment=chat.score.segment if chat.score else None,
            churn_risk=chat.score.churn_risk if chat.score else None,
            churn_reasons=list(chat.score.churn_reasons) if chat.score else [],
            priority_reasons=list(chat.score.priority_reasons) if chat.score else [],
        )

    def drafts(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        """Drafts still current: the chat's last live message is the fan's one they answer."""
        if state is None:
            return []
        only = params.get("chat_id")
        found = []
        for chat in state.chats.values():
            draft = chat.draft
            if draft is None or (only is not None and str(chat.chat_id) != str(only)):
                continue
            messages = live_messages(chat)
            if not messages or messages[-1].message_id != draft.reply_to:
                continue
            found.append((self.cache.node(state, chat, now_ms()).priority, draft))
        found.sort(key=lambda pair: (-pair[0], -pair[1].at))
        return [
            suggestion_of(user_id, draft).model_dump(mode="json", by_alias=True)
            for _, draft in found[:MAX_CHATS_PAGE]
        ]

    def counts(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        """How much the projection holds for the creator (cheap: for probes and benchmarks)."""
        if state is None:
            return {"conversations": 0, "messages": 0}
        messages = sum(len(chat.messages) for chat in state.chats.values())
        return {"conversations": len(state.chats), "messages": messages}

    async def forget(self, user_id: str) -> None:
        """Drop the creator everywhere in this process and in the snapshots."""
        state = self.projection.state(user_id)
        if state is not None:
            self.cache.forget(state.creator_id)
        self.projection.drop(user_id)
        self.networks.forget(user_id)
        if self.on_forget is not None:
            await self.on_forget(user_id)

    async def export_file(self, user_id: str, params: dict[str, Any]) -> QueryReply:
        """Write an export into the `exports` object store; the reply names the object."""
        state = self.projection.state(user_id)
        if state is None:
            return QueryReply(ok=False, status=404, error="no data for this creator")
        what, fmt = str(params.get("what", "all")), str(params.get("format", "json"))
        try:
            body = exports.render(state, self.cache, what, fmt, now_ms())
        except ValueError as exc:
            return QueryReply(ok=False, status=422, error=str(exc))
        if self.exports is None:
            return QueryReply(ok=False, status=503, error="exports are not available")
        name = f"{user_id}-{uuid.uuid4().hex}.{fmt}"
        await self.exports.put(name, body)
        return QueryReply(ok=True, data=name)

    def export(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        """Conversations (one row per chat) as CSV text."""
        if state is None:
            return ""
        return exports.render(state, self.cache, "conversations", "csv", now_ms()).decode()
