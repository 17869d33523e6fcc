"""Views of the agency network: fan communities and central fans."""

import pytest

from services.graph.network import (
    Network,
    build_network,
    central_fans,
    fan_communities,
)
from tests.graph.network_builders import (
    ANNA,
    SHARED,
    Chats,
    agency,
    full,
)


@pytest.fixture
def network() -> Network:
    anna, bella = agency()
    return build_network([anna.state(), bella.state()])


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


def test_view_communities_match_fan_communities(network: Network) -> None:
    by_fan = {
        int(node.id.removeprefix("fan:")): node.attrs["community"]
        for node in full(network).nodes
        if node.kind == "fan"
    }
    for community in fan_communities(network):
        assert all(by_fan[fan] == community.community for fan in community.fan_ids)
