"""Planning settings (env prefix PLANNING_)."""

from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PLANNING_", extra="ignore")

    service_name: str = "planning"
    http_port: int = 8104
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:7432/konnect_planning"
    # Where clients reach the public API (the gateway): calendar feed URLs are built on it.
    public_api_base_url: str = "http://localhost:8000"

    # The expiry worker's poll interval: a due timer fires at most this long after its moment.
    expiry_poll_seconds: float = 5.0
    # The agenda builder's poll interval: after a change, a family's agenda is computed on every read (exact, a
    # little dearer) for at most about this long before its days are stored again.
    agenda_build_poll_seconds: float = 1.0
    # The occupancy builder's: after a change, availability counts the group's places itself on the dates it
    # touched (exact, a little dearer) for at most about this long.
    occupancy_build_poll_seconds: float = 1.0
