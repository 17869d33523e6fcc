"""Settings shared by every service, read only from `OFCA_*` environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Fields every service has. Each service subclasses it with its own."""

    model_config = SettingsConfigDict(env_prefix="OFCA_", extra="ignore")

    nats_url: str = Field(
        default="nats://127.0.0.1:4222", description="NATS server(s), comma-separated."
    )
    data_dir: Path = Field(default=Path(".ofca"), description="Secret, embedded NATS data.")
    secret: str | None = Field(default=None, description="Token signing key; else data_dir/secret.")
    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=0, description="Probe port of a non-gateway service; 0: none.")
    instance: str = Field(default="", description="Instance name in logs and metrics.")
