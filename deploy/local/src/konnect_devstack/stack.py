"""Every Konnect service as its own process (`python -m <service>`), wired to one profile's infrastructure."""

import hashlib
import os
import sys
import time
from dataclasses import dataclass

import httpx
from konnect_kit.settings import dev_kafka_password

from konnect_devstack import paths
from konnect_devstack.infra import MEDIA_BUCKET, InfraEndpoints
from konnect_devstack.processes import ManagedProcess, port_open, wait_until
from konnect_devstack.profiles import SERVICES, Profile


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    database: str | None  # the gateway owns no database
    module: str = ""  # `python -m <module>`; the name when empty

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"


DOMAIN_SERVICES = [ServiceSpec(name, f"konnect_{name}") for name in SERVICES]
GATEWAY = ServiceSpec("gateway", None)
WEB = ServiceSpec("web", None, module="konnect_web")  # the web portal: a client of the gateway only
SERVICE_DATABASES = [s.database for s in DOMAIN_SERVICES if s.database]


def web_env(profile: Profile, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The portal knows the gateway's address and nothing else of the stack (no database, no Kafka)."""
    env = {"WEB_HTTP_PORT": str(profile.web_port), "WEB_GATEWAY_URL": f"http://127.0.0.1:{profile.gateway_port}",
           "WEB_ENVIRONMENT": "test" if profile.name == "test" else "development", "PYTHONUNBUFFERED": "1"}
    env.update({k: v for k, v in (extra or {}).items() if k.startswith("WEB_")})
    return env


def service_env(spec: ServiceSpec, profile: Profile, infra: InfraEndpoints,
                extra: dict[str, str] | None = None) -> dict[str, str]:
    if spec is WEB:
        return web_env(profile, extra)
    prefix = spec.env_prefix
    port = profile.gateway_port if spec is GATEWAY else profile.service_ports[spec.name]
    env = {
        f"{prefix}SERVICE_NAME": spec.name,
        f"{prefix}ENVIRONMENT": "test" if profile.name == "test" else "development",
        f"{prefix}HTTP_PORT": str(port),
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        # Each service its own Kafka principal, registered with these passwords by `prepare`.
        f"{prefix}KAFKA_USERNAME": spec.name,
        f"{prefix}KAFKA_PASSWORD": dev_kafka_password(spec.name),
        f"{prefix}KAFKA_SECURITY_PROTOCOL": infra.kafka_security_protocol,
        f"{prefix}SMTP_HOST": infra.smtp_host,
        f"{prefix}SMTP_PORT": str(infra.smtp_port),
        f"{prefix}S3_ENDPOINT": infra.s3_endpoint,
        f"{prefix}S3_ACCESS_KEY": infra.s3_access_key,
        f"{prefix}S3_SECRET_KEY": infra.s3_secret_key,
        f"{prefix}S3_BUCKET": MEDIA_BUCKET,
        "PYTHONUNBUFFERED": "1",
        # The local stack is one unprefixed deployment (its topics and ACLs are made by `prepare`): a prefix
        # left in the caller's environment must not move some of its processes into another namespace.
        "KONNECT_TOPIC_PREFIX": "",
    }
    if spec.database:
        env[f"{prefix}DATABASE_URL"] = infra.database_url(spec.database)
    if spec.name == "notifications":  # links in e-mails open the portal
        env["NOTIFICATIONS_WEB_BASE_URL"] = f"http://127.0.0.1:{profile.web_port}"
        # The one-click unsubscribe in mails' List-Unsubscribe header posts to the gateway.
        env["NOTIFICATIONS_PUBLIC_API_BASE_URL"] = f"http://127.0.0.1:{profile.gateway_port}"
    if spec.name == "planning":  # the private calendar-feed URL it hands out is served by the gateway
        env["PLANNING_PUBLIC_API_BASE_URL"] = f"http://127.0.0.1:{profile.gateway_port}"
    if spec is GATEWAY:
        for other in DOMAIN_SERVICES:
            env[f"GATEWAY_{other.name.upper()}_URL"] = f"http://127.0.0.1:{profile.service_ports[other.name]}"
    env.update(extra or {})
    return env


def code_fingerprint() -> str:
    """Changes whenever a Python file of the product changes (or the gateway's configuration: its route table
    and the services' OpenAPI documents), so `make up` restarts stale processes."""
    digest = hashlib.sha1()
    for folder in ("services", "shared", "deploy/local/src", "clients"):
        files = [*(paths.ROOT / folder).rglob("*.py"), *(paths.ROOT / folder).glob("*/openapi.json"),
                 *(paths.ROOT / folder).rglob("routes.txt")]
        for path in sorted(files):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()


class Stack:
    """Starts, checks and stops the service processes of one profile."""

    def __init__(self, profile: Profile, infra: InfraEndpoints, extra_env: dict[str, str] | None = None):
        self.profile, self.infra, self.extra_env = profile, infra, extra_env or {}

    def process(self, spec: ServiceSpec) -> ManagedProcess:
        run = paths.run_dir(self.profile.name)
        return ManagedProcess(spec.name, run / f"{spec.name}.pid", paths.log_dir(self.profile.name) /
                              f"{spec.name}.log")

    def url(self, spec: ServiceSpec) -> str:
        port = {GATEWAY.name: self.profile.gateway_port, WEB.name: self.profile.web_port}.get(
            spec.name) or self.profile.service_ports[spec.name]
        return f"http://127.0.0.1:{port}"

    def start(self, spec: ServiceSpec) -> None:
        proc = self.process(spec)
        stamp = paths.run_dir(self.profile.name) / f"{spec.name}.code"
        code = code_fingerprint()
        if proc.pid is not None and stamp.exists() and stamp.read_text() == code:
            return  # already running this very code: `up` twice is harmless
        proc.stop()  # running older code (or not at all): (re)start it
        port = int(self.url(spec).rsplit(":", 1)[1])
        if port_open(port):
            # Someone else answers there (another checkout's stack?): our readiness check would believe it.
            raise RuntimeError(f"port {port} for {spec.name} is taken by another process; stop it or set "
                               f"KONNECT_{'TEST_' if self.profile.name == 'test' else ''}{spec.name.upper()}_PORT")
        proc.start([sys.executable, "-m", spec.module or spec.name],
                   env=service_env(spec, self.profile, self.infra, self.extra_env), cwd=paths.ROOT)
        stamp.write_text(code)

    def wait_ready(self, spec: ServiceSpec, timeout: float = 90) -> None:
        proc = self.process(spec)
        probe = "/health" if spec is WEB else "/ready"

        def ready() -> bool:
            if proc.pid is None:
                raise RuntimeError(f"{spec.name} exited during start-up:\n{proc.tail(40)}")
            try:
                return httpx.get(f"{self.url(spec)}{probe}", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout=timeout, what=spec.name, on_timeout=lambda: proc.tail(40))

    @property
    def specs(self) -> list[ServiceSpec]:
        return [WEB, GATEWAY, *DOMAIN_SERVICES]

    def up(self) -> None:
        started = time.monotonic()
        for spec in DOMAIN_SERVICES:
            self.start(spec)
        for spec in DOMAIN_SERVICES:
            self.wait_ready(spec)
        self.start(GATEWAY)
        self.wait_ready(GATEWAY)
        self.start(WEB)
        self.wait_ready(WEB)
        if os.environ.get("KONNECT_VERBOSE"):
            print(f"services ready in {time.monotonic() - started:.1f}s")

    def stop(self, spec: ServiceSpec) -> None:
        self.process(spec).stop()

    def down(self) -> None:
        for spec in self.specs:
            self.stop(spec)
