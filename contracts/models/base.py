"""Base classes for wire models.

Brain→Bridge models speak camelCase on the wire (the dashboard is TypeScript) while Python code
uses snake_case; `WireModel` does the mapping. Models whose field names the spec pins verbatim
(`snapshot_id`, `chatId`) derive from `ExactModel` and spell the wire name directly.
"""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python, unknown keys ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="ignore",
    )


class ExactModel(BaseModel):
    """Field names are the wire names; unknown keys ignored (raw OnlyFans JSON rides inside)."""

    model_config = ConfigDict(extra="ignore")
