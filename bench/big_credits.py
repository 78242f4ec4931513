"""The big organisation's credits and a year of their ledger in the credits service's database (COPY).

Beside `big_organisation.py`'s planning rows: the generated children get the directory rows identity's events
would have left in credits (directory_children, directory_parents; the organisation's time zone is the twin's,
there already), the credits an ERP grants them at the turn of the year (PUT /credits/{id}: a swap credit in
hours for every child, holiday-day points for the after-school ones) and what about a year of credit-paid
request lines leaves in the ledger, as the request saga writes it (handlers/requests.py, service_layer/ledger.py):
one reservation row per line, reserved at submission, then consumed (accepted) or released (rejected,
cancelled, expired), still reserved while pending, or failed (insufficient_balance, nothing moved) for a line
sent with a credit that no longer covered it. Each credit's running figures (reserved, consumed) are the sums of
its reservations, computed with the service's own `Balance` in time order, so the table CHECKs and the
screens' balances agree with the histories. Reservation rows are written in time order (as they arrive), so a
child's history is spread over the table like in production.

Credits does not know care types: each child gets one kind of day part (day care 5.50 h, toddler 3.50 h,
after school 4.50 h, a holiday day one point), which sets its line amounts. The request and line ids are
credits' side of the saga only: planning's generated request lines are invoice-paid, so planning has no rows
for these. The twin's own children (Sem's and Lotte's twins) get nothing: their credits stay the demo's.
Not written: kit_outbox and kit_inbox (the events those writes published and consumed; no read touches
them).

    cd bench && ../.venv/bin/python big_credits.py   # into the running bench profile (after big_organisation.py)
"""

import asyncio
import heapq
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg
from big_organisation import BigChild, Generated, generated, service_dsn
from credits.domain.ledger import Balance

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the twin organisation's time zone
_NS = uuid.UUID("8c2e4b7a-1f3d-4e59-a6c0-3d9b5e7f1a24")
# (hours of one day part, holiday-day points?): day care, toddler, after school (Vakantiedagen as in the demo).
KINDS = [(Decimal("5.50"), False), (Decimal("3.50"), False), (Decimal("4.50"), True)]
HOLIDAY_WEEKS = [((2, 16), (2, 20)), ((4, 27), (5, 1)), ((7, 20), (8, 28)), ((10, 19), (10, 23)), ((12, 21), (12, 31))]
TABLES = {
    "directory_children": ["child_id", "organisation_id", "family_id", "deleted", "version"],
    "directory_parents": ["account_id", "organisation_id", "family_id", "deleted", "version"],
    "credits": ["credit_id", "organisation_id", "child_id", "family_id", "unit", "amount", "valid_from",
                "valid_until", "usage_rule", "care_types", "description", "external_id", "reserved", "consumed",
                "granted_at", "updated_at"],
    "reservations": ["request_id", "line_id", "credit_id", "organisation_id", "child_id", "family_id", "amount",
                     "status", "cause", "reason_code", "reserved_at", "consumed_at", "released_at"],
}


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


@dataclass
class _Credit:
    credit_id: uuid.UUID
    unit: str
    description: str
    balance: Balance  # its running figures, moved by the service's own arithmetic


@dataclass
class _Line:
    """One credit-paid request line as the saga sees it: submitted at `submitted`, settled at `settles_at`."""

    request_id: uuid.UUID
    line_id: uuid.UUID
    credit: _Credit
    amount: Decimal
    submitted: datetime
    settles_at: datetime | None  # None: still pending
    cause: str | None  # None: accepted (consumed)
    status: str = "reserved"
    stamps: dict[str, datetime] = field(default_factory=dict)


def _weekday_on_or_after(day: date, avoid: tuple[int, ...]) -> date:
    """The first weekday from `day` that is not one of the child's own care days (a swap books an extra day)."""
    free = [w for w in range(5) if w not in avoid] or list(range(5))
    while day.weekday() not in free:
        day += timedelta(days=1)
    return day


def _holiday_dates(year: int, first: date, last: date) -> list[date]:
    days = []
    for (m1, d1), (m2, d2) in HOLIDAY_WEEKS:
        day = date(year, m1, d1)
        while day <= date(year, m2, d2):
            if day.weekday() < 5 and first <= day <= last:
                days.append(day)
            day += timedelta(days=1)
    return days


def _outcome(rnd: random.Random, day: date, submitted: datetime, now: datetime) -> tuple[datetime | None, str | None]:
    """When and how the line is settled (None: pending still), like planning's decisions, cancellations and expiry."""
    start_of_day = datetime.combine(day, datetime.min.time(), AMSTERDAM).astimezone(UTC)
    if day > now.date() and rnd.random() < 0.35:
        return None, None
    roll = rnd.random()
    if roll < 0.08:  # not evaluated by the end of the care date: the expiry timer fires then
        at, cause = start_of_day + timedelta(days=1, seconds=rnd.randint(1, 90)), "expired"
    elif roll < 0.20:
        at = submitted + (start_of_day - submitted) * rnd.random()
        cause = "cancelled"
    else:
        office = datetime.combine(submitted.date() + timedelta(days=rnd.randint(0, 3)), datetime.min.time(), UTC)
        at = office + timedelta(minutes=rnd.randint(7 * 60, 16 * 60))  # the planner's working day
        at = min(at if at > submitted else at + timedelta(days=1), start_of_day - timedelta(hours=2))
        cause = "rejected" if roll < 0.32 else None
    at = max(at, submitted + timedelta(minutes=10))
    return (at, cause) if at < now else (None, None)


def _child_ledger(rnd: random.Random, child: BigChild, org: uuid.UUID, year: int, granted: datetime,
                  now: datetime) -> tuple[list[_Credit], list[_Line], list[tuple]]:
    """The child's credits, its credit-paid lines (settled by the service's arithmetic) and its failed attempts."""
    hours, holidays = rnd.choice(KINDS)
    valid_from, valid_until = date(year, 1, 1), date(year + 1, 12, 31)  # as the demo's grants (load() writes them)
    credits = [_Credit(_id(f"credit:hours:{child.child_id}:{year}"), "hours", f"Ruiltegoed {year}",
                       Balance(Decimal(int(hours * rnd.choice([10, 12, 16])))))]
    if holidays:
        credits.append(_Credit(_id(f"credit:points:{child.child_id}:{year}"), "points", "Vakantiedagen",
                               Balance(Decimal(rnd.choice([4, 5, 6, 8])))))
    last = min(now.date() + timedelta(days=45), valid_until)
    wanted = []  # (booking date, credit, amount)
    for _ in range(round((last - valid_from).days / 30)):  # about one a month
        day = _weekday_on_or_after(valid_from + timedelta(days=rnd.randrange((last - valid_from).days)),
                                   child.weekdays)
        if day <= last:
            wanted.append((day, credits[0], hours * (2 if rnd.random() < 0.2 else 1)))
    if holidays:
        options = _holiday_dates(year, valid_from, last)
        for day in rnd.sample(options, min(len(options), rnd.randint(2, 5))):
            wanted.append((day, credits[1], Decimal(1)))
    lines, failed, events = [], [], []
    for n, (day, credit, amount) in enumerate(sorted(wanted, key=lambda w: (w[0], w[1].unit))):
        submitted = max(datetime.combine(day, datetime.min.time(), UTC) - timedelta(days=rnd.randint(3, 30))
                        + timedelta(minutes=rnd.randint(6 * 60, 21 * 60)), granted + timedelta(days=1))
        if submitted >= now:
            continue
        settles_at, cause = _outcome(rnd, day, submitted, now)
        line = _Line(_id(f"request:{child.child_id}:{year}:{n}"), _id(f"line:{child.child_id}:{year}:{n}"),
                     credit, amount, submitted + timedelta(milliseconds=rnd.randint(300, 2500)), settles_at, cause)
        heapq.heappush(events, (line.submitted, 0, n, line))
    while events:  # reservations and settlements in time order: a release makes the amount usable again
        at, settling, n, line = heapq.heappop(events)
        if settling:
            after = (line.credit.balance.consume(line.amount) if line.cause is None
                     else line.credit.balance.release(line.amount))
            line.credit.balance = after
            line.status = "consumed" if line.cause is None else "released"
            line.stamps[f"{line.status}_at"] = at
            continue
        after = line.credit.balance.reserve(line.amount)
        if after is None:  # the credit no longer covers it: mostly paid by invoice, sometimes sent anyway
            if rnd.random() < 0.25:
                failed.append((line.request_id, line.line_id, line.credit.credit_id, org, child.child_id,
                               child.family_id, None, "failed", None, "insufficient_balance", line.submitted,
                               None, None))
            continue
        line.credit.balance = after
        lines.append(line)
        if line.settles_at is not None:
            heapq.heappush(events, (line.settles_at + timedelta(milliseconds=rnd.randint(300, 2500)), 1, n, line))
    return credits, lines, failed


def rows_of(big: Generated, *, seed: int, now: datetime) -> dict[str, list[tuple]]:
    """The rows of every table in `TABLES` for the generated children (deterministic for a seed and a day)."""
    rnd = random.Random(seed)
    org = big.organisation_id
    year = (now.date() - timedelta(days=182)).year  # the credit year most of the last twelve months fall in
    granted = datetime(year - 1, 12, 1, 2, 0, tzinfo=UTC)  # the ERP's grant run before the year starts
    children = sorted(big.children, key=lambda c: c.child_id)
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    rows["directory_children"] = [(c.child_id, org, c.family_id, False, 1) for c in children]
    rows["directory_parents"] = [(a, org, f, False, 1) for f, accounts in sorted(big.parents.items())
                                 for a in accounts]
    reservations = []
    for child in children:
        credits, lines, failed = _child_ledger(rnd, child, org, year, granted, now)
        for credit in credits:  # granted in the ERP's run, never changed since (set_figures keeps updated_at)
            number = len(rows["credits"])
            at = granted + timedelta(milliseconds=40 * number)
            rows["credits"].append((
                credit.credit_id, org, child.child_id, child.family_id, credit.unit, credit.balance.granted,
                date(year, 1, 1), date(year + 1, 12, 31), "any_day", [], credit.description,
                f"ERP-{year}-{number + 1:06d}", credit.balance.reserved, credit.balance.consumed, at, at))
        reservations += failed
        reservations += [(line.request_id, line.line_id, line.credit.credit_id, org, child.child_id,
                          child.family_id, line.amount, line.status, line.cause, None, line.submitted,
                          line.stamps.get("consumed_at"), line.stamps.get("released_at")) for line in lines]
    rows["reservations"] = sorted(reservations, key=lambda r: r[10])  # in the order the saga inserted them
    return rows


async def load(dsn: str, big: Generated, *, seed: int = 15) -> dict[str, int]:
    """Adds the credits and their year to the credits database at `dsn` (idempotent: a second call finds the
    first generated child in the directory and does nothing)."""
    conn = await asyncpg.connect(dsn)
    try:
        marker = min(c.child_id for c in big.children)
        if await conn.fetchval("SELECT 1 FROM directory_children WHERE child_id = $1", marker):
            return {}
        started = time.monotonic()
        rows = rows_of(big, seed=seed, now=datetime.now(UTC))
        known_children = {r["child_id"] for r in await conn.fetch("SELECT child_id FROM directory_children")}
        known_parents = {r["account_id"] for r in await conn.fetch("SELECT account_id FROM directory_parents")}
        rows["directory_children"] = [r for r in rows["directory_children"] if r[0] not in known_children]
        rows["directory_parents"] = [r for r in rows["directory_parents"] if r[0] not in known_parents]
        async with conn.transaction():
            for table, columns in TABLES.items():
                await conn.copy_records_to_table(table, records=rows[table], columns=columns)
        # Vacuumed as a live organisation's tables are (see big_organisation.py: autovacuum mid-benchmark).
        await conn.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
        counts = {table: len(records) for table, records in rows.items()}
        counts["seconds"] = round(time.monotonic() - started, 1)
        return counts
    finally:
        await conn.close()


def main() -> None:
    big = asyncio.run(generated(service_dsn("planning")))
    print(asyncio.run(load(service_dsn("credits"), big)))


if __name__ == "__main__":
    main()
