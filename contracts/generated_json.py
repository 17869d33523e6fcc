"""One way to write a generated document (JSON Schema, OpenAPI, AsyncAPI) to a committed file.

The committed files are checked for drift, so the same code must give the same bytes whatever
version of pydantic, msgspec or FastStream is installed. Libraries differ in how they turn a
docstring into a `description` (msgspec 0.23 stopped keeping the indentation that 0.19 kept),
so every description is passed through `inspect.cleandoc` before writing, and keys are sorted.
"""

import inspect
import json
from typing import Any


def normalized(node: Any) -> Any:
    """`node` with every string under a `description` key cleaned as `inspect.cleandoc` does."""
    if isinstance(node, dict):
        return {
            key: inspect.cleandoc(value)
            if key == "description" and isinstance(value, str)
            else normalized(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [normalized(item) for item in node]
    return node


def render(document: Any, *, ensure_ascii: bool = True) -> str:
    """The exact text of a generated file: normalized, keys sorted, indented, newline-ended."""
    text = json.dumps(normalized(document), indent=2, sort_keys=True, ensure_ascii=ensure_ascii)
    return text + "\n"
