"""Directory read models fed through Kafka as identity publishes them: versions only move forward, deletions hide."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from konnect_contracts.events import directory as ev
from konnect_devstack.pytest_plugin import eventually, running_app
from planning.main import create_app
from planning.service_layer import calendar as cal


@pytest.fixture
async def planning(planning_env) -> AsyncIterator[Any]:
    async with running_app(create_app(planning_env.settings())) as client:
        client.env = planning_env  # type: ignore[attr-defined]
        yield client


async def publish(client: Any, *events: ev.DirectoryUpsert) -> None:
    """Produce as identity's relay does, on the directory topic of the test's own namespace."""
    await client.env.publish(*events, producer="identity")


async def test_directory_events_build_the_read_models_with_version_guards(planning):
    org, family, child_id, parent_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    group, location, placement, part = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    common = {"organisation_id": org}
    await publish(
        planning,
        ev.OrganisationUpserted(**common, version=1, name="De Regenboog", time_zone="Europe/Amsterdam"),
        ev.LocationUpserted(**common, version=1, location_id=location, name="Zonnebloem"),
        ev.GroupUpserted(**common, version=1, group_id=group, location_id=location, name="De Uiltjes",
                         care_type="day_care"),
        ev.FamilyUpserted(**common, version=1, family_id=family, name="Familie de Vries"),
        ev.ParentUpserted(**common, version=1, account_id=parent_id, family_id=family, name="Eva",
                          email="eva@example.test"),
        ev.ChildUpserted(**common, version=2, child_id=child_id, family_id=family, first_name="Noor",
                         last_name="de Vries", birth_date=date(2027, 1, 1)),
        # Late and older: must not overwrite version 2.
        ev.ChildUpserted(**common, version=1, child_id=child_id, family_id=family, first_name="Oud",
                         last_name="de Vries", birth_date=date(2027, 1, 1)),
        ev.PlacementUpserted(**common, version=1, placement_id=placement, child_id=child_id, family_id=family,
                             group_id=group, location_id=location, care_type="day_care", starts_on=date(2030, 1, 7),
                             weekly_pattern=(ev.WeeklySlot(weekday=0, day_part_ids=(part,)),)),
    )
    db = planning.app.state.kit.database

    async def placed() -> Any:
        async with db.transaction() as session:
            return await cal.placement_on(session, child_id, date(2030, 1, 7))

    found = await eventually(placed, timeout=60)
    assert found.group_id == group and found.pattern == {0: (part,)} and found.care_type == "day_care"
    async with db.transaction() as session:
        assert await cal.family_of_account(session, parent_id) == family
        assert [k.first_name for k in await cal.children_of_family(session, family)] == ["Noor"]
        assert (await cal.organisation_calendar(session, org)).time_zone == "Europe/Amsterdam"

    # Deleted: kept as a tombstone but ignored; a later, older upsert cannot bring the child back.
    await publish(
        planning,
        ev.ChildUpserted(**common, version=3, child_id=child_id, family_id=family, first_name="Noor",
                         last_name="de Vries", birth_date=date(2027, 1, 1), deleted=True),
        ev.ChildUpserted(**common, version=2, child_id=child_id, family_id=family, first_name="Noor",
                         last_name="de Vries", birth_date=date(2027, 1, 1)),
        ev.PlacementUpserted(**common, version=2, placement_id=placement, child_id=child_id, family_id=family,
                             group_id=group, care_type="day_care", starts_on=date(2030, 1, 7), deleted=True),
    )

    async def gone() -> bool:
        async with db.transaction() as session:
            no_child = await cal.children_of_family(session, family) == []
            return no_child and await cal.placement_on(session, child_id, date(2030, 1, 7)) is None

    assert await eventually(gone, timeout=60)
