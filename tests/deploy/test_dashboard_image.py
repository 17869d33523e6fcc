"""The gateway image serves the built dashboard: a Node stage builds bridge-ui with its
lockfile, and only the gateway target gets the output, where OFCA_DASHBOARD_DIR points."""

import json
import re
import shlex
from pathlib import Path

import pytest

from services.gateway.settings import GatewaySettings
from tests.deploy.compose_files import ROOT, SERVICES, STAGES, Stage, env_of, lineage
from tests.deploy.test_dockerignore import ignored

UI = ROOT / "bridge-ui"


def copies_from(stage: Stage) -> list[tuple[str, str, str]]:
    """(stage, source, destination) of each `COPY --from=STAGE SRC DEST` in `stage`."""
    found = []
    for keyword, args in stage.instructions:
        words = shlex.split(args)
        origin = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
        if keyword == "COPY" and origin:
            paths = [w for w in words if not w.startswith("--")]
            found.append((origin, paths[0], paths[-1]))
    return found


def dashboard_copy() -> tuple[Stage, str, str]:
    copies = [c for s in lineage("gateway") for c in copies_from(s)]
    assert len(copies) == 1, f"the gateway image copies from {len(copies)} build stages"
    origin, source, destination = copies[0]
    assert origin in STAGES, f"COPY --from={origin}: no such stage"
    return STAGES[origin], source, destination


def workdir(stage: Stage) -> str:
    dirs = [args for keyword, args in stage.instructions if keyword == "WORKDIR"]
    assert dirs, f"stage {stage.name} has no WORKDIR"
    return dirs[-1]


def test_gateway_image_serves_what_the_node_stage_built() -> None:
    stage, source, destination = dashboard_copy()
    outdir = re.search(r'outDir:\s*"([^"]+)"', (UI / "vite.config.ts").read_text())
    assert outdir, "vite.config.ts sets no build.outDir"
    assert source.rstrip("/") == f"{workdir(stage).rstrip('/')}/{outdir[1]}"
    assert env_of("gateway").get("OFCA_DASHBOARD_DIR") == destination.rstrip("/")


def test_node_stage_installs_from_the_lockfile_then_builds() -> None:
    stage, _, _ = dashboard_copy()
    assert stage.parent.startswith("node:")
    steps = [(k, a) for k, a in stage.instructions if k in {"COPY", "RUN"}]
    first_copy = shlex.split(steps[0][1])
    assert steps[0][0] == "COPY" and {
        "bridge-ui/package.json",
        "bridge-ui/package-lock.json",
    } <= set(first_copy)
    runs = [a for k, a in steps if k == "RUN"]
    assert runs[0].startswith("npm ci"), "npm ci installs exactly what the lockfile pins"
    assert runs[-1] == "npm run build"
    scripts = json.loads((UI / "package.json").read_text())["scripts"]
    assert "build" in scripts
    assert (UI / "package-lock.json").is_file()


def test_node_version_satisfies_the_dashboards_engines() -> None:
    stage, _, _ = dashboard_copy()
    tag = re.fullmatch(r"node:(\d+)(?:\.(\d+))?\S*", stage.parent)
    assert tag, stage.parent
    engines = json.loads((UI / "package.json").read_text())["engines"]["node"]
    need = re.fullmatch(r">=\s*(\d+)(?:\.(\d+))?", engines)
    assert need, f"engines.node {engines}: teach this test the range"
    have = (int(tag[1]), int(tag[2] or 99))
    assert have >= (int(need[1]), int(need[2] or 0)), f"{stage.parent} is older than {engines}"


@pytest.mark.parametrize("name", [s for s in [*SERVICES, "provision"] if s != "gateway"])
def test_only_the_gateway_image_carries_the_dashboard(name: str) -> None:
    assert not [c for s in lineage(name) for c in copies_from(s)], name
    assert "OFCA_DASHBOARD_DIR" not in env_of(name)


@pytest.mark.parametrize("path", ["bridge-ui/node_modules/x", "bridge-ui/dist/index.html"])
def test_a_local_install_or_build_stays_out_of_the_image(path: str) -> None:
    assert ignored(path), f"{path} would be copied into the build"


def test_the_build_context_has_the_dashboard_sources_but_not_the_extension() -> None:
    for path in ["bridge-ui/src/main.tsx", "bridge-ui/index.html", "bridge-ui/package-lock.json"]:
        assert not ignored(path), path
    assert ignored("extension/manifest.json")


def test_gateway_reads_the_dashboard_dir_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OFCA_DASHBOARD_DIR", env_of("gateway")["OFCA_DASHBOARD_DIR"])
    assert GatewaySettings().dashboard_dir == Path(env_of("gateway")["OFCA_DASHBOARD_DIR"])
