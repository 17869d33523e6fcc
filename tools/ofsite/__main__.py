"""``python -m tools.ofsite --port PORT``: serve the simulated onlyfans.com over HTTPS.

Prints one line, ``ofsite ready https://127.0.0.1:PORT``, once it accepts connections.
A large account: ``--chats 2000 --messages 200000`` (see README.md for the time it takes).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import sys
import tempfile
from pathlib import Path

import uvicorn

from tools.ofsite.app import create_app
from tools.ofsite.certs import make_certificate
from tools.ofsite.state import SiteState


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.ofsite", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--creator", type=int, default=300000, help="the creator's user id")
    parser.add_argument("--chats", type=int, default=20, help="number of chats in the inbox")
    parser.add_argument(
        "--messages",
        type=int,
        help="total messages, shared out over the chats (default: 5-40 a chat)",
    )
    parser.add_argument("--days", type=int, default=30, help="how far back the history goes")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated inbox")
    parser.add_argument(
        "--rate-limit", type=int, help="at most N /api2 requests a window, more answer 429"
    )
    parser.add_argument(
        "--rate-window", type=float, default=1.0, help="the rate limit's window in seconds"
    )
    parser.add_argument("--cert-dir", type=Path, help="where to write cert.pem and key.pem")
    return parser.parse_args(argv)


async def serve(server: uvicorn.Server, url: str) -> None:
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task  # startup failed: re-raise its error
            raise SystemExit(1)
        await asyncio.sleep(0.05)
    sys.stdout.write(f"ofsite ready {url}\n")
    sys.stdout.flush()
    await task


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    temporary = args.cert_dir is None
    cert_dir: Path = Path(tempfile.mkdtemp(prefix="ofsite-cert-")) if temporary else args.cert_dir
    try:
        cert, key = make_certificate(cert_dir)
        state = SiteState(
            creator_id=args.creator, n_chats=args.chats, seed=args.seed, days=args.days,
            total_messages=args.messages, rate_limit=args.rate_limit, rate_window=args.rate_window,
        )  # fmt: skip
        gc.freeze()  # the inbox lives as long as the process: keep collections off it
        config = uvicorn.Config(
            create_app(state), host=args.host, port=args.port, log_level="warning",
            ssl_certfile=str(cert), ssl_keyfile=str(key), timeout_graceful_shutdown=3,
        )  # fmt: skip
        asyncio.run(serve(uvicorn.Server(config), f"https://{args.host}:{args.port}"))
    finally:
        if temporary:
            shutil.rmtree(cert_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
