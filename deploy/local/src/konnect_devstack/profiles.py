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


def _profile(name: str, env_prefix: str, *, postgres: int, kafka: int, s3: int, smtp: int, mailpit: int,
             gateway: int, first_service: int, web: int) -> Profile:
    """A profile whose every port can be moved by `<env_prefix>_<WHAT>_PORT` (two stacks on one machine)."""

    def port(what: str, default: int) -> int:
        return _env_port(f"{env_prefix}_{what}_PORT", default)

    return Profile(
        name=name,
        postgres_port=port("POSTGRES", postgres),
        kafka_port=port("KAFKA", kafka),
        kafka_controller_port=port("KAFKA_CONTROLLER", kafka + 1),
        s3_port=port("S3", s3),
        smtp_port=port("SMTP", smtp),
        mailpit_port=port("MAILPIT", mailpit),
        gateway_port=port("GATEWAY", gateway),
        service_ports={s: port(s.upper(), first_service + i) for i, s in enumerate(SERVICES)},
        web_port=port("WEB", web),
    )


def dev_profile() -> Profile:
    # PostgreSQL on 7432: not 5432 (a Debian postgresql package may run its own cluster there) and not in
    # 32768-60999, where any outgoing connection may hold it when `make up` starts PostgreSQL (see fault_profile).
    return _profile("dev", "KONNECT", postgres=7432, kafka=9092, s3=7070, smtp=1025, mailpit=8025,
                    gateway=8000, first_service=8101, web=8080)


def test_profile() -> Profile:
    return _profile("test", "KONNECT_TEST", postgres=15432, kafka=19092, s3=17070, smtp=11025, mailpit=18025,
                    gateway=18000, first_service=18101, web=18080)


def bench_profile() -> Profile:
    """Benchmarks get their own ports so they never share a broker with a running test suite; KONNECT_BENCH_*
    moves them (two people benchmarking on one machine)."""
    return _profile("bench", "KONNECT_BENCH", postgres=25432, kafka=29092, s3=27070, smtp=21025, mailpit=28025,
                    gateway=28000, first_service=28101, web=28080)


def fault_profile() -> Profile:
    """A private broker for fault tests that stop and start it, so no other test loses its Kafka;
    KONNECT_FAULT_* moves its ports. Below 32768 like every test port: Linux hands out 32768-60999 as the
    local ports of outgoing connections, and a broker (re)started while a test's client holds its port cannot
    bind ("Address already in use": a CI failure of the outbox fault test)."""
    return _profile("fault", "KONNECT_FAULT", postgres=31432, kafka=31092, s3=31070, smtp=31025, mailpit=31825,
                    gateway=31800, first_service=31101, web=31880)


def profile_named(name: str) -> Profile:
    return {"dev": dev_profile, "test": test_profile, "bench": bench_profile, "fault": fault_profile}[name]()
