"""Identity settings (env prefix IDENTITY_)."""

from konnect_kit.settings import ServiceSettings
from pydantic import model_validator
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    http_port: int = 8101
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:7432/konnect_identity"
    # Shared with the gateway, which verifies the access tokens identity signs.
    jwt_secret: str = "dev-jwt-secret-change-me-0123456789abcdef"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    invitation_ttl_hours: int = 24 * 7
    password_reset_ttl_minutes: int = 60
    # Reset requests are queued and worked off after the answer (identity.reset_worker); a NOTIFY wakes the
    # worker at once, this poll is the safety net.
    reset_poll_seconds: float = 1.0

    @model_validator(mode="after")
    def _real_jwt_secret_in_production(self) -> "Settings":
        if self.environment == "production" and (self.jwt_secret.startswith("dev-") or len(self.jwt_secret) < 32):
            raise ValueError("IDENTITY_JWT_SECRET must be a real secret of at least 32 characters in production")
        return self
