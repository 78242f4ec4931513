"""Real infrastructure as local processes: PostgreSQL, Apache Kafka (KRaft), versitygw (S3) and mailpit."""

import asyncio
import base64
import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka.client import AIOKafkaClient
from konnect_kit.kafka import KafkaConnection, SecurityProtocol
from konnect_kit.kafka_access import apply_service_access, dev_service_passwords
from konnect_kit.settings import dev_kafka_password
from konnect_kit.topics import create_deployment_topics

from konnect_devstack import paths
from konnect_devstack.processes import ManagedProcess, port_open, wait_until
from konnect_devstack.profiles import Profile

S3_ACCESS_KEY = "konnect"
S3_SECRET_KEY = "konnect-local-secret"
MEDIA_BUCKET = "konnect-media"
POSTGRES_USER = "konnect"
# The cluster admin (a super user): topics, ACLs, SCRAM users and the operator tools. Local use only.
KAFKA_ADMIN_USER = "admin"
KAFKA_ADMIN_PASSWORD = "dev-kafka-admin"
# Bump when the broker's security setup changes: a broker formatted or started by older code is redone.
KAFKA_SECURITY_GENERATION = "sasl-scram-acl-1"


@dataclass(frozen=True)
class InfraEndpoints:
    """Where each piece of infrastructure answers; the one fixture API for local and Docker modes."""

    postgres_host: str
    postgres_port: int
    postgres_user: str
    postgres_password: str
    kafka_bootstrap: str
    kafka_admin_user: str
    kafka_admin_password: str
    s3_endpoint: str  # host:port
    s3_access_key: str
    s3_secret_key: str
    smtp_host: str
    smtp_port: int
    mailpit_api: str  # http://host:port
    # SASL_PLAINTEXT with ACLs locally; the Docker path (TEST_INFRA=docker) runs an unauthenticated broker.
    kafka_security_protocol: SecurityProtocol = "SASL_PLAINTEXT"

    @property
    def kafka_secured(self) -> bool:
        return self.kafka_security_protocol != "PLAINTEXT"

    def database_url(self, database: str) -> str:
        auth = self.postgres_user + (f":{self.postgres_password}" if self.postgres_password else "")
        return f"postgresql+asyncpg://{auth}@{self.postgres_host}:{self.postgres_port}/{database}"

    def admin_dsn(self) -> str:
        return self.database_url("postgres").replace("+asyncpg", "")

    @property
    def kafka(self) -> KafkaConnection:
        """The cluster admin's connection (a super user): for the harness, test tools and operator commands."""
        return KafkaConnection(self.kafka_bootstrap, self.kafka_admin_user, self.kafka_admin_password,
                               self.kafka_security_protocol)

    def kafka_as(self, principal: str, password: str | None = None) -> KafkaConnection:
        """Another principal's connection; a service principal's development password by default."""
        return self.kafka.as_user(principal, password if password is not None else dev_kafka_password(principal))

    def kafka_settings(self) -> dict[str, str]:
        """Service settings for an in-process service in a test: the admin principal, since such tests use
        their own topics and consumer groups that no service ACL covers."""
        return {"kafka_bootstrap_servers": self.kafka_bootstrap, "kafka_username": self.kafka_admin_user,
                "kafka_password": self.kafka_admin_password, "kafka_security_protocol": self.kafka_security_protocol}


def _pg_bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: run `make install`")
    return found[-1]


def _as_postgres_user(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the Debian package provides the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _discard(folder: Path) -> None:
    """Move `folder` aside at once and delete it in the background: a test cluster can hold thousands of
    databases, and removing them inline held up the first test by minutes on a loaded machine."""
    trash = folder.with_name(f"{folder.name}.discarded-{uuid.uuid4().hex[:8]}")
    folder.rename(trash)
    subprocess.Popen(["rm", "-rf", str(trash)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


class Postgres:
    def __init__(self, profile: Profile) -> None:
        self.port = profile.postgres_port
        self.data = paths.postgres_data_dir(profile.name)
        self.log_file = paths.log_dir(profile.name) / "postgres.log"
        self.run_marker = paths.run_dir(profile.name) / "postgres.data-id"

    def running(self) -> bool:
        return port_open(self.port)

    def start(self) -> None:
        if self.running():
            return
        # The data lives outside the checkout (see paths.postgres_data_dir): a checkout deleted and cloned again
        # at the same path has a new Kafka but would find the old databases (naming ERP clients, topics and
        # outbox rows the new broker never had). The data belongs to this checkout only if both ids match.
        here, there = self.run_marker, self.data.parent / f"{self.data.name}.id"
        kafka_data = self.run_marker.parent / "kafka" / "data" / "meta.properties"
        if (self.data / "PG_VERSION").exists() and not here.exists() and not there.exists() and kafka_data.exists():
            # Data from before these ids existed, with its own broker data beside it: the pair is consistent.
            adopted = uuid.uuid4().hex
            there.write_text(adopted)
            here.write_text(adopted)
        if (self.data / "PG_VERSION").exists() and (
                not here.exists() or not there.exists() or here.read_text() != there.read_text()):
            print("PostgreSQL data of an earlier checkout at this path: starting it over", flush=True)
            _discard(self.data)
        if self.data.exists() and not (self.data / "PG_VERSION").exists() and any(self.data.iterdir()):
            # A cluster never finished (initdb or a removal cut short): initdb refuses a non-empty folder.
            print("PostgreSQL data folder is incomplete: starting it over", flush=True)
            _discard(self.data)
        if not (self.data / "PG_VERSION").exists():
            data_id = uuid.uuid4().hex
            there.unlink(missing_ok=True)
            self.data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.data, "postgres", "postgres")
                shutil.chown(self.data.parent, "postgres", "postgres")
            subprocess.run(
                _as_postgres_user([_pg_bin("initdb"), "-D", str(self.data), "-U", POSTGRES_USER,
                                   "-A", "trust", "-E", "UTF8", "--no-locale"]),
                check=True, stdout=subprocess.DEVNULL,
            )
            there.write_text(data_id)
            here.write_text(data_id)
        if os.geteuid() == 0:
            self.log_file.touch()
            shutil.chown(self.log_file, "postgres", "postgres")
        # Tuned for a test box: durability traded for speed is fine for throwaway local data only
        # where asked; by default the server keeps fsync on so fault tests mean something.
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c max_connections=400"
        subprocess.run(
            _as_postgres_user([_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log_file),
                               "-o", options, "-w", "-t", "60", "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )


class Kafka:
    def __init__(self, profile: Profile) -> None:
        self.port = profile.kafka_port
        self.controller_port = profile.kafka_controller_port
        self.dir = paths.run_dir(profile.name) / "kafka"
        self.process = ManagedProcess("kafka", paths.run_dir(profile.name) / "kafka.pid",
                                      paths.log_dir(profile.name) / "kafka.log")

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _properties(self) -> str:
        """Client listener SASL_PLAINTEXT with SCRAM-SHA-512 (loopback only; SASL_SSL in production), the
        controller listener SASL_PLAINTEXT with PLAIN (KRaft controllers cannot use SCRAM: their credentials
        live in the metadata log they serve), ACLs enforced by the StandardAuthorizer with nothing allowed
        unless an ACL says so, and the admin as the only super user."""
        scram = ("org.apache.kafka.common.security.scram.ScramLoginModule required "
                 f'username="{KAFKA_ADMIN_USER}" password="{KAFKA_ADMIN_PASSWORD}";')
        plain = ("org.apache.kafka.common.security.plain.PlainLoginModule required "
                 f'username="{KAFKA_ADMIN_USER}" password="{KAFKA_ADMIN_PASSWORD}" '
                 f'user_{KAFKA_ADMIN_USER}="{KAFKA_ADMIN_PASSWORD}";')
        return "\n".join([
            f"# konnect security generation: {KAFKA_SECURITY_GENERATION}",
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
            "controller.listener.names=CONTROLLER",
            f"listeners=CLIENT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners=CLIENT://127.0.0.1:{self.port}",
            "listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
            "inter.broker.listener.name=CLIENT",
            "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
            "listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512",
            f"listener.name.client.scram-sha-512.sasl.jaas.config={scram}",
            "sasl.mechanism.controller.protocol=PLAIN",
            "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
            f"listener.name.controller.plain.sasl.jaas.config={plain}",
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            f"super.users=User:{KAFKA_ADMIN_USER}",
            "allow.everyone.if.no.acl.found=false",
            f"log.dirs={self.dir / 'data'}",
            "num.partitions=3",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=6",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "",
        ])

    def fingerprint(self) -> str:
        return hashlib.sha256(self._properties().encode()).hexdigest()[:16]

    def _write_config(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "server.properties"
        config.write_text(self._properties())
        (self.dir / "log4j2.properties").write_text("\n".join([
            "status = warn",
            "appender.console.type = Console",
            "appender.console.name = STDOUT",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = WARN",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "logger.server.name = kafka.server.KafkaRaftServer",
            "logger.server.level = INFO",
            "",
        ]))
        return config

    def _java(self, main: str, *args: str) -> list[str]:
        if not paths.KAFKA_LIBS.exists():
            raise RuntimeError(f"Kafka jars missing in {paths.KAFKA_LIBS}: run `make install`")
        heap = os.environ.get("KONNECT_KAFKA_HEAP", "512m")
        return ["java", f"-Xmx{heap}", f"-Xms{heap}", "-XX:+UseG1GC", "-cp", f"{paths.KAFKA_LIBS}/*",
                f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}", main, *args]

    def running(self) -> bool:
        return self.process.pid is not None and port_open(self.port)

    @property
    def admin(self) -> KafkaConnection:
        return KafkaConnection(self.bootstrap, KAFKA_ADMIN_USER, KAFKA_ADMIN_PASSWORD)

    def start(self) -> None:
        started_with = self.dir / "started.fingerprint"
        if self.running():
            if started_with.exists() and started_with.read_text() == self.fingerprint():
                return
            # A broker started by older code (e.g. without SASL) or with another config: restart it.
            print(f"Kafka on {self.bootstrap} runs an older configuration: restarting it", flush=True)
            self.stop()
        config = self._write_config()
        formatted = self.dir / "data" / "konnect-security"
        if (self.dir / "data" / "meta.properties").exists() and (
                not formatted.exists() or formatted.read_text() != KAFKA_SECURITY_GENERATION):
            # Formatted by older code: no admin credential in its metadata, and no way to add one without
            # an authenticated admin. Local data only, so start over (services republish; `make up` reseeds).
            print("Kafka data was formatted without the admin credential: formatting it again", flush=True)
            shutil.rmtree(self.dir / "data")
        if not (self.dir / "data" / "meta.properties").exists():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            # KIP-900: the admin's SCRAM credential goes into the bootstrap metadata, so the very first start
            # already authenticates the admin (and the broker itself, which uses it between listeners).
            subprocess.run(self._java("kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                                      "-c", str(config), "--add-scram",
                                      f"SCRAM-SHA-512=[name={KAFKA_ADMIN_USER},password={KAFKA_ADMIN_PASSWORD}]"),
                           check=True, stdout=subprocess.DEVNULL)
            formatted.write_text(KAFKA_SECURITY_GENERATION)
        self.process.start(self._java("kafka.Kafka", str(config)))
        wait_until(self._metadata_ok, timeout=90, what="Kafka", on_timeout=self.process.tail)
        started_with.write_text(self.fingerprint())

    def _metadata_ok(self) -> bool:
        if not port_open(self.port):
            return False

        async def probe() -> bool:
            client = AIOKafkaClient(**self.admin.client_kwargs(), request_timeout_ms=3000)
            try:
                await asyncio.wait_for(client.bootstrap(), timeout=4)
                return bool(client.cluster.brokers())
            except Exception:
                return False
            finally:
                await client.close()

        return asyncio.run(probe())

    def stop(self) -> None:
        self.process.stop(timeout=30)


class S3Server:
    def __init__(self, profile: Profile) -> None:
        self.port = profile.s3_port
        self.dir = paths.run_dir(profile.name) / "s3"
        self.process = ManagedProcess("versitygw", paths.run_dir(profile.name) / "s3.pid",
                                      paths.log_dir(profile.name) / "s3.log")

    def running(self) -> bool:
        return self.process.pid is not None and port_open(self.port)

    def start(self) -> None:
        if self.running():
            return
        (self.dir / "data").mkdir(parents=True, exist_ok=True)
        (self.dir / "meta").mkdir(parents=True, exist_ok=True)
        # --sidecar keeps object metadata in files: no dependency on extended-attribute support.
        self.process.start(
            [str(paths.BIN / "versitygw"), "--port", f"127.0.0.1:{self.port}", "posix",
             "--sidecar", str(self.dir / "meta"), str(self.dir / "data")],
            env={"ROOT_ACCESS_KEY": S3_ACCESS_KEY, "ROOT_SECRET_KEY": S3_SECRET_KEY},
        )
        wait_until(lambda: port_open(self.port), timeout=30, what="S3 (versitygw)",
                   on_timeout=self.process.tail)

    def stop(self) -> None:
        self.process.stop()


class Mailpit:
    def __init__(self, profile: Profile) -> None:
        self.smtp_port, self.http_port = profile.smtp_port, profile.mailpit_port
        self.process = ManagedProcess("mailpit", paths.run_dir(profile.name) / "mailpit.pid",
                                      paths.log_dir(profile.name) / "mailpit.log")

    def running(self) -> bool:
        return self.process.pid is not None and port_open(self.http_port)

    def start(self) -> None:
        if self.running():
            return
        self.process.start([str(paths.BIN / "mailpit"), "--smtp", f"127.0.0.1:{self.smtp_port}",
                            "--listen", f"127.0.0.1:{self.http_port}", "--smtp-auth-accept-any",
                            "--smtp-auth-allow-insecure", "--max", "5000"])
        wait_until(lambda: port_open(self.http_port) and port_open(self.smtp_port), timeout=30,
                   what="mailpit", on_timeout=self.process.tail)

    def stop(self) -> None:
        self.process.stop()


class LocalInfra:
    """All four pieces for one profile; `up()` is idempotent and reuses what already runs."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.postgres = Postgres(profile)
        self.kafka = Kafka(profile)
        self.s3 = S3Server(profile)
        self.mailpit = Mailpit(profile)

    @property
    def endpoints(self) -> InfraEndpoints:
        p = self.profile
        return InfraEndpoints(
            postgres_host="127.0.0.1", postgres_port=p.postgres_port, postgres_user=POSTGRES_USER,
            postgres_password="", kafka_bootstrap=self.kafka.bootstrap,
            kafka_admin_user=KAFKA_ADMIN_USER, kafka_admin_password=KAFKA_ADMIN_PASSWORD,
            s3_endpoint=f"127.0.0.1:{p.s3_port}", s3_access_key=S3_ACCESS_KEY, s3_secret_key=S3_SECRET_KEY,
            smtp_host="127.0.0.1", smtp_port=p.smtp_port, mailpit_api=f"http://127.0.0.1:{p.mailpit_port}",
        )

    def up(self) -> InfraEndpoints:
        # One starter at a time per profile: concurrent test sessions must not both launch a broker.
        with open(paths.run_dir(self.profile.name) / "infra.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.postgres.start()
            self.s3.start()
            self.mailpit.start()
            self.kafka.start()
            prepare(self.endpoints)
        return self.endpoints

    def wipe(self) -> None:
        """Delete this profile's data (after `down`): databases, Kafka log, objects, pid and log files."""
        shutil.rmtree(paths.run_dir(self.profile.name), ignore_errors=True)
        shutil.rmtree(self.postgres.data, ignore_errors=True)
        paths.log_dir(self.profile.name)  # recreate the empty run and log folders the processes write to

    @property
    def parts(self) -> list["Postgres | Kafka | S3Server | Mailpit"]:
        return [self.postgres, self.s3, self.mailpit, self.kafka]

    def down(self, only: list["Postgres | Kafka | S3Server | Mailpit"] | None = None) -> None:
        for part in reversed(self.parts):
            if only is None or part in only:
                part.stop()


def prepare(endpoints: InfraEndpoints) -> None:
    """Databases, topics and the media bucket: what must exist before services start."""
    from konnect_devstack.stack import SERVICE_DATABASES

    asyncio.run(create_databases(endpoints, SERVICE_DATABASES))
    asyncio.run(create_deployment_topics(endpoints.kafka, ""))  # the stack's processes run unprefixed
    # Every service its own principal, with the ACLs of the contract catalogue (development passwords).
    if endpoints.kafka_secured:
        asyncio.run(apply_service_access(endpoints.kafka, dev_service_passwords()))
    ensure_bucket(endpoints, MEDIA_BUCKET)


async def create_databases(endpoints: InfraEndpoints, names: list[str]) -> None:
    conn = await asyncpg.connect(endpoints.admin_dsn())
    try:
        existing = {r[0] for r in await conn.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


# What the test harness makes per test or per module: a database `t_<12 hex>` (new_database) and topics under a
# prefix `t<10 hex>.` (pytest_plugin.new_topic_prefix) or `k<10 hex>.` (the kit's tests). Nothing else is named so.
_TEST_DATABASE = re.compile(r"t_[0-9a-f]{12}")
_TEST_TOPIC = re.compile(r"[tk][0-9a-f]{10}\.")


async def forget_earlier_test_runs(endpoints: InfraEndpoints, *, databases: re.Pattern[str] = _TEST_DATABASE,
                                   topics: re.Pattern[str] = _TEST_TOPIC) -> tuple[int, int]:
    """Drop the databases (names matching `databases` whole) and topics (names starting with a match of `topics`)
    earlier test sessions made for their tests; returns how many of each.

    Only for a test session that has the infrastructure to itself: every such database and topic then belongs to
    a session that ended. Why: the test infrastructure's data stays between sessions (and the whole of it with
    KONNECT_KEEP_INFRA=1), and each session adds hundreds of both. After a day of runs the broker held 12,400 open
    files and refused connections ("Unable to bootstrap"), and PostgreSQL's data directory had grown to 6 GB."""
    from aiokafka.admin import AIOKafkaAdminClient

    conn = await asyncpg.connect(endpoints.admin_dsn())
    try:
        dropped = [r[0] for r in await conn.fetch("SELECT datname FROM pg_database") if databases.fullmatch(r[0])]
        for name in dropped:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    admin = AIOKafkaAdminClient(**endpoints.kafka.client_kwargs(), client_id="konnect-test-cleanup")
    await admin.start()
    try:
        deleted = [t for t in await admin.list_topics() if topics.match(t)]
        for start in range(0, len(deleted), 500):  # one request per 500: a broker takes a long list in parts
            await admin.delete_topics(deleted[start:start + 500])
    finally:
        await admin.close()
    return len(dropped), len(deleted)


async def new_database(endpoints: InfraEndpoints, *, label: str = "t", kit_tables: bool = False) -> str:
    """A brand-new empty database of its own (tests, benchmarks); returns its SQLAlchemy URL. With `kit_tables`
    it has the kit's outbox and inbox tables (for kit code without a service's migrations)."""
    name = f"{label}_{uuid.uuid4().hex[:12]}"
    await create_databases(endpoints, [name])
    url = endpoints.database_url(name)
    if kit_tables:
        from konnect_kit.schema import kit_metadata
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(kit_metadata.create_all)
        await engine.dispose()
    return url


def ensure_bucket(endpoints: InfraEndpoints, bucket: str) -> None:
    from minio import Minio

    client = Minio(endpoints.s3_endpoint, access_key=endpoints.s3_access_key,
                   secret_key=endpoints.s3_secret_key, secure=False, region="us-east-1")
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
