# OFCA recipes. `./dev` creates the environment; `just --list` shows these by group.
set shell := ["bash", "-euo", "pipefail", "-c"]

# OFCA_VENV points the recipes at another environment (`just check-upstream` uses a scratch one).
venv := env_var_or_default("OFCA_VENV", justfile_directory() / ".venv") / "bin"
export PATH := venv + ":" + env_var("PATH")

[group('run')]
up *args:
    ofca up {{args}}

[group('run')]
demo:
    ofca up --demo

[group('run')]
token user role="analyst":
    ofca token create --user {{user}} --role {{role}}

[group('test')]
test *args: lint check-gen ext ui
    python -m pytest -q {{args}}

# The extension: install pinned packages, type-check, unit tests, and build extension/dist
# (the end-to-end test in tests/agent loads that build into Chromium).
[group('test')]
ext:
    cd extension && npm ci --no-audit --no-fund --loglevel=error && npm run typecheck && npm test && npm run build

# The dashboard: pinned install, wire types regenerated (fails if src/gen drifted), checks, build.
[group('test')]
ui:
    cd bridge-ui && npm ci --no-audit --no-fund --loglevel=error && npm run sync:ws && npm run sync:rest && test -z "$(git status --porcelain -- src/gen)" && npm run typecheck && npm test && npm run build

[group('test')]
test-fast *args:
    python -m pytest -q -m "not slow" {{args}}

# Every fault drill: each service killed in each phase, NATS killed as well as stopped
# (`just test` runs a representative subset; see docs/drills.md).
[group('test')]
drills *args:
    OFCA_DRILLS=full python -m pytest -q tests/drills {{args}}

[group('lint')]
lint:
    ruff check .
    ruff format --check .
    mypy contracts services ofca tools

[group('lint')]
fmt:
    ruff format .
    ruff check --fix .

[group('gen')]
gen:
    python -m contracts.schema_export
    python -m services.gateway.openapi_export
    python -m contracts.asyncapi

# Fails when generated files differ from what the code produces.
[group('gen')]
check-gen: gen
    git diff --exit-code -- contracts/schemas docs/asyncapi.json || (echo "generated schemas drifted: commit the output of 'just gen'" && exit 1)

# Rewrite the Python lock files from pyproject.toml: requirements-dev.lock (what ./dev and CI
# install: runtime, dev tools and the build backend) and requirements.lock (the images' runtime
# set and the build backend, the same versions). Hashes for every platform's files; resolved for Python 3.11 and up.
# `just lock --upgrade` moves every package to its newest allowed release,
# `just lock --upgrade-package msgspec` one package.
[group('deps')]
lock *args:
    printf 'setuptools>=69\nwheel\npip\n' | uv pip compile --quiet pyproject.toml - --extra dev \
        --universal --python-version 3.11 --generate-hashes --custom-compile-command "just lock" \
        -o requirements-dev.lock {{args}}
    printf 'setuptools>=69\nwheel\n' | uv pip compile --quiet pyproject.toml - --universal \
        --python-version 3.11 --generate-hashes --custom-compile-command "just lock" \
        -c requirements-dev.lock -o requirements.lock

# What a fresh install would get if nothing were locked: resolve the newest versions pyproject.toml
# allows, install them in a scratch environment and run the whole of `just test` with it. Run it
# before a release or weekly, so an upstream change is seen before it breaks a fresh install.
# The lock files are left as they are; `just lock --upgrade` adopts the new versions.
[group('deps')]
check-upstream:
    #!/usr/bin/env bash
    set -euo pipefail
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    printf 'setuptools>=69\nwheel\npip\n' | uv pip compile --quiet pyproject.toml - --extra dev \
        --universal --python-version 3.11 --generate-hashes --upgrade --no-header \
        -o "$scratch/newest.lock"
    echo "newest allowed versions that differ from requirements-dev.lock:"
    diff <(grep -oE '^[A-Za-z0-9._-]+==[^ ;]+' requirements-dev.lock | sort) \
        <(grep -oE '^[A-Za-z0-9._-]+==[^ ;]+' "$scratch/newest.lock" | sort) | grep '^[<>]' || echo "  (none)"
    python3 -m venv "$scratch/venv"
    "$scratch/venv/bin/python" -m pip install --quiet --require-hashes -r "$scratch/newest.lock"
    "$scratch/venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
    OFCA_VENV="$scratch/venv" "$scratch/venv/bin/just" test

# Quick variants of every benchmark (figures in docs/benchmarks.md).
[group('bench')]
bench:
    python bench/ingest/normalize.py --messages 100000
    python bench/ingest/pipeline.py --messages 100000 --deltas 3000 --rate 500 --creators 50
    python bench/graph/projection.py --messages 100000 --chats 2000
    python bench/graph/recovery.py --messages 100000 --chats 2000
    python bench/enrichment/throughput.py --messages 100000 --chats 2000
    python bench/e2e/snapshot.py --messages 100000 --chats 2000
    python bench/e2e/deltas.py --rate 500 --creators 50 --deltas 3000
    python bench/e2e/sockets.py --sockets 1000 --hold 40
    python bench/capture/backfill.py --chats 100 --messages 5000 --rate 50

# Full variants: 1M-message snapshots (needs ~12 GiB of memory), and the history backfill of a
# 2,000-chat / 200,000-message account in Chromium (about an hour).
[group('bench')]
bench-full:
    python bench/ingest/normalize.py --messages 1000000
    python bench/ingest/pipeline.py --messages 1000000 --deltas 10000 --rate 1000 --creators 100
    python bench/graph/projection.py --messages 1000000 --chats 20000
    python bench/graph/recovery.py --messages 1000000 --chats 20000
    python bench/enrichment/throughput.py --messages 1000000 --chats 20000
    python bench/e2e/snapshot.py --messages 1000000 --chats 20000
    python bench/e2e/deltas.py --rate 1000 --creators 100 --deltas 10000
    python bench/e2e/sockets.py --sockets 5000 --hold 60
    python bench/capture/backfill.py --chats 2000 --messages 200000 --rate 50

# Precision/recall per topic and sentiment agreement on the held-out labelled lines.
[group('bench')]
eval-enrichment split="test":
    python -m tools.enrichment_eval --split {{split}}
