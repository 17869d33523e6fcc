"""Agency-level views of a `Network`: shared fans, fan communities, central fans, and the bounded,
paged subgraph the dashboard draws (`GraphView`, the REST payload).

The analytic views return plain dataclasses with domain ids (ints); `subgraph_view` returns the
wire model. Everything here reads the network and is deterministic: ties are broken by ids.
"""

from collections.abc import Set
from dataclasses import dataclass
from typing import get_args

from contracts.models.graph import GraphAttr, GraphEdge, GraphNode, GraphView, NodeKind
from services.graph.network_build import Network
from services.graph.network_scan import FanRecord

MAX_LIMIT = 2_000
MAX_EDGES = 10_000  # a page of hubs (topics, creators) could otherwise carry ~limit² edges
DEFAULT_LIMIT = 200
FOCUS_RADIUS = 2  # a creator's fans, a fan's creators, are two steps away (via a conversation)
MAX_RADIUS = 2
COMMUNITY_TOPICS = 5
NODE_KINDS: frozenset[str] = frozenset(get_args(NodeKind))


class UnknownNodeError(LookupError):
    """The focus node id is not in the network."""


@dataclass(frozen=True, slots=True)
class FanSummary:
    fan_id: int
    node_id: str
    label: str
    creator_ids: tuple[int, ...]
    lifetime_spend: float
    messages: int
    community: int | None
    centrality: float


@dataclass(frozen=True, slots=True)
class FanCommunity:
    community: int
    fan_ids: tuple[int, ...]
    topics: tuple[str, ...]  # what its fans mention most, most first
    lifetime_spend: float
    messages: int


def _summary(network: Network, vertex: int, record: FanRecord) -> FanSummary:
    return FanSummary(
        fan_id=record.fan_id,
        node_id=network.ids[vertex],
        label=record.label,
        creator_ids=tuple(sorted(record.creator_ids)),
        lifetime_spend=round(record.lifetime_spend, 2),
        messages=record.messages,
        community=network.community[vertex],
        centrality=network.centrality[vertex],
    )


def shared_fans(network: Network) -> list[FanSummary]:
    """Fans in conversation with two creators or more: most creators, then biggest spend first."""
    shared = [
        _summary(network, vertex, record)
        for vertex, record in network.fans.items()
        if len(record.creator_ids) >= 2
    ]
    return sorted(shared, key=lambda f: (-len(f.creator_ids), -f.lifetime_spend, f.fan_id))


def fan_communities(network: Network) -> list[FanCommunity]:
    """Communities of fans by shared topics and spend (see `network_communities`), numbered
    from 0 = most fans."""
    members: dict[int, list[FanRecord]] = {}
    for vertex, record in network.fans.items():
        community = network.community[vertex]
        if community is not None:
            members.setdefault(community, []).append(record)
    found = []
    for community in sorted(members):
        records = members[community]
        mentions: dict[str, int] = {}
        for record in records:
            for topic, count in record.topics.items():
                mentions[topic] = mentions.get(topic, 0) + count
        topics = sorted(mentions, key=lambda t: (-mentions[t], t))[:COMMUNITY_TOPICS]
        found.append(
            FanCommunity(
                community=community,
                fan_ids=tuple(sorted(r.fan_id for r in records)),
                topics=tuple(topics),
                lifetime_spend=round(sum(r.lifetime_spend for r in records), 2),
                messages=sum(r.messages for r in records),
            )
        )
    return found


def central_fans(network: Network, top: int = 20) -> list[FanSummary]:
    """The `top` fans by weighted PageRank over the whole network, most central first."""
    ranked = [v for v in network.importance if v in network.fans][: max(top, 0)]
    return [_summary(network, v, network.fans[v]) for v in ranked]


def _neighbourhood(network: Network, focus: str, radius: int) -> list[int]:
    """The focus vertex, then the vertices 1 step away, then 2, …; each ring by importance."""
    vertex = network.index.get(focus)
    if vertex is None:
        raise UnknownNodeError(focus)
    found = [vertex]
    for distance in range(1, radius + 1):
        ring = network.graph.neighborhood(vertex, order=distance, mindist=distance)
        found.extend(sorted((int(v) for v in ring), key=network.rank.__getitem__))
    return found


def _node(network: Network, vertex: int, top: float) -> GraphNode:
    centrality = network.centrality[vertex]
    attrs: dict[str, GraphAttr] = {**network.attrs[vertex], "centrality": centrality}
    kind = network.kinds[vertex]
    if kind in {"fan", "topic"}:
        attrs["community"] = network.community[vertex]
    return GraphNode(
        id=network.ids[vertex],
        kind=kind,
        label=network.labels[vertex],
        size=round(1.0 + 9.0 * (centrality / top if top > 0 else 0.0), 3),
        attrs=attrs,
    )


def _edge(network: Network, edge: int) -> GraphEdge:
    source, target = network.edges[edge]
    kind = network.edge_kinds[edge]
    attrs: dict[str, GraphAttr]
    if kind == "mentions":
        attrs = {"mentions": network.edge_counts[edge]}
    else:
        attrs = {"messages": network.edge_counts[edge]}
        if kind == "with_fan":
            attrs["revenue"] = round(network.edge_revenue[edge], 2)
    return GraphEdge(
        source=network.ids[source],
        target=network.ids[target],
        kind=kind,
        weight=round(network.edge_weights[edge], 4),
        attrs=attrs,
    )


def _edges_among(network: Network, page: list[int]) -> list[int]:
    """Edge ids with both ends on the page, those between its most important nodes first."""
    on_page = set(page)
    found: set[int] = set()
    for vertex in page:
        for edge in network.graph.incident(vertex):
            source, target = network.edges[edge]
            if source in on_page and target in on_page:
                found.add(int(edge))
    rank = network.rank

    def key(edge: int) -> tuple[int, int, int]:
        source, target = network.edges[edge]
        return (max(rank[source], rank[target]), min(rank[source], rank[target]), edge)

    return sorted(found, key=key)


def subgraph_view(
    network: Network,
    *,
    focus: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    kinds: Set[str] | None = None,
    radius: int = FOCUS_RADIUS,
) -> GraphView:
    """One page of the network for drawing.

    Nodes are ordered by importance (PageRank desc, then id); with `focus` (a node id) only that
    node's neighbourhood within `radius` steps (1..2) is paged: the node, then its neighbours,
    then theirs. `kinds` keeps only nodes of those kinds. The page is
    `nodes[offset:offset + limit]` with `limit` clamped to 1..`MAX_LIMIT`; its edges are those
    whose both ends are on the page, at most `MAX_EDGES` (those between the page's most
    important nodes first; `truncated` is set when some were left out). `total_nodes` and
    `total_edges` count the whole network; `next_offset` is None on the last page. Raises
    `UnknownNodeError` for an unknown focus and ValueError for an unknown kind.
    """
    if kinds is not None and (unknown := set(kinds) - NODE_KINDS):
        raise ValueError(f"unknown node kinds: {sorted(unknown)}")
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    if focus is None:
        selected = network.importance
    else:
        selected = _neighbourhood(network, focus, max(1, min(radius, MAX_RADIUS)))
    if kinds is not None:
        selected = [v for v in selected if network.kinds[v] in kinds]
    page = selected[offset : offset + limit]
    edges = _edges_among(network, page)
    top = network.centrality[network.importance[0]] if network.importance else 0.0
    end = offset + limit
    return GraphView(
        nodes=[_node(network, v, top) for v in page],
        edges=[_edge(network, e) for e in edges[:MAX_EDGES]],
        total_nodes=network.vertex_count,
        total_edges=network.edge_count,
        offset=offset,
        limit=limit,
        next_offset=end if end < len(selected) else None,
        truncated=len(page) < len(selected) or len(edges) > MAX_EDGES,
    )
