"""The topic catalogue: names, keys, partition counts and the event types each topic carries.

Topics are created explicitly by a deploy step (broker auto-create is off).
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
    ),
    TopicSpec(
        name="identity.accounts.v1",
        key="account_id",
        partitions=3,
        description="Account invitations and password resets. Carries single-use secrets: ACL-restricted "
        "to identity (write) and notifications (read).",
        event_types=("AccountInvited", "PasswordResetRequested"),
    ),
    TopicSpec(
        name="identity.access.v1",
        key="account_id",
        partitions=3,
        description="Ended sessions and changed accounts (no secrets): edges such as the gateway drop what "
        "they keep in memory for them.",
        event_types=("SessionsEnded", "AccountChanged"),
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
    ),
    TopicSpec(
        name="planning.evaluations.v1",
        key="family_id",
        partitions=6,
        description="Per-child evaluations of request lines, from staff (via planning) and ERP systems.",
        event_types=("ChildEvaluated",),
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
    ),
    TopicSpec(
        name="messaging.messages.v1",
        key="conversation_id",
        partitions=6,
        description="Messages sent in staff/parent conversations (metadata; messages are immutable).",
        event_types=("MessageSent",),
    ),
    TopicSpec(
        name="timeline.posts.v1",
        key="organisation_id",
        partitions=6,
        description="Photos and diary entries posted to children's timelines.",
        event_types=("PhotoPosted", "DiaryEntryPosted"),
    ),
    TopicSpec(
        name="timeline.content.v1",
        key="location_id",
        partitions=3,
        description="Location content: news, newsletters, shared observations.",
        event_types=("NewsPublished", "NewsletterPublished", "ObservationShared"),
    ),
    TopicSpec(
        name="kit.probe.v1",
        key="probe_id",
        partitions=3,
        description="Infrastructure probe used by the end-to-end skeleton test and benchmarks.",
        event_types=("ProbeRecorded",),
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
            )
            for service in CONSUMING_SERVICES
        )
    return specs
