"""Who may read a conversation is written twice: in SQL (`visible_clause`: the list and opening one, on the lean read
path) and in Python (`may_read`: replying, one message). Over random directories, before and after children move,
staff change groups or leave and mentors change, both must give every caller the same answer."""

import random
import uuid
from datetime import date, timedelta
from typing import Any

from konnect_contracts.events import directory as ev
from konnect_devstack.pytest_plugin import apply_events, internal_headers
from konnect_kit.internal import Caller
from messaging.db import participants as db
from messaging.domain.participants import About
from messaging.handlers.directory import HANDLERS
from messaging.service_layer.participants import actor_of, may_read, today

WORLDS = 4


class World:
    """One organisation (and a stranger's): groups, families with children placed in them, staff, an admin."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.org, self.version = rng, uuid.uuid4(), 1
        self.groups = [uuid.uuid4() for _ in range(3)]
        self.families = {uuid.uuid4(): uuid.uuid4() for _ in range(3)}  # family -> parent account
        self.children = {uuid.uuid4(): family for family in self.families for _ in range(rng.randint(1, 2))}
        self.staff = {uuid.uuid4(): uuid.uuid4() for _ in range(4)}  # staff id -> account
        self.admin, self.stranger_org, self.stranger = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.placed: dict[uuid.UUID, list[uuid.UUID]] = {}  # child -> groups it is placed in now

    def c(self) -> dict[str, Any]:
        self.version += 1
        return {"organisation_id": self.org, "version": self.version}

    def start(self) -> list[Any]:
        events: list[Any] = [ev.GroupUpserted(**self.c(), group_id=g, location_id=uuid.uuid4(), name=f"Groep {n}")
                             for n, g in enumerate(self.groups)]
        events += [ev.ParentUpserted(**self.c(), account_id=account, family_id=family, name="Ouder",
                                     email=f"{account}@x.test") for family, account in self.families.items()]
        events += self.staff_changes() + self.child_changes()
        for child in self.children:
            events += self.placements(child, self.rng.sample(self.groups, self.rng.randint(1, 2)))
        return events

    def staff_changes(self) -> list[Any]:
        return [ev.StaffUpserted(**self.c(), staff_id=staff, account_id=account, name="Juf",
                                 group_ids=self.rng.sample(self.groups, self.rng.randint(0, 2)),
                                 active=self.rng.random() > 0.2) for staff, account in self.staff.items()]

    def child_changes(self) -> list[Any]:
        return [ev.ChildUpserted(**self.c(), child_id=child, family_id=family, first_name="Kind", last_name="X",
                                 birth_date=date(2022, 1, 1),
                                 mentor_staff_id=self.rng.choice([None, *self.staff]))
                for child, family in self.children.items()]

    def placements(self, child: uuid.UUID, groups: list[uuid.UUID]) -> list[Any]:
        """The child is placed in `groups` from now on; its earlier placements end yesterday."""
        yesterday = date.today() - timedelta(days=1)
        events = [ev.PlacementUpserted(**self.c(), placement_id=uuid.uuid5(child, str(group)), child_id=child,
                                       family_id=self.children[child], group_id=group, care_type="day_care",
                                       starts_on=date(2024, 1, 1), ends_on=yesterday)
                  for group in self.placed.get(child, []) if group not in groups]
        events += [ev.PlacementUpserted(**self.c(), placement_id=uuid.uuid5(child, str(group)), child_id=child,
                                        family_id=self.children[child], group_id=group, care_type="day_care",
                                        starts_on=date(2024, 1, 1)) for group in groups]
        self.placed[child] = groups
        return events

    def moves(self) -> list[Any]:
        """After the conversations started: children move, staff change groups or leave, mentors change."""
        events = self.staff_changes() + self.child_changes()
        for child in self.rng.sample(list(self.children), len(self.children) // 2):
            events += self.placements(child, self.rng.sample(self.groups, self.rng.randint(0, 2)))
        return events

    def callers(self) -> list[Caller]:
        """Every parent and staff member (active or not), the admin, and another organisation's parent and admin."""
        org = str(self.org)
        return ([Caller("parent", str(account), org) for account in self.families.values()]
                + [Caller("staff", str(account), org) for account in self.staff.values()]
                + [Caller("org_admin", str(self.admin), org), Caller("parent", str(self.stranger),
                                                                     str(self.stranger_org)),
                   Caller("org_admin", str(self.stranger), str(self.stranger_org))])


async def python_rule(app: Any, who: Caller, conversation_id: str) -> bool:
    async with app.state.kit.database.transaction() as session:
        actor = await actor_of(session, who)
        row = await db.conversation(session, uuid.UUID(conversation_id))
        return await may_read(session, actor, About.of(row), today())


async def sql_rule(client: Any, who: Caller, conversation_id: str) -> tuple[bool, bool]:
    headers = internal_headers(who.role, who.actor_id, who.organisation_id)
    opened = await client.get(f"/conversations/{conversation_id}", headers=headers)
    assert opened.status_code in (200, 404), opened.text
    listed = await client.get("/conversations", params={"limit": 100}, headers=headers)
    assert listed.status_code == 200, listed.text
    return opened.status_code == 200, conversation_id in {c["conversation_id"] for c in listed.json()["items"]}


async def start_conversations(client: Any, world: World) -> list[str]:
    started = []
    for child, family in world.children.items():
        parent = internal_headers("parent", str(world.families[family]), str(world.org))
        for group in world.placed[child]:
            answer = await client.post("/conversations", headers=parent, json={
                "child_id": str(child), "group_id": str(group), "subject": "Vraag", "text": "Hoe ging het?"})
            assert answer.status_code == 201, answer.text
            started.append(answer.json()["conversation_id"])
    return started


async def test_the_sql_and_the_python_rule_give_every_caller_the_same_answer(messaging) -> None:
    compared = seen = 0
    for seed in range(WORLDS):
        world = World(random.Random(seed))
        await apply_events(messaging.app, HANDLERS, *world.start())
        conversations = await start_conversations(messaging, world)
        for phase in ("as started", "after moves"):
            if phase == "after moves":
                await apply_events(messaging.app, HANDLERS, *world.moves())
            for who in world.callers():
                for conversation in conversations:
                    in_python = await python_rule(messaging.app, who, conversation)
                    opened, listed = await sql_rule(messaging, who, conversation)
                    assert in_python == opened == listed, (seed, phase, who, conversation, in_python, opened, listed)
                    compared += 1
                    seen += in_python
    # The worlds must exercise both answers, or the comparison proves little.
    assert 0 < seen < compared, (seen, compared)
