"""What the graph service pushes to a creator's Bridges on `bridge.<user>`."""

from datetime import UTC, datetime

from nats.aio.client import Client
from pydantic import BaseModel

from contracts import subjects
from contracts.models.insights import Analytics, AnalyticsUpdate, FullSyncResponse
from contracts.wire import AnalyticsUpdateMessage, AppendMessageMessage, FullSyncResponseMessage
from services.graph.analytics import compute_analytics
from services.graph.state import CreatorState, now_ms
from services.graph.views import NodeCache


def window_analytics(state: CreatorState, days: int, at_ms: int) -> Analytics:
    """Analytics over the last `days` days up to `at_ms`."""
    return compute_analytics(state, at_ms - days * 86_400_000, at_ms, at_ms)


def full_sync(
    user_id: str, state: CreatorState | None, cache: NodeCache, cap: int, days: int
) -> FullSyncResponse:
    """The creator's conversations (the `cap` highest-priority ones) and analytics."""
    at = now_ms()
    if state is None:
        return FullSyncResponse(
            user_id=user_id, generated_at=datetime.now(UTC), conversations=[], total_conversations=0
        )
    nodes = cache.nodes(state, at)
    nodes.sort(
        key=lambda n: (
            n.priority,
            n.last_message.at if n.last_message else datetime.min.replace(tzinfo=UTC),
        ),
        reverse=True,
    )
    return FullSyncResponse(
        user_id=user_id,
        generated_at=datetime.now(UTC),
        conversations=nodes[:cap],
        total_conversations=len(nodes),
        truncated=len(nodes) > cap,
        analytics=window_analytics(state, days, at),
    )


async def publish(nc: Client, user_id: str, envelope: BaseModel) -> None:
    await nc.publish(
        subjects.bridge(user_id),
        envelope.model_dump_json(by_alias=True).encode(),
        headers={subjects.HEADER_FRAME_TYPE: str(getattr(envelope, "type", "push"))},
    )


async def push_full_sync(nc: Client, response: FullSyncResponse) -> None:
    await publish(nc, response.user_id, FullSyncResponseMessage(payload=response))


async def push_appends(
    nc: Client, user_id: str, state: CreatorState, chat_ids: set[int], cache: NodeCache
) -> None:
    at = now_ms()
    for chat_id in sorted(chat_ids):
        chat = state.chats.get(chat_id)
        if chat is not None:
            node = cache.node(state, chat, at)
            await publish(nc, user_id, AppendMessageMessage(payload=node))


async def push_analytics(nc: Client, user_id: str, state: CreatorState, days: int) -> None:
    at = now_ms()
    update = AnalyticsUpdate(
        user_id=user_id,
        at=datetime.now(UTC),
        analytics=window_analytics(state, days, at),
    )
    await publish(nc, user_id, AnalyticsUpdateMessage(payload=update))
