"""Exports of everything the graph holds about a creator: JSON (all) or CSV tables."""

import csv
import io
from typing import Any

import msgspec

from contracts.csv_cells import safe_cell
from contracts.models.graph import ConversationNode
from services.graph.analytics import compute_analytics
from services.graph.analytics.sessions import live_messages
from services.graph.state import CreatorState
from services.graph.views import NodeCache, ms_to_datetime

TABLES = ("conversations", "fans", "messages")


def _messages(state: CreatorState) -> list[dict[str, Any]]:
    rows = []
    for chat_id in sorted(state.chats):
        for m in live_messages(state.chats[chat_id]):
            rows.append(
                {
                    "chatId": str(chat_id),
                    "id": str(m.message_id),
                    "direction": m.direction,
                    "at": ms_to_datetime(m.created_at).isoformat(),
                    "text": m.text,
                    "price": m.price,
                    "isTip": m.is_tip,
                    "tipAmount": m.tip_amount,
                    "isPpv": m.is_ppv,
                    "purchased": m.purchased,
                    "sentiment": m.sentiment,
                    "topics": ";".join(m.topics),
                }
            )
    return rows


def _fans(nodes: list[ConversationNode]) -> list[dict[str, Any]]:
    return [
        {
            "chatId": n.chat_id,
            "name": n.fan.name or "",
            "username": n.fan.username or "",
            "lifetimeSpend": n.revenue.total,
            "tips": n.revenue.tips,
            "ppv": n.revenue.ppv,
            "messages": n.counts.total,
            "lastMessageAt": n.last_message.at.isoformat() if n.last_message else "",
            "topics": ";".join(n.topics),
        }
        for n in nodes
    ]


def _conversations(nodes: list[ConversationNode]) -> list[dict[str, Any]]:
    return [
        {
            "chatId": n.chat_id,
            "fanName": n.fan.name or "",
            "fanUsername": n.fan.username or "",
            "messages": n.counts.total,
            "inbound": n.counts.inbound,
            "outbound": n.counts.outbound,
            "unread": n.unread,
            "awaitingReplySince": n.awaiting_reply_since.isoformat()
            if n.awaiting_reply_since
            else "",
            "tips": n.revenue.tips,
            "ppv": n.revenue.ppv,
            "revenue": n.revenue.total,
            "ppvSent": n.ppv_sent,
            "ppvPurchased": n.ppv_purchased,
            "sentimentMean": n.sentiment_mean,
            "topics": ";".join(n.topics),
            "tags": ";".join(n.tags),
            "priority": n.priority,
        }
        for n in nodes
    ]


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(
            {k: "" if v is None else safe_cell(v) for k, v in row.items()} for row in rows
        )
    return out.getvalue().encode()


def render(state: CreatorState, cache: NodeCache, what: str, fmt: str, now_ms: int) -> bytes:
    """The export `what` (`all` or a table of TABLES) as `fmt` (`json`, or `csv` for a table)."""
    if what not in (*TABLES, "all") or fmt not in ("json", "csv"):
        raise ValueError("what must be all, conversations, fans or messages; format json or csv")
    if what == "all" and fmt == "csv":
        raise ValueError("`all` is exported as JSON")
    nodes = sorted(cache.nodes(state, now_ms), key=lambda n: int(n.chat_id))
    tables = {
        "conversations": lambda: _conversations(nodes),
        "fans": lambda: _fans(nodes),
        "messages": lambda: _messages(state),
    }
    if what != "all":
        rows = tables[what]()
        return _csv(rows) if fmt == "csv" else msgspec.json.encode(rows)
    analytics = compute_analytics(state, 0, now_ms + 1, now_ms)
    document = {
        "userId": str(state.creator_id),
        "retentionDays": state.retention_days,
        "conversations": [n.model_dump(mode="json", by_alias=True) for n in nodes],
        "fans": tables["fans"](),
        "messages": tables["messages"](),
        "analytics": analytics.model_dump(mode="json", by_alias=True),
    }
    return msgspec.json.encode(document)
