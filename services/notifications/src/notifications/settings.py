"""Notifications settings (env prefix NOTIFICATIONS_)."""

from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    service_name: str = "notifications"
    http_port: int = 8106
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:54320/konnect_notifications"
