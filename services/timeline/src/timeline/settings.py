"""Timeline settings (env prefix TIMELINE_)."""

from konnect_kit.media import S3Config
from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TIMELINE_", extra="ignore")

    service_name: str = "timeline"
    http_port: int = 8102
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:7432/konnect_timeline"
    # The private media bucket (S3); `make up` and the test harness set these.
    s3_endpoint: str = "127.0.0.1:7070"
    s3_access_key: str = "konnect"
    s3_secret_key: str = "konnect-local-secret"
    s3_bucket: str = "konnect-media"
    s3_secure: bool = False
    s3_public_endpoint: str | None = None
    # Worker processes that decode and resize uploads (outside the service's own memory).
    media_workers: int = 1
    # Presigned media URLs handed to families live this long (seconds).
    media_url_seconds: int = 300
    # Presigned uploads must be confirmed within this many seconds, or the janitor deletes them.
    media_upload_seconds: int = 900
    media_janitor_poll_seconds: float = 60.0
    # The retention worker: how often it looks for work (unconfirmed My location uploads; the daily run once a day).
    retention_poll_seconds: float = 300.0
    # Off: the worker is built but not started (tests drive it with `app.state.retention.drain()`).
    retention_worker_enabled: bool = True
    # How often the feed builder looks for families whose stored feed items are out of date (a change is shown at
    # once either way: the feed finds a marked family's items live until it is built again).
    feed_build_poll_seconds: float = 1.0

    @property
    def s3(self) -> S3Config:
        return S3Config(endpoint=self.s3_endpoint, access_key=self.s3_access_key, secret_key=self.s3_secret_key,
                        bucket=self.s3_bucket, secure=self.s3_secure, public_endpoint=self.s3_public_endpoint)
