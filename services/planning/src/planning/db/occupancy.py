"""The occupancy read model's rows: which groups need counting again, one group's counts at a date, storing them
(migration 0008 has the tables and the triggers; db.agenda's availability statement reads them)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from konnect_kit.db import Session, mappings
from sqlalchemy import text

from planning.db.agenda import _GROUP_OCCUPANCY

# Groups whose counts are missing, marked stale, or about to fall short of the span asked about around today;
# never-counted and longest-ago counted first. Deleted groups are counted too: their children may still be.
_NEXT = text("""
SELECT g.group_id FROM directory_groups g LEFT JOIN occupancy_built b ON b.group_id = g.group_id
WHERE b.group_id IS NULL OR b.built_from > :keep_from OR b.built_to < :keep_to
   OR EXISTS (SELECT 1 FROM occupancy_stale s WHERE s.group_id = g.group_id)
ORDER BY b.built_at NULLS FIRST, g.group_id
LIMIT :n""")


async def candidates(session: Session, *, keep_from: date, keep_to: date, n: int) -> list[UUID]:
    """Up to `n` groups to count, in a REPEATABLE READ snapshot: the stale marks taken and the counts stored are
    of one moment (`take`)."""
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    return list((await session.execute(_NEXT, {"keep_from": keep_from, "keep_to": keep_to, "n": n})).scalars())


@dataclass(frozen=True)
class TakenGroup:
    group_id: UUID
    built_from: date | None  # the span counted so far (None: never counted)
    built_to: date | None
    stale: list[tuple[date, date]]  # the date ranges marked stale since (first and last date; may be infinite)


async def take(session: Session, group_id: UUID) -> TakenGroup | None:
    """The group for this unit of work, unless another builder has it: its stale marks of this snapshot deleted
    and returned. A mark committed after the snapshot is not seen, so it stays and those dates are counted again."""
    locked = (await session.execute(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))"),
                                    {"key": f"occupancy:{group_id}"})).scalar()
    if not locked:
        return None
    stale = (await session.execute(text("DELETE FROM occupancy_stale WHERE group_id = :group "
                                        "RETURNING from_date, to_date"), {"group": group_id})).all()
    built = (await session.execute(text("SELECT built_from, built_to FROM occupancy_built WHERE group_id = :group"),
                                   {"group": group_id})).first()
    return TakenGroup(group_id, built and built.built_from, built and built.built_to,
                      [(row.from_date, row.to_date) for row in stale])


async def counts_on(session: Session, group_id: UUID, day: date) -> list[tuple[UUID, int]]:
    """(day part, places taken) of the group at `day`, counted the availability screen's live way."""
    return [(row["day_part_id"], row["taken"])
            for row in await mappings(session, _GROUP_OCCUPANCY, group=group_id, start=day)]


async def store(session: Session, group_id: UUID, counts: Sequence[tuple[date, UUID, int]], *,
                dates: Sequence[date] | None, built_from: date, built_to: date) -> None:
    """Replace the group's counts on `dates` (None: all of them) with `counts` ((date, day part, taken)) and record
    the span [built_from, built_to] they are counted for."""
    if dates is None:
        await session.execute(text("DELETE FROM occupancy_parts WHERE group_id = :group"), {"group": group_id})
    else:
        await session.execute(text("DELETE FROM occupancy_parts WHERE group_id = :group "
                                   "AND date = ANY(CAST(:dates AS date[]))"), {"group": group_id, "dates": dates})
    if counts:
        await session.execute(
            text("INSERT INTO occupancy_parts (group_id, date, day_part_id, taken) "
                 "SELECT :group, unnest(CAST(:dates AS date[])), unnest(CAST(:parts AS uuid[])), "
                 "unnest(CAST(:taken AS integer[]))"),
            {"group": group_id, "dates": [c[0] for c in counts], "parts": [c[1] for c in counts],
             "taken": [c[2] for c in counts]})
    await session.execute(
        text("INSERT INTO occupancy_built (group_id, built_from, built_to) VALUES (:group, :built_from, :built_to) "
             "ON CONFLICT (group_id) DO UPDATE SET built_from = excluded.built_from, built_to = excluded.built_to, "
             "built_at = now()"),
        {"group": group_id, "built_from": built_from, "built_to": built_to})


async def set_aside(session: Session, group_id: UUID) -> None:
    """A group that could not be counted goes to the back of the queue, unusable (its dates are counted live)."""
    await session.execute(text("INSERT INTO occupancy_stale (group_id, from_date, to_date) "
                               "VALUES (:group, '-infinity', 'infinity')"), {"group": group_id})
    # Never counted: an empty span (never usable) that the queue's order puts behind the others.
    await session.execute(text("INSERT INTO occupancy_built (group_id, built_from, built_to) "
                               "VALUES (:group, 'infinity', '-infinity') "
                               "ON CONFLICT (group_id) DO UPDATE SET built_at = now()"), {"group": group_id})


__all__ = ["TakenGroup", "candidates", "counts_on", "set_aside", "store", "take"]
