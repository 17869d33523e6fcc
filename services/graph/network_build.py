"""The agency network: creators, fans, conversations and topics as one igraph graph.

Built from the projection (`CreatorState`s of the creators one analyst covers), never folded
from events itself: it is a derived view, rebuilt when the states change. Vertices:

- `creator:<id>` for each creator; `fan:<id>` for each fan with a live conversation (a fan who
  writes to several creators is one vertex); `conv:<creator>:<fan>` for each chat that has at
  least one live message; `topic:<name>` for each topic a fan mentioned.

Edges (undirected; `source` is the first-named end):

- creator — conversation (`has_conversation`), weight = live messages;
- conversation — fan (`with_fan`), weight = revenue in dollars + `MESSAGE_WEIGHT` per message;
- fan — topic (`mentions`), weight = the fan's live inbound messages mentioning the topic
  (summed over creators).

Deleted messages are left out everywhere. Vertex ids are integers assigned in a canonical order
(creators, fans, conversations, topics, each sorted), so the same states give the same graph
whatever order their events were folded in. Attributes live in parallel Python lists indexed by
vertex or edge id, not in igraph's attribute tables. igraph has no type stubs: what comes out
of it is converted to ints and floats at once, so no `Any` leaves these modules.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig

from contracts.models.graph import EdgeKind, GraphAttr, NodeKind
from services.graph.network_communities import fan_membership
from services.graph.network_scan import (
    ConversationTotals,
    FanRecord,
    fan_records,
    scan_conversations,
)
from services.graph.state import CreatorState

MESSAGE_WEIGHT = 0.1  # a message counts like 10 cents on a conversation-fan edge
PAGERANK_DAMPING = 0.85
CENTRALITY_DIGITS = 12  # PageRank is rounded so float noise never reorders equal vertices


@dataclass(slots=True, eq=False)
class Network:
    """One graph and its attributes; vertex `v`'s data is at index `v` of each vertex list."""

    graph: ig.Graph
    ids: list[str]
    kinds: list[NodeKind]
    labels: list[str]
    attrs: list[dict[str, GraphAttr]]  # static attributes; views add community and centrality
    index: dict[str, int]  # node id → vertex
    fans: dict[int, FanRecord]  # fan vertex → record
    edges: list[tuple[int, int]]  # (source, target) by edge id
    edge_kinds: list[EdgeKind]
    edge_weights: list[float]
    edge_counts: list[int]  # messages (has_conversation, with_fan) or mentions
    edge_revenue: list[float]  # dollars on with_fan edges, 0 elsewhere
    centrality: list[float]  # weighted PageRank, sums to 1
    community: list[int | None]  # fans and topics; 0 is the community with the most fans
    importance: list[int]  # vertices by centrality desc, then node id
    rank: list[int]  # vertex → its position in `importance`

    @property
    def vertex_count(self) -> int:
        return len(self.ids)

    @property
    def edge_count(self) -> int:
        return len(self.edge_kinds)


class _Builder:
    """Vertices and edges as parallel lists, appended in the canonical order."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.kinds: list[NodeKind] = []
        self.labels: list[str] = []
        self.attrs: list[dict[str, GraphAttr]] = []
        self.edges: list[tuple[int, int]] = []
        self.edge_kinds: list[EdgeKind] = []
        self.edge_weights: list[float] = []
        self.edge_counts: list[int] = []
        self.edge_revenue: list[float] = []

    def vertex(self, node_id: str, kind: NodeKind, label: str, attrs: dict[str, GraphAttr]) -> int:
        self.ids.append(node_id)
        self.kinds.append(kind)
        self.labels.append(label)
        self.attrs.append(attrs)
        return len(self.ids) - 1

    def edge(
        self,
        source: int,
        target: int,
        kind: EdgeKind,
        weight: float,
        *,
        count: int,
        revenue: float = 0.0,
    ) -> None:
        self.edges.append((source, target))
        self.edge_kinds.append(kind)
        self.edge_weights.append(weight)
        self.edge_counts.append(count)
        self.edge_revenue.append(revenue)


def _add_creators(
    builder: _Builder, creator_ids: list[int], conversations: list[ConversationTotals]
) -> dict[int, int]:
    per_creator: dict[int, list[ConversationTotals]] = {c: [] for c in creator_ids}
    for conv in conversations:
        per_creator[conv.creator_id].append(conv)
    return {
        creator_id: builder.vertex(
            f"creator:{creator_id}",
            "creator",
            f"creator {creator_id}",
            {
                "creatorId": str(creator_id),
                "conversations": len(convs),
                "messages": sum(c.messages for c in convs),
                "revenue": round(sum(c.tips + c.ppv for c in convs), 2),
            },
        )
        for creator_id, convs in per_creator.items()
    }


def _add_fans(builder: _Builder, fans: dict[int, FanRecord]) -> dict[int, int]:
    return {
        fan_id: builder.vertex(
            f"fan:{fan_id}",
            "fan",
            record.label,
            {
                "fanId": str(fan_id),
                "username": record.username,
                "creators": len(record.creator_ids),
                "messages": record.messages,
                "inbound": record.inbound,
                "lifetimeSpend": round(record.lifetime_spend, 2),
            },
        )
        for fan_id, record in fans.items()
    }


def _add_conversations(
    builder: _Builder,
    conversations: list[ConversationTotals],
    creator_vertex: dict[int, int],
    fans: dict[int, FanRecord],
    fan_vertex: dict[int, int],
) -> None:
    for conv in conversations:
        revenue = conv.tips + conv.ppv
        vertex = builder.vertex(
            f"conv:{conv.creator_id}:{conv.fan_id}",
            "conversation",
            f"{fans[conv.fan_id].label} / creator {conv.creator_id}",
            {
                "creatorId": str(conv.creator_id),
                "fanId": str(conv.fan_id),
                "messages": conv.messages,
                "inbound": conv.inbound,
                "outbound": conv.messages - conv.inbound,
                "revenue": round(revenue, 2),
                "tips": round(conv.tips, 2),
                "ppv": round(conv.ppv, 2),
                "lastAt": conv.last_at,
            },
        )
        messages = conv.messages
        builder.edge(
            creator_vertex[conv.creator_id], vertex, "has_conversation", messages, count=messages
        )
        weight = revenue + MESSAGE_WEIGHT * messages
        builder.edge(
            vertex, fan_vertex[conv.fan_id], "with_fan", weight, count=messages, revenue=revenue
        )


def _add_topics(
    builder: _Builder, fans: dict[int, FanRecord], fan_vertex: dict[int, int]
) -> dict[str, int]:
    mentions: dict[str, int] = {}
    mentioned_by: dict[str, int] = {}
    for record in fans.values():
        for topic, count in record.topics.items():
            mentions[topic] = mentions.get(topic, 0) + count
            mentioned_by[topic] = mentioned_by.get(topic, 0) + 1
    topic_vertex = {
        topic: builder.vertex(
            f"topic:{topic}",
            "topic",
            topic,
            {"mentions": mentions[topic], "fans": mentioned_by[topic]},
        )
        for topic in sorted(mentions)
    }
    for fan_id, record in fans.items():
        for topic, count in sorted(record.topics.items()):
            builder.edge(fan_vertex[fan_id], topic_vertex[topic], "mentions", count, count=count)
    return topic_vertex


def build_network(states: Sequence[CreatorState]) -> Network:
    """The creators' states → their network, with centrality and fan communities computed.

    Raises ValueError when a creator appears twice.
    """
    ordered = sorted(states, key=lambda s: s.creator_id)
    creator_ids = [s.creator_id for s in ordered]
    if len(set(creator_ids)) != len(creator_ids):
        raise ValueError("each creator's state may be given once")
    conversations = [conv for state in ordered for conv in scan_conversations(state)]
    fans = fan_records(ordered, conversations)

    builder = _Builder()
    creator_vertex = _add_creators(builder, creator_ids, conversations)
    fan_vertex = _add_fans(builder, fans)
    _add_conversations(builder, conversations, creator_vertex, fans, fan_vertex)
    topic_vertex = _add_topics(builder, fans, fan_vertex)

    ids = builder.ids
    graph = ig.Graph(n=len(ids), edges=builder.edges, directed=False)
    centrality = _pagerank(graph, builder.edge_weights)
    membership = fan_membership(
        [r.topics for r in fans.values()],
        [r.lifetime_spend for r in fans.values()],
        list(topic_vertex),
    )
    community: list[int | None] = [None] * len(ids)
    for fan_id, fan_community in zip(fans, membership.fans, strict=True):
        community[fan_vertex[fan_id]] = fan_community
    for topic, topic_community in zip(topic_vertex, membership.topics, strict=True):
        community[topic_vertex[topic]] = topic_community
    importance = sorted(range(len(ids)), key=lambda v: (-centrality[v], ids[v]))
    rank = [0] * len(ids)
    for position, vertex in enumerate(importance):
        rank[vertex] = position
    return Network(
        graph=graph,
        ids=ids,
        kinds=builder.kinds,
        labels=builder.labels,
        attrs=builder.attrs,
        index={node_id: vertex for vertex, node_id in enumerate(ids)},
        fans={fan_vertex[fan_id]: record for fan_id, record in fans.items()},
        edges=builder.edges,
        edge_kinds=builder.edge_kinds,
        edge_weights=builder.edge_weights,
        edge_counts=builder.edge_counts,
        edge_revenue=builder.edge_revenue,
        centrality=centrality,
        community=community,
        importance=importance,
        rank=rank,
    )


def _pagerank(graph: ig.Graph, weights: list[float]) -> list[float]:
    if graph.vcount() == 0:
        return []
    ranks = graph.pagerank(
        directed=False, damping=PAGERANK_DAMPING, weights=weights if weights else None
    )
    return [round(float(r), CENTRALITY_DIGITS) for r in ranks]
