"""The topic catalogue: names, keys, partition counts, the event types each topic carries, and who may
produce and consume each topic.

Topics are created explicitly by a deploy step (broker auto-create is off). `producers` and `consumers`
are the source of the broker's ACLs (`konnect_kit.kafka_access`): a service principal may write only the
topics it produces and read only the topics it consumes, so the table here cannot drift from what the
broker enforces. ERP systems never touch these topics: each ERP client gets its own pair under
`erp.<client>.` (see `erp_topics`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str
    """Human description of the message key, e.g. ``"family_id"``."""
    partitions: int
    description: str
    event_types: tuple[str, ...]
    producers: tuple[str, ...] = ()
    """Principals allowed to write (service names)."""
    consumers: tuple[str, ...] = ()
    """Principals allowed to read (service names)."""
    configs: tuple[tuple[str, str], ...] = ()
    """Topic configs set at creation, e.g. compaction for a registry that must outlive the retention time."""


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        name="identity.directory.v1",
        key="organisation_id",
        partitions=6,
        description="Master data upserts (full current state, versioned per record) and consent changes.",
        event_types=(
            "OrganisationUpserted",
            "LocationUpserted",
            "GroupUpserted",
            "StaffUpserted",
            "FamilyUpserted",
            "ParentUpserted",
            "ChildUpserted",
            "PlacementUpserted",
            "ConsentChanged",
        ),
        producers=('identity',),
        consumers=('planning', 'credits', 'notifications', 'timeline', 'messaging'),  # timeline: My location
    ),
    TopicSpec(
        name="identity.accounts.v1",
        key="account_id",
        partitions=3,
        description="Account invitations and password resets. Carries single-use secrets: ACL-restricted "
        "to identity (write) and notifications (read).",
        event_types=("AccountInvited", "PasswordResetRequested"),
        producers=('identity',),
        consumers=('notifications',),
    ),
    TopicSpec(
        name="identity.access.v1",
        key="account_id",
        partitions=3,
        description="Ended sessions and changed accounts (no secrets): the gateway refuses ended sessions' "
        "access tokens on every route.",
        event_types=("SessionsEnded", "AccountChanged"),
        producers=('identity',),
        consumers=('notifications', 'gateway'),
    ),
    TopicSpec(
        name="planning.requests.v1",
        key="family_id",
        partitions=6,
        description="Request lifecycle (extra day, swap) and absences; keyed by family to keep order.",
        event_types=(
            "RequestSubmitted",
            "RequestDecided",
            "RequestExpired",
            "RequestCancelled",
            "AbsenceReported",
            "AbsenceCancelled",
        ),
        producers=('planning',),
        consumers=('credits', 'notifications'),  # planning copies to ERP clients' topics as it publishes
    ),
    TopicSpec(
        name="planning.evaluations.v1",
        key="family_id",
        partitions=6,
        description="Per-child evaluations of request lines applied by planning (staff and ERP ones); ERP systems "
        "write theirs to their own `erp.<client>.evaluations.v1`.",
        event_types=("ChildEvaluated",),
        producers=('planning',),
        consumers=('planning',),
    ),
    TopicSpec(
        name="credits.ledger.v1",
        key="child_id",
        partitions=6,
        description="Child-bound credit ledger: grants, reservations, consumption, releases.",
        event_types=(
            "CreditGranted",
            "CreditReserved",
            "CreditReservationFailed",
            "CreditConsumed",
            "CreditReleased",
        ),
        producers=('credits',),
        consumers=('planning',),
    ),
    TopicSpec(
        name="messaging.messages.v1",
        key="conversation_id",
        partitions=6,
        description="Messages sent in staff/parent conversations (metadata; messages are immutable).",
        event_types=("MessageSent",),
        producers=('messaging',),
        consumers=('notifications',),
    ),
    TopicSpec(
        name="timeline.posts.v1",
        key="organisation_id",
        partitions=6,
        description="Photos and diary entries posted to children's timelines.",
        event_types=("PhotoPosted", "DiaryEntryPosted"),
        producers=('timeline',),
        consumers=('notifications',),
    ),
    TopicSpec(
        name="timeline.content.v1",
        key="location_id",
        partitions=3,
        description="Location content: news, newsletters, shared observations.",
        event_types=("NewsPublished", "NewsletterPublished", "ObservationShared"),
        producers=('timeline',),
        consumers=('notifications',),
    ),
    TopicSpec(
        name="timeline.media.v1",
        key="organisation_id",
        partitions=3,
        description="Timeline's own work queue: confirmed uploads to process (strip metadata, display size, "
        "thumbnail); consumed by timeline itself so a failing step retries and dead-letters.",
        event_types=("MediaUploaded",),
        producers=('timeline',),
        consumers=('timeline',),
    ),
    TopicSpec(
        name="platform.erp-clients.v1",
        key="client_id",
        partitions=1,
        description="ERP client registrations (client id → organisations), written by the operator's "
        "`python -m konnect_kit.kafka_access erp-add`; planning maps each ERP client's topics to them.",
        event_types=("ErpClientRegistered",),
        producers=(),  # the cluster admin only
        consumers=("planning",),
        configs=(("cleanup.policy", "compact"),),  # the latest registration per client is kept for ever
    ),
    TopicSpec(
        name="kit.probe.v1",
        key="probe_id",
        partitions=3,
        description="Infrastructure probe used by benchmarks (cluster admin only).",
        event_types=("ProbeRecorded",),
        producers=(),
        consumers=(),
    ),
)

SERVICES: tuple[str, ...] = (
    "identity",
    "timeline",
    "messaging",
    "planning",
    "credits",
    "notifications",
    "gateway",
)

CONSUMING_SERVICES: tuple[str, ...] = tuple(s for s in SERVICES if s != "gateway")
"""Services that consume from Kafka and therefore own a dead-letter topic."""

DEAD_LETTER_PARTITIONS = 3


def dead_letter_topic(service: str) -> str:
    return f"dlq.{service}"


ERP_PREFIX = "erp."
"""Every ERP client's topics and consumer groups start with `erp.<client>.`: one prefixed ACL covers them."""

ERP_OUTBOUND_EVENT_TYPES: tuple[str, ...] = (
    "RequestSubmitted", "RequestDecided", "RequestExpired", "RequestCancelled", "AbsenceReported",
    "AbsenceCancelled", "ChildEvaluated",
)
"""What planning copies to an ERP client's `erp.<client>.requests.v1`: the events integrators act on, for the
client's own organisations only."""

ERP_CLIENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"


@dataclass(frozen=True)
class ErpTopics:
    client_id: str

    @property
    def prefix(self) -> str:
        return f"{ERP_PREFIX}{self.client_id}."

    @property
    def requests(self) -> str:
        """Written by planning, read by the client: integrator events of the client's organisations."""
        return f"{self.prefix}requests.v1"

    @property
    def evaluations(self) -> str:
        """Written by the client, read by planning: `ChildEvaluated` for the client's organisations only."""
        return f"{self.prefix}evaluations.v1"

    @property
    def principal(self) -> str:
        """The client's Kafka user name."""
        return f"erp.{self.client_id}"


def erp_topics(client_id: str) -> ErpTopics:
    import re

    if not re.match(ERP_CLIENT_ID_PATTERN, client_id):
        raise ValueError(f"ERP client id {client_id!r} must match {ERP_CLIENT_ID_PATTERN}")
    return ErpTopics(client_id)


def erp_client_of_topic(topic: str) -> str | None:
    """`erp.<client>.evaluations.v1` → `<client>`; None for any other topic."""
    import re

    match = re.match(r"^erp\.([a-z0-9][a-z0-9-]*)\.evaluations\.v1$", topic)
    return match.group(1) if match else None


def topic_by_name(name: str) -> TopicSpec:
    for spec in TOPICS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def all_topic_specs(include_dead_letters: bool = True) -> list[TopicSpec]:
    """Every topic the deploy step must create: the catalogue plus one dead-letter topic per consumer."""
    specs = list(TOPICS)
    if include_dead_letters:
        specs.extend(
            TopicSpec(
                name=dead_letter_topic(service),
                key="key of the original message",
                partitions=DEAD_LETTER_PARTITIONS,
                description=f"Dead letters of {service}: the original message plus error headers.",
                event_types=(),
                producers=(service,),  # read and replayed by the operator (cluster admin)
            )
            for service in CONSUMING_SERVICES
        )
    return specs
