"""The page's script: the static files bundled into one /app.js."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tools.ofsite.pages import BUNDLE, STATIC, app_bundle

CONFIG = {"signSecret": "s", "appToken": "a", "xbc": "x", "userId": 1}


def test_every_script_file_is_in_the_bundle_once() -> None:
    assert sorted(BUNDLE) == sorted(p.name for p in STATIC.glob("*.js"))
    assert BUNDLE[0] == "config.js"  # the constants everything else reads
    assert BUNDLE[-1] == "app.js"  # start() runs once everything is declared


def test_the_bundle_is_one_function_with_the_config_filled_in() -> None:
    script = app_bundle(CONFIG)
    assert script.startswith('(function () {\n"use strict";')
    assert script.rstrip().endswith("})();")
    assert "__OFSITE_CONFIG__" not in script
    assert '{"signSecret": "s", "appToken": "a", "xbc": "x", "userId": 1}' in script
    assert script.count("\nstart();\n") == 1


def test_the_bundle_is_valid_javascript(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node")
    bundle = tmp_path / "app.js"
    bundle.write_text(app_bundle(CONFIG), encoding="utf-8")
    argv = [node, "--check", str(bundle)]
    checked = subprocess.run(argv, check=False, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
