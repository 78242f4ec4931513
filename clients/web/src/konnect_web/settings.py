"""The portal's settings (environment variables WEB_*): where the gateway is, the cookie key, the port."""

import base64
import hashlib

from pydantic_settings import BaseSettings, SettingsConfigDict

# Development only: a production portal refuses to start with it (see WebSettings.check).
DEV_SECRET = "konnect-web-dev-secret-change-me"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_")

    environment: str = "development"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # Addresses of reverse proxies whose X-Forwarded-For names the browser (comma-separated); none by default,
    # so a browser cannot pick the address the gateway's rate limits count.
    trusted_proxies: str = ""
    gateway_url: str = "http://127.0.0.1:8000"
    # Encrypts the session cookie (tokens of the accounts on this device). Several keys, comma-separated,
    # allow rotation: the first encrypts, all decrypt.
    secret_keys: str = DEV_SECRET
    # Browsers accept Secure cookies on http://127.0.0.1 / localhost, so this stays on in development too.
    cookie_secure: bool = True
    session_days: int = 30
    gateway_timeout_seconds: float = 15.0

    def check(self) -> None:
        if self.environment == "production" and DEV_SECRET in self.secret_keys.split(","):
            raise RuntimeError("WEB_SECRET_KEYS must be set to a secret of your own in production")

    def fernet_keys(self) -> list[bytes]:
        """Any secret string becomes a Fernet key (32 bytes, urlsafe base64) by hashing it."""
        return [base64.urlsafe_b64encode(hashlib.sha256(k.strip().encode()).digest())
                for k in self.secret_keys.split(",") if k.strip()]
