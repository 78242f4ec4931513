"""Gateway settings (env prefix GATEWAY_)."""

from konnect_kit.kafka import KafkaConnection, SecurityProtocol
from konnect_kit.settings import kafka_connection
from konnect_kit.topics import TopicPrefix
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    environment: str = "development"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    shutdown_timeout_seconds: float = 20.0
    http_keep_alive_seconds: int = 75  # longer than clients (the portal, a load balancer) keep idle connections
    identity_url: str = "http://127.0.0.1:8101"
    timeline_url: str = "http://127.0.0.1:8102"
    messaging_url: str = "http://127.0.0.1:8103"
    planning_url: str = "http://127.0.0.1:8104"
    credits_url: str = "http://127.0.0.1:8105"
    notifications_url: str = "http://127.0.0.1:8106"
    # Route table (gateway/routes.txt when empty) and the directory holding <service>/openapi.json
    # (the repository's services/ when empty): both are configuration, no service code.
    route_table: str = ""
    service_documents_dir: str = ""
    internal_token: str = "dev-internal-token"
    # Shared with identity, which signs the access tokens this gateway verifies.
    jwt_secret: str = "dev-jwt-secret-change-me-0123456789abcdef"
    # The platform operator (who onboards organisations) authenticates with this bearer token.
    platform_operator_token: str = "dev-platform-operator-token"
    max_body_bytes: int = 1_048_576
    # Peers whose X-Forwarded-For is believed: the address(es) of your own load balancer / reverse proxy,
    # e.g. GATEWAY_TRUSTED_PROXIES='["10.0.0.5"]'. Nobody by default: otherwise any caller who reaches the
    # gateway directly (or through a proxy that passes the header on) could name a new address per request
    # and slip past the per-address limits (issue 8, finding 5).
    trusted_proxies: list[str] = []
    cors_origins: list[str] = ["http://localhost:5173"]
    upstream_timeout_seconds: float = 15.0
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # The gateway's own Kafka principal: reads identity.access.v1 (ended sessions), no group.
    kafka_username: str = "gateway"
    kafka_password: str = ""  # empty: the development password dev-kafka-gateway (refused in production)
    kafka_security_protocol: SecurityProtocol = "SASL_PLAINTEXT"
    kafka_ssl_cafile: str | None = None
    # The deployment's namespace on the cluster (KONNECT_TOPIC_PREFIX, as for every service; konnect_kit.topics).
    topic_prefix: TopicPrefix = ""
    # identity's IDENTITY_ACCESS_TOKEN_TTL_SECONDS (plus clock slack): how long an ended session's tokens
    # are refused, and how far back the access topic is read on start.
    access_token_lifetime_seconds: float = 960.0

    @property
    def service_urls(self) -> dict[str, str]:
        """Upstream base URL per service name (GATEWAY_<SERVICE>_URL)."""
        return {name: getattr(self, f"{name}_url")
                for name in ("identity", "timeline", "messaging", "planning", "credits", "notifications")}

    @property
    def kafka(self) -> KafkaConnection:
        return kafka_connection(self.service_name, self.kafka_bootstrap_servers, self.kafka_username,
                                self.kafka_password, self.kafka_security_protocol, self.kafka_ssl_cafile)

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> "Settings":
        if self.environment == "production" and (
            self.internal_token.startswith("dev-") or self.platform_operator_token.startswith("dev-")
            or self.jwt_secret.startswith("dev-") or self.kafka.password.startswith("dev-")  # type: ignore[union-attr]
        ):
            raise ValueError("set real secrets (internal_token, platform_operator_token, jwt_secret, kafka_password) "
                             "in production")
        return self
