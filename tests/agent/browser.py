"""The Agent in a real browser: Debian's Chromium with the built extension, the OnlyFans
simulator, and the Brain; helpers shared by the end-to-end tests."""

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ofca.natsd import free_port
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
EXTENSION = ROOT / "extension" / "dist"


def require_browser() -> None:
    """Skip where there is no Chromium or no built extension, except in CI (then fail)."""
    missing = [str(p) for p in (CHROMIUM, EXTENSION / "manifest.json") if not p.exists()]
    if not missing:
        return
    why = f"needs {', '.join(missing)} (apt-get install chromium; just ext)"
    if os.environ.get("OFCA_REQUIRE_BROWSER") == "1":
        pytest.fail(why)
    pytest.skip(why)


class Site:
    """`python -m tools.ofsite` on a free port (HTTPS, self-signed, as onlyfans.com)."""

    def __init__(
        self, creator: int, chats: int, cert_dir: Path, *, messages: int | None = None
    ) -> None:
        self.port = free_port()
        self.creator = creator
        argv = [sys.executable, "-m", "tools.ofsite", "--port", str(self.port)]
        argv += ["--creator", str(creator), "--chats", str(chats), "--seed", "7"]
        argv += ["--cert-dir", str(cert_dir)]
        if messages is not None:
            argv += ["--messages", str(messages)]
        self.process = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
        )

    async def ready(self) -> "Site":
        def wait() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if re.search(r"ofsite ready https://", line):
                    return
            raise RuntimeError("the simulator exited")

        await asyncio.wait_for(asyncio.to_thread(wait), 60)
        return self

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def chromium_args(site_port: int) -> list[str]:
    return [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--load-extension={EXTENSION}",
        f"--disable-extensions-except={EXTENSION}",
        f"--host-resolver-rules=MAP onlyfans.com 127.0.0.1:{site_port}",
        "--ignore-certificate-errors",
    ]


def fresh_profile(tmp: Path) -> Path:
    profile = tmp / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    return profile


# Collects, in the service worker, every capture a content script relays to the background:
# what left the page (the hook posts to the content script on a private port, not on window).
COLLECT_FORWARDED = """() => {
  self.__ofcaForwarded = [];
  chrome.runtime.onMessage.addListener((message) => {
    if (message && message.source === '_OF_FORWARDER_') {
      try { self.__ofcaForwarded.push(JSON.stringify(message)); } catch (e) {}
    }
    return false;
  });
}"""


def secrets_in(secrets: dict[str, Any]) -> list[str]:
    """Every secret string the simulator reports, flattened (short ones would match by chance)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) >= 8:
            found.append(value)

    walk(secrets)
    return found
