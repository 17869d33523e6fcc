"""Network queries: a creator's or several creators' igraph network, paged and summarized."""

from typing import Any

from contracts.models.queries import CommunityInsight, FanInsight, NetworkInsights
from services.graph.network import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    FanSummary,
    Network,
    UnknownNodeError,
    build_network,
    central_fans,
    fan_communities,
    shared_fans,
    subgraph_view,
)
from services.graph.projection import Projection
from services.graph.query_params import QueryError, int_param
from services.graph.state import CreatorState


class NetworkQueries:
    """Builds networks on demand and keeps each until the states behind it change."""

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self._networks: dict[str, tuple[int, Network]] = {}

    def forget(self, user_id: str) -> None:
        self._networks = {k: v for k, v in self._networks.items() if user_id not in k.split(",")}

    def _network(self, user_id: str, state: CreatorState | None) -> Network:
        """The creator's network, rebuilt only when the state changed since the last build."""
        if state is None:
            raise QueryError(404, "no data for this creator yet")
        cached = self._networks.get(user_id)
        if cached is not None and cached[0] == state.version:
            return cached[1]
        network = build_network([state])
        self._networks[user_id] = (state.version, network)
        return network

    def _agency_network(self, params: dict[str, Any]) -> Network:
        """One network over several creators; they must all be folded by this instance."""
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users or len(users) > 50:
            raise QueryError(422, "users: 1 to 50 creator ids")
        if not all(self.projection.owns(u) for u in users):
            raise QueryError(
                409,
                "these creators are folded by different graph instances; agency views need "
                "them on one instance (OFCA_GRAPH_INSTANCES=1)",
            )
        states = [s for u in users if (s := self.projection.state(u)) is not None]
        if not states:
            raise QueryError(404, "no data for these creators yet")
        key = ",".join(sorted(users))
        version = sum(s.version for s in states)
        cached = self._networks.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        network = build_network(states)
        self._networks[key] = (version, network)
        return network

    def agency_graph(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        return self._view(self._agency_network(params), params)

    def agency_insights(
        self, user_id: str, state: CreatorState | None, params: dict[str, Any]
    ) -> Any:
        return self._insights(self._agency_network(params), params)

    def graph(self, user_id: str, state: CreatorState | None, params: dict[str, Any]) -> Any:
        return self._view(self._network(user_id, state), params)

    def _view(self, network: Network, params: dict[str, Any]) -> Any:
        kinds = {k for k in str(params.get("kinds", "")).split(",") if k} or None
        try:
            return subgraph_view(
                network,
                focus=params.get("focus") or None,
                limit=int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
                offset=int_param(params, "offset", 0, 0, 10**9),
                kinds=kinds,
                radius=int_param(params, "radius", 2, 1, 2),
            )
        except UnknownNodeError as exc:
            raise QueryError(404, str(exc)) from exc
        except ValueError as exc:
            raise QueryError(422, str(exc)) from exc

    def graph_insights(
        self, user_id: str, state: CreatorState | None, params: dict[str, Any]
    ) -> Any:
        return self._insights(self._network(user_id, state), params)

    def _insights(self, network: Network, params: dict[str, Any]) -> Any:
        top = int_param(params, "top", 20, 1, 200)

        def fan(summary: FanSummary) -> FanInsight:
            return FanInsight(
                fan_id=str(summary.fan_id),
                label=summary.label,
                creator_ids=[str(c) for c in summary.creator_ids],
                lifetime_spend=summary.lifetime_spend,
                messages=summary.messages,
                community=summary.community,
                centrality=summary.centrality,
            )

        return NetworkInsights(
            central_fans=[fan(f) for f in central_fans(network, top)],
            shared_fans=[fan(f) for f in shared_fans(network)[:top]],
            communities=[
                CommunityInsight(
                    community=c.community,
                    fan_ids=[str(f) for f in c.fan_ids[:top]],
                    topics=list(c.topics),
                    lifetime_spend=c.lifetime_spend,
                    messages=c.messages,
                )
                for c in fan_communities(network)[:top]
            ],
        )
