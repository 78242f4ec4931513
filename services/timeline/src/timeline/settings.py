"""Timeline settings (env prefix TIMELINE_)."""

from konnect_kit.media import S3Config
from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TIMELINE_", extra="ignore")

    service_name: str = "timeline"
    http_port: int = 8102
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:54320/konnect_timeline"
    # The private media bucket (the dev stack and the test harness pass TIMELINE_S3_*).
    s3_endpoint: str = "127.0.0.1:7070"
    s3_access_key: str = "konnect"
    s3_secret_key: str = "konnect-local-secret"
    s3_bucket: str = "konnect-media"
    s3_secure: bool = False
    s3_public_endpoint: str | None = None
    # The retention worker: how often it looks for work (unconfirmed uploads; the daily run once per day).
    retention_poll_seconds: float = 300.0
    # Off: the worker is built but not started (tests drive it with `app.state.retention.drain()`).
    retention_worker_enabled: bool = True

    def s3_config(self) -> S3Config:
        return S3Config(endpoint=self.s3_endpoint, access_key=self.s3_access_key, secret_key=self.s3_secret_key,
                        bucket=self.s3_bucket, secure=self.s3_secure, public_endpoint=self.s3_public_endpoint)
