"""Settings shared by every service, read only from `OFCA_*` environment variables."""

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.streams import PARTITIONS


class ServiceSettings(BaseSettings):
    """Fields every service has. Each service subclasses it with its own."""

    model_config = SettingsConfigDict(env_prefix="OFCA_", extra="ignore")

    nats_url: str = Field(
        default="nats://127.0.0.1:4222", description="NATS server(s), comma-separated."
    )
    nats_user: str | None = Field(
        default=None,
        description="This service's NATS user (contracts/nats_users.py); or in the URL.",
    )
    nats_password: str | None = Field(default=None, description="That user's password.")
    data_dir: Path = Field(default=Path(".ofca"), description="Secret, embedded NATS data.")
    secret: str | None = Field(default=None, description="Token signing key; else data_dir/secret.")
    previous_secrets: str = Field(
        default="",
        description="Retired signing keys whose tokens are still honoured, comma-separated "
        "(else data_dir/secret.previous when the secret comes from data_dir).",
    )
    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=0, description="Probe port of a non-gateway service; 0: none.")
    instance: str = Field(default="", description="Instance name in logs and metrics.")

    @model_validator(mode="after")
    def _owns_partitions(self) -> Self:
        """`<svc>_index` must name one of `<svc>_instances`, each owning at least one of the
        streams' partitions: a misnumbered pod would otherwise start, look healthy, and
        consume nothing."""
        for name in type(self).model_fields:
            if not name.endswith("_instances"):
                continue
            prefix = name.removesuffix("_instances")
            instances, index = getattr(self, name), getattr(self, f"{prefix}_index", None)
            if instances > PARTITIONS:
                raise ValueError(
                    f"OFCA_{name.upper()}={instances}: at most {PARTITIONS} (the partitions)"
                )
            if index is not None and not 0 <= index < instances:
                raise ValueError(
                    f"OFCA_{prefix.upper()}_INDEX={index} must be below "
                    f"OFCA_{name.upper()}={instances}"
                )
        return self
