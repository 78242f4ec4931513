"""Settings base class every service extends with its own env prefix (e.g. IDENTITY_)."""

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from konnect_kit.kafka import KafkaConnection, SecurityProtocol
from konnect_kit.topics import TopicPrefix

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseSettings):
    """Common knobs; a service subclass sets `model_config = SettingsConfigDict(env_prefix="X_")`."""

    # populate_by_name: tests and tools pass `topic_prefix=` (the environment names it KONNECT_TOPIC_PREFIX).
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    environment: Environment = "development"
    database_url: str = "postgresql+asyncpg://konnect@127.0.0.1:7432/konnect"
    # Sized above the expected concurrent requests: connections beyond the pool are opened and closed
    # per checkout, and a PostgreSQL connection costs a process fork and an authentication round.
    database_pool_size: int = 20
    database_max_overflow: int = 20
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # This service's own Kafka principal (SCRAM-SHA-512); its ACLs come from the contract topic catalogue.
    # Empty username: the service name. Empty password: the development default `dev-kafka-<service>`
    # that `make up` registers (refused in production).
    kafka_username: str = ""
    kafka_password: str = ""
    kafka_security_protocol: SecurityProtocol = "SASL_PLAINTEXT"
    kafka_ssl_cafile: str | None = None
    # The deployment's namespace on the Kafka cluster (KONNECT_TOPIC_PREFIX, the same for every service): put
    # before every topic and consumer group name (konnect_kit.topics). Empty in a normal deployment; tests give
    # each service under test its own, so it neither reads nor writes anyone else's topics.
    topic_prefix: TopicPrefix = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    # Idle keep-alive connections stay open this long. It must be longer than any client's own pool keeps them
    # (the gateway: 30 s): when the server closes first, a request sent on that connection at the same moment
    # dies unanswered (uvicorn's default of 5 s gave the gateway sporadic 503s).
    http_keep_alive_seconds: int = 75
    log_level: str = "INFO"
    # Outbox relay: how long to sleep when idle (a NOTIFY wakes it earlier).
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 500
    # Consumer: bounded retries with exponential backoff before a message is dead-lettered.
    consumer_max_attempts: int = 5
    consumer_backoff_initial_seconds: float = 0.2
    consumer_backoff_max_seconds: float = 5.0
    consumer_batch_size: int = 2000
    # A consumer that also reads topics named by its own data (planning: each registered ERP client's
    # evaluations topic) looks for a changed list this often.
    consumer_topic_refresh_seconds: float = 10.0
    # Housekeeping of the kit's tables (konnect_kit.housekeeping), a pass every `housekeeping_seconds`: outbox rows
    # published longer ago than `outbox_retention_days` and inbox ids older than `inbox_retention_days` are deleted.
    # The inbox's must be longer than the retention of every topic the service reads (Kafka's default: 7 days),
    # or an event Kafka delivers again after its id was deleted would be applied twice.
    outbox_retention_days: float = Field(default=7.0, gt=0)
    inbox_retention_days: float = Field(default=30.0, gt=0)
    housekeeping_seconds: float = Field(default=3600.0, gt=0)
    shutdown_timeout_seconds: float = 20.0
    # Shared secret the gateway uses to sign the identity it forwards to services.
    internal_token: str = "dev-internal-token"

    @property
    def kafka(self) -> KafkaConnection:
        return kafka_connection(self.service_name, self.kafka_bootstrap_servers, self.kafka_username,
                                self.kafka_password, self.kafka_security_protocol, self.kafka_ssl_cafile)

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> "ServiceSettings":
        # Fail fast: a production deployment must never run on the checked-in development secret.
        if self.environment == "production" and self.internal_token.startswith("dev-"):
            raise ValueError("internal_token must be set to a real secret in production")
        if self.environment == "production" and self.kafka.password.startswith("dev-"):  # type: ignore[union-attr]
            raise ValueError("kafka_password must be set to this service's real Kafka secret in production")
        return self


def dev_kafka_password(principal: str) -> str:
    """The development password of a service principal: what `make up` and the test harness register."""
    return f"dev-kafka-{principal}"


def kafka_connection(service: str, bootstrap: str, username: str, password: str,
                     protocol: SecurityProtocol = "SASL_PLAINTEXT", cafile: str | None = None) -> KafkaConnection:
    user = username or service
    return KafkaConnection(bootstrap, user, password or dev_kafka_password(user), protocol, cafile)
