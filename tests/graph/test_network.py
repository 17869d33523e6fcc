"""The agency network: building it from creators' states, its views, and the paged subgraph."""

import pytest

from contracts.events import (
    Event,
    FanProfileSeen,
    MessageAdded,
    MessageDeleted,
    MessageScored,
    PpvPurchased,
    PpvSent,
    TipReceived,
)
from contracts.models.graph import GraphView
from services.graph.network import (
    MAX_LIMIT,
    MESSAGE_WEIGHT,
    Network,
    UnknownNodeError,
    build_network,
    central_fans,
    fan_communities,
    shared_fans,
    subgraph_view,
)
from services.graph.state import Chat, CreatorState, Message

ANNA, BELLA = 300000, 300001
SHARED, GYM_FAN, BELLA_FAN = 400001, 400002, 400003
T0 = 1_700_000_000_000


class Chats:
    """Events for one creator, with ids and times filled in."""

    def __init__(self, creator: int) -> None:
        self.creator = creator
        self.events: list[Event] = []
        self.next_id = creator * 1000

    def _id(self, *parts: object) -> str:
        return ":".join(str(p) for p in (self.creator, *parts))

    def message(
        self,
        fan: int,
        direction: str = "in",
        *,
        topics: tuple[str, ...] = (),
        tip: float = 0.0,
        ppv: float = 0.0,
        bought: bool = False,
        deleted: bool = False,
    ) -> int:
        self.next_id += 1
        mid = self.next_id
        self.events.append(
            MessageAdded(
                event_id=self._id(fan, mid, "added"),
                creator_id=self.creator,
                chat_id=fan,
                message_id=mid,
                direction="in" if direction == "in" else "out",
                sender_id=fan if direction == "in" else self.creator,
                created_at=T0 + mid,
                text_html="hello",
                text_plain="hello",
                price=tip or ppv,
                is_free=not (tip or ppv),
                is_tip=bool(tip),
                media_count=0,
                media_types=(),
                is_ppv=bool(ppv),
                is_opened=False,
                source="snapshot",
            )
        )
        if tip:
            self.events.append(
                TipReceived(
                    event_id=self._id(fan, mid, "tip"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    fan_id=fan,
                    amount=tip,
                    created_at=T0 + mid,
                )
            )
        if ppv:
            self.events.append(
                PpvSent(
                    event_id=self._id(fan, mid, "ppv"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    price=ppv,
                    media_count=1,
                    created_at=T0 + mid,
                )
            )
        if bought:
            self.events.append(
                PpvPurchased(
                    event_id=self._id(fan, mid, "bought"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    fan_id=fan,
                    price=ppv,
                )
            )
        if topics:
            self.events.append(
                MessageScored(
                    event_id=self._id(fan, mid, "scored"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                    sentiment=0.6,
                    topics=topics,
                    model="test-1",
                )
            )
        if deleted:
            self.events.append(
                MessageDeleted(
                    event_id=self._id(fan, mid, "deleted"),
                    creator_id=self.creator,
                    chat_id=fan,
                    message_id=mid,
                )
            )
        return mid

    def profile(self, fan: int, name: str | None, username: str | None = None) -> None:
        self.events.append(
            FanProfileSeen(
                event_id=self._id(fan, "profile"),
                creator_id=self.creator,
                fan_id=fan,
                name=name,
                username=username,
            )
        )

    def state(self, events: list[Event] | None = None) -> CreatorState:
        state = CreatorState(self.creator)
        for event in self.events if events is None else events:
            state.apply(event)
        return state


def agency() -> tuple[Chats, Chats]:
    """Anna: the shared fan (feet; a $20 tip; a deleted gym message) and a gym fan who bought a
    $15 PPV. Bella: the shared fan again (feet) and a gym fan."""
    anna, bella = Chats(ANNA), Chats(BELLA)
    anna.profile(SHARED, "Sam", "sam")
    anna.message(SHARED, topics=("feet",))
    anna.message(SHARED, "out")
    anna.message(SHARED, topics=("feet",), tip=20.0)
    anna.message(SHARED, topics=("gym",), deleted=True)
    anna.message(GYM_FAN, topics=("gym",))
    anna.message(GYM_FAN, "out", ppv=15.0, bought=True)
    anna.message(GYM_FAN, topics=("gym", "gym"))
    bella.message(SHARED, topics=("feet",))
    bella.message(SHARED, "out")
    bella.message(BELLA_FAN, topics=("gym",))
    bella.message(BELLA_FAN, topics=("gym",))
    return anna, bella


@pytest.fixture
def network() -> Network:
    anna, bella = agency()
    return build_network([anna.state(), bella.state()])


def full(network: Network) -> GraphView:
    return subgraph_view(network, limit=MAX_LIMIT)


def edge_between(view: GraphView, source: str, target: str) -> dict[str, object]:
    [edge] = [e for e in view.edges if (e.source, e.target) == (source, target)]
    return edge.model_dump(by_alias=False)


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


def test_communities_group_fans_who_talk_about_the_same_things() -> None:
    creator = Chats(ANNA)
    for fan in (1, 2, 3):
        creator.message(fan, topics=("feet", "lingerie"))
        creator.message(fan, topics=("feet",))
    for fan in (4, 5, 6):
        creator.message(fan, topics=("gym", "cars"))
        creator.message(fan, topics=("gym",))
    creator.message(7, topics=("gym",))
    network = build_network([creator.state()])
    groups = {c.fan_ids: c.topics for c in fan_communities(network)}
    assert groups == {(4, 5, 6, 7): ("gym", "cars"), (1, 2, 3): ("feet", "lingerie")}
    assert [c.community for c in fan_communities(network)] == [0, 1]


def test_central_fans_rank_big_engaged_spenders_first() -> None:
    creator = Chats(ANNA)
    for _ in range(5):
        creator.message(10, topics=("tip",), tip=50.0)
    creator.message(11, topics=("hello",))
    creator.message(12)
    ranked = central_fans(build_network([creator.state()]), top=2)
    assert [f.fan_id for f in ranked] == [10, 11]
    assert ranked[0].centrality > ranked[1].centrality
    assert ranked[0].lifetime_spend == 250.0


def test_central_fans_favour_a_fan_shared_by_creators(network: Network) -> None:
    assert central_fans(network, top=1)[0].fan_id == SHARED
    assert central_fans(network, top=0) == []


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


def test_view_speaks_camel_case_on_the_wire(network: Network) -> None:
    view = subgraph_view(network, limit=2)
    wire = view.model_dump(mode="json")
    assert {"totalNodes", "totalEdges", "nextOffset", "truncated"} <= wire.keys()
    assert GraphView.model_validate_json(view.model_dump_json()) == view


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


def test_view_communities_match_fan_communities(network: Network) -> None:
    by_fan = {
        int(node.id.removeprefix("fan:")): node.attrs["community"]
        for node in full(network).nodes
        if node.kind == "fan"
    }
    for community in fan_communities(network):
        assert all(by_fan[fan] == community.community for fan in community.fan_ids)
