"""Fixed local addresses per profile: `dev` for `make up`, `test` for the suite, so both can run at once."""

import os
from dataclasses import dataclass, field

SERVICES = ("identity", "timeline", "messaging", "planning", "credits", "notifications")


@dataclass(frozen=True)
class Profile:
    name: str
    postgres_port: int
    kafka_port: int
    kafka_controller_port: int
    s3_port: int
    smtp_port: int
    mailpit_port: int
    gateway_port: int
    service_ports: dict[str, int] = field(default_factory=dict)
    web_port: int = 0  # the web portal (clients/web)


def _env_port(var: str, default: int) -> int:
    return int(os.environ.get(var, default))


def dev_profile() -> Profile:
    return Profile(
        name="dev",
        postgres_port=_env_port("KONNECT_POSTGRES_PORT", 54320),
        kafka_port=_env_port("KONNECT_KAFKA_PORT", 9092),
        kafka_controller_port=_env_port("KONNECT_KAFKA_CONTROLLER_PORT", 9093),
        s3_port=_env_port("KONNECT_S3_PORT", 7070),
        smtp_port=_env_port("KONNECT_SMTP_PORT", 1025),
        mailpit_port=_env_port("KONNECT_MAILPIT_PORT", 8025),
        gateway_port=_env_port("KONNECT_GATEWAY_PORT", 8000),
        service_ports={s: _env_port(f"KONNECT_{s.upper()}_PORT", 8101 + i) for i, s in enumerate(SERVICES)},
        web_port=_env_port("KONNECT_WEB_PORT", 8080),
    )


def test_profile() -> Profile:
    return Profile(
        name="test",
        postgres_port=_env_port("KONNECT_TEST_POSTGRES_PORT", 15432),
        kafka_port=_env_port("KONNECT_TEST_KAFKA_PORT", 19092),
        kafka_controller_port=_env_port("KONNECT_TEST_KAFKA_CONTROLLER_PORT", 19093),
        s3_port=_env_port("KONNECT_TEST_S3_PORT", 17070),
        smtp_port=_env_port("KONNECT_TEST_SMTP_PORT", 11025),
        mailpit_port=_env_port("KONNECT_TEST_MAILPIT_PORT", 18025),
        gateway_port=_env_port("KONNECT_TEST_GATEWAY_PORT", 18000),
        service_ports={s: _env_port(f"KONNECT_TEST_{s.upper()}_PORT", 18101 + i)
                       for i, s in enumerate(SERVICES)},
        web_port=_env_port("KONNECT_TEST_WEB_PORT", 18080),
    )


def bench_profile() -> Profile:
    """Benchmarks get their own ports so they never share a broker with a running test suite; KONNECT_BENCH_*
    moves them (two people benchmarking on one machine)."""
    return Profile(
        name="bench",
        postgres_port=_env_port("KONNECT_BENCH_POSTGRES_PORT", 25432),
        kafka_port=_env_port("KONNECT_BENCH_KAFKA_PORT", 29092),
        kafka_controller_port=_env_port("KONNECT_BENCH_KAFKA_CONTROLLER_PORT", 29093),
        s3_port=_env_port("KONNECT_BENCH_S3_PORT", 27070),
        smtp_port=_env_port("KONNECT_BENCH_SMTP_PORT", 21025),
        mailpit_port=_env_port("KONNECT_BENCH_MAILPIT_PORT", 28025),
        gateway_port=_env_port("KONNECT_BENCH_GATEWAY_PORT", 28000),
        service_ports={s: _env_port(f"KONNECT_BENCH_{s.upper()}_PORT", 28101 + i) for i, s in enumerate(SERVICES)},
        web_port=_env_port("KONNECT_BENCH_WEB_PORT", 28080),
    )


def fault_profile() -> Profile:
    """A private broker for fault tests that stop and start it, so no other test loses its Kafka."""
    return Profile(
        name="fault", postgres_port=35432, kafka_port=39092, kafka_controller_port=39093, s3_port=37070,
        smtp_port=31025, mailpit_port=38025, gateway_port=38000,
        service_ports={s: 38101 + i for i, s in enumerate(SERVICES)}, web_port=38080,
    )


def profile_named(name: str) -> Profile:
    return {"dev": dev_profile, "test": test_profile, "bench": bench_profile, "fault": fault_profile}[name]()
