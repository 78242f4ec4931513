"""Credits settings (env prefix CREDITS_)."""

from konnect_contracts.events.credits import TOPIC as LEDGER_TOPIC
from konnect_contracts.events.directory import TOPIC as DIRECTORY_TOPIC
from konnect_contracts.events.requests import REQUESTS_TOPIC
from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDITS_", extra="ignore")

    service_name: str = "credits"
    http_port: int = 8105
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:54320/konnect_credits"
    # Topics default to the contract's; overridable so a test or staging instance reads and writes its own
    # streams without consuming (and answering) everything on the shared ones.
    requests_topic: str = REQUESTS_TOPIC
    directory_topic: str = DIRECTORY_TOPIC
    ledger_topic: str = LEDGER_TOPIC
    # Organisations the directory has not told us about yet use this zone for "today".
    default_time_zone: str = "Europe/Amsterdam"
