"""Read-path queries of the agenda, day detail and availability: everything a screen needs in one round trip.

Each query returns one row of JSON documents (children, placements, changes, calendars, day parts, group names,
pending request lines); the service layer turns them into the domain's dataclasses and computes the days.
One statement instead of ten: on a loaded server every round trip costs more than the JSON it saves.
"""

import json
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from uuid import UUID

from asyncpg.pgproto.pgproto import UUID as _id
from konnect_kit.db import Handle, Query, first
from sqlalchemy import text

from planning.domain import calendar as rules
from planning.domain.calendar import CareChange, DayPart, OrgCalendar, Placement

# -- fragments (named subqueries; :family / :child / :start / :end bind in the statements below) -----------

_CALENDARS = """
  (SELECT coalesce(json_agg(json_build_object(
      'organisation_id', o.id, 'time_zone', d.time_zone, 'open_weekdays', s.open_weekdays,
      'cancel_window_hours', s.cancel_window_hours, 'staff_may_evaluate', s.staff_may_evaluate,
      'closing_days', (SELECT coalesce(json_object_agg(c.date, c.reason), '{{}}') FROM closing_days c
                       WHERE c.organisation_id = o.id {closing_range}))), '[]')
   FROM (SELECT DISTINCT organisation_id AS id FROM kids) o
   LEFT JOIN LATERAL (SELECT d.time_zone FROM directory_organisations d WHERE d.organisation_id = o.id LIMIT 1) d
     ON true
   LEFT JOIN LATERAL (SELECT s.open_weekdays, s.cancel_window_hours, s.staff_may_evaluate
                      FROM organisation_settings s WHERE s.organisation_id = o.id LIMIT 1) s ON true)"""

_DAY_PARTS = """
  (SELECT coalesce(json_agg(json_build_object(
      'day_part_id', p.day_part_id, 'organisation_id', p.organisation_id, 'care_type', p.care_type,
      'name', p.name, 'starts_at', p.starts_at, 'ends_at', p.ends_at,
      'price_per_hour', p.price_per_hour::text, 'price_per_part', p.price_per_part::text)
      ORDER BY p.starts_at, p.name, p.day_part_id), '[]')
   FROM day_parts p WHERE p.organisation_id = ANY(ARRAY(SELECT organisation_id FROM kids)))"""

_PLACEMENTS = """
  (SELECT coalesce(json_agg(json_build_object(
      'placement_id', p.placement_id, 'child_id', p.child_id, 'family_id', p.family_id, 'group_id', p.group_id,
      'location_id', p.location_id, 'care_type', p.care_type, 'starts_on', p.starts_on, 'ends_on', p.ends_on,
      'weekly_pattern', p.weekly_pattern)), '[]')
   FROM {children} k JOIN directory_placements p ON p.child_id = k.child_id WHERE NOT p.deleted)"""

_CHANGES = """
  (SELECT coalesce(json_agg(json_build_object(
      'child_id', c.child_id, 'group_id', c.group_id, 'date', c.date, 'day_part_id', c.day_part_id,
      'delta', c.delta, 'source_kind', c.source_kind) ORDER BY c.created_at, c.change_id), '[]')
   FROM {children} k JOIN care_changes c ON c.child_id = k.child_id WHERE c.active
     AND c.date BETWEEN :start AND :end)"""

_KIDS = """kids AS (
  SELECT child_id, organisation_id, family_id, first_name, last_name FROM directory_children
  WHERE {where} AND NOT deleted)"""

_KIDS_JSON = """
  (SELECT coalesce(json_agg(json_build_object(
      'child_id', child_id, 'organisation_id', organisation_id, 'family_id', family_id,
      'first_name', first_name, 'last_name', last_name) ORDER BY first_name, child_id), '[]') FROM kids)"""

_GROUPS = """
  (SELECT coalesce(json_agg(json_build_object(
      'group_id', g.group_id, 'name', g.name, 'location_id', g.location_id, 'location_name',
      (SELECT l.name FROM directory_locations l WHERE l.location_id = g.location_id AND NOT l.deleted))), '[]')
   FROM directory_groups g
   WHERE g.group_id = ANY(ARRAY(SELECT p.group_id FROM kids k JOIN directory_placements p ON p.child_id = k.child_id
                                WHERE NOT p.deleted
                                UNION ALL SELECT c.group_id FROM kids k JOIN care_changes c ON c.child_id = k.child_id
                                WHERE c.active AND c.date BETWEEN :start AND :end)))"""

_PENDING = """
  (SELECT coalesce(json_agg(json_build_object(
      'request_id', l.request_id, 'line_id', l.line_id, 'child_id', l.child_id, 'group_id', l.group_id,
      'kind', r.kind, 'organisation_id', r.organisation_id, 'expires_on', r.expires_on, 'status', l.status,
      'dates', l.dates, 'day_part_ids', l.day_part_ids, 'give_up_date', l.give_up_date,
      'give_up_day_part_ids', l.give_up_day_part_ids)), '[]')
   FROM request_lines l JOIN requests r ON r.request_id = l.request_id
   WHERE r.family_id = (SELECT family_id FROM target) AND l.status = 'pending')"""

# The family named by :family, or else the family of parent :account (each NULL when not given), unless deleted.
FAMILY_OF_CALLER = """fam AS (
  SELECT f.family_id, f.organisation_id, f.name FROM directory_families f
  WHERE NOT f.deleted AND f.family_id = coalesce(CAST(:family AS uuid),
    (SELECT p.family_id FROM directory_parents p WHERE p.account_id = CAST(:account AS uuid) AND NOT p.deleted)))"""

# The agenda of the family of child :child, or of family :family (its children whatever the family's own row
# says), or of the family of parent :account; with that family's row (`family`, unless found by :child) and the
# family of parent :account (`caller_family`), so a screen checks who may look without a statement of its own.
_AGENDA = Query(text(f"""WITH {FAMILY_OF_CALLER},
target AS (SELECT CASE WHEN CAST(:child AS uuid) IS NULL
                       THEN coalesce(CAST(:family AS uuid), (SELECT family_id FROM fam))
                       ELSE (SELECT c.family_id FROM directory_children c
                             WHERE c.child_id = CAST(:child AS uuid) AND NOT c.deleted) END AS family_id),
{_KIDS.format(where="family_id = (SELECT family_id FROM target)")}
SELECT (SELECT row_to_json(fam) FROM fam) AS family, {_KIDS_JSON} AS children,
       {_PLACEMENTS.format(children="kids")} AS placements,
       {_CHANGES.format(children="kids")} AS changes,
       -- Only that date's closing day: the screen asks about no other, and an organisation's list only grows.
       {_CALENDARS.format(closing_range="AND c.date BETWEEN :start AND :end")} AS calendars,
       {_DAY_PARTS} AS day_parts, {_GROUPS} AS groups, {_PENDING} AS pending,
       (SELECT p.family_id FROM directory_parents p WHERE p.account_id = CAST(:account AS uuid) AND NOT p.deleted
       ) AS caller_family"""))

# Availability: the child with its placements and that date's changes, its organisation's calendar (closing
# days: that date's) and day parts, its groups' capacities, and how many places each day part of those groups has
# taken that date. With the family of parent :account (NULL for none), so the screen checks who may look without a
# statement of its own.
#
# Occupancy is counted live (`_OCCUPANCY_CTES`: by `_OCCUPANCY`, and by the read model's builder), by the same
# rule as `service_layer.calendar.group_occupancy` (domain `schedule_state` / `occupied_parts`), over every child
# who may take a place in the group that date (placed there, or moved in by a change). Why in SQL: decoding every
# classmate's placement and changes in Python made the screen's cost grow with the group (a big organisation's
# 20-child group cost about twice a demo group's, bench/PROFILE-read-paths.md); here only the counts come back.
# The rule, per child and day part:
#   the placement that date is the newest-started one covering it (`placement_on`); each day part of its
#   pattern for that weekday counts 1 (repeats once), every non-absence change adds its delta; the part is
#   planned while the sum is positive, absent when an absence change names it (absent places are free), and
#   it belongs to the group of the last change (by created_at, change_id) that added it, or else to the
#   placement's group. test_planning_availability_property.py compares this with that reference.
_OCCUPANCY_CTES = """classmates AS (
  SELECT p.child_id FROM directory_placements p
  WHERE p.group_id = ANY(ARRAY(SELECT group_id FROM mine)) AND NOT p.deleted
    AND p.starts_on <= :start AND (p.ends_on IS NULL OR p.ends_on >= :start)
  UNION SELECT c.child_id FROM care_changes c
  WHERE c.group_id = ANY(ARRAY(SELECT group_id FROM mine)) AND c.date = :start AND c.active),
live AS (
  -- A subquery per classmate (a primary-key lookup each): as a join the planner hashed every child of the
  -- organisation instead (a sequential scan of directory_children, growing with the organisation).
  SELECT m.child_id FROM classmates m
  WHERE (SELECT NOT d.deleted FROM directory_children d WHERE d.child_id = m.child_id)),
current AS (
  SELECT DISTINCT ON (p.child_id) p.child_id, p.group_id, p.weekly_pattern FROM directory_placements p
  WHERE p.child_id = ANY(ARRAY(SELECT child_id FROM live)) AND NOT p.deleted
    AND p.starts_on <= :start AND (p.ends_on IS NULL OR p.ends_on >= :start)
  ORDER BY p.child_id, p.starts_on DESC, p.placement_id DESC),
steps AS (
  SELECT DISTINCT c.child_id, CAST(part AS uuid) AS day_part_id, c.group_id, 1 AS n, false AS absent,
         true AS base, false AS adds, CAST(NULL AS timestamptz) AS created_at, CAST(NULL AS uuid) AS change_id
  FROM current c, jsonb_array_elements(c.weekly_pattern) slot, jsonb_array_elements_text(slot -> 'day_part_ids') part
  WHERE CAST(slot ->> 'weekday' AS int) = CAST(extract(isodow FROM CAST(:start AS date)) AS int) - 1
  UNION ALL
  SELECT c.child_id, c.day_part_id, c.group_id, CASE WHEN c.source_kind = 'absence' THEN 0 ELSE c.delta END,
         c.source_kind = 'absence', false, c.delta > 0, c.created_at, c.change_id
  FROM care_changes c WHERE c.active AND c.date = :start AND c.child_id = ANY(ARRAY(SELECT child_id FROM live))),
state AS (
  SELECT sum(n) AS n, bool_or(absent) AS absent,
         coalesce((array_agg(group_id ORDER BY created_at DESC, change_id DESC) FILTER (WHERE adds))[1],
                  (array_agg(group_id) FILTER (WHERE base))[1]) AS group_id, day_part_id
  FROM steps GROUP BY child_id, day_part_id)"""
# The counts themselves: (group, day part, places taken) of the groups in `mine`.
_OCCUPANCY_COUNTS = """SELECT group_id, day_part_id, count(*) AS taken FROM state
  WHERE n > 0 AND NOT absent AND group_id = ANY(ARRAY(SELECT group_id FROM mine))
  GROUP BY group_id, day_part_id"""
_MINE = """mine AS (
  SELECT p.group_id FROM directory_placements p WHERE p.child_id = :child AND NOT p.deleted
    AND p.starts_on <= :start AND (p.ends_on IS NULL OR p.ends_on >= :start))"""
_COUNTS_JSON = """(SELECT coalesce(json_agg(json_build_object('group_id', t.group_id, 'day_part_id', t.day_part_id,
                                                   'taken', t.taken)), '[]') FROM ({counts}) t)"""

_STORED_COUNTS_JSON = _COUNTS_JSON.format(counts="""SELECT o.group_id, o.day_part_id, o.taken FROM occupancy_parts o
  WHERE o.group_id = ANY(ARRAY(SELECT group_id FROM mine)) AND o.date = :start""")

# The version of the reference data (migration 0009) of the organisation in `kids` (one at most), for a screen
# that takes its calendar and day parts from `organisation_reference`.
REFERENCE_VERSION = """(SELECT v.version FROM reference_versions v
   WHERE v.organisation_id = (SELECT organisation_id FROM kids LIMIT 1))"""

# The availability screen: everything but the counts, which come from the occupancy read model (migration 0008)
# while it may be used for every group of the child that date: counted, not marked stale since, the date in the
# span counted. `occupancy` is NULL otherwise, and the screen counts them with `_OCCUPANCY` (a second round trip,
# only then: counting in this statement, even unused, cost its plan's start-up on every read).
_AVAILABILITY = Query(text(f"""WITH {_KIDS.format(where="child_id = :child")},
{_MINE}
SELECT {_KIDS_JSON} AS children, {_PLACEMENTS.format(children="kids")} AS placements,
       {_CHANGES.format(children="kids")} AS changes,
       -- The organisation's calendar and day parts are held in the process: only their version is read here.
       {REFERENCE_VERSION} AS reference_version,
       (SELECT coalesce(json_agg(json_build_object('group_id', g.group_id, 'day_part_id', g.day_part_id,
                                                    'capacity', g.capacity)), '[]')
        FROM group_capacity g WHERE g.group_id = ANY(ARRAY(SELECT group_id FROM mine))) AS capacities,
       CASE WHEN coalesce((
         SELECT bool_and(b.group_id IS NOT NULL AND b.built_from <= :start AND b.built_to >= :start
                         AND NOT EXISTS (SELECT 1 FROM occupancy_stale o WHERE o.group_id = m.group_id
                                         AND o.from_date <= :start AND o.to_date >= :start))
         FROM mine m LEFT JOIN occupancy_built b ON b.group_id = m.group_id), true)
       THEN {_STORED_COUNTS_JSON} END AS occupancy,
       (SELECT p.family_id FROM directory_parents p WHERE p.account_id = CAST(:account AS uuid) AND NOT p.deleted
       ) AS caller_family"""))

# The child's groups' counts that date, counted live (the read model not usable for one of them).
_OCCUPANCY = Query(text(f"""WITH {_MINE}, {_OCCUPANCY_CTES}
SELECT {_COUNTS_JSON.format(counts=_OCCUPANCY_COUNTS)} AS occupancy"""))

# One group's counts at one date, as the read model stores them (planning.occupancy_builder).
_GROUP_OCCUPANCY = Query(text(f"""WITH mine AS (SELECT CAST(:group AS uuid) AS group_id), {_OCCUPANCY_CTES}
{_OCCUPANCY_COUNTS}"""))

_CALENDAR = Query(text(f"""WITH kids AS (SELECT CAST(:organisation AS uuid) AS organisation_id)
SELECT {_CALENDARS.format(closing_range="")} AS calendars"""))

# An organisation's reference data with its version, read in one snapshot: the calendar with every closing day,
# and the day parts.
_REFERENCE = Query(text(f"""WITH kids AS (SELECT CAST(:organisation AS uuid) AS organisation_id)
SELECT (SELECT version FROM reference_versions WHERE organisation_id = CAST(:organisation AS uuid)) AS version,
       {_CALENDARS.format(closing_range="")} AS calendars, {_DAY_PARTS} AS day_parts"""))


@dataclass(frozen=True)
class FamilyRecord:
    family_id: UUID
    organisation_id: UUID
    name: str


@dataclass(frozen=True)
class Kid:
    child_id: UUID
    organisation_id: UUID
    family_id: UUID
    first_name: str
    last_name: str


@dataclass(frozen=True)
class GroupName:
    group_id: UUID
    name: str
    location_id: UUID | None
    location_name: str | None


@dataclass(frozen=True)
class PendingLine:
    request_id: UUID
    line_id: UUID
    child_id: UUID
    group_id: UUID
    kind: str
    organisation_id: UUID
    expires_on: date
    status: str
    dates: tuple[date, ...]
    day_part_ids: tuple[UUID, ...]
    give_up_date: date | None
    give_up_day_part_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class AgendaContext:
    kids: list[Kid]
    placements: dict[UUID, list[Placement]]  # child → placements (every child of `kids` has a key)
    changes: list[CareChange]
    calendars: dict[UUID, OrgCalendar]
    day_parts: list[DayPart]  # of the children's organisations, by start time
    groups: dict[UUID, GroupName]
    pending: list[PendingLine]
    family: FamilyRecord | None = None  # the family asked about (None when unknown or deleted)
    caller_family: UUID | None = None  # the family of the parent asked about (`account`), if any


@dataclass(frozen=True)
class AvailabilityContext:
    kids: list[Kid]  # the child asked about, or none when unknown
    placements: dict[UUID, list[Placement]]  # the child's
    changes: list[CareChange]  # the child's that date
    calendars: dict[UUID, OrgCalendar]  # the child's organisation's (none when the child is unknown)
    day_parts: list[DayPart]
    capacities: dict[UUID, dict[UUID, int]]  # group → day part → capacity, for the child's groups that date
    occupancy: dict[UUID, dict[UUID, int]]  # group → day part → places taken that date, same groups
    caller_family: UUID | None = None  # the family of the parent asked about (`account`), if any
    occupancy_stored: bool = False  # the counts came from the read model (else counted live)


# JSON ids are parsed with asyncpg's UUID: a uuid.UUID subclass (equal, same hash and text) that the rows of
# a Reader hold already, made in C: ten times faster than uuid.UUID's constructor, and a hundred ids make
# up an agenda's context (bench/planning_reads_cpu.py).


def _uuid(value: str | None) -> UUID | None:
    return None if value is None else _id(value)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _load(raw: Any) -> Any:
    # The statements cast nothing to Python types: JSON arrives as text (a driver codec may have decoded it).
    return json.loads(raw) if isinstance(raw, str | bytes) else raw


def _slots(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    # The pattern's day part ids parsed here, the fast way (`_id`), not by the domain's uuid.UUID.
    return [{"weekday": s["weekday"], "day_part_ids": [_id(i) for i in s.get("day_part_ids", ())]} for s in raw or ()]


def family_record(found: dict[str, Any] | None) -> FamilyRecord | None:
    """`FAMILY_OF_CALLER`'s row (as JSON) as a record."""
    if found is None:
        return None
    return FamilyRecord(_id(found["family_id"]), _id(found["organisation_id"]), found["name"])


def _kids(raw: str) -> list[Kid]:
    return [Kid(_id(k["child_id"]), _id(k["organisation_id"]), _id(k["family_id"]), k["first_name"],
                k["last_name"]) for k in _load(raw)]


def _placements(raw: str, child_ids: list[UUID]) -> dict[UUID, list[Placement]]:
    result: dict[UUID, list[Placement]] = {c: [] for c in child_ids}
    for p in _load(raw):
        child_id = _id(p["child_id"])
        result.setdefault(child_id, []).append(Placement(
            _id(p["placement_id"]), child_id, _id(p["family_id"]), _id(p["group_id"]), _uuid(p["location_id"]),
            p["care_type"], date.fromisoformat(p["starts_on"]), _day(p["ends_on"]),
            rules.pattern_from_json(_slots(p["weekly_pattern"]))))
    return result


def _changes(raw: str) -> list[CareChange]:
    return [CareChange(_id(c["child_id"]), _id(c["group_id"]), date.fromisoformat(c["date"]),
                       _id(c["day_part_id"]), c["delta"], c["source_kind"]) for c in _load(raw)]


def _calendars(raw: str) -> dict[UUID, OrgCalendar]:
    result = {}
    for c in _load(raw):
        organisation_id = _id(c["organisation_id"])
        closing = {date.fromisoformat(d): reason for d, reason in c["closing_days"].items()}
        zone = c["time_zone"] or rules.DEFAULT_TIME_ZONE
        if c["open_weekdays"] is None:  # nothing set yet: the defaults
            result[organisation_id] = OrgCalendar(organisation_id, zone, closing_days=closing)
        else:
            result[organisation_id] = OrgCalendar(organisation_id, zone, frozenset(c["open_weekdays"]), closing,
                                                  c["cancel_window_hours"], c["staff_may_evaluate"])
    return result


def _day_parts(raw: str) -> list[DayPart]:
    return [DayPart(_id(p["day_part_id"]), _id(p["organisation_id"]), p["care_type"], p["name"],
                    time.fromisoformat(p["starts_at"]), time.fromisoformat(p["ends_at"]),
                    _money(p["price_per_hour"]), _money(p["price_per_part"])) for p in _load(raw)]


async def agenda_context(db: Handle, start: date, end: date, *, family: UUID | None = None,
                         account: UUID | None = None, child: UUID | None = None) -> AgendaContext:
    """The children (by first name) of child `child`'s family, or else of family `family`, or else of parent
    `account`'s family, and what their agenda in [start, end] needs, with the family's row and the family of
    parent `account`, in one statement."""
    row = await first(db, _AGENDA, family=family, account=account, child=child, start=start, end=end)
    kids = _kids(row.children)
    groups = {}
    for g in _load(row.groups):
        groups[_id(g["group_id"])] = GroupName(_id(g["group_id"]), g["name"], _uuid(g["location_id"]),
                                                g["location_name"])
    pending = [PendingLine(
        _id(p["request_id"]), _id(p["line_id"]), _id(p["child_id"]), _id(p["group_id"]), p["kind"],
        _id(p["organisation_id"]), date.fromisoformat(p["expires_on"]), p["status"],
        tuple(date.fromisoformat(d) for d in p["dates"]), tuple(_id(i) for i in p["day_part_ids"]),
        _day(p["give_up_date"]), tuple(_id(i) for i in p["give_up_day_part_ids"] or ()))
        for p in _load(row.pending)]
    return AgendaContext(kids, _placements(row.placements, [k.child_id for k in kids]), _changes(row.changes),
                         _calendars(row.calendars), _day_parts(row.day_parts), groups, pending,
                         family_record(_load(row.family)), row.caller_family)


async def availability_context(db: Handle, child_id: UUID, day: date, account: UUID | None = None
                               ) -> AvailabilityContext:
    row = await first(db, _AVAILABILITY, child=child_id, start=day, end=day, account=account)
    kids = _kids(row.children)
    calendars: dict[UUID, OrgCalendar] = {}
    day_parts: list[DayPart] = []
    if kids:
        reference = await organisation_reference(db, kids[0].organisation_id, row.reference_version)
        calendars[kids[0].organisation_id], day_parts = reference.calendar, list(reference.day_parts)
    capacities: dict[UUID, dict[UUID, int]] = {}
    for c in _load(row.capacities):
        capacities.setdefault(_id(c["group_id"]), {})[_id(c["day_part_id"])] = c["capacity"]
    counted = row.occupancy
    if counted is None:  # the read model is behind for one of the child's groups: counted now
        counted = (await first(db, _OCCUPANCY, child=child_id, start=day)).occupancy
    occupancy: dict[UUID, dict[UUID, int]] = {}
    for o in _load(counted):
        occupancy.setdefault(_id(o["group_id"]), {})[_id(o["day_part_id"])] = o["taken"]
    return AvailabilityContext(kids, _placements(row.placements, [child_id]), _changes(row.changes),
                               calendars, day_parts, capacities, occupancy,
                               row.caller_family, row.occupancy is not None)


async def organisation_calendar(db: Handle, organisation_id: UUID) -> OrgCalendar:
    """Time zone, opening weekdays, closing days and policies in one statement; defaults where nothing was set."""
    return _calendars((await first(db, _CALENDAR, organisation=organisation_id)).calendars)[organisation_id]


# -- an organisation's reference data, held in the process by version ------------------------------------------

@dataclass(frozen=True, slots=True)
class OrganisationReference:
    calendar: OrgCalendar  # with every closing day (read-only)
    day_parts: tuple[DayPart, ...]  # by start, name and id, as the screens list them


# Organisation -> (version, its reference data at that version). Why held: the calendar and day parts were built as
# JSON by PostgreSQL and decoded again on every availability and overview read, ~25% of availability's statement
# (bench/PROFILE-read-paths.md, round 21), for data an administrator changes a few times a year. Held process-wide,
# not per database handle: a version is a random UUID naming one state of one organisation's data (migration
# 0009), so a version seen in any database names the same data, and a database made again or restored has
# versions of its own or the very states they name. Bounded by the number of organisations.
_held: dict[UUID, tuple[UUID, OrganisationReference]] = {}


async def organisation_reference(db: Handle, organisation_id: UUID, version: UUID | None) -> OrganisationReference:
    """The organisation's calendar and day parts as of `version` (what the caller's statement saw in
    `reference_versions`; None: no version yet). Read again, with its version, when the one held is not that: a
    change committed since may make it newer than the caller's snapshot, never older."""
    held = _held.get(organisation_id)
    if held is not None and version is not None and held[0] == version:
        return held[1]
    row = await first(db, _REFERENCE, organisation=organisation_id)
    calendar = _calendars(row.calendars)[organisation_id]
    # Shared by every read that follows: its closing days read-only.
    found = OrganisationReference(replace(calendar, closing_days=MappingProxyType(dict(calendar.closing_days))),
                                  tuple(_day_parts(row.day_parts)))
    if row.version is not None:  # an organisation with no reference data yet (defaults only) is read each time
        _held[organisation_id] = (row.version, found)
    return found


__all__ = [
    "FAMILY_OF_CALLER", "AgendaContext", "AvailabilityContext", "FamilyRecord", "GroupName", "Kid",
    "OrganisationReference", "PendingLine", "agenda_context", "availability_context", "family_record",
    "organisation_calendar", "organisation_reference",
]


# -- who may look: the parent's family (the screens above also return it with their data) --------------------

_FAMILY_OF_PARENT = Query(text("""SELECT f.family_id, f.organisation_id, f.name FROM directory_parents p
JOIN directory_families f ON f.family_id = p.family_id AND NOT f.deleted
WHERE p.account_id = :account AND NOT p.deleted"""))


async def family_of_parent(db: Handle, account_id: UUID) -> Any:
    """(family_id, organisation_id, name) of the parent's family, or None."""
    return await first(db, _FAMILY_OF_PARENT, account=account_id)


# Family :family, or else parent :account's (FAMILY_OF_CALLER), with its organisation's reference version: what the
# agenda needs to start at the organisation's today from the calendar held by version (`organisation_reference`).
_FAMILY_AND_REFERENCE = Query(text(f"""WITH {FAMILY_OF_CALLER}
SELECT f.family_id, f.organisation_id, f.name, v.version AS reference_version
FROM fam f LEFT JOIN reference_versions v ON v.organisation_id = f.organisation_id"""))


async def family_and_reference_version(db: Handle, *, family: UUID | None = None, account: UUID | None = None
                                       ) -> tuple[FamilyRecord | None, UUID | None]:
    """The family (None: unknown or deleted) and its organisation's reference version (None: none yet)."""
    row = await first(db, _FAMILY_AND_REFERENCE, family=family, account=account)
    if row is None:
        return None, None
    return FamilyRecord(row.family_id, row.organisation_id, row.name), row.reference_version
