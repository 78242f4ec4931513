"""The agenda read model's rows: each family's days as the answer writes them, which families need computing again,
and the one statement the agenda screen reads them with (migration 0006 has the tables and the triggers)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from konnect_kit.db import Handle, Query, Session, first
from sqlalchemy import text

from planning.db.agenda import _KIDS, _KIDS_JSON, FAMILY_OF_CALLER, FamilyRecord, Kid, _kids, _load, family_record

# The next family whose stored days are missing, out of date (a version moved) or about to fall short of the span
# an agenda may ask for around today; never-built and longest-ago built first. Locked while it is computed (a few
# milliseconds): other instances take the next family, and a writer's trigger waits for the days to be stored,
# then marks them out of date again.
_NEXT_STALE = text("""
SELECT f.family_id, f.changed, coalesce(o.changed, 0) AS organisation_changed
FROM agenda_families f LEFT JOIN agenda_organisations o ON o.organisation_id = f.organisation_id
WHERE f.built <> f.changed OR f.built_organisation <> coalesce(o.changed, 0)
   OR f.built_from IS NULL OR f.built_from > :keep_from OR f.built_to < :keep_to
ORDER BY f.built_at NULLS FIRST, f.family_id
LIMIT 1 FOR UPDATE OF f SKIP LOCKED""")


@dataclass(frozen=True)
class StaleFamily:
    family_id: UUID
    changed: int  # the versions the days are computed from
    organisation_changed: int


async def next_stale(session: Session, *, keep_from: date, keep_to: date) -> StaleFamily | None:
    """The next family to compute, in a REPEATABLE READ snapshot: its versions and everything the computation then
    reads are of one moment. A change committed after that moment moves a version past the one recorded (the
    family's waits for this transaction, the organisation's does not), so the days stored are stale, never
    wrong; a family changed between the snapshot and its lock is a serialization failure, and picked again."""
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    row = (await session.execute(_NEXT_STALE, {"keep_from": keep_from, "keep_to": keep_to})).first()
    return None if row is None else StaleFamily(row.family_id, row.changed, row.organisation_changed)


async def store_days(session: Session, family: StaleFamily, days: list[tuple[date, int, str]],
                     details: list[tuple[UUID, date, str]], *, built_from: date, built_to: date) -> None:
    """Replace the family's stored days with `days` ((date, position within the date, the day's JSON)) for
    [built_from, built_to] and their details ((child, date, the stored answer)), and record the versions they were
    computed from."""
    for table in ("agenda_days", "agenda_day_details"):
        await session.execute(text(f"DELETE FROM {table} WHERE family_id = :family"), {"family": family.family_id})
    await _insert_all(session, "agenda_days", family.family_id,
                      {"date": "date", "position": "smallint", "day": "text"}, days)
    await _insert_all(session, "agenda_day_details", family.family_id,
                      {"child_id": "uuid", "date": "date", "detail": "text"}, details)
    await session.execute(
        text("UPDATE agenda_families SET built = :changed, built_organisation = :organisation_changed, "
             "built_from = :built_from, built_to = :built_to, built_at = now() WHERE family_id = :family"),
        {"family": family.family_id, "changed": family.changed, "organisation_changed": family.organisation_changed,
         "built_from": built_from, "built_to": built_to})


async def _insert_all(session: Session, table: str, family_id: UUID, columns: dict[str, str],
                      rows: Sequence[tuple[Any, ...]]) -> None:
    """The family's `rows` (values in `columns`' order; column name -> SQL type) into `table`, in one statement."""
    if rows:
        arrays = ", ".join(f"unnest(CAST(:{name} AS {kind}[]))" for name, kind in columns.items())
        await session.execute(
            text(f"INSERT INTO {table} (family_id, {', '.join(columns)}) SELECT :family, {arrays}"),
            {"family": family_id, **{name: [row[i] for row in rows] for i, name in enumerate(columns)}})


async def set_aside(session: Session, family_id: UUID) -> None:
    """A family whose days could not be computed goes to the back of the queue (it stays stale: read live)."""
    await session.execute(text("UPDATE agenda_families SET built_at = now() WHERE family_id = :family"),
                          {"family": family_id})


# The family named by :family, or else of parent :account, with its stored days in [:start, :end] joined as the
# answer's list writes them; `days` is NULL unless they may be used: both versions as built, the span covered, and
# no pending request (those are drawn onto the days live).
_STORED = Query(text(f"""WITH {FAMILY_OF_CALLER},
target AS (SELECT coalesce(CAST(:family AS uuid), (SELECT family_id FROM fam)) AS family_id),
usable AS (
  SELECT 1 FROM agenda_families f
  WHERE f.family_id = (SELECT family_id FROM target) AND f.built = f.changed
    AND f.built_organisation = coalesce(
      (SELECT o.changed FROM agenda_organisations o WHERE o.organisation_id = f.organisation_id), 0)
    AND f.built_from <= :start AND f.built_to >= :end
    AND NOT EXISTS (SELECT 1 FROM requests r JOIN request_lines l ON l.request_id = r.request_id
                    WHERE r.family_id = f.family_id AND l.status = 'pending'))
SELECT (SELECT row_to_json(fam) FROM fam) AS family,
       CASE WHEN EXISTS (SELECT 1 FROM usable) THEN coalesce(
         (SELECT string_agg(d.day, ',' ORDER BY d.date, d.position) FROM agenda_days d
          WHERE d.family_id = (SELECT family_id FROM target) AND d.date BETWEEN :start AND :end), '') END AS days"""))


@dataclass(frozen=True)
class StoredAgenda:
    family: FamilyRecord | None  # the family asked about (None when unknown or deleted)
    days: str | None  # the days' JSON objects joined by commas; None: compute the agenda instead


async def stored_agenda(db: Handle, start: date, end: date, *, family: UUID | None = None,
                        account: UUID | None = None) -> StoredAgenda:
    row: Any = await first(db, _STORED, family=family, account=account, start=start, end=end)
    return StoredAgenda(family_record(_load(row.family)), row.days)


# Child :child (unless deleted), the family of parent :account (for the check) and the child's day :day as stored,
# while the family's stored days may be used (see `_STORED`; the details are stored within the span only).
_STORED_DETAIL = Query(text(f"""WITH {_KIDS.format(where="child_id = :child")}
SELECT {_KIDS_JSON} AS children,
       (SELECT p.family_id FROM directory_parents p WHERE p.account_id = CAST(:account AS uuid) AND NOT p.deleted
       ) AS caller_family,
       (SELECT d.detail FROM agenda_day_details d JOIN agenda_families f ON f.family_id = d.family_id
        WHERE d.child_id = :child AND d.date = :day AND d.family_id = (SELECT family_id FROM kids)
          AND f.built = f.changed AND f.built_organisation = coalesce(
            (SELECT o.changed FROM agenda_organisations o WHERE o.organisation_id = f.organisation_id), 0)
          AND NOT EXISTS (SELECT 1 FROM requests r JOIN request_lines l ON l.request_id = r.request_id
                          WHERE r.family_id = f.family_id AND l.status = 'pending')) AS detail"""))


@dataclass(frozen=True)
class StoredDayDetail:
    kid: Kid | None  # the child asked about (None when unknown or deleted)
    caller_family: UUID | None  # the family of the parent asked about, if any
    detail: str | None  # the stored answer but for the moment it is made; None: compute it instead


async def stored_day_detail(db: Handle, child_id: UUID, day: date, *, account: UUID | None = None
                            ) -> StoredDayDetail:
    row: Any = await first(db, _STORED_DETAIL, child=child_id, day=day, account=account)
    kids = _kids(row.children)
    return StoredDayDetail(kids[0] if kids else None, row.caller_family, row.detail)


__all__ = ["StaleFamily", "StoredAgenda", "StoredDayDetail", "next_stale", "set_aside", "store_days",
           "stored_agenda", "stored_day_detail"]
