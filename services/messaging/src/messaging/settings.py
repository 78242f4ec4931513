"""Messaging settings (env prefix MESSAGING_)."""

from konnect_kit.media import S3Config
from konnect_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")

    service_name: str = "messaging"
    http_port: int = 8103
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:7432/konnect_messaging"
    # The private media bucket (S3) for attachments; `make up` and the test harness set these.
    s3_endpoint: str = "127.0.0.1:7070"
    s3_access_key: str = "konnect"
    s3_secret_key: str = "konnect-local-secret"
    s3_bucket: str = "konnect-media"
    s3_secure: bool = False
    s3_public_endpoint: str | None = None
    # Worker processes that check photos and strip their metadata (outside the service's own memory).
    media_workers: int = 1
    # Presigned attachment URLs live this long (seconds); an upload must be confirmed within its lifetime.
    media_url_seconds: int = 300
    media_upload_seconds: int = 900
    # How often uploads never confirmed and old idempotency keys are looked for (messaging.pruning).
    pruning_enabled: bool = True
    pruning_poll_seconds: float = 3600

    @property
    def s3(self) -> S3Config:
        return S3Config(endpoint=self.s3_endpoint, access_key=self.s3_access_key, secret_key=self.s3_secret_key,
                        bucket=self.s3_bucket, secure=self.s3_secure, public_endpoint=self.s3_public_endpoint)
