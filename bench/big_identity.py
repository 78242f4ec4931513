"""The big organisation's groups, families, parents' logins and a year of their sessions in identity's database (COPY).

Beside `big_organisation.py`'s planning rows: the generated part of the twin's De Regenboog as identity's own write
paths would have left it. An ERP's directory PUTs three weeks before the placements start (groups; per family the
family, its parents, children and placements: each parent gets a login and an invitation), the invitations accepted
within a week (password set, a first session), the parents' consents, and about 400 days of using the app and the
web site: a session per client (app install or browser) that the client refreshes every time it is opened after
its 15-minute access token ran out, a new login once the 30-day refresh window is over or after a logout, now and
then a mistyped password (the login throttles' leftovers), a forgotten one (reset link, every session ended) or an
own-account edit. Every event those writes publish is in the outbox, already published. Names, care types and
weekly patterns are planning's (read from its database), so both services hold the same directory.

The twin's own records (its locations, groups, staff, Anne de Jong's and the other demo families) are left as they
are: generated children only name the twin's staff as mentor (the staff of their location) and some are placed on
its groups, as in planning. Every generated parent logs in with the demo password.

    .venv/bin/python bench/big_identity.py   # into the running bench profile (after big_organisation.py)
"""

import asyncio
import base64
import hashlib
import json
import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from big_organisation import Generated, generated, service_dsn, sibling_dsn
from identity.domain import passwords, throttle
from konnect_contracts.envelope import Envelope, EventPayload, kafka_headers
from konnect_contracts.events.access import AccountChanged, SessionsEnded
from konnect_contracts.events.accounts import AccountInvited, PasswordResetRequested
from konnect_contracts.events.directory import (
    ChildUpserted,
    ConsentChanged,
    FamilyUpserted,
    GroupUpserted,
    ParentUpserted,
    PlacementUpserted,
)
from konnect_devstack.demo import DEMO_PASSWORD

_NS = uuid.UUID("3c8e1f52-7a0d-4b69-b2e4-9d5a6c7f8e21")
EMAIL_DOMAIN = "bench.konnect.nl"
REFRESH_WINDOW = timedelta(days=30)  # identity's refresh_token_ttl_days: then the client logs in again
ACCESS_TOKEN = timedelta(minutes=15)  # an app opened again within this needs no refresh
KNOWN_DEVICE_FOR = timedelta(days=180)  # identity.service_layer.accounts.KNOWN_DEVICE_FOR
TIMELINE_SEED = 11  # big_timeline.py's: its first draws are the children's photo consents, matched here
CARRIER_ADDRESSES = [f"31.{n}.{n * 7 % 250}.{n * 13 % 250}" for n in range(40)]  # mobile carriers' NAT addresses

COLUMNS = {
    "groups": ["group_id", "location_id", "name", "care_type", "organisation_id", "external_id", "version",
               "updated_at"],
    "families": ["family_id", "name", "organisation_id", "external_id", "version", "updated_at"],
    "accounts": ["account_id", "organisation_id", "role", "email", "email_normalized", "display_name", "language",
                 "phone", "status", "password_hash", "password_changed_at", "created_at", "updated_at"],
    "parents": ["parent_id", "family_id", "name", "email", "phone", "language", "role", "organisation_id",
                "external_id", "version", "updated_at"],
    "children": ["child_id", "family_id", "first_name", "last_name", "birth_date", "mentor_staff_id",
                 "organisation_id", "external_id", "version", "updated_at"],
    "placements": ["placement_id", "child_id", "group_id", "care_type", "starts_on", "ends_on", "weekly_pattern",
                   "organisation_id", "external_id", "version", "updated_at"],
    "consents": ["child_id", "kind_key", "granted", "changed_by", "changed_at", "organisation_id", "external_id",
                 "version", "updated_at"],
    "one_time_tokens": ["token_hash", "account_id", "purpose", "created_at", "expires_at", "used_at",
                        "superseded_at"],
    "sessions": ["session_id", "account_id", "device_id", "created_at", "last_used_at", "revoked_at",
                 "revoke_reason"],
    "refresh_tokens": ["token_hash", "session_id", "issued_at", "rotated_at"],
    "login_throttles": ["throttle_key", "kind", "failures", "last_failure_at", "locked_until"],
    "kit_outbox": ["event_id", "event_type", "topic", "key", "value", "headers", "created_at", "published_at"],
}


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


@dataclass
class _Session:
    session_id: uuid.UUID
    account_id: uuid.UUID
    device_id: str | None
    created_at: datetime
    issued: list[datetime]  # its refresh tokens, one per login and refresh
    revoked_at: datetime | None = None
    reason: str | None = None


@dataclass
class _Client:
    """An app install (device id) or a browser (none) a parent uses, with its current session."""

    device_id: str | None
    address: str
    session: _Session | None = None
    last_open: datetime | None = None


@dataclass
class _Parent:
    account_id: uuid.UUID
    family_id: uuid.UUID
    name: str
    email: str
    language: str
    phone: str | None
    home: str  # the home's address, for the browser
    invited_at: datetime
    accepted_at: datetime  # the invitation: password set, a first session
    password_changed_at: datetime | None = None
    updated_at: datetime | None = None
    account_phone: str | None = None
    sessions: list[_Session] = field(default_factory=list)
    devices_used: dict[str, datetime] = field(default_factory=dict)  # device -> its last session's start


class _Year:
    """Collects the rows identity's write paths leave, in the order they happen per person."""

    def __init__(self, rnd: random.Random, organisation_id: uuid.UUID) -> None:
        self.rnd, self.org = rnd, organisation_id
        self.outbox: list[tuple] = []
        self.tokens: list[tuple] = []
        self.throttles: dict[str, tuple[str, throttle.ThrottleState]] = {}
        self.events = 0

    def secret(self) -> tuple[str, bytes]:
        """A one-time token's secret (as `secrets.token_urlsafe(32)` makes it) and its stored hash."""
        secret = base64.urlsafe_b64encode(self.rnd.randbytes(32)).rstrip(b"=").decode()
        return secret, hashlib.sha256(secret.encode()).digest()

    def publish(self, payload: EventPayload, moment: datetime, correlation: str, *,
                organisation_id: uuid.UUID | None = None) -> None:
        """The outbox row `Outbox("identity").publish` writes, as the relay left it: published."""
        self.events += 1
        envelope = Envelope.wrap(payload, producer="identity", correlation_id=correlation,
                                 organisation_id=organisation_id, event_id=_id(f"event:{self.events}"),
                                 occurred_at=moment)
        headers = json.dumps([[k, v.decode()] for k, v in kafka_headers(envelope)])
        self.outbox.append((envelope.event_id, envelope.event_type, payload.TOPIC, payload.partition_key(),
                            envelope.to_bytes(), headers, moment,
                            moment + timedelta(milliseconds=self.rnd.randint(5, 400))))

    def correlation(self, name: str) -> str:
        return _id(f"correlation:{name}").hex

    def open_session(self, parent: _Parent, client: _Client, moment: datetime) -> None:
        session = _Session(_id(f"session:{parent.account_id}:{len(parent.sessions)}"), parent.account_id,
                           client.device_id, moment, [moment])
        parent.sessions.append(session)
        client.session = session
        if client.device_id:
            parent.devices_used[client.device_id] = moment

    def end_sessions(self, parent: _Parent, sessions: list[_Session], reason: str, moment: datetime) -> None:
        """`_revoke`: the live ones of these sessions end, one SessionsEnded for the account."""
        ended = [s for s in sessions if s.revoked_at is None]
        for session in ended:
            session.revoked_at, session.reason = moment, reason
        if ended:
            self.publish(SessionsEnded(account_id=parent.account_id, organisation_id=self.org,
                                       session_ids=sorted(s.session_id for s in ended), reason=reason,
                                       ended_at=moment), moment,
                         self.correlation(f"end:{parent.account_id}:{moment}"), organisation_id=self.org)

    def fail_login(self, parent: _Parent, client: _Client, moment: datetime) -> None:
        """A wrong password: every key judging the attempt counts it (`_record_failure`)."""
        for key in self._keys(parent, client, moment):
            kind, state = self.throttles.get(key.key, (key.kind, None))
            self.throttles[key.key] = (kind, throttle.after_failure(state, key.policy, moment))

    def log_in(self, parent: _Parent, client: _Client, moment: datetime) -> None:
        """The right password (after a typo now and then): own counters cleared, a new session."""
        for n in range(self.rnd.choices([0, 1, 2], [94, 5, 1])[0]):
            self.fail_login(parent, client, moment - timedelta(seconds=20 * (n + 1)))
        for key in self._keys(parent, client, moment):
            if key.kind in ("pair", "device"):
                self.throttles.pop(key.key, None)
        self.open_session(parent, client, moment)

    def _keys(self, parent: _Parent, client: _Client, moment: datetime) -> list[throttle.ThrottleKey]:
        used = parent.devices_used.get(client.device_id or "")
        known = used is not None and used > moment - KNOWN_DEVICE_FOR
        return throttle.keys_for_attempt(parent.email.lower(), client.address, client.device_id, known)

    def use(self, parent: _Parent, client: _Client, moment: datetime) -> None:
        """The client opened: refresh its session (a new token pair), or log in when it has none that works."""
        if client.last_open is not None and moment - client.last_open < ACCESS_TOKEN:
            return
        client.last_open = moment
        session = client.session
        if session is None or session.revoked_at is not None or moment - session.created_at > REFRESH_WINDOW:
            self.log_in(parent, client, moment)
        else:
            session.issued.append(moment)

    def reset_password(self, parent: _Parent, client: _Client, moment: datetime) -> None:
        """Forgotten: a few wrong tries, a reset link (worker), a new password, every session ended, counters
        of the address cleared; the next use logs in."""
        for n in range(self.rnd.randint(2, 4)):
            self.fail_login(parent, client, moment - timedelta(minutes=5 - n))
        correlation = self.correlation(f"reset:{parent.account_id}:{moment}")
        secret, token_hash = self.secret()
        asked = moment + timedelta(seconds=1)
        self.publish(PasswordResetRequested(account_id=parent.account_id, organisation_id=self.org,
                                            email=parent.email, display_name=parent.name, language=parent.language,
                                            reset_token=secret, expires_at=asked + timedelta(minutes=60)),
                     asked, correlation)
        if self.rnd.random() < 0.15:  # never clicked: the link expires unused
            self.tokens.append((token_hash, parent.account_id, "password_reset", asked,
                                asked + timedelta(minutes=60), None, None))
            return
        used = asked + timedelta(minutes=self.rnd.randint(1, 40))
        self.tokens.append((token_hash, parent.account_id, "password_reset", asked, asked + timedelta(minutes=60),
                            used, None))
        parent.password_changed_at = parent.updated_at = used
        self.end_sessions(parent, parent.sessions, "password_reset", used)
        hashed = throttle.subject_hash(parent.email.lower())
        for key in [k for k in self.throttles if k == f"email:{hashed}" or k.startswith(
                (f"pair:{hashed}:", f"device:{hashed}:"))]:
            del self.throttles[key]
        client.session = None

    def change_account(self, parent: _Parent, moment: datetime) -> None:
        """PATCH /account: a phone number of their own (the directory's stays the ERP's)."""
        parent.account_phone = f"+31 6 {self.rnd.randint(10_000_000, 99_999_999)}"
        parent.updated_at = moment
        self.publish(AccountChanged(account_id=parent.account_id, organisation_id=self.org, role="parent",
                                    display_name=parent.name, language=parent.language, status="active",
                                    changed_at=moment), moment,
                     self.correlation(f"account:{parent.account_id}"), organisation_id=self.org)


@dataclass(frozen=True)
class _Planning:
    """What planning's directory holds for the generated part (identity is where it came from)."""

    groups: list[asyncpg.Record]  # the generated groups: group_id, location_id, name, care_type
    families: dict[uuid.UUID, str]
    parents: dict[uuid.UUID, str]
    last_names: dict[uuid.UUID, str]  # child -> last name
    placements: dict[uuid.UUID, asyncpg.Record]  # child -> care_type, starts_on, ends_on, weekly_pattern


async def _planning(dsn: str, big: Generated, known_groups: set[uuid.UUID]) -> _Planning:
    conn = await asyncpg.connect(dsn)
    try:
        org = big.organisation_id
        groups = [r for r in await conn.fetch(
            "SELECT group_id, location_id, name, care_type FROM directory_groups WHERE organisation_id = $1 "
            "ORDER BY name, group_id", org) if r["group_id"] not in known_groups]
        families = {r["family_id"]: r["name"] for r in await conn.fetch(
            "SELECT family_id, name FROM directory_families WHERE organisation_id = $1", org)}
        parents = {r["account_id"]: r["name"] for r in await conn.fetch(
            "SELECT account_id, name FROM directory_parents WHERE organisation_id = $1", org)}
        last_names = {r["child_id"]: r["last_name"] for r in await conn.fetch(
            "SELECT child_id, last_name FROM directory_children WHERE organisation_id = $1", org)}
        placements = {r["child_id"]: r for r in await conn.fetch(
            "SELECT child_id, care_type, starts_on, ends_on, weekly_pattern::text AS weekly_pattern "
            "FROM directory_placements WHERE organisation_id = $1", org)}
        return _Planning(groups, families, parents, last_names, placements)
    finally:
        await conn.close()


def _birth_date(rnd: random.Random, care_type: str, today: date) -> date:
    low, high = {"day_care": (150, 1400), "toddler": (760, 1440), "after_school": (1500, 4300)}[care_type]
    return today - timedelta(days=rnd.randint(low, high))


def _email(name: str, family_no: int) -> str:
    return f"{re.sub(r'[^a-z0-9]+', '.', name.lower()).strip('.')}.{family_no:04d}@{EMAIL_DOMAIN}"


async def load(dsn: str, big: Generated, *, seed: int = 14, planning: str | None = None) -> dict[str, int]:
    """Adds the generated part to identity's database at `dsn` (idempotent: a second call finds it and does nothing).

    `planning`: planning's database, for the names, care types and weekly patterns (default: the database
    `konnect_planning` on `dsn`'s server).
    """
    started = time.monotonic()
    rnd = random.Random(seed)
    org = big.organisation_id
    conn = await asyncpg.connect(dsn)
    try:
        if await conn.fetchval("SELECT 1 FROM children WHERE child_id = $1", big.children[0].child_id):
            return {}
        known_groups = {r["group_id"] for r in await conn.fetch(
            "SELECT group_id FROM groups WHERE organisation_id = $1", org)}
        # A child's mentor works at its location (the twin's own staff: Sanne at Centrum, Mohamed at Noord).
        mentors = {r["location_id"]: r["staff_id"] for r in await conn.fetch(
            "SELECT DISTINCT ON (g.location_id) g.location_id, s.staff_id FROM staff s "
            "JOIN staff_groups sg ON sg.staff_id = s.staff_id JOIN groups g ON g.group_id = sg.group_id "
            "WHERE s.organisation_id = $1 AND s.active AND NOT s.is_admin ORDER BY g.location_id, s.name", org)}
        kinds = [r["key"] for r in await conn.fetch(
            "SELECT key FROM consent_kinds WHERE organisation_id = $1 ORDER BY key", org)]
        plan = await _planning(planning or sibling_dsn(dsn, "planning"), big, known_groups)

        now = datetime.now(UTC)
        today = now.date()
        imported = datetime.combine(min(c.starts_on for c in big.children) - timedelta(days=21),
                                    datetime.min.time(), UTC) + timedelta(hours=8)
        password_hash = passwords.hash_password(DEMO_PASSWORD)  # once: argon2id costs ~0.1 s a hash
        year = _Year(rnd, org)
        rows: dict[str, list[tuple]] = defaultdict(list)

        # The ERP's first sync: the groups, then family by family (family, parents, children, placements).
        for n, g in enumerate(plan.groups):
            moment = imported + timedelta(seconds=n)
            rows["groups"].append((g["group_id"], g["location_id"], g["name"], g["care_type"], org, None, 1, moment))
            year.publish(GroupUpserted(organisation_id=org, version=1, group_id=g["group_id"],
                                       location_id=g["location_id"], name=g["name"], care_type=g["care_type"]),
                         moment, year.correlation(f"group:{g['group_id']}"), organisation_id=org)
        kids: dict[uuid.UUID, list] = defaultdict(list)
        for child in big.children:
            kids[child.family_id].append(child)
        family_ids = sorted(big.parents, key=lambda f: min(c.child_id for c in kids[f]))
        photo_draws = random.Random(TIMELINE_SEED)
        photo = {c.child_id: photo_draws.random() < 0.9 for c in big.children}
        people: list[_Parent] = []
        for family_no, family_id in enumerate(family_ids):
            moment = imported + timedelta(minutes=5, seconds=2 * family_no)
            correlation = year.correlation(f"family:{family_id}")
            name = plan.families[family_id]
            rows["families"].append((family_id, name, org, None, 1, moment))
            year.publish(FamilyUpserted(organisation_id=org, version=1, family_id=family_id, name=name), moment,
                         correlation, organisation_id=org)
            for account_id in big.parents[family_id]:
                parent_name = plan.parents[account_id]
                email = _email(parent_name, family_no)
                language = "en" if rnd.random() < 0.1 else "nl"
                phone = f"+31 6 {rnd.randint(10_000_000, 99_999_999)}" if rnd.random() < 0.7 else None
                home = f"84.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
                accepted = moment + timedelta(minutes=rnd.randint(10, 7 * 24 * 60 - 10))
                parent = _Parent(account_id, family_id, parent_name, email, language, phone, home, moment, accepted)
                people.append(parent)
                rows["parents"].append((account_id, family_id, parent_name, email, phone, language, "parent", org,
                                        None, 1, moment))
                year.publish(ParentUpserted(organisation_id=org, version=1, account_id=account_id,
                                            family_id=family_id, name=parent_name, email=email, phone=phone,
                                            language=language), moment, correlation, organisation_id=org)
                secret, token_hash = year.secret()
                expires = moment + timedelta(days=7)
                rows["one_time_tokens"].append((token_hash, account_id, "invitation", moment, expires,
                                                parent.accepted_at, None))
                year.publish(AccountInvited(account_id=account_id, organisation_id=org, email=email,
                                            display_name=parent_name, language=language, invitation_token=secret,
                                            expires_at=expires), moment, correlation)
            for child in sorted(kids[family_id], key=lambda c: c.child_id):
                placed = plan.placements[child.child_id]
                last_name = plan.last_names[child.child_id]
                birth = _birth_date(rnd, placed["care_type"], today)
                mentor = mentors.get(child.location_id)
                rows["children"].append((child.child_id, family_id, child.first_name, last_name, birth, mentor, org,
                                         None, 1, moment))
                year.publish(ChildUpserted(organisation_id=org, version=1, child_id=child.child_id,
                                           family_id=family_id, first_name=child.first_name, last_name=last_name,
                                           birth_date=birth, mentor_staff_id=mentor, photo_consent=False),
                             moment, correlation, organisation_id=org)
                rows["placements"].append((child.placement_id, child.child_id, child.group_id, placed["care_type"],
                                           placed["starts_on"], placed["ends_on"], placed["weekly_pattern"], org,
                                           None, 1, moment))
                year.publish(PlacementUpserted(
                    organisation_id=org, version=1, placement_id=child.placement_id, child_id=child.child_id,
                    family_id=family_id, group_id=child.group_id, location_id=child.location_id,
                    care_type=placed["care_type"], starts_on=placed["starts_on"], ends_on=placed["ends_on"],
                    weekly_pattern=json.loads(placed["weekly_pattern"])), moment, correlation, organisation_id=org)

        # The invitations accepted (password set, the first session), then ~400 days of use per parent.
        first_answer: dict[uuid.UUID, _Parent] = {}
        for parent in people:
            uses_app = rnd.random() < 0.85
            app = _Client(f"{rnd.choice(['ios', 'android'])}-{rnd.randbytes(16).hex()}",
                          rnd.choice(CARRIER_ADDRESSES) if rnd.random() < 0.5 else parent.home)
            browser = _Client(None, parent.home)
            accepted_in = app if uses_app and rnd.random() < 0.5 else browser
            parent.password_changed_at = parent.updated_at = parent.accepted_at
            year.open_session(parent, accepted_in, parent.accepted_at)
            accepted_in.last_open = parent.accepted_at
            if parent.family_id not in first_answer:
                first_answer[parent.family_id] = parent
            second = parent is not first_answer[parent.family_id]
            activity = rnd.uniform(0.1, 0.5) * (0.5 if second else 1.0)
            web = 0.015 if uses_app else activity
            new_phone = rnd.randrange(60, 420) if uses_app and rnd.random() < 0.2 else None
            forgets = rnd.randrange(30, 420) if rnd.random() < 0.06 else None
            edits = rnd.randrange(10, 420) if rnd.random() < 0.05 else None
            day = parent.accepted_at.date() + timedelta(days=1)
            while day < today:
                n = (day - parent.accepted_at.date()).days
                start = datetime.combine(day, datetime.min.time(), UTC)
                weekend = 0.4 if day.weekday() >= 5 else 1.0
                if n == new_phone:  # a new phone: a new install, the old one's session is left to run out
                    app = _Client(f"{rnd.choice(['ios', 'android'])}-{rnd.randbytes(16).hex()}", app.address)
                if n == forgets:
                    year.reset_password(parent, browser, start + timedelta(minutes=rnd.randint(360, 1300)))
                if n == edits:
                    year.change_account(parent, start + timedelta(minutes=rnd.randint(360, 1300)))
                if uses_app and rnd.random() < activity * weekend:
                    for minute in sorted(rnd.sample(range(360, 1260), 1 + (rnd.random() < 0.25))):
                        year.use(parent, app, start + timedelta(minutes=minute, seconds=rnd.randint(0, 59)))
                if rnd.random() < web * weekend:
                    moment = start + timedelta(minutes=rnd.randint(360, 1300), seconds=rnd.randint(0, 59))
                    year.use(parent, browser, moment)
                    if rnd.random() < 0.25:  # "uitloggen" on a shared computer
                        browser.last_open = None
                        year.end_sessions(parent, [browser.session] if browser.session else [], "logout",
                                          moment + timedelta(minutes=rnd.randint(2, 30)))
                day += timedelta(days=1)
            rows["accounts"].append((
                parent.account_id, org, "parent", parent.email, parent.email.lower(), parent.name, parent.language,
                parent.account_phone, "active", password_hash, parent.password_changed_at, parent.invited_at,
                parent.updated_at))
            for session in parent.sessions:
                rows["sessions"].append((session.session_id, session.account_id, session.device_id,
                                         session.created_at, session.issued[-1], session.revoked_at, session.reason))
                rows["refresh_tokens"] += [(rnd.randbytes(32), session.session_id, issued,
                                            session.issued[i + 1] if i + 1 < len(session.issued) else None)
                                           for i, issued in enumerate(session.issued)]

        # Consents, answered by a family's first parent in the weeks after accepting; photo sharing as the
        # timeline has it (granted there = granted here; not granted = refused or not answered yet).
        for child in big.children:
            parent = first_answer[child.family_id]
            for kind in kinds:
                if kind == "photo_sharing":
                    granted: bool | None = True if photo[child.child_id] else (False if rnd.random() < 0.5 else None)
                else:
                    granted = (rnd.random() < 0.9) if rnd.random() < 0.8 else None
                if granted is None:
                    continue
                moment = parent.accepted_at + timedelta(minutes=rnd.randint(5, 21 * 24 * 60))
                rows["consents"].append((child.child_id, kind, granted, str(parent.account_id), moment, org, None, 1,
                                         moment))
                year.publish(ConsentChanged(organisation_id=org, child_id=child.child_id, family_id=child.family_id,
                                            consent_kind=kind, granted=granted,
                                            changed_by_account_id=parent.account_id), moment,
                             year.correlation(f"consent:{child.child_id}:{kind}"), organisation_id=org)

        rows["one_time_tokens"] += year.tokens
        rows["login_throttles"] = [(key, kind, state.failures, state.last_failure_at, state.locked_until)
                                   for key, (kind, state) in year.throttles.items()]
        rows["kit_outbox"] = sorted(year.outbox, key=lambda row: row[6])  # ids in the order they were written
        generated_in = time.monotonic() - started
        async with conn.transaction():
            for table, columns in COLUMNS.items():
                await conn.copy_records_to_table(table, records=rows[table], columns=columns)
        copied_in = time.monotonic() - started - generated_in
        await conn.execute("VACUUM ANALYZE")  # as a live organisation's tables are (see big_organisation.py)
        counts: dict[str, Any] = {table: len(rows[table]) for table in COLUMNS}
        counts |= {"generate_seconds": round(generated_in, 1), "copy_seconds": round(copied_in, 1),
                   "seconds": round(time.monotonic() - started, 1)}
        return counts
    finally:
        await conn.close()


def main() -> None:
    big = asyncio.run(generated(service_dsn("planning")))
    print(asyncio.run(load(service_dsn("identity"), big, planning=service_dsn("planning"))))


if __name__ == "__main__":
    main()
