"""Shared reading of the Kubernetes manifests (deploy/k8s): rendered, and taken apart.

No cluster exists in CI: the kustomizations are rendered by `tests/deploy/kustomize.py` and
the objects checked by the test modules next to this one.
"""

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from tests.deploy.compose_files import ROOT, SERVICES, env_of
from tests.deploy.kustomize import Obj, pod_spec, render

K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
OVERLAY = K8S / "overlays" / "example"
KUSTOMIZATIONS = {"base": BASE, "overlay": OVERLAY}
PARTITIONED = [s for s in SERVICES if s != "gateway"]
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "Job", "DaemonSet", "CronJob"}
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
SECRET_NAME = "ofca-secret"  # created outside the repository (docs/operations.md)
# Which OFCA image a container runs: `ofca-<target>` in the base, `<registry>/ofca/<target>`
# in the overlay.
OFCA_IMAGE = re.compile(r"^(?:.*/ofca/|ofca-)(?P<target>[a-z]+)(?::[\w.-]+)?$")


@cache
def rendered(which: str) -> tuple[Obj, ...]:
    return tuple(render(KUSTOMIZATIONS[which]))


def find(which: str, kind: str, name: str) -> Obj:
    found = [o for o in rendered(which) if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{which}: {len(found)} objects {kind}/{name}"
    return found[0]


def workloads(which: str) -> list[Obj]:
    return [o for o in rendered(which) if o["kind"] in WORKLOAD_KINDS]


def containers(obj: Obj) -> list[Obj]:
    spec = pod_spec(obj)
    assert spec is not None, f"{obj['kind']}/{obj['metadata']['name']} has no pod template"
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def all_containers(which: str) -> Iterator[tuple[Obj, Obj]]:
    for obj in workloads(which):
        for container in containers(obj):
            yield obj, container


def ofca_target(container: Obj) -> str | None:
    """The Dockerfile target an OFCA container's image is built from (None: not ours)."""
    match = OFCA_IMAGE.match(container["image"])
    return match["target"] if match else None


def template_labels(obj: Obj) -> dict[str, str]:
    return dict(obj["spec"]["template"]["metadata"].get("labels") or {})


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def config_map(which: str, name: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in (find(which, "ConfigMap", name).get("data") or {}).items()}


def container_env(which: str, obj: Obj, container: Obj) -> dict[str, Any]:
    """What the container's process sees: the image's ENV, then `envFrom` ConfigMaps, then
    `env` (plain values as str, `valueFrom` sources as their mapping)."""
    target = ofca_target(container)
    env: dict[str, Any] = dict(env_of(target)) if target else {}
    for source in container.get("envFrom") or []:
        assert set(source) == {"configMapRef"}, f"{obj['metadata']['name']}: envFrom {source}"
        env.update(config_map(which, source["configMapRef"]["name"]))
    for item in container.get("env") or []:
        env[item["name"]] = item["valueFrom"] if "valueFrom" in item else str(item["value"])
    return env


def declared_env_names(which: str, container: Obj) -> list[str]:
    """The variables the manifests set (not the image's defaults)."""
    names = [item["name"] for item in container.get("env") or []]
    for source in container.get("envFrom") or []:
        names += list(config_map(which, source["configMapRef"]["name"]))
    return names


def port_number(container: Obj, port: int | str) -> int:
    """A probe's port, by number or by the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    named = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
    assert port in named, f"{container['name']}: no container port named {port}"
    return int(named[port])


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity (`500m`, `2`, `1Gi`, `512Mi`) as a number of units."""
    text = str(value)
    units = {"m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20}
    units |= {"Gi": 2**30, "Ti": 2**40}
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", text)
    assert match and match[2] in units, f"not a quantity: {text}"
    return float(match[1]) * units[match[2]]


def yaml_files() -> list[Path]:
    return sorted(K8S.rglob("*.yaml"))
