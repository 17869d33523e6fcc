"""Fault drills: markers, and the default/full split.

By default only the representative subset runs; `OFCA_DRILLS=full` also runs the cases marked
`drill_full` (the rest of the service x phase matrix).
"""

import os

import pytest

from tests.drills.harness import stack

__all__ = ["stack"]  # the fixture every drill runs on


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "drill_full: a fault-drill case run only with OFCA_DRILLS=full"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("OFCA_DRILLS") == "full":
        return
    skip = pytest.mark.skip(reason="full drill matrix: set OFCA_DRILLS=full")
    for item in items:
        if "drill_full" in item.keywords:
            item.add_marker(skip)
