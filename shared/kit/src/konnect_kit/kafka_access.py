"""Kafka principals and ACLs, derived from the contract topic catalogue, and ERP client registration.

    python -m konnect_kit.kafka_access apply [--service-password-env]       # service users + ACLs
    python -m konnect_kit.kafka_access erp-add CLIENT --organisation UUID [--organisation UUID ...]
    python -m konnect_kit.kafka_access erp-remove CLIENT
    python -m konnect_kit.kafka_access show                                  # the ACL table, nothing applied

Every command runs as the cluster admin (`--username`, default admin; password from KONNECT_KAFKA_PASSWORD), for the
deployment named by `--topic-prefix` (default KONNECT_TOPIC_PREFIX, as the services read it): every topic and group
below is that deployment's Kafka name (`konnect_kit.topics.topic_name`), e.g. `staging.planning.requests.v1`.
Principals are not prefixed: a service is the same user in every namespace.

- Each service is its own principal (`User:<service>`) with WRITE on the topics it produces, READ on the topics
  it consumes and on its consumer group (`<service>`): `konnect_contracts.topics` says who produces and who
  consumes what, so the broker's table cannot drift from the catalogue. The ACLs are LITERAL on each topic's
  Kafka name (a PREFIXED one on the deployment's prefix would open every topic of the namespace to every
  service). Planning also gets READ+WRITE on the prefix `<topic prefix>erp.` (it copies integrator events into
  every ERP client's requests topic and reads their evaluations).
- An ERP client `<c>` is `User:erp.<c>` with READ on `erp.<c>.requests.v1`, WRITE on `erp.<c>.evaluations.v1`
  and READ on consumer groups starting with `erp.<c>.`; nothing else. `erp-add` creates the user (SCRAM-SHA-512;
  a generated password is printed once unless `--password-for-client` is given), the two topics, the ACLs and
  publishes `ErpClientRegistered` (client → organisations) on `platform.erp-clients.v1`, from which planning
  learns which organisations the client may evaluate for. Running it again with other organisations replaces
  the set (and can rotate the password with `--rotate-password`).

aiokafka's admin client has no ACL or SCRAM operations, so the Kafka requests (CreateAcls v1, DescribeAcls v1,
DeleteAcls v1, AlterUserScramCredentials v0) are spelled out here on aiokafka's protocol layer. Operators who
prefer Kafka's own tools can apply the same table (`show`) with `kafka-acls.sh` and `kafka-configs.sh`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias
from uuid import UUID

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    Array,
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    String,
    TaggedFields,
)
from konnect_contracts.envelope import Envelope, kafka_headers
from konnect_contracts.events.platform import ErpClientRegistered
from konnect_contracts.topics import (
    CONSUMING_SERVICES,
    ERP_PREFIX,
    SERVICES,
    all_topic_specs,
    erp_topics,
    topic_by_name,
)

from konnect_kit.kafka import (
    KafkaConnection,
    add_connection_arguments,
    connection_from_arguments,
    ensure_topics,
    make_producer,
)
from konnect_kit.settings import dev_kafka_password
from konnect_kit.topics import add_topic_prefix_argument, consumer_group, topic_name

ADMIN_PRINCIPAL = "admin"
ERP_CLIENTS_TOPIC = ErpClientRegistered.TOPIC
ERP_TOPIC_PARTITIONS = 3
SCRAM_ITERATIONS = 8192

# Kafka's wire codes (org.apache.kafka.common.resource / acl enums).
TOPIC, GROUP = 2, 3
LITERAL, PREFIXED, MATCH_ANY = 3, 4, 1
READ, WRITE, ANY_OPERATION = 3, 4, 1
ALLOW, ANY_PERMISSION = 3, 1
SCRAM_SHA_512 = 2
_RESOURCES = {TOPIC: "topic", GROUP: "group"}
_OPERATIONS = {READ: "READ", WRITE: "WRITE"}


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW binding for a principal from any host."""

    principal: str  # user name, without "User:"
    resource_type: int
    resource_name: str
    pattern_type: int
    operation: int

    def __str__(self) -> str:
        return (f"User:{self.principal} {_OPERATIONS.get(self.operation, self.operation)} "
                f"{_RESOURCES.get(self.resource_type, self.resource_type)} "
                f"{self.resource_name}{'*' if self.pattern_type == PREFIXED else ''}")


# -- the ACL table ----------------------------------------------------------------------------------------


def service_acls(topic_prefix: str = "") -> list[Acl]:
    """Every service principal's ACLs in the deployment with this topic prefix, from the catalogue's producers
    and consumers."""
    acls: set[Acl] = set()
    for spec in all_topic_specs():
        name = topic_name(spec, topic_prefix)
        acls.update(Acl(p, TOPIC, name, LITERAL, WRITE) for p in spec.producers)
        acls.update(Acl(c, TOPIC, name, LITERAL, READ) for c in spec.consumers)
    # Each consuming service commits offsets as its own group; the gateway reads without a group.
    acls.update(Acl(s, GROUP, consumer_group(s, topic_prefix), LITERAL, READ) for s in CONSUMING_SERVICES)
    # Planning is the ERP relay: it writes erp.<c>.requests.v1 and reads erp.<c>.evaluations.v1 of every client.
    erp = topic_name(ERP_PREFIX, topic_prefix)
    acls.update({Acl("planning", TOPIC, erp, PREFIXED, READ), Acl("planning", TOPIC, erp, PREFIXED, WRITE)})
    return sorted(acls)


def erp_acls(client_id: str, topic_prefix: str = "") -> list[Acl]:
    topics = erp_topics(client_id)
    who = topics.principal
    return [Acl(who, TOPIC, topic_name(topics.requests, topic_prefix), LITERAL, READ),
            Acl(who, TOPIC, topic_name(topics.evaluations, topic_prefix), LITERAL, WRITE),
            Acl(who, GROUP, consumer_group(topics.prefix, topic_prefix), PREFIXED, READ)]


# -- Kafka requests aiokafka's admin client lacks -------------------------------------------------------------


class _CreateAclsResponse_v1(Response):
    API_KEY, API_VERSION = 30, 1
    SCHEMA = Schema(("throttle_time_ms", Int32),
                    ("results", Array(("error_code", Int16), ("error_message", String("utf-8")))))


class _CreateAclsRequest_v1(RequestStruct):
    API_KEY, API_VERSION, RESPONSE_TYPE = 30, 1, _CreateAclsResponse_v1
    SCHEMA = Schema(("creations", Array(
        ("resource_type", Int8), ("resource_name", String("utf-8")), ("pattern_type", Int8),
        ("principal", String("utf-8")), ("host", String("utf-8")), ("operation", Int8), ("permission", Int8))))


class _CreateAcls(Request[_CreateAclsRequest_v1]):
    API_KEY = 30

    def __init__(self, acls: Sequence[Acl]) -> None:
        self.acls = acls

    def build(self, request_struct_class: type[_CreateAclsRequest_v1]) -> _CreateAclsRequest_v1:
        return request_struct_class([(a.resource_type, a.resource_name, a.pattern_type, f"User:{a.principal}", "*",
                                      a.operation, ALLOW) for a in self.acls])


_BINDING = (("resource_type", Int8), ("resource_name", String("utf-8")), ("pattern_type", Int8),
            ("principal", String("utf-8")), ("host", String("utf-8")), ("operation", Int8), ("permission", Int8))


class _DescribeAclsResponse_v1(Response):
    API_KEY, API_VERSION = 29, 1
    SCHEMA = Schema(("throttle_time_ms", Int32), ("error_code", Int16), ("error_message", String("utf-8")),
                    ("resources", Array(("resource_type", Int8), ("resource_name", String("utf-8")),
                                        ("pattern_type", Int8),
                                        ("acls", Array(("principal", String("utf-8")), ("host", String("utf-8")),
                                                       ("operation", Int8), ("permission", Int8))))))


class _DescribeAclsRequest_v1(RequestStruct):
    API_KEY, API_VERSION, RESPONSE_TYPE = 29, 1, _DescribeAclsResponse_v1
    SCHEMA = Schema(*_BINDING)


class _DescribeAcls(Request[_DescribeAclsRequest_v1]):
    API_KEY = 29

    def __init__(self, principal: str | None) -> None:
        self.principal = principal

    def build(self, request_struct_class: type[_DescribeAclsRequest_v1]) -> _DescribeAclsRequest_v1:
        return request_struct_class(1, None, MATCH_ANY, self.principal, None, ANY_OPERATION, ANY_PERMISSION)


class _DeleteAclsResponse_v1(Response):
    API_KEY, API_VERSION = 31, 1
    SCHEMA = Schema(("throttle_time_ms", Int32), ("results", Array(
        ("error_code", Int16), ("error_message", String("utf-8")),
        ("matching", Array(("error_code", Int16), ("error_message", String("utf-8")), *_BINDING)))))


class _DeleteAclsRequest_v1(RequestStruct):
    API_KEY, API_VERSION, RESPONSE_TYPE = 31, 1, _DeleteAclsResponse_v1
    SCHEMA = Schema(("filters", Array(*_BINDING)))


class _DeleteAcls(Request[_DeleteAclsRequest_v1]):
    API_KEY = 31

    def __init__(self, acls: Sequence[Acl]) -> None:
        self.acls = acls

    def build(self, request_struct_class: type[_DeleteAclsRequest_v1]) -> _DeleteAclsRequest_v1:
        return request_struct_class([(a.resource_type, a.resource_name, a.pattern_type, f"User:{a.principal}", "*",
                                      a.operation, ALLOW) for a in self.acls])


class _AlterScramResponse_v0(Response):
    API_KEY, API_VERSION = 51, 0
    SCHEMA = Schema(("throttle_time_ms", Int32), ("results", CompactArray(
        ("user", CompactString("utf-8")), ("error_code", Int16), ("error_message", CompactString("utf-8")),
        ("tags", TaggedFields))), ("tags", TaggedFields))


class _AlterScramRequest_v0(RequestStruct):
    FLEXIBLE_VERSION = True
    API_KEY, API_VERSION, RESPONSE_TYPE = 51, 0, _AlterScramResponse_v0
    SCHEMA = Schema(
        ("deletions", CompactArray(("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields))),
        ("upsertions", CompactArray(("name", CompactString("utf-8")), ("mechanism", Int8), ("iterations", Int32),
                                    ("salt", CompactBytes), ("salted_password", CompactBytes),
                                    ("tags", TaggedFields))),
        ("tags", TaggedFields))


Upsertion: TypeAlias = tuple[str, int, int, bytes, bytes, dict[int, bytes]]


class _AlterScram(Request[_AlterScramRequest_v0]):
    API_KEY = 51

    def __init__(self, upsertions: list[Upsertion], deletions: list[str]) -> None:
        self.upsertions, self.deletions = upsertions, deletions

    def build(self, request_struct_class: type[_AlterScramRequest_v0]) -> _AlterScramRequest_v0:
        return request_struct_class([(name, SCRAM_SHA_512, {}) for name in self.deletions], self.upsertions, {})


def _scram_upsertion(user: str, password: str) -> Upsertion:
    # The client sends SaltedPassword = Hi(password, salt, i) (RFC 5802); the broker derives the stored keys.
    salt = secrets.token_bytes(32)
    salted = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, SCRAM_ITERATIONS)
    return (user, SCRAM_SHA_512, SCRAM_ITERATIONS, salt, salted, {})


class KafkaAccessAdmin:
    """The admin operations above over one aiokafka connection (as the cluster admin principal)."""

    def __init__(self, kafka: KafkaConnection) -> None:
        self.kafka = kafka
        self._admin = AIOKafkaAdminClient(**kafka.client_kwargs(), client_id="konnect-kafka-access")

    async def __aenter__(self) -> KafkaAccessAdmin:
        await self._admin.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._admin.close()

    async def _send(self, request: Request) -> Any:
        # Any broker forwards these to the KRaft controller.
        return await self._admin._send_request(request)

    async def set_passwords(self, users: dict[str, str]) -> None:
        if not users:
            return
        response = await self._send(_AlterScram([_scram_upsertion(u, p) for u, p in users.items()], []))
        _raise_errors((user, code, message) for user, code, message, _ in response.results)

    async def delete_user(self, user: str) -> None:
        response = await self._send(_AlterScram([], [user]))
        # 91 RESOURCE_NOT_FOUND: no such credential, already gone.
        _raise_errors((u, code, msg) for u, code, msg, _ in response.results if code != 91)

    async def create_acls(self, acls: Sequence[Acl]) -> None:
        if acls:  # creating a binding that exists is a no-op on the broker: safe to repeat
            response = await self._send(_CreateAcls(acls))
            _raise_errors((str(a), code, msg) for a, (code, msg) in zip(acls, response.results, strict=True))

    async def acls_of(self, principal: str | None = None) -> set[Acl]:
        response = await self._send(_DescribeAcls(f"User:{principal}" if principal else None))
        _raise_errors([("describe", response.error_code, response.error_message)])
        return {Acl(p.removeprefix("User:"), rtype, name, pattern, op)
                for rtype, name, pattern, acls in response.resources for p, _host, op, perm in acls
                if perm == ALLOW and p.startswith("User:")}

    async def delete_acls(self, acls: Sequence[Acl]) -> None:
        if acls:
            response = await self._send(_DeleteAcls(acls))
            _raise_errors(("delete", code, msg) for code, msg, _ in response.results)


def _raise_errors(results: Iterable[tuple[str, int, str | None]]) -> None:
    failed = [(what, code, msg) for what, code, msg in results if code]
    if failed:
        what, code, msg = failed[0]
        raise for_code(code)(f"{what}: {msg or ''} ({len(failed)} failure(s))")


# -- the operations ------------------------------------------------------------------------------------------


async def apply_service_access(admin: KafkaConnection, passwords: dict[str, str], *,
                               topic_prefix: str = "") -> list[Acl]:
    """Create/refresh every service principal (with `passwords`, service → password) and make their ACLs in the
    deployment's namespace exactly the catalogue's: missing bindings are added, bindings no longer in the
    catalogue removed. Only bindings on names with this topic prefix count as the deployment's, so applying one
    prefixed deployment leaves the others on the cluster alone (the unprefixed deployment owns every name)."""
    wanted = service_acls(topic_prefix)
    async with KafkaAccessAdmin(admin) as kafka:
        await kafka.set_passwords(passwords)
        have = {acl for acl in await kafka.acls_of()
                if acl.principal in SERVICES and acl.resource_name.startswith(topic_prefix)}
        await kafka.create_acls([a for a in wanted if a not in have])
        await kafka.delete_acls(sorted(have - set(wanted)))
    return wanted


def dev_service_passwords() -> dict[str, str]:
    """The development passwords every service uses unless `<SERVICE>_KAFKA_PASSWORD` says otherwise."""
    return {service: dev_kafka_password(service) for service in SERVICES}


@dataclass(frozen=True)
class ErpCredentials:
    client_id: str
    username: str
    password: str | None  # None: unchanged (the client already has it)
    requests_topic: str
    evaluations_topic: str
    group_prefix: str
    organisations: tuple[UUID, ...]


async def erp_add(admin: KafkaConnection, client_id: str, organisations: Sequence[UUID], *,
                  password: str | None = None, rotate: bool = False, topic_prefix: str = "") -> ErpCredentials:
    """Register (or re-register) an ERP client for `organisations`; returns what to hand to the integrator (the
    Kafka names of its topics and groups in the deployment with this topic prefix).

    A password is set when the client is new, when one is given, or with `rotate`; otherwise the current
    one stays and `password` in the answer is None.
    """
    topics = erp_topics(client_id)
    requests, evaluations = topic_name(topics.requests, topic_prefix), topic_name(topics.evaluations, topic_prefix)
    group_prefix = consumer_group(topics.prefix, topic_prefix)
    await ensure_topics(admin, [(requests, ERP_TOPIC_PARTITIONS), (evaluations, ERP_TOPIC_PARTITIONS),
                                _erp_clients_topic(topic_prefix)])
    if admin.security_protocol == "PLAINTEXT":  # a broker without authentication (the Docker test path)
        await publish_registration(admin, client_id, organisations, topic_prefix=topic_prefix)
        return ErpCredentials(client_id, topics.principal, None, requests, evaluations, group_prefix,
                              tuple(organisations))
    async with KafkaAccessAdmin(admin) as kafka:
        existed = bool(await kafka.acls_of(topics.principal))
        if password is None and (rotate or not existed):
            password = secrets.token_urlsafe(24)
        if password is not None:
            await kafka.set_passwords({topics.principal: password})
        await kafka.create_acls(erp_acls(client_id, topic_prefix))
    await publish_registration(admin, client_id, organisations, topic_prefix=topic_prefix)
    return ErpCredentials(client_id, topics.principal, password, requests, evaluations, group_prefix,
                          tuple(organisations))


async def erp_remove(admin: KafkaConnection, client_id: str, *, topic_prefix: str = "") -> None:
    """Revoke: no organisations for planning, no ACLs and no user on the broker (the topics stay for audit)."""
    topics = erp_topics(client_id)
    await publish_registration(admin, client_id, [], topic_prefix=topic_prefix)
    async with KafkaAccessAdmin(admin) as kafka:
        await kafka.delete_acls(erp_acls(client_id, topic_prefix))
        await kafka.delete_user(topics.principal)


def _erp_clients_topic(topic_prefix: str) -> tuple[str, int, dict[str, str]]:
    spec = topic_by_name(ERP_CLIENTS_TOPIC)
    return topic_name(spec, topic_prefix), spec.partitions, dict(spec.configs)


async def publish_registration(admin: KafkaConnection, client_id: str, organisations: Sequence[UUID], *,
                               topic_prefix: str = "") -> None:
    # The version is a clock in microseconds: a later registration always wins, even from another operator host.
    event = ErpClientRegistered(client_id=client_id, organisation_ids=tuple(organisations),
                                version=time.time_ns() // 1000)
    envelope = Envelope.wrap(event, producer="platform-operator", correlation_id=f"erp-add-{uuid.uuid4()}")
    producer = make_producer(admin, client_id="konnect-kafka-access")
    await producer.start()
    try:
        await producer.send_and_wait(topic_name(ERP_CLIENTS_TOPIC, topic_prefix), value=envelope.to_bytes(),
                                     key=client_id.encode(), headers=kafka_headers(envelope))
    finally:
        await producer.stop()


# -- command line --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m konnect_kit.kafka_access", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_connection_arguments(parser)
    add_topic_prefix_argument(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    apply = commands.add_parser("apply", help="service users and ACLs from the catalogue")
    apply.add_argument("--service-passwords", metavar="FILE",
                       help="JSON {service: password}; default: the development passwords dev-kafka-<service>")
    commands.add_parser("show", help="print the service ACL table")
    add = commands.add_parser("erp-add", help="register an ERP client for its organisation(s)")
    add.add_argument("client_id")
    add.add_argument("--organisation", action="append", type=UUID, required=True, metavar="UUID")
    add.add_argument("--password-for-client", help="set this password instead of generating one")
    add.add_argument("--rotate-password", action="store_true")
    remove = commands.add_parser("erp-remove", help="revoke an ERP client")
    remove.add_argument("client_id")
    args = parser.parse_args(argv)
    if args.command == "show":
        for acl in service_acls(args.topic_prefix):
            print(acl)
        return 0
    admin = connection_from_arguments(args)
    if args.command == "apply":
        passwords = dev_service_passwords()
        if args.service_passwords:
            with open(args.service_passwords) as f:
                passwords = json.load(f)
        acls = asyncio.run(apply_service_access(admin, passwords, topic_prefix=args.topic_prefix))
        print(f"{len(passwords)} service principal(s), {len(acls)} ACL(s) applied")
    elif args.command == "erp-add":
        creds = asyncio.run(erp_add(admin, args.client_id, args.organisation, password=args.password_for_client,
                                    rotate=args.rotate_password, topic_prefix=args.topic_prefix))
        print(json.dumps({**creds.__dict__, "organisations": [str(o) for o in creds.organisations],
                          "bootstrap_servers": admin.bootstrap_servers, "sasl_mechanism": "SCRAM-SHA-512"},
                         indent=2))
    elif args.command == "erp-remove":
        asyncio.run(erp_remove(admin, args.client_id, topic_prefix=args.topic_prefix))
        print(f"ERP client {args.client_id} revoked")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
