"""Communities of fans by the topics they talk about and how much they spend.

Why not a fan-fan projection: enrichment's topics are a small vocabulary, so nearly every fan
shares some topic with nearly every other; the projection of 15,000 fans would have on the order
of 100M edges. Instead Leiden (modularity objective) runs on the bipartite graph whose one-step
projection that would be: fans on one side; topics and spend bands on the other.

- fan - topic, weight = the share of the fan's topic mentions that are this topic (a fan's topic
  weights sum to 1, so chatty fans do not outweigh quiet ones);
- fan - spend band (none, under $50, under $500, $500 and more), weight `SPEND_WEIGHT`: fans of
  a similar spend lean towards one community, but shared topics count for more.

Fans that mostly mention the same topics and spend alike end in one community; a topic vertex
lands in the community of the fans who mention it most, which names the community. Leiden is
randomised: igraph's generator is seeded before each run (and the module default restored
after), so the same fans give the same communities. Communities are numbered by fans, most
first (ties: the one holding the lowest fan), so numbers are stable too.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig

SPEND_WEIGHT = 0.5
SPEND_BANDS = (0.0, 50.0, 500.0)  # upper bounds: none, < $50, < $500, the rest
SEED = 20_260_101


@dataclass(frozen=True, slots=True)
class Membership:
    fans: list[int]  # community of each fan, in input order
    topics: list[int | None]  # community of each topic, None when it holds no fan


def _band(spend: float) -> int:
    if spend <= SPEND_BANDS[0]:
        return 0
    return 1 + sum(spend >= bound for bound in SPEND_BANDS[1:])


def fan_membership(
    fan_topics: Sequence[dict[str, int]], fan_spend: Sequence[float], topics: Sequence[str]
) -> Membership:
    """Each fan's topic mentions and lifetime spend (same order) → community numbers."""
    fan_count, topic_count = len(fan_topics), len(topics)
    if fan_count == 0:
        return Membership([], [None] * topic_count)
    topic_vertex = {topic: fan_count + i for i, topic in enumerate(topics)}
    band_base = fan_count + topic_count
    edges: list[tuple[int, int]] = []
    weights: list[float] = []
    for fan, (mentions, spend) in enumerate(zip(fan_topics, fan_spend, strict=True)):
        total = sum(mentions.values())
        for topic, count in sorted(mentions.items()):
            edges.append((fan, topic_vertex[topic]))
            weights.append(count / total)
        edges.append((fan, band_base + _band(spend)))
        weights.append(SPEND_WEIGHT)
    graph = ig.Graph(n=band_base + len(SPEND_BANDS) + 1, edges=edges, directed=False)
    ig.set_random_number_generator(random.Random(SEED))
    try:
        clustering = graph.community_leiden(
            objective_function="modularity", weights=weights, n_iterations=-1
        )
        raw = [int(c) for c in clustering.membership]
    finally:
        ig.set_random_number_generator(random)

    first_fan: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for fan in range(fan_count):
        first_fan.setdefault(raw[fan], fan)
        sizes[raw[fan]] = sizes.get(raw[fan], 0) + 1
    ranked = sorted(sizes, key=lambda c: (-sizes[c], first_fan[c]))
    number = {c: i for i, c in enumerate(ranked)}
    return Membership(
        fans=[number[raw[fan]] for fan in range(fan_count)],
        topics=[number.get(raw[v]) for v in range(fan_count, band_base)],
    )
