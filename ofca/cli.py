"""The `ofca` command: `up`, `service`, `token create`, `provision`, `replay`, `demo-agent`."""

import argparse
import asyncio
import contextlib
import os
import sys
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from contracts.tokens import (
    PREVIOUS_FILE,
    check_secret,
    issue_token,
    load_or_create_secret,
    rotate_secret,
)

SERVICES = ("gateway", "ingest", "graph", "enrichment", "command")
DEMO_USER = "300000"
SIM_USER = "300001"  # the OnlyFans simulator's creator, for trying the real extension


def data_dir() -> Path:
    return Path(os.environ.get("OFCA_DATA_DIR", ".ofca")).resolve()


def secret() -> str:
    """OFCA_SECRET, else the secret kept in the data dir (created on first use)."""
    env = os.environ.get("OFCA_SECRET")
    return check_secret(env) if env else load_or_create_secret(data_dir())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ofca", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run NATS and every service; Ctrl-C stops all")
    up.add_argument("--demo", action="store_true", help="also feed a demo creator's inbox")

    service = sub.add_parser("service", help="run one service (what a container runs)")
    service.add_argument("name", choices=SERVICES)

    token = sub.add_parser("token", help="manage access tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="print a signed token on stdout")
    create.add_argument("--user", action="append", required=True, help="creator id (repeatable)")
    create.add_argument("--role", choices=("agent", "analyst"), required=True)
    create.add_argument("--ttl-days", type=float, default=30.0)
    token_sub.add_parser(
        "rotate-secret",
        help="sign new tokens with a new secret; tokens signed before keep working",
    )

    prov = sub.add_parser("provision", help="create or update streams and buckets")
    prov.add_argument(
        "--replicas", type=int, default=int(os.environ.get("OFCA_STREAM_REPLICAS", "1"))
    )

    rep = sub.add_parser("replay", help="rebuild a service's output from the start of its log")
    rep.add_argument("--service", choices=("ingest", "graph", "enrichment"), required=True)

    key = sub.add_parser("nats-key", help="the key `ofca up` encrypts NATS's store with")
    key_sub = key.add_subparsers(dest="key_command", required=True)
    key_sub.add_parser("rotate", help="write a new key; the next `ofca up` re-encrypts with it")

    demo = sub.add_parser("demo-agent", help="feed a demo inbox through the Agent protocol")
    demo.add_argument("--url", default="ws://127.0.0.1:8000")
    demo.add_argument("--user", default=DEMO_USER)
    demo.add_argument("--chats", type=int, default=60)
    demo.add_argument("--interval", type=float, default=4.0, help="seconds between live events")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "token" and args.token_command == "rotate-secret":  # noqa: S105 - a verb
        if os.environ.get("OFCA_SECRET"):
            sys.exit(
                "OFCA_SECRET is set: put its value in OFCA_PREVIOUS_SECRETS (comma-separated), "
                "set a new OFCA_SECRET, and restart the gateways"
            )
        kid = rotate_secret(data_dir())
        sys.stdout.write(
            f"new signing key {kid}; restart the gateway (ofca up) to use it; tokens signed "
            f"before keep working until they expire or {PREVIOUS_FILE} is deleted\n"
        )
    elif args.command == "token":
        ttl = timedelta(days=args.ttl_days)
        sys.stdout.write(issue_token(secret(), args.role, args.user, ttl) + "\n")
    elif args.command == "service":
        import_module(f"services.{args.name}.main").run()
    elif args.command == "up":
        from ofca.supervisor import SimulatorDemo, up

        demo_user = DEMO_USER if args.demo else None
        dashboard_token = issue_token(secret(), "analyst", [DEMO_USER]) if args.demo else None
        simulator = None
        if args.demo:
            simulator = SimulatorDemo(
                SIM_USER,
                issue_token(secret(), "agent", [SIM_USER]),
                issue_token(secret(), "analyst", [SIM_USER]),
            )
        sys.exit(up(data_dir(), secret(), demo_user, dashboard_token, simulator))
    elif args.command == "provision":
        from ofca.supervisor import provision_streams

        url = os.environ.get("OFCA_NATS_URL", "nats://127.0.0.1:4222")
        for line in asyncio.run(provision_streams(url, args.replicas)):
            sys.stdout.write(line + "\n")
    elif args.command == "replay":
        from contracts.runtime.nats import connect
        from ofca.replay import replay

        async def run_replay() -> list[str]:
            nc = await connect(
                os.environ.get("OFCA_NATS_URL", "nats://127.0.0.1:4222"),
                "ofca-replay",
                user=os.environ.get("OFCA_NATS_USER"),
                password=os.environ.get("OFCA_NATS_PASSWORD"),
            )
            try:
                return await replay(nc, args.service)
            finally:
                await nc.close()

        for line in asyncio.run(run_replay()):
            sys.stdout.write(line + "\n")
    elif args.command == "nats-key":
        from ofca.nats_key import rotate

        path = rotate(data_dir())
        sys.stdout.write(f"new key in {path}; the next `ofca up` re-encrypts the store\n")
    elif args.command == "demo-agent":
        from contracts.runtime.logs import configure_logging
        from ofca.demo import run_demo_agent

        configure_logging("demo-agent", os.environ.get("OFCA_LOG_FORMAT", "console"))
        token = issue_token(secret(), "agent", [args.user])
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the whole process group
            asyncio.run(run_demo_agent(args.url, token, int(args.user), args.chats, args.interval))
