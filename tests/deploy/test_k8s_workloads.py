"""deploy/k8s workloads: one per service, probes on the right ports, resources, a restricted
security context, and Services, PodDisruptionBudgets and the HPA pointing at real workloads."""

import pytest

from tests.deploy.compose_files import SERVICES, STAGES, exec_form, last
from tests.deploy.k8s_files import (
    KUSTOMIZATIONS,
    PARTITIONED,
    all_containers,
    container_env,
    containers,
    find,
    ofca_target,
    port_number,
    quantity,
    rendered,
    selects,
    template_labels,
    workloads,
)
from tests.deploy.kustomize import pod_spec

LONG_RUNNING = {"Deployment", "StatefulSet"}


def long_running(which: str) -> list[dict]:
    return [o for o in workloads(which) if o["kind"] in LONG_RUNNING]


# --- one workload per service, from its own image ---------------------------------------------


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_each_service_runs_from_its_own_image_target(which: str) -> None:
    """gateway is a Deployment; the partitioned services are StatefulSets; all run the image
    CMD `ofca service NAME` of their own Dockerfile target."""
    for name in SERVICES:
        kind = "Deployment" if name == "gateway" else "StatefulSet"
        (container,) = containers(find(which, kind, name))
        assert ofca_target(container) == name, container["image"]
        assert "command" not in container and "args" not in container, "the image's CMD runs"
        cmd = last(name, "CMD")
        assert cmd is not None and exec_form(cmd) == ["ofca", "service", name]
    others = [o["metadata"]["name"] for o in long_running(which)]
    assert sorted(others) == sorted([*SERVICES, "nats"]), "one workload per service, plus NATS"


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_every_ofca_image_is_a_dockerfile_target(which: str) -> None:
    for obj, container in all_containers(which):
        target = ofca_target(container)
        if container["name"] != "nats":
            assert target in STAGES, f"{obj['metadata']['name']}: image {container['image']}"


def test_the_overlay_pins_every_ofca_image_to_one_release() -> None:
    tags = set()
    for _, container in all_containers("overlay"):
        if ofca_target(container):
            assert "/" in container["image"] and ":" in container["image"].rsplit("/", 1)[1]
            tags.add(container["image"].rsplit(":", 1)[1])
    assert len(tags) == 1, f"images from different releases: {tags}"


# --- probes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_long_running_containers_have_liveness_and_readiness_probes(which: str) -> None:
    for obj in long_running(which):
        for container in containers(obj):
            for probe in ("livenessProbe", "readinessProbe"):
                assert "httpGet" in container.get(probe, {}), f"{obj['metadata']['name']}: {probe}"


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_ofca_probes_hit_healthz_and_readyz_on_the_port_the_service_serves(which: str) -> None:
    """The gateway serves probes on OFCA_GATEWAY_PORT, the others on OFCA_HEALTH_PORT (with
    no OFCA_HEALTH_PORT they serve no probes at all)."""
    for obj in long_running(which):
        for container in containers(obj):
            target = ofca_target(container)
            if target is None:
                continue
            env = container_env(which, obj, container)
            port_var = "OFCA_GATEWAY_PORT" if target == "gateway" else "OFCA_HEALTH_PORT"
            port = int(env.get(port_var, "8000" if target == "gateway" else "0"))
            assert port > 0, f"{target}: {port_var} is not set, so nothing serves the probes"
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                get = container[probe]["httpGet"]
                assert get["path"] == path, f"{target} {probe}"
                assert port_number(container, get["port"]) == port, f"{target} {probe} port"


def test_nats_probes_use_its_monitoring_port() -> None:
    (container,) = containers(find("base", "StatefulSet", "nats"))
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"].startswith("/healthz")
        assert port_number(container, get["port"]) == 8222


# --- resources and security ------------------------------------------------------------------


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_every_container_requests_and_limits_cpu_and_memory(which: str) -> None:
    for obj, container in all_containers(which):
        resources = container.get("resources") or {}
        for resource in ("cpu", "memory"):
            request = resources.get("requests", {}).get(resource)
            limit = resources.get("limits", {}).get(resource)
            where = f"{obj['metadata']['name']}/{container['name']} {resource}"
            assert request is not None and limit is not None, f"{where}: request and limit"
            assert quantity(request) <= quantity(limit), f"{where}: request above limit"


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_every_pod_meets_the_restricted_pod_security_standard(which: str) -> None:
    """What the overlay's namespace enforces (`pod-security.kubernetes.io/enforce:
    restricted`), plus a read-only root filesystem."""
    for obj in workloads(which):
        spec = pod_spec(obj)
        assert spec is not None
        pod = spec.get("securityContext") or {}
        name = obj["metadata"]["name"]
        assert pod.get("runAsNonRoot") is True, f"{name}: runAsNonRoot"
        assert int(pod.get("runAsUser", 0)) > 0, f"{name}: runAsUser"
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{name}: seccomp"
        assert spec.get("automountServiceAccountToken") is False, f"{name}: no API access needed"
        assert not spec.get("hostNetwork") and not spec.get("hostPID"), name
        for container in containers(obj):
            sc = container.get("securityContext") or {}
            assert sc.get("allowPrivilegeEscalation") is False, f"{name}: privilege escalation"
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], f"{name}: capabilities"
            assert sc.get("readOnlyRootFilesystem") is True, f"{name}: writable root"
            assert not sc.get("privileged"), name
        volume_types = {k for v in spec.get("volumes", []) for k in v if k != "name"}
        assert volume_types <= {"configMap", "emptyDir", "secret", "persistentVolumeClaim"}


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_ofca_pods_run_as_the_images_user(which: str) -> None:
    for obj, container in all_containers(which):
        target = ofca_target(container)
        if target is None:
            continue
        user = last(target, "USER")
        assert user is not None
        spec = pod_spec(obj)
        assert spec is not None
        assert str(spec["securityContext"]["runAsUser"]) == user.split(":")[0], target


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_read_only_containers_get_a_writable_tmp(which: str) -> None:
    for obj, container in all_containers(which):
        if ofca_target(container):
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{obj['metadata']['name']}: no writable /tmp"


# --- labels, selectors and what points at what ----------------------------------------------


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_workload_selectors_match_their_pod_labels(which: str) -> None:
    for obj in long_running(which):
        selector = obj["spec"]["selector"]["matchLabels"]
        assert selects(selector, template_labels(obj)), obj["metadata"]["name"]
        others = [o for o in long_running(which) if o is not obj]
        assert not any(selects(selector, template_labels(o)) for o in others), (
            f"{obj['metadata']['name']}'s selector also matches another workload's pods"
        )


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_services_select_pods_and_target_declared_ports(which: str) -> None:
    for service in (o for o in rendered(which) if o["kind"] == "Service"):
        matched = [
            o
            for o in long_running(which)
            if selects(service["spec"]["selector"], template_labels(o))
        ]
        assert len(matched) == 1, f"service {service['metadata']['name']} selects {len(matched)}"
        (container,) = [c for c in containers(matched[0])]
        for port in service["spec"]["ports"]:
            port_number(container, port.get("targetPort", port["port"]))


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_statefulsets_are_governed_by_a_headless_service(which: str) -> None:
    for obj in (o for o in long_running(which) if o["kind"] == "StatefulSet"):
        service = find(which, "Service", obj["spec"]["serviceName"])
        assert service["spec"].get("clusterIP") == "None", obj["metadata"]["name"]
        assert selects(service["spec"]["selector"], template_labels(obj))


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_every_long_running_workload_has_a_disruption_budget(which: str) -> None:
    budgets = [o for o in rendered(which) if o["kind"] == "PodDisruptionBudget"]
    for obj in long_running(which):
        covering = [
            b
            for b in budgets
            if selects(b["spec"]["selector"]["matchLabels"], template_labels(obj))
        ]
        assert len(covering) == 1, f"{obj['metadata']['name']}: {len(covering)} budgets"
        assert covering[0]["spec"].get("maxUnavailable") == 1, "one pod at a time, never none"
    for budget in budgets:
        assert any(
            selects(budget["spec"]["selector"]["matchLabels"], template_labels(o))
            for o in long_running(which)
        )


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_the_gateway_scales_on_cpu_and_nothing_else_autoscales(which: str) -> None:
    (hpa,) = [o for o in rendered(which) if o["kind"] == "HorizontalPodAutoscaler"]
    ref = hpa["spec"]["scaleTargetRef"]
    assert (ref["kind"], ref["name"]) == ("Deployment", "gateway")
    find(which, "Deployment", "gateway")
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    gateway = containers(find(which, "Deployment", "gateway"))[0]
    assert "cpu" in gateway["resources"]["requests"], "CPU utilization needs a CPU request"


def test_gateway_drains_sockets_within_its_grace_period() -> None:
    """SIGTERM closes every socket with 1012 within 10 s (services/gateway/app.py), after the
    preStop pause that takes the pod out of the Service."""
    gateway = find("base", "Deployment", "gateway")
    spec = pod_spec(gateway)
    assert spec is not None
    (container,) = spec["containers"]
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert spec["terminationGracePeriodSeconds"] >= pause + 10 + 5
    assert gateway["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


@pytest.mark.parametrize("name", PARTITIONED)
def test_partitioned_services_are_not_load_balanced(name: str) -> None:
    """Their only HTTP surface is probes and metrics: a headless Service, no ClusterIP."""
    assert find("base", "Service", name)["spec"]["clusterIP"] == "None"
