"""A self-signed certificate for ``onlyfans.com``, made with the ``openssl`` CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path

NAMES = "DNS:onlyfans.com,DNS:*.onlyfans.com,DNS:localhost,IP:127.0.0.1"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """Write ``cert.pem`` and ``key.pem`` (P-256, 30 days) into ``folder``; return both."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    argv = [
        "openssl", "req", "-x509", "-nodes", "-days", "30",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-keyout", str(key), "-out", str(cert),
        "-subj", "/CN=onlyfans.com", "-addext", f"subjectAltName={NAMES}",
    ]  # fmt: skip
    subprocess.run(argv, check=True, capture_output=True, timeout=60)
    key.chmod(0o600)
    return cert, key
