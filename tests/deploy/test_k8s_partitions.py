"""deploy/k8s: the partitioned services (ingest, graph, enrichment, command).

Each partition must be consumed by exactly one instance. The scheme: one StatefulSet per
service; a pod's ordinal (the label apps.kubernetes.io/pod-index) is its OFCA_<S>_INDEX and
OFCA_<S>_INSTANCES equals the StatefulSet's replicas, at most PARTITIONS.
"""

import pytest

from contracts.streams import PARTITIONS, owned_partitions
from services.command.settings import CommandSettings
from services.enrichment.settings import EnrichmentSettings
from services.graph.settings import GraphSettings
from services.ingest.settings import IngestSettings
from tests.deploy.k8s_files import (
    KUSTOMIZATIONS,
    PARTITIONED,
    POD_INDEX_LABEL,
    container_env,
    containers,
    find,
    rendered,
)

SETTINGS = {
    "ingest": IngestSettings,
    "graph": GraphSettings,
    "enrichment": EnrichmentSettings,
    "command": CommandSettings,
}
CASES = [(which, name) for which in KUSTOMIZATIONS for name in PARTITIONED]


def test_every_partitioned_service_is_covered() -> None:
    assert sorted(SETTINGS) == sorted(PARTITIONED)


@pytest.mark.parametrize("name", PARTITIONED)
def test_the_variables_are_the_ones_the_service_reads(name: str) -> None:
    fields = SETTINGS[name].model_fields
    assert f"{name}_instances" in fields and f"{name}_index" in fields


@pytest.mark.parametrize(("which", "name"), CASES)
def test_index_is_the_pod_ordinal(which: str, name: str) -> None:
    statefulset = find(which, "StatefulSet", name)
    (container,) = containers(statefulset)
    index = container_env(which, statefulset, container)[f"OFCA_{name.upper()}_INDEX"]
    assert index == {"fieldRef": {"fieldPath": f"metadata.labels['{POD_INDEX_LABEL}']"}}


@pytest.mark.parametrize(("which", "name"), CASES)
def test_instances_equals_replicas_and_every_partition_has_one_owner(which: str, name: str) -> None:
    statefulset = find(which, "StatefulSet", name)
    (container,) = containers(statefulset)
    replicas = statefulset["spec"].get("replicas", 1)
    instances = int(container_env(which, statefulset, container)[f"OFCA_{name.upper()}_INSTANCES"])
    assert instances == replicas, f"{which}/{name}: OFCA_*_INSTANCES {instances} != {replicas}"
    assert 1 <= replicas <= PARTITIONS, f"{which}/{name}: more instances than partitions"
    owners = [p for index in range(replicas) for p in owned_partitions(instances, index)]
    assert sorted(owners) == list(range(PARTITIONS)), "a partition with no owner, or two"


@pytest.mark.parametrize(("which", "name"), CASES)
def test_a_partition_never_has_two_pods_at_once(which: str, name: str) -> None:
    """A StatefulSet replaces a pod only after the old one is gone (a Deployment's surge would
    run two owners of the same partitions during every rollout)."""
    kinds = [o["kind"] for o in rendered(which) if o["metadata"]["name"] == name]
    assert "Deployment" not in kinds
    strategy = find(which, "StatefulSet", name)["spec"].get("updateStrategy", {})
    assert strategy.get("type", "RollingUpdate") == "RollingUpdate"
    assert "maxUnavailable" not in strategy.get("rollingUpdate", {}), "one pod at a time"


@pytest.mark.parametrize("name", PARTITIONED)
def test_a_missing_pod_index_stops_the_service_instead_of_guessing(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the label (Kubernetes before 1.28) the variable is empty: the settings refuse
    it, so no pod silently takes index 0."""
    monkeypatch.setenv(f"OFCA_{name.upper()}_INDEX", "")
    with pytest.raises(ValueError, match=f"{name}_index"):
        SETTINGS[name]()
