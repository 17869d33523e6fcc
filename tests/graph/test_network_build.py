"""The agency network built from creators' states: vertices, edges, attributes."""

import pytest

from services.graph.network import (
    MESSAGE_WEIGHT,
    Network,
    build_network,
    central_fans,
    fan_communities,
    shared_fans,
    subgraph_view,
)
from services.graph.state import Chat, CreatorState, Message
from tests.graph.network_builders import (
    ANNA,
    BELLA,
    SHARED,
    T0,
    Chats,
    agency,
    edge_between,
    full,
)


@pytest.fixture
def network() -> Network:
    anna, bella = agency()
    return build_network([anna.state(), bella.state()])


def test_vertices_are_creators_fans_conversations_and_topics(network: Network) -> None:
    kinds = {node.id: node.kind for node in full(network).nodes}
    assert kinds == {
        "creator:300000": "creator",
        "creator:300001": "creator",
        "fan:400001": "fan",
        "fan:400002": "fan",
        "fan:400003": "fan",
        "conv:300000:400001": "conversation",
        "conv:300000:400002": "conversation",
        "conv:300001:400001": "conversation",
        "conv:300001:400003": "conversation",
        "topic:feet": "topic",
        "topic:gym": "topic",
    }
    assert (network.vertex_count, network.edge_count) == (11, 11)


def test_conversation_edges_weigh_live_messages_and_money(network: Network) -> None:
    view = full(network)
    has = edge_between(view, "creator:300000", "conv:300000:400001")
    assert (has["kind"], has["weight"], has["attrs"]) == ("has_conversation", 3.0, {"messages": 3})
    with_fan = edge_between(view, "conv:300000:400001", "fan:400001")
    assert with_fan["kind"] == "with_fan"
    assert with_fan["weight"] == pytest.approx(20.0 + 3 * MESSAGE_WEIGHT)
    assert with_fan["attrs"] == {"messages": 3, "revenue": 20.0}
    ppv = edge_between(view, "conv:300000:400002", "fan:400002")
    assert ppv["attrs"] == {"messages": 3, "revenue": 15.0}


def test_topic_edges_count_inbound_mentions_over_all_creators(network: Network) -> None:
    view = full(network)
    feet = edge_between(view, "fan:400001", "topic:feet")
    assert (feet["kind"], feet["weight"]) == ("mentions", 3.0)
    # A message naming a topic twice mentions it once; the deleted gym message is left out.
    assert edge_between(view, "fan:400002", "topic:gym")["weight"] == 2.0
    assert not [e for e in view.edges if (e.source, e.target) == ("fan:400001", "topic:gym")]


def test_node_attributes_describe_spend_activity_and_profile(network: Network) -> None:
    nodes = {node.id: node for node in full(network).nodes}
    fan = nodes["fan:400001"]
    assert fan.label == "Sam"
    assert fan.attrs["lifetimeSpend"] == 20.0
    assert fan.attrs["creators"] == 2
    assert fan.attrs["messages"] == 5
    assert fan.attrs["username"] == "sam"
    assert isinstance(fan.attrs["community"], int)
    assert isinstance(fan.attrs["centrality"], float)
    assert nodes["fan:400003"].label == "fan 400003"
    assert nodes["creator:300000"].attrs["revenue"] == 35.0
    assert nodes["conv:300000:400002"].attrs["ppv"] == 15.0
    assert (nodes["topic:gym"].attrs["mentions"], nodes["topic:gym"].attrs["fans"]) == (4, 2)
    assert all(1.0 <= node.size <= 10.0 for node in nodes.values())


def test_a_fan_of_two_creators_is_one_vertex_and_a_shared_fan(network: Network) -> None:
    fan_ids = [node.id for node in full(network).nodes if node.kind == "fan"]
    assert sorted(fan_ids) == ["fan:400001", "fan:400002", "fan:400003"]
    [shared] = shared_fans(network)
    assert (shared.fan_id, shared.creator_ids, shared.lifetime_spend) == (
        SHARED,
        (ANNA, BELLA),
        20.0,
    )
    assert shared.node_id == "fan:400001"


def test_deleted_only_chats_are_no_conversation() -> None:
    anna = Chats(ANNA)
    anna.message(SHARED, deleted=True)
    network = build_network([anna.state()])
    assert [n.id for n in full(network).nodes] == ["creator:300000"]


def test_same_states_give_the_same_view_whatever_the_fold_order() -> None:
    anna, bella = agency()
    first = build_network([anna.state(), bella.state()])
    # Chats folded in another order (dict order differs), creators given in another order.
    by_chat = sorted(anna.events, key=lambda e: -getattr(e, "chat_id", getattr(e, "fan_id", 0)))
    second = build_network([bella.state(), anna.state(by_chat)])
    assert full(first) == full(second)
    assert subgraph_view(first, limit=3, offset=2) == subgraph_view(second, limit=3, offset=2)
    assert fan_communities(first) == fan_communities(second)
    assert full(first) == full(build_network([anna.state(), bella.state()]))


def test_empty_and_duplicate_inputs() -> None:
    empty = build_network([])
    view = subgraph_view(empty)
    assert (view.nodes, view.total_nodes, view.next_offset, view.truncated) == ([], 0, None, False)
    assert (shared_fans(empty), central_fans(empty), fan_communities(empty)) == ([], [], [])
    with pytest.raises(ValueError, match="once"):
        build_network([CreatorState(ANNA), CreatorState(ANNA)])


def test_chat_add_builds_the_same_network_as_events() -> None:
    state = CreatorState(ANNA)
    chat = state.chat(SHARED)
    chat.add(Message(1, SHARED, "in", T0, "hi", topics=("feet",)))
    chat.add(Message(2, SHARED, "in", T0 + 1, "tip", is_tip=True, tip_amount=5.0))
    chat.add(Message(3, SHARED, "out", T0 + 2, "ok", deleted=True))
    assert isinstance(chat, Chat)
    view = full(build_network([state]))
    assert edge_between(view, "conv:300000:400001", "fan:400001")["attrs"] == {
        "messages": 2,
        "revenue": 5.0,
    }


def test_a_fan_profile_known_to_any_creator_names_the_fan() -> None:
    anna, bella = Chats(ANNA), Chats(BELLA)
    anna.profile(SHARED, None)
    anna.message(SHARED)
    bella.profile(SHARED, None, "sammy")
    bella.message(SHARED)
    nodes = {node.id: node for node in full(build_network([anna.state(), bella.state()])).nodes}
    assert nodes["fan:400001"].label == "@sammy"
