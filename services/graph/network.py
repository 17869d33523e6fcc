"""The agency network (igraph) and its views; import from here.

`network_build` turns creators' states into one graph (creators, fans, conversations, topics),
`network_communities` groups fans by shared topics and spend, `network_views` answers the
agency questions (shared fans, communities, central fans) and pages a bounded subgraph for the
dashboard.
"""

from services.graph.network_build import MESSAGE_WEIGHT, Network, build_network
from services.graph.network_scan import FanRecord
from services.graph.network_views import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    FanCommunity,
    FanSummary,
    UnknownNodeError,
    central_fans,
    fan_communities,
    shared_fans,
    subgraph_view,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MESSAGE_WEIGHT",
    "FanCommunity",
    "FanRecord",
    "FanSummary",
    "Network",
    "UnknownNodeError",
    "build_network",
    "central_fans",
    "fan_communities",
    "shared_fans",
    "subgraph_view",
]
