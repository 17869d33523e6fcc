"""`ConversationNode`: one chat as the dashboard lists it (the `append_message` payload)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.models.base import WireModel

Direction = Literal["in", "out"]


class FanRef(WireModel):
    id: str
    name: str | None = None
    username: str | None = None


class LastMessage(WireModel):
    text: str = Field(description="Plain text (HTML removed).")
    at: datetime
    direction: Direction


class MessageCounts(WireModel):
    total: int = 0
    inbound: int = 0
    outbound: int = 0


class Revenue(WireModel):
    """Dollars the fan paid in this chat."""

    tips: float = 0.0
    ppv: float = 0.0
    total: float = 0.0


class ChatHistory(WireModel):
    """How much of this chat's history the Brain holds (`docs/architecture.md`, coverage)."""

    captured: int = Field(default=0, description="Messages of this chat the Brain holds.")
    complete: bool = Field(
        default=False,
        description="Captured back to the first message (or the backfill's `since`), as the "
        "Agent's backfill reported; `captured` is then all there is.",
    )
    oldest_at: datetime | None = Field(default=None, description="The oldest message held.")


class ConversationNode(WireModel):
    user_id: str = Field(description="The creator.")
    chat_id: str = Field(description="The fan's OnlyFans user id.")
    fan: FanRef
    last_message: LastMessage | None = None
    counts: MessageCounts = Field(default_factory=MessageCounts)
    unread: int = 0
    awaiting_reply_since: datetime | None = None
    revenue: Revenue = Field(default_factory=Revenue)
    ppv_sent: int = 0
    ppv_purchased: int = 0
    sentiment_mean: float | None = Field(default=None, ge=0.0, le=1.0)
    topics: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    priority: float = 0.0
    history: ChatHistory = Field(default_factory=ChatHistory)


NodeKind = Literal["creator", "fan", "conversation", "topic"]
EdgeKind = Literal["has_conversation", "with_fan", "mentions"]
GraphAttr = float | int | str | None


class GraphNode(WireModel):
    """One vertex of the agency network as the dashboard draws it."""

    id: str = Field(
        description='Typed id: "creator:<id>", "fan:<id>", "conv:<creator>:<fan>", "topic:<name>".'
    )
    kind: NodeKind
    label: str
    size: float = Field(default=1.0, description="Drawing size (relative, >= 1).")
    attrs: dict[str, GraphAttr] = Field(
        default_factory=dict,
        description="e.g. lifetimeSpend, messages, community, centrality (keys are camelCase).",
    )


class GraphEdge(WireModel):
    """One edge between two nodes of the same `GraphView` page."""

    source: str
    target: str
    kind: EdgeKind
    weight: float
    attrs: dict[str, GraphAttr] = Field(default_factory=dict)


class GraphView(WireModel):
    """A bounded page of the network: nodes by importance, edges among the page's nodes."""

    nodes: list[GraphNode] = Field(default_factory=list)
    edges: list[GraphEdge] = Field(default_factory=list)
    total_nodes: int = Field(description="Nodes in the whole network.")
    total_edges: int = Field(description="Edges in the whole network.")
    offset: int = 0
    limit: int
    next_offset: int | None = Field(default=None, description="None on the last page.")
    truncated: bool = Field(
        description="True when nodes or edges of the (focused) graph are not on this page."
    )
