"""Kafka wiring: who we are on the broker (SASL credentials), the producer settings every service uses and
explicit topic creation.

Every Kafka client of the repo is built from a `KafkaConnection`: the bootstrap servers plus the principal's
SCRAM credentials. The broker refuses unauthenticated clients and authorises each principal by ACLs
(`konnect_kit.kafka_access`), so a client without the right credentials fails loudly instead of falling back.
"""

import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiokafka import AIOKafkaProducer, errors
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
SCRAM_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class KafkaConnection:
    """Where the brokers are and which principal this client authenticates as.

    `SASL_PLAINTEXT` is what the local stack runs (loopback only); production uses `SASL_SSL` with the
    cluster's CA (`ssl_cafile`), so passwords and events are encrypted on the wire.
    """

    bootstrap_servers: str
    username: str | None = None
    password: str | None = None
    security_protocol: SecurityProtocol = "SASL_PLAINTEXT"
    ssl_cafile: str | None = None

    def __repr__(self) -> str:  # never log the password
        return (f"KafkaConnection({self.bootstrap_servers!r}, user={self.username!r}, "
                f"protocol={self.security_protocol})")

    def as_user(self, username: str, password: str) -> "KafkaConnection":
        return KafkaConnection(self.bootstrap_servers, username, password, self.security_protocol, self.ssl_cafile)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin, low-level client)."""
        kwargs: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers,
                                  "security_protocol": self.security_protocol}
        if self.security_protocol != "PLAINTEXT":
            if not self.username or self.password is None:
                raise ValueError(f"Kafka {self.security_protocol} needs a username and a password")
            kwargs |= {"sasl_mechanism": SCRAM_MECHANISM, "sasl_plain_username": self.username,
                       "sasl_plain_password": self.password}
        if self.security_protocol == "SASL_SSL":
            kwargs["ssl_context"] = ssl.create_default_context(cafile=self.ssl_cafile)
        return kwargs


def make_producer(kafka: KafkaConnection, *, client_id: str) -> AIOKafkaProducer:
    # Idempotent producer with acks=all: a retried send never duplicates or reorders within a partition.
    return AIOKafkaProducer(
        **kafka.client_kwargs(),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        # No lingering: every event here is on someone's wait path (a parent's request, a decision mail), and
        # the outbox relay hands over a whole batch of rows before awaiting any, so batches still form under
        # load while a send is in flight. (5 ms of linger cost each hop of bench/request_saga about 5 ms.)
        linger_ms=0,
        request_timeout_ms=15000,
        retry_backoff_ms=200,
    )


async def ensure_topics(
    kafka: KafkaConnection, topics: Sequence[tuple[str, int] | tuple[str, int, dict[str, str]]], *,
    replication_factor: int = 1,
) -> list[str]:
    """Create the topics that do not exist yet (broker auto-create is off); returns those created.

    Each topic is (name, partitions) or (name, partitions, configs). Needs a principal allowed to create
    topics (the cluster admin); a refusal raises.
    """
    admin = AIOKafkaAdminClient(**kafka.client_kwargs(), client_id="konnect-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t[0], t[1], replication_factor, topic_configs=dict(t[2]) if len(t) > 2 else {})
                   for t in topics if t[0] not in existing]
        if missing:
            try:
                response = await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                # Another process created them between our list and create: the goal is reached.
                return [t.name for t in missing]
            for name, code, *rest in response.topic_errors:
                error = errors.for_code(code)
                # 36: another process created it between our list and create: the goal is reached.
                if code not in (0, 36):
                    raise error(f"cannot create topic {name}: {rest[0] if rest else ''}")
        return [t.name for t in missing]
    finally:
        await admin.close()


def add_connection_arguments(parser: Any) -> None:
    """`--bootstrap`, `--username`, `--password`, ... for the operator commands (topics, dlq, kafka_access).

    Defaults come from KONNECT_KAFKA_BOOTSTRAP / _USERNAME / _PASSWORD / _SECURITY_PROTOCOL / _SSL_CAFILE, so a
    password need not appear on a command line. Operator commands run as the cluster admin principal.
    """
    import os

    env = os.environ.get
    parser.add_argument("--bootstrap", default=env("KONNECT_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--username", default=env("KONNECT_KAFKA_USERNAME", "admin"))
    parser.add_argument("--password", default=env("KONNECT_KAFKA_PASSWORD"),
                        help="default: KONNECT_KAFKA_PASSWORD")
    parser.add_argument("--security-protocol", default=env("KONNECT_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
                        choices=["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"])
    parser.add_argument("--ssl-cafile", default=env("KONNECT_KAFKA_SSL_CAFILE"))


def connection_from_arguments(args: Any) -> KafkaConnection:
    if args.security_protocol != "PLAINTEXT" and not args.password:
        raise SystemExit("a Kafka password is needed: --password or KONNECT_KAFKA_PASSWORD")
    return KafkaConnection(args.bootstrap, args.username, args.password, args.security_protocol, args.ssl_cafile)
