"""A My location world for timeline tests: an organisation, locations, groups, staff and three families."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from konnect_contracts.envelope import Envelope
from konnect_contracts.events import directory as ev
from konnect_contracts.topics import dead_letter_topic
from konnect_devstack.pytest_plugin import internal_headers, running_app
from konnect_kit.consumer import EventContext
from konnect_kit.kafka import ensure_topics
from timeline.handlers.location_directory import HANDLERS
from timeline.main import MIGRATIONS, create_app
from timeline.settings import Settings

NOW = datetime(2030, 3, 4, 9, tzinfo=UTC)
OPERATOR = internal_headers("platform_operator", "operator-1")


@pytest.fixture
async def timeline(infra, migrated_database, request) -> AsyncIterator[Any]:
    url = await migrated_database(MIGRATIONS)
    name = f"timeline-loc-{uuid.uuid4().hex[:8]}"
    await ensure_topics(infra.endpoints.kafka, [(dead_letter_topic(name), 1)])
    from konnect_devstack.infra import ensure_bucket

    ensure_bucket(infra.endpoints, "konnect-media")
    e = infra.endpoints
    app = create_app(Settings(database_url=url, **e.kafka_settings(), service_name=name, environment="test",
                              s3_endpoint=e.s3_endpoint, s3_access_key=e.s3_access_key, s3_secret_key=e.s3_secret_key,
                              retention_worker_enabled=False), retained=getattr(request, "param", None))
    async with running_app(app) as client:
        client.app = app  # type: ignore[attr-defined]
        client.database_url = url  # type: ignore[attr-defined]
        app.state.clock.set(NOW)
        yield client


async def feed(client: Any, *events: ev.DirectoryUpsert) -> None:
    """Apply directory events as the consumer would: one transaction, the timeline handlers."""
    kit = client.app.state.kit
    async with kit.database.transaction() as session:
        for event in events:
            envelope = Envelope.wrap(event, producer="identity", correlation_id="test")
            await HANDLERS[type(event)](EventContext(session, envelope, kit.outbox), event)


class World:
    """Organisation with locations Centrum (group Dolfijnen) and Noord (group Egeltjes), three families."""

    def __init__(self) -> None:
        self.org = uuid.uuid4()
        self.ids = {k: uuid.uuid4() for k in ("centrum", "noord", "dolfijnen", "egeltjes", "devries", "bakker",
                                              "jansen", "eva", "ilse", "joris", "noor", "mila", "ruben",
                                              "sanne", "sanne_account", "mo", "mo_account")}

    def __getitem__(self, key: str) -> uuid.UUID:
        return self.ids[key]

    def parent(self, name: str) -> dict[str, str]:
        return internal_headers("parent", str(self[name]), str(self.org))

    def staff(self, name: str) -> dict[str, str]:
        return internal_headers("staff", str(self[f"{name}_account"]), str(self.org))

    @property
    def admin(self) -> dict[str, str]:
        return internal_headers("org_admin", str(uuid.uuid4()), str(self.org))


async def build(client: Any) -> World:
    w = World()
    c = {"organisation_id": w.org, "version": 1}
    ended = NOW.date() - timedelta(days=1)
    await feed(
        client,
        ev.LocationUpserted(**c, location_id=w["centrum"], name="Centrum", street="Kerkstraat", house_number="1",
                            city="Utrecht", phone="030-1234567", email="centrum@example.test"),
        ev.LocationUpserted(**c, location_id=w["noord"], name="Noord"),
        ev.GroupUpserted(**c, group_id=w["dolfijnen"], location_id=w["centrum"], name="Dolfijnen"),
        ev.GroupUpserted(**c, group_id=w["egeltjes"], location_id=w["noord"], name="Egeltjes"),
        ev.StaffUpserted(**c, staff_id=w["sanne"], account_id=w["sanne_account"], name="Sanne",
                         group_ids=(w["dolfijnen"],), bio="Ik werk sinds 2019 bij de Dolfijnen."),
        ev.StaffUpserted(**c, staff_id=w["mo"], account_id=w["mo_account"], name="Mohamed",
                         group_ids=(w["egeltjes"],), bio="Mentor bij de Egeltjes."),
    )
    for family, parent, child, group, ends_on in (("devries", "eva", "noor", "dolfijnen", None),
                                                  ("bakker", "ilse", "mila", "egeltjes", None),
                                                  ("jansen", "joris", "ruben", "dolfijnen", ended)):
        await feed(
            client,
            ev.ParentUpserted(**c, account_id=w[parent], family_id=w[family], name=parent, email=f"{parent}@x.test"),
            ev.ChildUpserted(**c, child_id=w[child], family_id=w[family], first_name=child.title(), last_name="X",
                             birth_date=date(2027, 1, 1)),
            ev.PlacementUpserted(**c, placement_id=uuid.uuid4(), child_id=w[child], family_id=w[family],
                                 group_id=w[group], care_type="day_care", starts_on=date(2029, 1, 1),
                                 ends_on=ends_on),
        )
    return w


async def publish(client: Any, w: World, kind: str, title: str, audience: str, audience_id: uuid.UUID,
                  headers: dict[str, str] | None = None, status: int = 201, body: str = "<p>Tekst</p>") -> dict:
    r = await client.post("/admin/location/items", headers=headers or w.admin, json={
        "organisation_id": str(w.org), "kind": kind, "title": title, "body": body, "audience": audience,
        "audience_id": str(audience_id)})
    assert r.status_code == status, r.text
    return r.json()


async def titles(client: Any, headers: dict[str, str], path: str) -> list[str]:
    r = await client.get(path, headers=headers)
    assert r.status_code == 200, r.text
    return [item["title"] for item in r.json()["items"]]


