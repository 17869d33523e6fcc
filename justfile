# OFCA recipes. `./dev` creates the environment; `just --list` shows these by group.
set shell := ["bash", "-euo", "pipefail", "-c"]

venv := justfile_directory() / ".venv/bin"
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

# Full variants: 1M-message snapshots (needs ~12 GiB of memory).
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

# Precision/recall per topic and sentiment agreement on the held-out labelled lines.
[group('bench')]
eval-enrichment split="test":
    python -m tools.enrichment_eval --split {{split}}
