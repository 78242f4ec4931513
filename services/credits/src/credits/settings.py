"""Credits settings (env prefix CREDITS_)."""

from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDITS_", extra="ignore")

    service_name: str = "credits"
    http_port: int = 8105
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:7432/konnect_credits"
    # Organisations the directory has not told us about yet use this zone for "today".
    default_time_zone: str = "Europe/Amsterdam"
