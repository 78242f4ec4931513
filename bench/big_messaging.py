"""The big organisation's year of conversations and group messages in messaging's database (COPY).

Beside `big_organisation.py`'s planning rows: the generated children, their parents, groups and placements get the
directory rows identity's events would have left in messaging (the groups new to it get two staff members each,
with a login, one of them every child's mentor), then a year of what those families and staff write:

- conversations about a child, one or two a month per family, mostly started by a parent (some by the group's
  staff, a few by the organisation's admin), two to six messages each, on the child's care days;
- a weekly message of each generated group's staff to the whole group, which the product stores as one
  conversation per family with a child placed there (same broadcast id, same moment, one message each, the
  sender's read mark on each); about one family in eight answers, and the staff answer back mostly.

Rows are what the write paths leave (`service_layer.conversations`): `seq` in the order the messages were sent
(taken from the table's own sequence), the conversation's `last_*` preview of its last message, the sender's read
mark on every message sent, readers' marks up to the last message they saw (most conversations are read by both
parents and the group's staff; recent ones less), attachment rows for the photos some messages carry, and the
idempotency keys of the last seven days' sends (older ones are pruned). Not written: the outbox (its MessageSent
events would notify thousands of parents) and the consumer inbox of identity's events.

Nothing is added to the twin's own families or staff: the twin's groups get no group messages (they would reach
the twin family too), only conversations of generated classmates with the twin's staff there, so the twin Anne's
own conversations stay the demo Anne's; her reads differ by the size of the tables around them only.

    .venv/bin/python bench/big_messaging.py   # into the running bench profile (after big_organisation.py)
"""

import asyncio
import base64
import json
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from big_organisation import LAST, BigChild, Generated, generated, service_dsn
from konnect_devstack.demo import REGENBOOG, STAFF
from messaging.domain.conversations import preview
from messaging.service_layer.idempotency import KEY_RETENTION, request_hash

_NS = uuid.UUID("3c9e1f5a-7b24-4d8e-a6c1-5e0f9b2d7a43")
ZONE = ZoneInfo("Europe/Amsterdam")
DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"]
ADULTS = ["Anouk", "Bas", "Charlotte", "Dennis", "Esther", "Frank", "Gijs", "Hanna", "Iris", "Jeroen", "Kim",
          "Laura", "Maarten", "Nina", "Olaf", "Priya", "Rik", "Sophie", "Tim", "Vera", "Wouter", "Yara", "Ahmed",
          "Fleur", "Koen", "Merel", "Sven", "Ilse", "Youssef", "Lotte"]
PARENT_TOPICS = [
    ("Ziek", "{name} heeft vannacht koorts gehad en blijft vandaag thuis. We laten weten wanneer {name} weer komt."),
    ("Ophalen {dag}", "{Dag} haalt opa {name} op, rond vijf uur. Hij komt met de auto, het stoeltje ligt bij jullie."),
    ("Slaapje", "{name} heeft vannacht slecht geslapen. Mag {name} vanmiddag wat langer liggen?"),
    ("Vakantie", "Wij gaan over twee weken op vakantie, {name} is er dan twee weken niet. Fijne weken alvast!"),
    ("Medicijnen", "{name} krijgt een antibioticakuur. Kunnen jullie rond de lunch 5 ml geven? Het flesje zit in "
                   "het voorvak van de tas."),
    ("Knuffel kwijt", "Is de knuffel van {name} misschien bij jullie blijven liggen? Het is een grijs konijntje "
                      "met een lang oor, zonder slaapt {name} heel slecht."),
    ("Later brengen", "{name} heeft {dag} een afspraak bij het consultatiebureau, we brengen {name} rond half elf."),
    ("Eten", "{name} lust sinds kort geen brood meer, alleen crackers. Hebben jullie dat ook gemerkt?"),
    ("Extra dag", "Zou {name} volgende week een extra dag kunnen komen? Ik heb het ook in de app aangevraagd."),
    ("Potje", "We zijn thuis begonnen met oefenen op het potje. Willen jullie {name} ook af en toe vragen of "
              "{name} moet?"),
]
STAFF_TOPICS = [
    ("Wisselkleding", "Willen jullie nieuwe wisselkleding meegeven voor {name}? Het bakje is leeg."),
    ("Valpartij", "{name} is vanmiddag van de glijbaan gevallen en heeft een bult op het voorhoofd. We hebben "
                  "gekoeld en {name} speelt alweer vrolijk mee."),
    ("Mooie dag", "Even een leuk berichtje: {name} heeft vandaag de hele ochtend met vriendjes een grote toren "
                  "gebouwd!"),
    ("Oudergesprek", "Zullen we binnenkort het tien-minutengesprek over {name} plannen? Past {dag} na het ophalen?"),
    ("Luiers", "De luiers van {name} zijn bijna op, kunnen jullie een nieuw pak meenemen?"),
    ("Verhoging", "{name} voelt warm aan en heeft 38,4. Kunnen jullie {name} ophalen?"),
]
ADMIN_TOPICS = [
    ("Contract {name}", "De wijziging in het contract van {name} is verwerkt: vanaf volgende maand geldt het "
                        "nieuwe rooster. Zie de app voor de details."),
    ("Jaaropgave", "De jaaropgave over vorig jaar voor {name} staat klaar in de app onder Facturen."),
]
STAFF_REPLIES = ["Natuurlijk, we houden {name} goed in de gaten.", "Dank voor het laten weten! Beterschap voor {name}.",
                 "Genoteerd, tot {dag}!", "Geen probleem, dat regelen we.", "Goed dat je het zegt, we kijken even "
                 "rond.", "Helemaal goed, we geven het door aan de collega's.", "Ja hoor, dat kan."]
PARENT_REPLIES = ["Dank jullie wel!", "Thanks!", "Top, tot {dag}.", "Fijn om te horen, dank voor het berichtje.",
                  "Wordt geregeld, ik neem het morgen mee.", "Oké, ik kom eraan.", "Super, dank!"]
ADMIN_REPLIES = ["Graag gedaan, fijne dag!", "Bij vragen hoor ik het graag."]
WEEK_OPENINGS = ["Lieve ouders,", "Hallo allemaal,", "Beste ouders en verzorgers,"]
WEEK_THEMES = [
    "Deze week stond in het teken van de herfst: we hebben bladeren gezocht en er een grote collage van gemaakt.",
    "We hebben deze week veel buiten gespeeld. De zandbak was favoriet, dus er komt wat zand mee naar huis!",
    "Het thema deze week was 'Op de boerderij'. We hebben liedjes gezongen over de koe en het varken en "
    "dieren geknutseld van wc-rolletjes.",
    "Deze week hebben we geoefend met zelf de jas aan doen. Sommige kinderen kunnen het al helemaal alleen!",
    "We hebben pannenkoeken gebakken met de groep. Iedereen mocht zelf beslag scheppen en er was stroop toe.",
    "De nieuwe speelhoek is klaar: een echte winkel met een kassa. Er wordt druk gekocht en verkocht.",
    "Deze week lazen we elke dag uit 'Rupsje Nooitgenoeg' en hebben we zelf vlinders geverfd.",
    "Er waren deze week twee verjaardagen in de groep, met slingers, muts en een traktatie.",
]
WEEK_NOTICES = [
    "Volgende week {dag} gaan we naar de kinderboerderij. Willen jullie laarzen meegeven?",
    "Denken jullie aan de wisselkleding? Het wordt kouder, een extra trui is welkom.",
    "Op {dag} is er een studiedag: de groep is dan gesloten.",
    "In de gang hangt een lijst voor de oudergesprekken, schrijf je in!",
    "Er gaat waterpokken rond in de groep; let op blaasjes en koorts.",
    "Wil iedereen de naam in jassen en tassen zetten? Er liggen veel gevonden voorwerpen.",
]
BROADCAST_REPLIES = ["{name} neemt laarzen mee.", "Dank voor het weekbericht!", "Wat leuk, {name} vertelde er "
                     "thuis al over.", "Is de studiedag ook voor de BSO?", "We zijn er die dag helaas niet."]
BROADCAST_ANSWERS = ["Graag gedaan!", "Ja, dat geldt voor alle groepen.", "Jammer, volgende keer beter!",
                     "Leuk om te horen!"]


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


@dataclass(frozen=True)
class _Person:
    account_id: uuid.UUID
    role: str  # parent | staff | admin (the message's sender role)
    name: str


@dataclass
class _Message:
    message_id: uuid.UUID
    sender: _Person
    body: str
    sent_at: datetime
    attachments: list[dict[str, Any]]
    order: int  # creation order: ties of `sent_at` (a group message's fan-out) keep it, like one transaction
    seq: int = 0


@dataclass
class _Conversation:
    conversation_id: uuid.UUID
    family_id: uuid.UUID
    child_id: uuid.UUID | None
    group_id: uuid.UUID
    subject: str
    starter: _Person
    broadcast_id: uuid.UUID | None = None
    messages: list[_Message] = field(default_factory=list)
    readers: list[tuple[uuid.UUID, timedelta]] = field(default_factory=list)  # who opened it after the last message


class _Year:
    """The generated content, in memory, before it becomes rows."""

    def __init__(self, rnd: random.Random, now: datetime) -> None:
        self.rnd, self.now = rnd, now
        self.conversations: list[_Conversation] = []
        self.attachments: list[tuple] = []
        self.keys: list[tuple] = []  # (account, key, kind, values, result, created_at)
        self.broadcasts = 0
        self._order = 0

    def message(self, conversation: _Conversation, sender: _Person, body: str, sent_at: datetime,
                attachments: list[dict[str, Any]] | None = None) -> _Message | None:
        if sent_at >= self.now:
            return None
        self._order += 1
        message = _Message(_id(f"message:{conversation.conversation_id}:{len(conversation.messages)}"), sender, body,
                           sent_at, attachments or [], self._order)
        conversation.messages.append(message)
        return message

    def upload(self, organisation: uuid.UUID, sender: _Person, file_name: str, content_type: str,
               sent_at: datetime) -> dict[str, Any]:
        """A confirmed attachment of the sender (uploaded minutes before the message), as a message describes it."""
        attachment_id = _id(f"attachment:{len(self.attachments)}")
        size = self.rnd.randint(150_000, 2_500_000) if content_type.startswith("image/") else self.rnd.randint(
            40_000, 400_000)
        created = sent_at - timedelta(minutes=self.rnd.randint(1, 10))
        token = base64.urlsafe_b64encode(self.rnd.randbytes(24)).decode()  # like secrets.token_urlsafe(24)
        self.attachments.append((attachment_id, organisation, sender.account_id, file_name,
                                 f"{organisation}/messages/{token}", "ready", content_type, size,
                                 created + timedelta(seconds=900), created))
        return {"attachment_id": str(attachment_id), "content_type": content_type, "size": size,
                "file_name": file_name}

    def key(self, sender: _Person, kind: str, values: dict[str, Any], result: dict[str, Any], at: datetime) -> None:
        """The Idempotency-Key row of a send, while it is kept (the app sends one with every message)."""
        if at >= self.now - KEY_RETENTION:
            key = str(_id(f"key:{kind}:{json.dumps(result, sort_keys=True)}"))
            self.keys.append((sender.account_id, key, kind, request_hash(kind, values), json.dumps(result), at))

    def delay(self, short: bool = False) -> timedelta:
        """How long until someone answers or reads: minutes mostly, sometimes the next day."""
        if short or self.rnd.random() < 0.8:
            return timedelta(minutes=self.rnd.randint(2, 240))
        return timedelta(hours=self.rnd.randint(4, 30))


def _at(day: date, earliest: float, latest: float, rnd: random.Random) -> datetime:
    """A moment on `day` between two local hours (Europe/Amsterdam), in UTC."""
    minutes = rnd.randint(int(earliest * 60), int(latest * 60))
    local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, rnd.randint(0, 59), tzinfo=ZONE)
    return local.astimezone(UTC)


def _care_day(child: BigChild, after: date) -> date:
    """The first of the child's care days on or after `after`."""
    days = child.weekdays or (0, 1, 2, 3, 4)
    return next(d for d in (after + timedelta(days=n) for n in range(7)) if d.weekday() in days)


def _child_conversations(year: _Year, big: Generated, family: uuid.UUID, kids: list[BigChild],
                         parents: list[_Person], staff_of: dict[uuid.UUID, list[_Person]], admin: _Person | None,
                         first: date) -> None:
    """One or two conversations a month about one of the family's children, each a few messages back and forth."""
    rnd, n = year.rnd, 0
    for month in range(12):
        for _ in range(rnd.choice((1, 1, 2))):
            child = rnd.choice(kids)
            staff = staff_of[child.group_id]
            day = _care_day(child, first + timedelta(days=month * 30 + rnd.randrange(30)))
            dag = DAYS[_care_day(child, day + timedelta(days=1)).weekday()]
            kind = rnd.random()
            if kind < 0.03 and admin is not None:
                starter, topics = admin, ADMIN_TOPICS
                start, length = _at(day, 9, 16, rnd), rnd.choice((1, 2, 2))
            elif kind < 0.3:
                starter, topics = rnd.choice(staff), STAFF_TOPICS
                start, length = _at(day, 9.5, 17.5, rnd), rnd.choice((2, 2, 3, 3, 4, 5))
            else:
                starter, topics = rnd.choice(parents), PARENT_TOPICS
                start = _at(day, 7, 8.5, rnd) if rnd.random() < 0.6 else _at(day - timedelta(days=1), 19.5, 22, rnd)
                length = rnd.choice((2, 2, 3, 3, 3, 4, 4, 5, 6))
            subject, text = rnd.choice(topics)
            words = {"name": child.first_name, "dag": dag, "Dag": dag.capitalize()}
            conversation = _Conversation(_id(f"conversation:{family}:{n}"), family, child.child_id, child.group_id,
                                         subject.format(**words), starter)
            n += 1
            attachments = []
            if starter.role == "parent" and rnd.random() < 0.04:
                name, content_type = rnd.choice((("foto.jpg", "image/jpeg"), ("verklaring.pdf", "application/pdf")))
                attachments = [year.upload(big.organisation_id, starter, name, content_type, start)]
            if year.message(conversation, starter, text.format(**words), start, attachments) is None:
                continue  # not sent yet
            year.key(starter, "conversation", {
                "child_id": child.child_id, "group_id": None, "subject": conversation.subject,
                "text": text.format(**words), "attachments": [a["attachment_id"] for a in attachments]},
                {"conversation_id": str(conversation.conversation_id)}, start)
            sender, at = starter, start
            for _ in range(length - 1):
                # Mostly the other side answers; now and then the same side writes again.
                parent_turn = (sender.role != "parent") if rnd.random() < 0.85 else (sender.role == "parent")
                if parent_turn:
                    sender, body = rnd.choice(parents), rnd.choice(PARENT_REPLIES)
                elif starter.role == "admin":
                    sender, body = starter, rnd.choice(ADMIN_REPLIES)
                else:
                    sender = sender if sender.role == "staff" and rnd.random() < 0.7 else rnd.choice(staff)
                    body = rnd.choice(STAFF_REPLIES)
                at += year.delay()
                sent = year.message(conversation, sender, body.format(**words), at)
                if sent is None:
                    break
                year.key(sender, "message", {"conversation_id": conversation.conversation_id, "text": sent.body,
                                             "attachments": []}, {"message_id": str(sent.message_id)}, at)
            # Who opened it after its last message: each parent mostly, the group's staff (less so an admin's
            # conversation, which they may read too) and the admin who wrote.
            chance = {"parent": 0.9, "staff": 0.3 if starter.role == "admin" else 0.8, "admin": 0.9}
            for person in [*parents, *staff, *([starter] if starter.role == "admin" else [])]:
                if rnd.random() < chance[person.role]:
                    conversation.readers.append((person.account_id, year.delay()))
            year.conversations.append(conversation)


def _group_messages(year: _Year, big: Generated, group: uuid.UUID, kids: list[BigChild], staff: list[_Person],
                    parents_of: dict[uuid.UUID, list[_Person]], first: date) -> None:
    """A weekly message of the group's staff to the parents of the whole group: one conversation per family (in
    the order the write path makes them), one moment, the same text and photos in each."""
    rnd = year.rnd
    families = sorted({c.family_id for c in kids}, key=str)
    child_of = {c.family_id: c for c in kids}
    name = big.group_names.get(group, "de groep")
    friday = first + timedelta(days=(4 - first.weekday()) % 7)
    for week in range(53):
        day = friday + timedelta(weeks=week)
        if rnd.random() < 0.1:
            continue  # a holiday week
        sender = rnd.choice(staff)
        at = _at(day, 13, 16.5, rnd)
        if at >= year.now:
            break
        colleagues = " en ".join(s.name.split()[0] for s in [sender, *(s for s in staff if s != sender)][:2])
        subject = f"Weekbericht {name}, week {day.isocalendar().week}"
        text = "\n\n".join([rnd.choice(WEEK_OPENINGS), *rnd.sample(WEEK_THEMES, 2),
                            rnd.choice(WEEK_NOTICES).format(dag=rnd.choice(DAYS)), f"Groetjes,\n{colleagues}"])
        photos = [year.upload(big.organisation_id, sender, f"IMG_{rnd.randint(1000, 9999)}.jpg", "image/jpeg", at)
                  for _ in range(rnd.randint(1, 4))] if rnd.random() < 0.25 else []
        broadcast = _id(f"broadcast:{group}:{week}")
        ids = [_id(f"group-conversation:{broadcast}:{family}") for family in families]
        year.broadcasts += 1
        year.key(sender, "group", {"group_id": group, "subject": subject, "text": text,
                                   "attachments": [a["attachment_id"] for a in photos]},
                 {"broadcast_id": str(broadcast), "group_id": str(group), "conversation_ids": [str(i) for i in ids]},
                 at)
        for family, conversation_id in zip(families, ids, strict=True):
            conversation = _Conversation(conversation_id, family, None, group, subject, sender, broadcast)
            year.message(conversation, sender, text, at, photos)
            year.conversations.append(conversation)
        for conversation in year.conversations[-len(families):]:  # answers and reads, after the whole fan-out
            parents = parents_of[conversation.family_id]
            answered = at
            if rnd.random() < 0.12:
                parent = rnd.choice(parents)
                answered += year.delay()
                words = {"name": child_of[conversation.family_id].first_name}
                sent = year.message(conversation, parent, rnd.choice(BROADCAST_REPLIES).format(**words), answered)
                if sent is not None:
                    year.key(parent, "message", {"conversation_id": conversation.conversation_id, "text": sent.body,
                                                 "attachments": []}, {"message_id": str(sent.message_id)}, answered)
                    if rnd.random() < 0.6:
                        answer_by = rnd.choice(staff)
                        answered += year.delay(short=True)
                        sent = year.message(conversation, answer_by, rnd.choice(BROADCAST_ANSWERS), answered)
                        if sent is not None:
                            year.key(answer_by, "message", {"conversation_id": conversation.conversation_id,
                                                            "text": sent.body, "attachments": []},
                                     {"message_id": str(sent.message_id)}, answered)
                    for colleague in staff:  # an answer is for the staff to read
                        if rnd.random() < 0.8:
                            conversation.readers.append((colleague.account_id, year.delay()))
            for parent in parents:
                if rnd.random() < 0.85:
                    conversation.readers.append((parent.account_id, year.delay()))


async def load(dsn: str, big: Generated, *, seed: int = 12) -> dict[str, int]:
    """Adds the year to messaging's database at `dsn` (idempotent: a second call finds it and does nothing)."""
    started = time.monotonic()
    rnd = random.Random(seed)
    org = big.organisation_id
    by_family: dict[uuid.UUID, list[BigChild]] = defaultdict(list)
    by_group: dict[uuid.UUID, list[BigChild]] = defaultdict(list)
    for child in big.children:
        by_family[child.family_id].append(child)
        by_group[child.group_id].append(child)
    families = sorted(by_family, key=str)
    marker = _id(f"conversation:{families[0]}:0")
    conn = await asyncpg.connect(dsn)
    try:
        if await conn.fetchval("SELECT 1 FROM conversations WHERE conversation_id = $1", marker):
            return {}
        now = datetime.now(UTC)
        first = now.astimezone(ZONE).date() - timedelta(days=365)

        # The directory as identity's events leave it: groups new to messaging with two staff members each (every
        # fourth group shares one with the next); the twin's own groups keep their staff.
        known = {r["group_id"] for r in await conn.fetch(
            "SELECT group_id FROM directory_groups WHERE organisation_id = $1", org)}
        new_groups = sorted((g for g in by_group if g not in known), key=lambda g: (big.group_names.get(g, ""), str(g)))
        staff_of: dict[uuid.UUID, list[_Person]] = defaultdict(list)
        staff_ids: dict[uuid.UUID, uuid.UUID] = {}
        for r in await conn.fetch("SELECT staff_id, account_id, name, group_ids FROM directory_staff WHERE "
                                  "organisation_id = $1 AND active AND NOT deleted AND account_id IS NOT NULL "
                                  "ORDER BY staff_id", org):
            person = _Person(r["account_id"], "staff", r["name"])
            staff_ids[person.account_id] = r["staff_id"]
            for g in r["group_ids"]:
                staff_of[g].append(person)
        staff_rows = []
        for n, group in enumerate(new_groups):
            for k in range(2):
                staff_id = _id(f"staff:{group}:{k}")
                person = _Person(staff_id, "staff", f"{rnd.choice(ADULTS)} {rnd.choice(LAST)}")
                groups = [group] + ([new_groups[n + 1]] if k == 1 and n % 4 == 3 and n + 1 < len(new_groups) else [])
                staff_rows.append((staff_id, org, staff_id, person.name, groups, True, False, 1))
                staff_ids[staff_id] = staff_id
                for g in groups:
                    staff_of[g].append(person)
        missing = [g for g in by_group if not staff_of[g]]
        if missing:
            raise RuntimeError(f"no staff in messaging's directory for groups {missing}")
        admins = [big.world.id("staff:" + key) for key, organisation, *_, is_admin in STAFF
                  if organisation == REGENBOOG and is_admin]
        admin_row = await conn.fetchrow("SELECT account_id, name FROM directory_staff WHERE staff_id = ANY($1::uuid[]) "
                                        "AND active AND NOT deleted AND account_id IS NOT NULL", admins)
        admin = _Person(admin_row["account_id"], "admin", admin_row["name"] or "Beheerder") if admin_row else None
        parents_of: dict[uuid.UUID, list[_Person]] = {}
        parent_rows = []
        for family in families:
            last = rnd.choice(LAST)
            parents_of[family] = []
            for account in big.parents[family]:
                person = _Person(account, "parent", f"{rnd.choice(ADULTS)} {last}")
                parents_of[family].append(person)
                parent_rows.append((account, org, family, person.name, False, 1))
        children_rows = [(c.child_id, org, c.family_id, c.first_name,
                          staff_ids[staff_of[c.group_id][n % len(staff_of[c.group_id])].account_id], False, 1)
                         for n, c in enumerate(big.children)]
        group_rows = [(g, org, big.group_names.get(g, "Groep"), False, 1) for g in new_groups]
        placement_rows = [(c.placement_id, org, c.child_id, c.family_id, c.group_id, c.starts_on, None, False, 1)
                          for c in big.children]

        year = _Year(rnd, now)
        for family in families:
            _child_conversations(year, big, family, by_family[family], parents_of[family], staff_of, admin, first)
        for group in new_groups:
            _group_messages(year, big, group, by_group[group], staff_of[group], parents_of, first)
        sent = sorted((m for c in year.conversations for m in c.messages), key=lambda m: (m.sent_at, m.order))

        async with conn.transaction():
            # `seq` is the order of sending: numbers of the table's own sequence (beyond every message there now and
            # never handed out again), given in the order the messages were sent.
            seqs = sorted(r[0] for r in await conn.fetch(
                "SELECT nextval(pg_get_serial_sequence('messages', 'seq')) FROM generate_series(1, $1)", len(sent)))
            for message, seq in zip(sent, seqs, strict=True):
                message.seq = seq
            conversation_rows, message_rows, read_rows = [], [], []
            for c in year.conversations:
                last = c.messages[-1]
                conversation_rows.append((c.conversation_id, org, c.family_id, c.child_id, c.group_id, c.subject,
                                          c.starter.account_id, c.starter.role, c.broadcast_id, c.messages[0].sent_at,
                                          last.seq, last.sent_at, preview(last.body), last.sender.name))
                reads: dict[uuid.UUID, tuple[int, datetime]] = {}
                for m in c.messages:
                    message_rows.append((m.seq, m.message_id, c.conversation_id, org, m.sender.account_id,
                                         m.sender.role, m.sender.name, m.body, json.dumps(m.attachments), m.sent_at))
                    reads[m.sender.account_id] = (m.seq, m.sent_at)  # sending marks it read for the sender
                for account, after in c.readers:
                    if reads.get(account, (0,))[0] < last.seq and last.sent_at + after < now:
                        reads[account] = (last.seq, last.sent_at + after)
                read_rows += [(c.conversation_id, account, seq, at) for account, (seq, at) in reads.items()]
            # In the order the write paths would have added them, so the tables' physical order is theirs too (a
            # conversation's messages spread over the table's pages, not side by side).
            conversation_rows.sort(key=lambda row: row[9])
            message_rows.sort(key=lambda row: row[0])
            read_rows.sort(key=lambda row: row[3])
            tables: list[tuple[str, list[tuple], list[str]]] = [
                ("directory_groups", group_rows, ["group_id", "organisation_id", "name", "deleted", "version"]),
                ("directory_staff", staff_rows, ["staff_id", "organisation_id", "account_id", "name", "group_ids",
                                                 "active", "deleted", "version"]),
                ("directory_parents", parent_rows, ["account_id", "organisation_id", "family_id", "name", "deleted",
                                                    "version"]),
                ("directory_children", children_rows, ["child_id", "organisation_id", "family_id", "first_name",
                                                       "mentor_staff_id", "deleted", "version"]),
                ("directory_placements", placement_rows, ["placement_id", "organisation_id", "child_id", "family_id",
                                                          "group_id", "starts_on", "ends_on", "deleted", "version"]),
                ("message_attachments", year.attachments, ["attachment_id", "organisation_id", "account_id",
                                                           "file_name", "media_base", "status", "content_type",
                                                           "size_bytes", "upload_expires_at", "created_at"]),
                ("conversations", conversation_rows, ["conversation_id", "organisation_id", "family_id", "child_id",
                                                      "group_id", "subject", "started_by_account_id",
                                                      "started_by_role", "broadcast_id", "created_at", "last_seq",
                                                      "last_message_at", "last_preview", "last_sender_name"]),
                ("messages", message_rows, ["seq", "message_id", "conversation_id", "organisation_id",
                                            "sender_account_id", "sender_role", "sender_name", "body", "attachments",
                                            "sent_at"]),
                ("conversation_reads", read_rows, ["conversation_id", "account_id", "last_read_seq", "read_at"]),
                ("sent_requests", year.keys, ["account_id", "idempotency_key", "kind", "request_hash", "result",
                                              "created_at"]),
            ]
            for table, rows, columns in tables:
                await conn.copy_records_to_table(table, records=rows, columns=columns)
        # As a live organisation's tables are (and so autovacuum does not visit them mid-benchmark, see
        # big_organisation.py).
        await conn.execute(f"VACUUM ANALYZE {', '.join(table for table, _, _ in tables)}")
        counts = {table: len(rows) for table, rows, _ in tables}
        counts["group_messages"] = year.broadcasts
        counts["seconds"] = round(time.monotonic() - started)
        return counts
    finally:
        await conn.close()


def main() -> None:
    big = asyncio.run(generated(service_dsn("planning")))
    print(asyncio.run(load(service_dsn("messaging"), big)))


if __name__ == "__main__":
    main()
