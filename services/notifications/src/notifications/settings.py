"""Notifications settings (env prefix NOTIFICATIONS_)."""

from konnect_kit.settings import ServiceSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from notifications.domain.mail_links import MailLinks


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    service_name: str = "notifications"
    http_port: int = 8106
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:7432/konnect_notifications"

    # SMTP relay (mailpit locally).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 15.0
    # A lane's SMTP session stays open this long after its last mail (0: closed after every pass). Below the
    # relays' own idle timeouts (often 30-300 s); a session they close first is replaced without a failed attempt.
    smtp_idle_seconds: float = Field(default=10.0, ge=0, le=300)
    mail_from: str = "Konnect <no-reply@konnect.local>"
    # Links in e-mails point at the web client.
    web_base_url: str = "http://localhost:5173"
    # The public API (the gateway) as parents' mail clients reach it: the one-click unsubscribe posts there.
    public_api_base_url: str = "http://localhost:8000"
    # Signs the unsubscribe tokens in mails (HMAC); changing it makes every mailed unsubscribe link invalid.
    unsubscribe_signing_key: SecretStr = SecretStr("dev-unsubscribe-key-change-me-0123456789")
    # Times in e-mails (link expiry) are shown in this zone until we keep organisations' own zones.
    mail_time_zone: str = "Europe/Amsterdam"

    # Mail queue: retries with exponential backoff (capped), then the delivery is marked failed.
    mail_max_attempts: int = 8
    mail_backoff_initial_seconds: float = 1.0
    mail_backoff_max_seconds: float = 300.0
    # How long the sender sleeps when nothing is due.
    mail_poll_seconds: float = 1.0
    # Mails sent at the same time by one instance, each on its own SMTP connection (relays allow a few per client).
    mail_lanes: int = Field(default=4, ge=1, le=32)

    # Push through Firebase Cloud Messaging (HTTP v1). Without a service account file push is off: nothing is
    # queued for it (e-mail goes on as ever). `fcm_endpoint_base` points pyfcm elsewhere (a local fake FCM);
    # the service account's own `token_uri` says where access tokens come from.
    fcm_service_account_file: str | None = None
    fcm_project_id: str | None = None
    fcm_endpoint_base: str | None = None
    push_timeout_seconds: float = 10.0
    push_max_attempts: int = 6
    push_backoff_initial_seconds: float = 1.0
    push_backoff_max_seconds: float = 300.0
    push_poll_seconds: float = 1.0
    # A burst (photos of one series, messages in one conversation) waits this long and goes as one push.
    push_burst_seconds: float = Field(default=60.0, ge=0)
    # The daily digest worker looks for due digests this often.
    digest_poll_seconds: float = Field(default=30.0, gt=0)
    # Devices one account may register; one more replaces the one registered longest ago (a fuzzer once
    # registered 310 for one account, and every push went to each of them).
    push_devices_per_account: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _real_signing_key_in_production(self) -> "Settings":
        key = self.unsubscribe_signing_key.get_secret_value()
        if self.environment == "production" and (key.startswith("dev-") or len(key) < 32):
            raise ValueError("NOTIFICATIONS_UNSUBSCRIBE_SIGNING_KEY must be a real secret of at least 32 characters "
                             "in production")
        return self

    def mail_links(self) -> MailLinks:
        return MailLinks(self.web_base_url, self.public_api_base_url,
                         self.unsubscribe_signing_key.get_secret_value().encode())

    @property
    def push_enabled(self) -> bool:
        return bool(self.fcm_service_account_file)
