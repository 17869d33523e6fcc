# syntax=docker/dockerfile:1
#
# OFCA images: `base` has the project installed; every other stage is one process.
#
#   docker compose build                          # every target, as compose.yaml uses them
#   docker build --target gateway -t ofca-gateway .
#
# Targets: gateway, ingest, graph, enrichment, command (long-running services, `ofca service
# NAME`) and provision (a one-shot job, `ofca provision`). `dashboard` is a build stage only:
# the gateway image gets its output. Configuration is only `OFCA_*` environment variables
# (docs/configuration.md); how to run it all: deploy/README.md. tests/deploy/ checks this file
# statically (CI has no Docker engine).

# The Bridge dashboard (bridge-ui), built with the versions its lockfile pins. Its generated
# types (src/gen) are committed, so the build needs nothing from the Python side. vite 8 wants
# Node 20.19+ (package.json `engines`); 22 is the maintained LTS line.
FROM node:22-slim AS dashboard
WORKDIR /bridge-ui
# The lockfile first: the `npm ci` layer is reused until the dependencies change.
COPY bridge-ui/package.json bridge-ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY bridge-ui/ ./
RUN npm run build

FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# README.md is the package's readme in pyproject.toml: the build reads it.
COPY pyproject.toml README.md requirements.lock ./
COPY contracts ./contracts
COPY services ./services
COPY ofca ./ofca
COPY tools ./tools
# Runtime dependencies only (no dev extras), exactly as locked and checked against their hashes
# (`just lock`), then the project with the locked build backend, then the user every process
# runs as.
RUN pip install --no-cache-dir --require-hashes -r requirements.lock \
    && pip install --no-cache-dir --no-deps --no-build-isolation . \
    && groupadd --gid 10001 ofca \
    && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/ofca \
        --shell /usr/sbin/nologin ofca

# The working directory is the only place the user may write (OFCA_DATA_DIR defaults to
# ./.ofca; with OFCA_SECRET set, as compose.yaml requires, nothing is written there).
WORKDIR /home/ofca
USER 10001:10001
# In a container the probes and the gateway must listen beyond loopback.
ENV OFCA_LOG_FORMAT=json \
    OFCA_HEALTH_HOST=0.0.0.0 \
    OFCA_GATEWAY_HOST=0.0.0.0

# The gateway serves its sockets, REST API, probes and the dashboard on OFCA_GATEWAY_PORT.
FROM base AS gateway
# Owned by root and read-only for the service user: nothing in it is written at run time.
COPY --from=dashboard /bridge-ui/dist /opt/ofca/dashboard
ENV OFCA_DASHBOARD_DIR=/opt/ofca/dashboard
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('OFCA_GATEWAY_PORT', '8000'), timeout=2)"]
CMD ["ofca", "service", "gateway"]

# Every other service: its only HTTP surface is /healthz, /readyz, /metrics on
# OFCA_HEALTH_PORT, off unless set. The stages below inherit ENV, EXPOSE and HEALTHCHECK.
FROM base AS probed
ENV OFCA_HEALTH_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('OFCA_HEALTH_PORT', '8080'), timeout=2)"]

FROM probed AS ingest
CMD ["ofca", "service", "ingest"]

FROM probed AS graph
CMD ["ofca", "service", "graph"]

FROM probed AS enrichment
CMD ["ofca", "service", "enrichment"]

FROM probed AS command
CMD ["ofca", "service", "command"]

# Creates or updates the streams and buckets, then exits (idempotent): once per deployment,
# before the services. OFCA_STREAM_REPLICAS: 1 on one NATS server, 3 on a cluster.
FROM base AS provision
# A one-shot job has nothing to probe.
HEALTHCHECK NONE
CMD ["ofca", "provision"]
