"""The paged subgraph of the agency network: pages, limits, kinds, focus, wire form."""

import pytest

from contracts.models.graph import GraphView
from services.graph.network import (
    MAX_LIMIT,
    Network,
    UnknownNodeError,
    build_network,
    subgraph_view,
)
from services.graph.state import CreatorState, Message
from tests.graph.network_builders import (
    ANNA,
    T0,
    agency,
    full,
)


@pytest.fixture
def network() -> Network:
    anna, bella = agency()
    return build_network([anna.state(), bella.state()])


def wide_network(fans: int = 60) -> Network:
    state = CreatorState(ANNA)
    for fan in range(fans):
        chat = state.chat(500000 + fan)
        for i in range(1 + fan % 4):
            message_id = fan * 10 + i
            chat.add(
                Message(
                    message_id,
                    chat.chat_id,
                    "in",
                    T0 + message_id,
                    "hi",
                    topics=(f"t{fan % 5}",),
                    is_tip=i == 0 and fan % 3 == 0,
                    tip_amount=float(fan) if i == 0 and fan % 3 == 0 else 0.0,
                )
            )
    return build_network([state])


def test_pages_cover_every_node_once_in_importance_order() -> None:
    network = wide_network()
    seen: list[str] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        view = subgraph_view(network, limit=50, offset=offset)
        assert (view.total_nodes, view.total_edges) == (network.vertex_count, network.edge_count)
        assert view.offset == offset and view.limit == 50
        assert view.truncated
        seen += [node.id for node in view.nodes]
        offset = view.next_offset
        pages += 1
    assert len(seen) == len(set(seen)) == network.vertex_count == 126
    assert pages == 3
    centralities = [float(network.centrality[network.index[node_id]]) for node_id in seen]
    assert centralities == sorted(centralities, reverse=True)


def test_a_page_holds_only_edges_between_its_nodes() -> None:
    network = wide_network()
    view = subgraph_view(network, limit=40, offset=20)
    ids = {node.id for node in view.nodes}
    assert view.edges
    assert all(edge.source in ids and edge.target in ids for edge in view.edges)


def test_one_page_with_everything_is_not_truncated(network: Network) -> None:
    view = full(network)
    assert (len(view.nodes), len(view.edges)) == (11, 11)
    assert view.next_offset is None
    assert not view.truncated


def test_limit_is_capped_and_offset_past_the_end_is_empty(network: Network) -> None:
    assert subgraph_view(network, limit=10**6).limit == MAX_LIMIT
    assert subgraph_view(network, limit=0).limit == 1
    past = subgraph_view(network, offset=100)
    assert (past.nodes, past.edges, past.next_offset) == ([], [], None)


def test_kinds_keep_only_those_nodes(network: Network) -> None:
    view = subgraph_view(network, kinds={"fan", "topic"})
    assert {node.kind for node in view.nodes} == {"fan", "topic"}
    assert {edge.kind for edge in view.edges} == {"mentions"}
    with pytest.raises(ValueError, match="unknown node kinds"):
        subgraph_view(network, kinds={"planet"})


def test_focus_returns_the_node_then_its_neighbourhood(network: Network) -> None:
    near = subgraph_view(network, focus="fan:400001", radius=1)
    assert near.nodes[0].id == "fan:400001"
    assert {node.id for node in near.nodes} == {
        "fan:400001",
        "conv:300000:400001",
        "conv:300001:400001",
        "topic:feet",
    }
    assert near.next_offset is None and not near.truncated
    assert near.total_nodes == 11
    two = subgraph_view(network, focus="fan:400001")
    assert {node.id for node in two.nodes} == {node.id for node in near.nodes} | {
        "creator:300000",
        "creator:300001",
    }
    assert [node.id for node in two.nodes[:4]] == [node.id for node in near.nodes]


def test_focus_of_a_creator_reaches_its_fans(network: Network) -> None:
    view = subgraph_view(network, focus="creator:300001", kinds={"creator", "fan"})
    assert view.nodes[0].id == "creator:300001"
    assert {node.id for node in view.nodes} == {"creator:300001", "fan:400001", "fan:400003"}


def test_unknown_focus_is_an_error(network: Network) -> None:
    with pytest.raises(UnknownNodeError):
        subgraph_view(network, focus="fan:999")


def test_view_speaks_camel_case_on_the_wire(network: Network) -> None:
    view = subgraph_view(network, limit=2)
    wire = view.model_dump(mode="json")
    assert {"totalNodes", "totalEdges", "nextOffset", "truncated"} <= wire.keys()
    assert GraphView.model_validate_json(view.model_dump_json()) == view
