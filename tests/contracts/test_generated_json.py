"""Generated documents do not depend on how a library formats docstrings."""

import inspect
import json

import msgspec

from contracts.generated_json import normalized, render


class Indented(msgspec.Struct):
    """First line.

    Second paragraph, indented in the source
    over two lines."""

    n: int


def test_descriptions_are_cleaned_whether_or_not_the_library_kept_the_indentation() -> None:
    kept = "First line.\n\n    Second paragraph, indented in the source\n    over two lines."
    cleaned = "First line.\n\nSecond paragraph, indented in the source\nover two lines."
    assert normalized({"description": kept}) == normalized({"description": cleaned})
    assert normalized({"description": kept}) == {"description": cleaned}


def test_a_msgspec_struct_docstring_renders_as_inspect_cleandoc_gives_it() -> None:
    schema = msgspec.json.schema(Indented)
    text = json.loads(render(schema))
    (definition,) = text["$defs"].values()
    assert definition["description"] == inspect.cleandoc(Indented.__doc__ or "")


def test_nested_descriptions_are_cleaned_and_a_property_named_description_is_kept() -> None:
    doc = {
        "properties": {"description": {"type": "string", "description": "  a\n    b"}},
        "oneOf": [{"description": "x\n   y"}],
        "title": "  untouched\n  ",
    }
    assert normalized(doc) == {
        "properties": {"description": {"type": "string", "description": "a\nb"}},
        "oneOf": [{"description": "x\ny"}],
        "title": "  untouched\n  ",
    }


def test_render_sorts_keys_and_ends_with_a_newline() -> None:
    assert render({"b": 1, "a": "é"}) == '{\n  "a": "\\u00e9",\n  "b": 1\n}\n'
    assert render({"a": "é"}, ensure_ascii=False) == '{\n  "a": "é"\n}\n'
