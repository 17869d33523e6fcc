"""deploy/k8s configuration: every variable is a documented OFCA_ setting, config comes from
the ConfigMap, the token secret from a Secret that is not in the repository."""

import re

import pytest

from contracts.nats_users import USERS
from tests.deploy.compose_files import CONFIG_DOC, SECRETISH
from tests.deploy.k8s_files import (
    KUSTOMIZATIONS,
    SECRET_NAME,
    all_containers,
    config_map,
    container_env,
    declared_env_names,
    find,
    ofca_target,
    rendered,
    workloads,
    yaml_files,
)
from tests.deploy.kustomize import pod_spec

SECRET_USERS = {"gateway"}  # only the gateway signs and checks tokens
NATS_ENV = {  # the NATS container's own
    "POD_NAME",
    "GOMEMLIMIT",
    "NATS_ENCRYPTION_KEY",
    *(user.env_password for user in USERS),
}


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_every_variable_set_for_ofca_is_a_documented_setting(which: str) -> None:
    doc = CONFIG_DOC.read_text()
    for obj, container in all_containers(which):
        names = declared_env_names(which, container)
        if not ofca_target(container):
            assert set(names) <= NATS_ENV, f"{container['name']}: {names}"
            continue
        for name in names:
            assert name.startswith("OFCA_"), f"{obj['metadata']['name']}: {name} is not a setting"
            assert f"`{name}`" in doc, f"{name} is not in docs/configuration.md"


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_every_config_map_a_pod_reads_exists(which: str) -> None:
    for obj in workloads(which):
        spec = pod_spec(obj)
        assert spec is not None
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                find(which, "ConfigMap", volume["configMap"]["name"])
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                config_map(which, source["configMapRef"]["name"])


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_the_token_secret_comes_from_the_secret_and_only_to_the_gateway(which: str) -> None:
    for obj, container in all_containers(which):
        env = container_env(which, obj, container)
        target = ofca_target(container)
        if target in SECRET_USERS:
            ref = env["OFCA_SECRET"]["secretKeyRef"]
            assert ref == {"name": SECRET_NAME, "key": "OFCA_SECRET"}
            assert not ref.get("optional"), "a gateway without its secret must not start"
        else:
            assert "OFCA_SECRET" not in env, f"{obj['metadata']['name']} gets the token secret"


def test_no_secret_is_written_in_the_manifests() -> None:
    assert not any(o["kind"] == "Secret" for w in KUSTOMIZATIONS for o in rendered(w))
    for path in yaml_files():
        text = path.read_text()
        assert not re.search(r"eyJ[\w-]{10,}\.", text), f"{path}: a token"
        assert "secretGenerator" not in text, f"{path}: secrets are created outside git"
    for which in KUSTOMIZATIONS:
        for config in (o for o in rendered(which) if o["kind"] == "ConfigMap"):
            for key in config.get("data", {}):
                assert not SECRETISH.search(key), f"{key} belongs in a Secret"


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_services_reach_the_nats_client_service(which: str) -> None:
    url = config_map(which, "ofca-config")["OFCA_NATS_URL"]
    match = re.fullmatch(r"nats://([a-z0-9-]+):(\d+)", url)
    assert match, url
    service = find(which, "Service", match[1])
    assert int(match[2]) in {p["port"] for p in service["spec"]["ports"]}
    assert service["spec"].get("clusterIP") != "None", "clients use the load-balanced Service"


@pytest.mark.parametrize("which", KUSTOMIZATIONS)
def test_streams_are_replicated_on_every_nats_server(which: str) -> None:
    replicas = find(which, "StatefulSet", "nats")["spec"]["replicas"]
    assert replicas >= 3 and replicas % 2 == 1, "JetStream needs an odd quorum of 3 or more"
    assert config_map(which, "ofca-config")["OFCA_STREAM_REPLICAS"] == str(replicas)
    (container,) = pod_spec(find(which, "Job", "provision"))["containers"]  # type: ignore[index]
    assert container["command"] == ["ofca", "provision", "--replicas", str(replicas)]
    assert ofca_target(container) == "provision"
