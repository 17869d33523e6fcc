"""Command service settings (`OFCA_*` environment variables)."""

from pydantic import Field

from contracts.runtime.settings import ServiceSettings


class CommandSettings(ServiceSettings):
    command_instances: int = Field(default=1, ge=1, description="Command instances in all.")
    command_index: int = Field(
        default=0, ge=0, description="This instance's index; it owns partitions p % n == index."
    )
    command_ttl: float = Field(
        default=600.0,
        gt=0,
        description="Seconds a command may wait for an Agent; after that it expires unsent "
        "(a stale message to a fan is worse than none).",
    )
    command_result_grace: float = Field(
        default=120.0,
        ge=0,
        description="Seconds after the TTL a delivered command may still report its result "
        "before it is recorded as expired.",
    )
    command_rate_creator: int = Field(
        default=60, ge=1, description="Commands issued per creator per minute, at most."
    )
    command_rate_fan: int = Field(
        default=5, ge=1, description="Commands issued per fan (chat) per minute, at most."
    )
    command_delivery_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a gateway to confirm a delivery."
    )
    command_retry: float = Field(
        default=5.0, gt=0, description="Seconds between delivery attempts while no Agent is online."
    )
    auto_send_allowed: bool = Field(
        default=True,
        description="Kill switch: false stops every auto-sent draft, whatever creators chose.",
    )
