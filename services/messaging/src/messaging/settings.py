"""Messaging settings (env prefix MESSAGING_)."""

from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")

    service_name: str = "messaging"
    http_port: int = 8103
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:54320/konnect_messaging"
