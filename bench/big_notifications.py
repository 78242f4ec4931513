"""The big organisation's year of notifications in the notifications service's database: inboxes, digests, deliveries.

Notifications keeps no content of its own: it turns the other services' events into inbox items, digest mails,
immediate mails and pushes. So beside the other `big_*.py` loaders this one reads what they left in their
databases and runs it through the rules the handlers follow (`service_layer.fanout`, `handlers/`), event by event
in the order they would have arrived, for the generated parents:

- identity (`big_identity.py`): its outbox's ParentUpserted, ChildUpserted, PlacementUpserted and GroupUpserted as
  the read models keep them (recipients with e-mail and language, children's first names, placements, groups), its
  AccountInvited and PasswordResetRequested as account mails, its SessionsEnded as ended sessions; the parents'
  app installs (its sessions) as push devices, registered at each login until that session ends;
- timeline (`big_timeline.py`): a PhotoPosted per photo (a series is one item per parent that counts their
  children's photos while unread) and a DiaryEntryPosted per entry;
- messaging (`big_messaging.py`): a MessageSent per message to the family's parents but its sender (a burst joins
  the conversation's unread item; a parent who answers has read it);
- planning (`big_organisation.py`): RequestSubmitted (the requests read model), RequestDecided for the accepted and
  rejected requests and AbsenceReported, as far as they happened by now.

No service holds news for the big organisation: its news (organisation-wide, announced once per location as the
producer does; per location; per group) and monthly newsletter are made up here, and so is what the parents chose
and did (seeded): about a third changed notification settings (no digest, photos mailed at once, no push for photos
and diary, no mail for messages), quiet hours, digest time or message previews; items are read minutes to hours
after they arrive (a few parents hardly ever, some news never), so the last days' are unread; a few mailboxes start
refusing mail (failed, then suppressed) or complain; a few app installs get a new push token (the old one fails
once and is forgotten, the next login registers the new one). Mails are rendered with the service's own texts;
deliveries are in their final states (sent, a few after a retry, or failed; a quiet-hours push due after now
waits). Inbox `seq` numbers come from `inbox_seq` in the order the items arrived (a joined item takes a new one);
every table gets its rows in that order too, and `kit_inbox` a row per consumed event.

Nothing is added for the twin's own families and staff (the twin Anne's inbox stays the demo Anne's), and only
generated parents are addressed (organisation news does not reach the twin's people). Event ids are identity's
outbox ids; the other loaders write no outbox, so their events get uuid5 ids in this loader's namespace, like
everything made up here. Unsubscribe links are signed with a bench key, not the stack's.

    cd bench && ../.venv/bin/python big_notifications.py   # after big_organisation, big_identity, big_timeline,
                                                           # big_messaging (into the running bench profile)
"""

import asyncio
import bisect
import json
import math
import random
import string
import time as monotonic
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from big_organisation import Generated, generated, service_dsn, sibling_dsn
from konnect_devstack.profiles import bench_profile
from messaging.domain.conversations import preview as message_preview
from notifications.db.devices import device_id_for
from notifications.domain.channels import DEFAULTS, URGENT_KINDS, KindChannels, effective
from notifications.domain.delivery import delivery_id_for
from notifications.domain.inbox import COLLAPSING_KINDS, deep_link, inbox_text
from notifications.domain.languages import mail_language
from notifications.domain.mail_links import DIGEST_KIND, MailLinks
from notifications.domain.mail_texts import (
    ChildLine,
    RenderedMail,
    Sender,
    render_absence_reported,
    render_digest,
    render_invitation,
    render_item_mail,
    render_password_reset,
    render_request_decided,
)
from notifications.domain.push_texts import RenderedPush, render_counted, render_message_preview
from notifications.domain.schedule import next_digest_at, quiet_until
from notifications.service_layer.digests import _DIGEST_NAMESPACE

_NS = uuid.UUID("9a4e7c21-3f68-4d0b-8e15-6b2f0c9d4a37")
ZONE_NAME = "Europe/Amsterdam"
ZONE = ZoneInfo(ZONE_NAME)
CONSUMER = "notifications"
SIGNING_KEY = b"bench-big-notifications-unsubscribe-key"
BURST = timedelta(seconds=60)  # Settings.push_burst_seconds
NEWS_KINDS = frozenset({"news_published", "newsletter_published"})  # announced once per location: deduplicated
IDENTITY_EVENTS = ["ParentUpserted", "ChildUpserted", "PlacementUpserted", "GroupUpserted", "AccountInvited",
                   "PasswordResetRequested", "SessionsEnded"]
NEWS = ["Zomerfeest op vrijdag", "Uitje naar de kinderboerderij", "Nieuwe pedagogisch medewerker", "Luizencontrole",
        "Sint Maarten: lampionnen maken", "Ouderavond over slapen", "Sinterklaas komt op bezoek", "Tuindag met ouders",
        "Nieuwe speeltoestellen buiten", "Wijziging openingstijden rond de feestdagen", "Week van de opvoeding",
        "Voorleesontbijt", "Parkeren bij het brengen en halen", "Fotograaf op bezoek", "Griepprik voor medewerkers"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]
TOKEN_CHARS = string.ascii_letters + string.digits + "-_"

COLUMNS = {
    "recipients": ["account_id", "role", "organisation_id", "family_id", "email", "display_name", "language", "active",
                   "version", "updated_at"],
    "children": ["child_id", "organisation_id", "family_id", "first_name", "deleted", "version", "updated_at"],
    "groups": ["group_id", "organisation_id", "location_id", "deleted", "version", "updated_at"],
    "placements": ["placement_id", "organisation_id", "child_id", "family_id", "group_id", "location_id", "ends_on",
                   "deleted", "version", "updated_at"],
    "preferences": ["account_id", "kind", "email", "push", "email_mode", "in_app", "updated_at"],
    "account_settings": ["account_id", "time_zone", "digest_at", "quiet_start", "quiet_end", "last_digest_at",
                         "message_preview", "updated_at"],
    "push_devices": ["device_id", "token", "account_id", "session_id", "platform", "registered_at"],
    "ended_sessions": ["session_id", "ended_at"],
    "email_suppressions": ["address", "reason", "detail", "since"],
    "requests": ["request_id", "organisation_id", "family_id", "kind", "lines", "created_at"],
    "inbox_items": ["item_id", "seq", "account_id", "organisation_id", "kind", "subject_id", "child_ids", "params",
                    "link", "count", "created_at", "read_at"],
    "digest_items": ["account_id", "organisation_id", "kind", "child_ids", "params", "link", "created_at",
                     "digest_id"],
    "deliveries": ["delivery_id", "event_id", "kind", "channel", "organisation_id", "account_id", "recipient",
                   "language", "subject", "body_text", "body_html", "status", "attempts", "next_attempt_at",
                   "last_error", "created_at", "sent_at", "collapse_key", "collapsed_count", "sender_name", "reply_to",
                   "unsubscribe_url"],
    "kit_inbox": ["consumer", "event_id", "event_type", "processed_at"],
}


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


def _lag(rnd: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rnd.uniform(low, high))


def _local(rnd: random.Random, day: date, earliest: float, latest: float) -> datetime:
    """A moment of `day` between the local hours `earliest` and `latest`, in UTC."""
    return (datetime.combine(day, time(0), ZONE) + timedelta(hours=rnd.uniform(earliest, latest))).astimezone(UTC)


@dataclass(eq=False)
class _Client:
    """A parent's app install: its push token is registered at each login (identity session) until that session
    ends; a rotated token fails once (the device is forgotten) until the next login registers the new one."""

    platform: str
    token: str
    starts: list[datetime]
    spans: list[tuple[datetime, datetime | None, uuid.UUID]]  # (registered, removed, session), in order
    new_token: str = ""
    rotated_at: datetime | None = None
    back_at: datetime | None = None  # the first login after the rotation
    failed_at: datetime | None = None

    def span_at(self, at: datetime) -> tuple[datetime, datetime | None, uuid.UUID] | None:
        n = bisect.bisect_right(self.starts, at) - 1
        if n < 0:
            return None
        span = self.spans[n]
        return None if span[1] is not None and at >= span[1] else span

    def token_at(self, at: datetime) -> str | None:
        if self.span_at(at) is None:
            return None
        if self.rotated_at is None or at < self.rotated_at:
            return self.token
        if self.back_at is not None and at >= self.back_at:
            return self.new_token
        return None if self.failed_at is not None and at >= self.failed_at else self.token


@dataclass(eq=False)
class _Parent:
    account_id: uuid.UUID
    family_id: uuid.UUID
    name: str
    email: str
    language: str
    joined: datetime
    channels: dict[str, KindChannels]
    clients: list[_Client] = field(default_factory=list)
    quiet: tuple[time, time] | None = None
    digest_at: time = time(18, 0)
    preview: bool = False
    settings_at: datetime | None = None
    read_hours: float = 1.5
    lax: bool = False
    refused_from: datetime | None = None
    complained_at: datetime | None = None
    suppressed: str | None = None
    waiting: list[tuple[datetime, str, tuple[uuid.UUID, ...], dict[str, Any], str]] = field(default_factory=list)
    digest_due: datetime | None = None
    last_digest_at: datetime | None = None
    first_digest_at: datetime | None = None


@dataclass(eq=False)
class _Item:
    item_id: uuid.UUID
    ordinal: int
    account_id: uuid.UUID
    kind: str
    subject_id: uuid.UUID
    child_ids: tuple[uuid.UUID, ...]
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    count: int = 1
    seq: int = 0


@dataclass(eq=False)
class _Push:
    event_id: uuid.UUID
    parent: _Parent
    token: str
    kind: str
    first: RenderedPush
    created_at: datetime
    due: datetime
    key: str
    fails: bool
    count: int = 1


class _Year:
    """The notifications side of the year: fans events out and collects the rows, in arrival order."""

    def __init__(self, rnd: random.Random, now: datetime, organisation_id: uuid.UUID, sender: Sender,
                 names: dict[uuid.UUID, str]) -> None:
        self.rnd, self.now, self.org, self.sender, self.names = rnd, now, organisation_id, sender, names
        profile = bench_profile()
        self.links = MailLinks(f"http://127.0.0.1:{profile.web_port}", f"http://127.0.0.1:{profile.gateway_port}",
                               SIGNING_KEY)
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.parents: dict[uuid.UUID, _Parent] = {}
        self.ordinal = 0  # the day's inbox_seq numbers taken so far (mapped to real ones at the day's end)
        self.today: dict[uuid.UUID, _Item] = {}  # items added or joined today
        self.open: dict[tuple[uuid.UUID, str, uuid.UUID], _Item] = {}  # collapsing items that may still join
        self.final: list[_Item] = []
        self.announced: set[tuple[uuid.UUID, str, uuid.UUID]] = set()
        self.pushes: dict[tuple[str, str], _Push] = {}
        self.suppressions: list[tuple] = []

    # -- one event -------------------------------------------------------------------------------------------
    def consumed(self, event_type: str, event_id: uuid.UUID, at: datetime) -> None:
        self.rows["kit_inbox"].append((CONSUMER, event_id, event_type, at))

    def fan_out(self, event_id: uuid.UUID, at: datetime, kind: str, subject: uuid.UUID,
                reach: list[tuple[_Parent, tuple[uuid.UUID, ...]]], params: dict[str, Any], *,
                own_mail: Callable[[_Parent], RenderedMail] | None = None, preview: str = "",
                sender_name: str | None = None) -> None:
        """`fan_out` (and for requests and absences the handler's own mail) for one event's entries."""
        for parent, kids in sorted(reach, key=lambda entry: entry[0].account_id):
            chosen = parent.channels[kind]
            if chosen.in_app:
                self._inbox(parent, kind, subject, kids, params, at)
            if chosen.email == "digest":
                if not parent.waiting:
                    after = max(at, parent.last_digest_at) if parent.last_digest_at else at
                    parent.digest_due = next_digest_at(after, parent.digest_at, ZONE_NAME)
                parent.waiting.append((at, kind, kids, params, deep_link(kind, subject)))
            elif chosen.email == "immediate":
                mail = own_mail(parent) if own_mail else self._item_mail(parent, kind, subject, kids, params, preview)
                self.mail(parent, event_id, at + _lag(self.rnd, 0.001, 0.05), mail, unsubscribe=kind)
            if chosen.push and parent.clients:
                self._push(parent, event_id, at, kind, subject, preview, sender_name)

    def _inbox(self, parent: _Parent, kind: str, subject: uuid.UUID, kids: tuple[uuid.UUID, ...],
               params: dict[str, Any], at: datetime) -> None:
        key = (parent.account_id, kind, subject)
        if kind in COLLAPSING_KINDS:
            item = self.open.get(key)
            if item is not None and (item.read_at is None or item.read_at > at):  # unread: the burst joins it
                self.ordinal += 1
                item.ordinal, item.count, item.created_at, item.params = self.ordinal, item.count + 1, at, params
                item.child_ids = tuple(sorted(set(item.child_ids) | set(kids)))
                item.read_at = self._read_at(parent, kind, at)
                self.today[item.item_id] = item
                return
            if item is not None:
                self.final.append(self.open.pop(key))
        elif kind in NEWS_KINDS:
            if key in self.announced:
                return  # the same news announced for the next location: a duplicate
            self.announced.add(key)
        self.ordinal += 1
        item = _Item(_id(f"item:{parent.account_id}:{kind}:{subject}:{self.ordinal}:{at.isoformat()}"), self.ordinal,
                     parent.account_id, kind, subject, kids, params, at, self._read_at(parent, kind, at))
        self.today[item.item_id] = item
        if kind in COLLAPSING_KINDS:
            self.open[key] = item
        else:
            self.final.append(item)

    def _read_at(self, parent: _Parent, kind: str, at: datetime) -> datetime | None:
        """When the parent opens it: minutes to hours later (median their own), after now: unread."""
        if (parent.lax and self.rnd.random() < 0.6) or (kind in NEWS_KINDS and self.rnd.random() < 0.12):
            return None
        read = at + timedelta(hours=self.rnd.lognormvariate(math.log(parent.read_hours), 1.0))
        return read if read < self.now else None

    def answered(self, parent: _Parent, conversation: uuid.UUID, at: datetime) -> None:
        """A parent who writes in a conversation has read it."""
        item = self.open.get((parent.account_id, "message_sent", conversation))
        if item is not None and (item.read_at is None or item.read_at > at):
            item.read_at = max(item.created_at, at - _lag(self.rnd, 20, 600))

    def _item_mail(self, parent: _Parent, kind: str, subject: uuid.UUID, kids: tuple[uuid.UUID, ...],
                   params: dict[str, Any], preview: str) -> RenderedMail:
        title = inbox_text(kind, params, 1, [self.names[c] for c in kids if c in self.names], parent.language)
        return render_item_mail(display_name=parent.name, language=parent.language, kind=kind, title=title,
                                url=self.links.web(deep_link(kind, subject)), settings_url=self.links.settings,
                                sender=self.sender, preview=preview if parent.preview else "")

    def mail(self, parent: _Parent, event_id: uuid.UUID, at: datetime, mail: RenderedMail, *,
             unsubscribe: str | None = None, secret: bool = False) -> None:
        """`queue_email` and what the mail sender then did with it."""
        if unsubscribe is not None:
            mail = replace(mail, unsubscribe_url=self.links.unsubscribe(parent.account_id, unsubscribe))
        if parent.suppressed is None and parent.complained_at is not None and at >= parent.complained_at:
            parent.suppressed = "complained"
            self.suppressions.append((parent.email.lower(), "complained", "spam complaint (feedback loop)",
                                      parent.complained_at))
        head = (delivery_id_for(event_id, "email", parent.email), event_id, mail.kind, "email", self.org,
                parent.account_id, parent.email, mail.language, mail.subject)
        text, html = ("", "") if secret else (mail.text, mail.html)  # scrubbed once out
        if parent.suppressed is not None:
            self.rows["deliveries"].append((*head, "", "", "failed", 0, at,
                                            f"not sent: the address is suppressed ({parent.suppressed})", at, None,
                                            None, 1, None, None, None))
            return
        tail = (None, 1, mail.sender_name, mail.reply_to, mail.unsubscribe_url)
        if parent.refused_from is not None and at >= parent.refused_from:
            refused = (f"[SMTPRecipientRefused(550, '5.1.1 <{parent.email}>: Recipient address rejected: User unknown "
                       f"in virtual mailbox table', '{parent.email}')]")
            self.rows["deliveries"].append((*head, text, html, "failed", 1, at, f"SMTPRecipientsRefused: {refused}",
                                            at, None, *tail))
            parent.suppressed = "refused"
            self.suppressions.append((parent.email.lower(), "refused", refused, at + _lag(self.rnd, 0.2, 3)))
            return
        attempts = 1 if self.rnd.random() > 0.004 else self.rnd.choice([2, 2, 3])  # a relay hiccup: retried
        due = at + timedelta(seconds=2 ** (attempts - 1) - 1)
        self.rows["deliveries"].append((*head, text, html, "sent", attempts, due, None, at,
                                        due + _lag(self.rnd, 0.05, 2.5), *tail))

    def _push(self, parent: _Parent, event_id: uuid.UUID, at: datetime, kind: str, subject: uuid.UUID,
              preview: str, sender_name: str | None) -> None:
        """`fanout._push` and `hold_push`: per device, joined into the pending push with the same key."""
        quiet_end = None if kind in URGENT_KINDS or parent.quiet is None else quiet_until(at, *parent.quiet,
                                                                                         ZONE_NAME)
        if quiet_end is not None:
            key, due = "quiet", quiet_end
        elif kind in COLLAPSING_KINDS:
            key, due = f"{kind}:{subject}", at + BURST
        else:
            key, due = f"event:{event_id}", at
        for client in parent.clients:
            token = client.token_at(at)
            if token is None:
                continue
            held = self.pushes.get((token, key))
            if held is not None and held.due > at:  # still pending: it counts one more
                held.count += 1
                held.kind = held.kind if held.kind == kind else "summary"
                continue
            if held is not None:
                self._sent(self.pushes.pop((token, key)))
            first = (render_message_preview(sender_name, preview, parent.language) if parent.preview and preview
                     else render_counted(kind, 1, parent.language))
            fails = token == client.token and client.rotated_at is not None and due >= client.rotated_at
            if fails and client.failed_at is None:
                client.failed_at = due + _lag(self.rnd, 0.2, 1.5)  # FCM: not registered; the device is forgotten
            self.pushes[(token, key)] = _Push(event_id, parent, token, kind, first, at, due, key, fails)

    def _sent(self, push: _Push) -> None:
        text = push.first if push.count == 1 else render_counted(push.kind, push.count, push.parent.language)
        head = (delivery_id_for(push.event_id, "push", push.token), push.event_id, push.kind, "push", self.org,
                push.parent.account_id, push.token, text.language, text.title, text.body, "")
        if push.due > self.now:
            outcome: tuple = ("pending", 0, push.due, None, push.created_at, None)
        elif push.fails:
            outcome = ("failed", 1, push.due, "FCMNotRegisteredError: Token not registered", push.created_at, None)
        else:
            outcome = ("sent", 1, push.due, None, push.created_at, push.due + _lag(self.rnd, 0.1, 1.5))
        self.rows["deliveries"].append((*head, *outcome, push.key, push.count, None, None, None))

    # -- the day's end ---------------------------------------------------------------------------------------
    def digests(self, until: datetime) -> None:
        """The digest worker: at each parent's digest time, one mail listing what waited (items up to then)."""
        for parent in self.parents.values():
            while parent.waiting and parent.digest_due is not None and parent.digest_due <= until:
                at = parent.digest_due
                n = bisect.bisect_right([w[0] for w in parent.waiting], at)
                listed, parent.waiting = parent.waiting[:n], parent.waiting[n:]
                digest_id = uuid.uuid5(_DIGEST_NAMESPACE, f"{parent.account_id}/{at.isoformat()}")
                self.rows["digest_items"] += [(parent.account_id, self.org, kind, list(kids), json.dumps(params), link,
                                               created, digest_id) for created, kind, kids, params, link in listed]
                parent.last_digest_at = at
                parent.first_digest_at = parent.first_digest_at or at
                parent.digest_due = (next_digest_at(max(parent.waiting[0][0], at), parent.digest_at, ZONE_NAME)
                                     if parent.waiting else None)
                grouped: dict[str, list[tuple]] = {}
                for entry in listed:
                    grouped.setdefault(entry[4], []).append(entry)
                lines = [inbox_text(same[-1][1], same[-1][3], len(same),
                                    [self.names[c] for c in dict.fromkeys(c for e in same for c in e[2])
                                     if c in self.names], parent.language) for same in grouped.values()]
                mail = render_digest(display_name=parent.name, language=parent.language, lines=lines,
                                     web_base_url=self.links.web_base_url, settings_url=self.links.settings,
                                     sender=self.sender)
                self.mail(parent, digest_id, at + _lag(self.rnd, 0.1, 30), mail, unsubscribe=DIGEST_KIND)

    def close_day(self, seqs: list[int], until: datetime) -> None:
        """The day's inbox_seq numbers to its items; what can no longer change becomes rows."""
        for item in self.today.values():
            item.seq = seqs[item.ordinal - 1]
        self.today, self.ordinal = {}, 0
        for key, item in list(self.open.items()):
            if item.read_at is not None and item.read_at <= until:
                self.final.append(self.open.pop(key))
        self._items(self.final)
        self.final = []
        for key, push in list(self.pushes.items()):
            if push.due <= until:
                self._sent(self.pushes.pop(key))

    def finish(self) -> None:
        self._items(list(self.open.values()))
        self.open = {}
        for push in sorted(self.pushes.values(), key=lambda p: p.created_at):
            self._sent(push)
        self.pushes = {}
        for parent in self.parents.values():  # waiting for tonight's digest
            self.rows["digest_items"] += [(parent.account_id, self.org, kind, list(kids), json.dumps(params), link,
                                           created, None) for created, kind, kids, params, link in parent.waiting]
        self.rows["email_suppressions"] += self.suppressions
        for parent in self.parents.values():
            if parent.settings_at or parent.first_digest_at:  # saved settings, or the first digest made the row
                quiet = parent.quiet or (None, None)
                self.rows["account_settings"].append((
                    parent.account_id, ZONE_NAME, parent.digest_at, *quiet, parent.last_digest_at, parent.preview,
                    parent.settings_at or parent.first_digest_at))
            for client in parent.clients:
                span, token = client.span_at(self.now), client.token_at(self.now)
                if span is not None and token is not None:
                    registered = span[0] + _lag(self.rnd, 2, 20)  # the app registers after each login
                    self.rows["push_devices"].append((device_id_for(token, parent.account_id), token,
                                                      parent.account_id, span[2], client.platform, registered))

    def _items(self, items: list[_Item]) -> None:
        self.rows["inbox_items"] += [
            (i.item_id, i.seq, i.account_id, self.org, i.kind, i.subject_id, list(i.child_ids), json.dumps(i.params),
             deep_link(i.kind, i.subject_id), i.count, i.created_at, i.read_at)
            for i in sorted(items, key=lambda i: i.seq)]


# -- the parents: identity's records, settings and habits made up ------------------------------------------
def _token(rnd: random.Random) -> str:
    """The shape of an FCM registration token."""
    return "".join(rnd.choices(TOKEN_CHARS, k=22)) + ":APA91b" + "".join(rnd.choices(TOKEN_CHARS, k=134))


def _habits(parent: _Parent, rnd: random.Random, year_start: datetime, now: datetime) -> list[tuple]:
    """What this parent chose (rows of `preferences`) and how they read and receive, made up."""
    changed_at = parent.joined + timedelta(days=rnd.uniform(1, 40))
    chosen: list[tuple[str, bool, bool, str | None, bool | None]] = []
    r = rnd.random()
    if r < 0.10:  # "unsubscribe" in a digest mail: every digest kind's e-mail off
        chosen = [(kind, False, d.push, None, d.in_app) for kind, d in DEFAULTS.items() if d.email == "digest"]
    elif r < 0.18:
        chosen = [("photo_posted", True, True, "immediate", None)]
    elif r < 0.26:
        chosen = [(kind, True, False, "digest", True) for kind in ("photo_posted", "diary_entry_posted")]
    elif r < 0.30:
        chosen = [("message_sent", False, True, None, True)]
    for kind, email, push, mode, in_app in chosen:
        parent.channels[kind] = effective(kind, email, mode, push, in_app)
    if rnd.random() < 0.15:
        parent.quiet = rnd.choice([(time(21), time(7)), (time(22), time(7, 30)), (time(20, 30), time(6, 45))])
    if rnd.random() < 0.10:
        parent.digest_at = rnd.choice([time(7, 30), time(12), time(20)])
    parent.preview = rnd.random() < 0.2
    if parent.quiet or parent.digest_at != time(18) or parent.preview:
        parent.settings_at = changed_at + timedelta(minutes=rnd.randint(1, 30))
    parent.read_hours = rnd.lognormvariate(math.log(4), 1.0)
    parent.lax = rnd.random() < 0.04
    span = (now - year_start).total_seconds()
    if rnd.random() < 0.006:
        parent.refused_from = year_start + timedelta(seconds=rnd.uniform(0, span))
    elif rnd.random() < 0.003:
        parent.complained_at = year_start + timedelta(seconds=rnd.uniform(0, span))
    return [(parent.account_id, kind, email, push, mode, in_app, changed_at) for kind, email, push, mode, in_app
            in chosen]


def _clients(sessions: list[asyncpg.Record], rnd: random.Random, now: datetime) -> list[_Client]:
    """An account's app installs from its identity sessions (device ids `ios-...` / `android-...`)."""
    by_device: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for s in sessions:
        by_device[s["device_id"]].append(s)
    clients = []
    for device, found in sorted(by_device.items()):
        found.sort(key=lambda s: s["created_at"])
        spans = []
        for n, s in enumerate(found):
            following = found[n + 1]["created_at"] if n + 1 < len(found) else None
            ends = [t for t in (s["revoked_at"], following) if t is not None]
            spans.append((s["created_at"], min(ends) if ends else None, s["session_id"]))
        client = _Client(device.split("-")[0], _token(rnd), [s[0] for s in spans], spans)
        if rnd.random() < 0.03:  # the app was reinstalled: FCM gave it a new token
            client.rotated_at = spans[0][0] + (now - spans[0][0]) * rnd.random()
            client.new_token = _token(rnd)
            client.back_at = next((s[0] for s in spans if s[0] > client.rotated_at), None)
        clients.append(client)
    return clients


# -- the other services' events ----------------------------------------------------------------------------
async def _fetch(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


def _required(rows: list, what: str, loader: str) -> list:
    if not rows:
        raise RuntimeError(f"no {what} of the generated families found: run {loader} first")
    return rows


Handler = Callable[..., None]


class _Replay:
    """The events the other services published about the generated families (and the news made up here), each
    with the notifications handler it reaches, to be run in arrival order."""

    def __init__(self, year: _Year, big: Generated, rnd: random.Random, known_groups: set[uuid.UUID]) -> None:
        self.year, self.big, self.rnd, self.known_groups = year, big, rnd, known_groups
        self.org, self.now = big.organisation_id, year.now
        self.children = {c.child_id: c for c in big.children}
        self.accounts = {a for family in big.parents.values() for a in family}
        self.events: list[tuple[datetime, int, Handler, tuple]] = []
        self.latest: dict[tuple[str, uuid.UUID], tuple[int, tuple]] = {}  # the read models' rows by key
        self.preferences: list[tuple] = []
        self.sessions: dict[uuid.UUID, list[asyncpg.Record]] = defaultdict(list)

    def at(self, moment: datetime, handle: Handler, *args: Any) -> None:
        if moment <= self.now:
            self.events.append((moment, len(self.events), handle, args))

    def reach(self, kids: list[uuid.UUID]) -> list[tuple[_Parent, tuple[uuid.UUID, ...]]]:
        """`parents_of_children`: each parent with its own children of the list."""
        found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for child in kids:
            found[self.children[child].family_id].append(child)
        return [(self.year.parents[a], tuple(sorted(mine))) for family, mine in found.items()
                for a in self.big.parents[family] if a in self.year.parents]

    def family(self, family_id: uuid.UUID, kids: tuple[uuid.UUID, ...], but: uuid.UUID | None = None
               ) -> list[tuple[_Parent, tuple[uuid.UUID, ...]]]:
        parents = self.year.parents
        return [(parents[a], kids) for a in self.big.parents[family_id] if a != but and a in parents]

    # -- identity: the directory, account mails, ended sessions and the app installs --------------------------
    async def identity(self, dsn: str) -> None:
        org, ours = str(self.org), {str(a) for a in self.accounts}
        outbox = [(r["event_id"], r["event_type"], r["created_at"], envelope["payload"]) for r in await _fetch(
            dsn, "SELECT event_id, event_type, created_at, convert_from(value, 'UTF8') AS value FROM kit_outbox "
            "WHERE event_type = ANY($1) ORDER BY id", IDENTITY_EVENTS)
            if (envelope := json.loads(r["value"]))["organisation_id"] == org]
        _required([e for e in outbox if e[1] == "ParentUpserted" and e[3]["account_id"] in ours],
                  "ParentUpserted in identity's outbox", "big_identity.py")
        for s in await _fetch(dsn, "SELECT account_id, device_id, session_id, created_at, revoked_at FROM sessions "
                              "WHERE account_id = ANY($1::uuid[]) AND (device_id LIKE 'ios-%' OR "
                              "device_id LIKE 'android-%')", list(self.accounts)):
            self.sessions[s["account_id"]].append(s)
        handlers: dict[str, Handler] = {"AccountInvited": self._account_mail,
                                        "PasswordResetRequested": self._account_mail,
                                        "SessionsEnded": self._sessions_ended}
        for event_id, event_type, created_at, p in outbox:
            if "account_id" in p:  # parents' records and accounts
                if p["account_id"] not in ours:
                    continue
            elif "child_id" in p:  # children, placements
                if uuid.UUID(p["child_id"]) not in self.children:
                    continue
            elif uuid.UUID(p["group_id"]) in self.known_groups:  # the twin's own groups
                continue
            # In outbox order: one partition per organisation, consumed in order (ties keep it).
            self.at(created_at + timedelta(milliseconds=150), handlers.get(event_type, self._directory), event_type,
                    event_id, p)

    def _upsert(self, table: str, key: uuid.UUID, version: int, row: tuple) -> None:
        """`upsert_if_newer`: the newest version's row, stamped when it arrived."""
        if version > self.latest.get((table, key), (0, ()))[0]:
            self.latest[(table, key)] = (version, row)

    def _directory(self, at: datetime, event_type: str, event_id: uuid.UUID, p: dict[str, Any]) -> None:
        self.year.consumed(event_type, event_id, at)
        org, version = self.org, p["version"]
        if event_type == "ParentUpserted":
            account, family = uuid.UUID(p["account_id"]), uuid.UUID(p["family_id"])
            language = mail_language(p["language"])
            self._upsert("recipients", account, version, (account, "parent", org, family, p["email"], p["name"],
                                                          language, not p["deleted"], version, at))
            parent = self.year.parents.get(account)
            if parent is None:
                parent = self.year.parents[account] = _Parent(account, family, p["name"], p["email"], language, at,
                                                              dict(DEFAULTS))
                self.preferences += _habits(parent, self.rnd, self.now - timedelta(days=365), self.now)
                parent.clients = _clients(self.sessions[account], self.rnd, self.now)
            parent.name, parent.email, parent.language = p["name"], p["email"], language
        elif event_type == "ChildUpserted":
            child = uuid.UUID(p["child_id"])
            self._upsert("children", child, version, (child, org, uuid.UUID(p["family_id"]),
                                                      None if p["deleted"] else p["first_name"], p["deleted"],
                                                      version, at))
        elif event_type == "PlacementUpserted":
            placement = uuid.UUID(p["placement_id"])
            self._upsert("placements", placement, version, (
                placement, org, uuid.UUID(p["child_id"]), uuid.UUID(p["family_id"]), uuid.UUID(p["group_id"]),
                p["location_id"] and uuid.UUID(p["location_id"]), p["ends_on"] and date.fromisoformat(p["ends_on"]),
                p["deleted"], version, at))
        elif event_type == "GroupUpserted":
            group = uuid.UUID(p["group_id"])
            self._upsert("groups", group, version, (group, org, uuid.UUID(p["location_id"]), p["deleted"], version,
                                                    at))

    def _account_mail(self, at: datetime, event_type: str, event_id: uuid.UUID, p: dict[str, Any]) -> None:
        self.year.consumed(event_type, event_id, at)
        values = {"display_name": p["display_name"], "expires_at": datetime.fromisoformat(p["expires_at"]),
                  "language": p["language"], "web_base_url": self.year.links.web_base_url, "time_zone": ZONE_NAME,
                  "sender": self.year.sender}
        mail = (render_invitation(invitation_token=p["invitation_token"], **values) if event_type == "AccountInvited"
                else render_password_reset(reset_token=p["reset_token"], **values))
        self.year.mail(self.year.parents[uuid.UUID(p["account_id"])], event_id, at + _lag(self.rnd, 0.001, 0.05),
                       mail, secret=True)

    def _sessions_ended(self, at: datetime, event_type: str, event_id: uuid.UUID, p: dict[str, Any]) -> None:
        self.year.consumed(event_type, event_id, at)
        ended = datetime.fromisoformat(p["ended_at"])
        self.year.rows["ended_sessions"] += [(uuid.UUID(s), ended) for s in p["session_ids"]]

    # -- timeline: every photo and diary entry about the generated children ----------------------------------
    async def timeline(self, dsn: str) -> None:
        kids = list(self.children)
        for r in _required(await _fetch(
                dsn, "SELECT p.photo_id, p.series_id, p.posted_at, m.kind, array_agg(t.child_id ORDER BY t.child_id) "
                "AS kids FROM photos p JOIN photo_tags t ON t.photo_id = p.photo_id LEFT JOIN timeline_media m "
                "ON m.media_id = p.media_id WHERE p.organisation_id = $1 AND t.child_id = ANY($2::uuid[]) "
                "GROUP BY p.photo_id, p.series_id, p.posted_at, p.position, m.kind ORDER BY p.posted_at, p.position",
                self.org, kids), "photos", "big_timeline.py"):
            self.at(r["posted_at"] + _lag(self.rnd, 0.05, 2), self._photo, r)
        for r in await _fetch(dsn, "SELECT entry_id, child_id, author_account_id, created_at FROM diary_entries "
                              "WHERE organisation_id = $1 AND child_id = ANY($2::uuid[])", self.org, kids):
            self.at(r["created_at"] + _lag(self.rnd, 0.05, 2), self._diary, r)

    def _photo(self, at: datetime, r: asyncpg.Record) -> None:
        event_id = _id(f"PhotoPosted:{r['photo_id']}")
        self.year.consumed("PhotoPosted", event_id, at)
        self.year.fan_out(event_id, at, "photo_posted", r["series_id"], self.reach(r["kids"]),
                          {"media_kind": r["kind"] or "photo", "photo_id": str(r["photo_id"])})

    def _diary(self, at: datetime, r: asyncpg.Record) -> None:
        event_id = _id(f"DiaryEntryPosted:{r['entry_id']}")
        self.year.consumed("DiaryEntryPosted", event_id, at)
        author = r["author_account_id"]  # the parent who wrote it is not told
        self.year.fan_out(event_id, at, "diary_entry_posted", r["entry_id"],
                          [(p, k) for p, k in self.reach([r["child_id"]]) if str(p.account_id) != author], {})

    # -- messaging: every message in the generated families' conversations -----------------------------------
    async def messaging(self, dsn: str) -> None:
        for r in _required(await _fetch(
                dsn, "SELECT m.message_id, m.conversation_id, m.sender_account_id, m.sender_name, m.body, m.sent_at, "
                "c.family_id, c.child_id, c.subject FROM messages m JOIN conversations c "
                "ON c.conversation_id = m.conversation_id WHERE c.organisation_id = $1 "
                "AND c.family_id = ANY($2::uuid[])", self.org, list(self.big.parents)), "messages",
                "big_messaging.py"):
            self.at(r["sent_at"] + _lag(self.rnd, 0.05, 2), self._message, r)

    def _message(self, at: datetime, r: asyncpg.Record) -> None:
        event_id = _id(f"MessageSent:{r['message_id']}")
        self.year.consumed("MessageSent", event_id, at)
        sender = self.year.parents.get(r["sender_account_id"])
        if sender is not None:
            self.year.answered(sender, r["conversation_id"], at)
        kids = (r["child_id"],) if r["child_id"] else ()
        self.year.fan_out(event_id, at, "message_sent", r["conversation_id"],
                          self.family(r["family_id"], kids, but=r["sender_account_id"]),
                          {"subject": r["subject"], "sender_name": r["sender_name"],
                           "message_id": str(r["message_id"])},
                          preview=message_preview(r["body"]), sender_name=r["sender_name"])

    # -- planning: submitted requests, decisions and absences ----------------------------------------------------
    async def planning(self, dsn: str) -> None:
        for r in await _fetch(dsn, "SELECT r.request_id, r.family_id, r.kind, r.submitted_at, r.decided_at, "
                              "l.line_id, l.child_id, l.starts_on, l.ends_on, l.give_up_date, l.status, l.reason "
                              "FROM requests r JOIN request_lines l ON l.request_id = r.request_id "
                              "WHERE r.organisation_id = $1 AND r.family_id = ANY($2::uuid[]) ORDER BY l.position",
                              self.org, list(self.big.parents)):
            self.at(r["submitted_at"] + _lag(self.rnd, 0.05, 2), self._submitted, r)
            if r["status"] in ("accepted", "rejected") and r["decided_at"] is not None:
                self.at(r["decided_at"] + _lag(self.rnd, 0.05, 2), self._decided, r)
        for r in await _fetch(dsn, "SELECT absence_id, family_id, child_id, starts_on, ends_on, reason, note, "
                              "reported_at FROM absences WHERE organisation_id = $1 AND child_id = ANY($2::uuid[])",
                              self.org, list(self.children)):
            self.at(r["reported_at"] + _lag(self.rnd, 0.05, 2), self._absence, r)

    def _submitted(self, at: datetime, r: asyncpg.Record) -> None:
        event_id = _id(f"RequestSubmitted:{r['request_id']}")
        self.year.consumed("RequestSubmitted", event_id, at)
        line = {"line_id": str(r["line_id"]), "child_id": str(r["child_id"]), "starts_on": r["starts_on"].isoformat(),
                "ends_on": r["ends_on"].isoformat(),
                "give_up_date": r["give_up_date"].isoformat() if r["give_up_date"] else None}
        self.year.rows["requests"].append((r["request_id"], self.org, r["family_id"], r["kind"], json.dumps([line]),
                                           at))

    def _decided(self, at: datetime, r: asyncpg.Record) -> None:
        year, event_id = self.year, _id(f"RequestDecided:{r['request_id']}")
        year.consumed("RequestDecided", event_id, at)
        line = ChildLine(year.names.get(r["child_id"]), r["starts_on"], r["ends_on"], r["give_up_date"], r["status"],
                         r["reason"])
        link = year.links.web(deep_link("request_decided", r["request_id"]))
        year.fan_out(event_id, at, "request_decided", r["request_id"], self.family(r["family_id"], (r["child_id"],)),
                     {"accepted": int(r["status"] == "accepted"), "refused": int(r["status"] != "accepted")},
                     own_mail=lambda p: render_request_decided(
                         display_name=p.name, language=p.language, request_kind=r["kind"], lines=[line], link=link,
                         settings_url=year.links.settings, sender=year.sender))

    def _absence(self, at: datetime, r: asyncpg.Record) -> None:
        year, event_id = self.year, _id(f"AbsenceReported:{r['absence_id']}")
        year.consumed("AbsenceReported", event_id, at)
        line = ChildLine(year.names.get(r["child_id"]), r["starts_on"], r["ends_on"])
        link = year.links.web(deep_link("absence_reported", r["absence_id"]))
        year.fan_out(event_id, at, "absence_reported", r["absence_id"], self.family(r["family_id"], (r["child_id"],)),
                     {"reason": r["reason"]}, own_mail=lambda p: render_absence_reported(
                         display_name=p.name, language=p.language, line=line, reason=r["reason"], note=r["note"],
                         link=link, settings_url=year.links.settings, sender=year.sender))

    # -- news and newsletters (made up): the organisation's, a location's, a group's ---------------------------
    def news(self) -> None:
        rnd, everyone = self.rnd, set(self.big.parents)
        locations: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        groups: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for c in self.big.children:
            locations[c.location_id].add(c.family_id)
            groups[c.group_id].add(c.family_id)
        day, last = (self.now - timedelta(days=365)).astimezone(ZONE).date(), self.now.astimezone(ZONE).date()
        while day <= last:
            if day.weekday() < 5:
                # The organisation's: announced once per location (the second announcement is a duplicate).
                if all((day - timedelta(days=n)).weekday() >= 5 for n in range(1, day.day)):  # the month's first
                    subject, moment = _id(f"newsletter:{day}"), _local(rnd, day, 9.5, 11)
                    for n in range(len(locations)):
                        self.at(moment + timedelta(seconds=n), self._news, "newsletter_published", subject,
                                f"Nieuwsbrief {MONTHS[day.month - 1]}", everyone)
                if rnd.random() < 0.04:
                    subject, moment, title = _id(f"news:{day}"), _local(rnd, day, 8.5, 20.5), rnd.choice(NEWS)
                    for n in range(len(locations)):
                        self.at(moment + timedelta(seconds=n), self._news, "news_published", subject, title, everyone)
                for location, families in sorted(locations.items()):
                    if rnd.random() < 0.06:
                        self.at(_local(rnd, day, 8.5, 20.5), self._news, "news_published",
                                _id(f"news:{location}:{day}"), rnd.choice(NEWS), families)
                for group, families in sorted(groups.items()):
                    if rnd.random() < 0.015:
                        self.at(_local(rnd, day, 8.5, 18), self._news, "news_published", _id(f"news:{group}:{day}"),
                                rnd.choice(NEWS), families)
            day += timedelta(days=1)

    def _news(self, at: datetime, kind: str, subject: uuid.UUID, title: str, families: set[uuid.UUID]) -> None:
        event_id = _id(f"{kind}:{subject}:{at.isoformat()}")
        self.year.consumed("NewsPublished" if kind == "news_published" else "NewsletterPublished", event_id, at)
        self.year.fan_out(event_id, at, kind, subject, [e for f in sorted(families) for e in self.family(f, ())],
                          {"title": title})


# -- the load ----------------------------------------------------------------------------------------------
async def load(dsn: str, big: Generated, *, seed: int = 13, sources: dict[str, str] | None = None) -> dict[str, int]:
    """Adds the year to notifications' database at `dsn` (idempotent: a second call finds it and does nothing).

    `sources`: the databases of planning, identity, timeline and messaging by service name (default:
    `konnect_<service>` on `dsn`'s server), where the other loaders left what this one turns into notifications.
    """
    started = monotonic.monotonic()
    rnd = random.Random(seed)
    src = {name: (sources or {}).get(name, sibling_dsn(dsn, name))
           for name in ("planning", "identity", "timeline", "messaging")}
    conn = await asyncpg.connect(dsn)
    try:
        marker = min(a for family in big.parents.values() for a in family)
        if await conn.fetchval("SELECT 1 FROM recipients WHERE account_id = $1 AND role = 'parent'", marker):
            return {}
        now = datetime.now(UTC)
        row = await conn.fetchrow("SELECT name, email, logo_url FROM organisations WHERE organisation_id = $1",
                                  big.organisation_id)
        sender = Sender(row["name"], row["logo_url"], row["email"]) if row else Sender()  # `sender_of`
        year = _Year(rnd, now, big.organisation_id, sender, {c.child_id: c.first_name for c in big.children})
        replay = _Replay(year, big, rnd, {r["group_id"] for r in await conn.fetch("SELECT group_id FROM groups")})
        await replay.identity(src["identity"])
        await replay.timeline(src["timeline"])
        await replay.messaging(src["messaging"])
        await replay.planning(src["planning"])
        replay.news()
        replay.events.sort(key=lambda e: (e[0], e[1]))
        counts: Counter[str] = Counter()

        async def flush() -> None:
            for table, rows in year.rows.items():
                if rows:
                    await conn.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
                    counts[table] += len(rows)
            year.rows.clear()

        async with conn.transaction():
            current = replay.events[0][0].astimezone(ZONE).date()
            for moment, _, handle, args in [*replay.events, (now + timedelta(days=1), -1, None, ())]:
                day = moment.astimezone(ZONE).date()
                if day != current:  # the day's end: its digests, its inbox_seq numbers, its finished rows
                    until = min(now, datetime.combine(current + timedelta(days=1), time(0), ZONE).astimezone(UTC))
                    year.digests(until)
                    year.close_day(sorted(r[0] for r in await conn.fetch(
                        "SELECT nextval('inbox_seq') FROM generate_series(1, $1)", year.ordinal)), until)
                    if sum(len(rows) for rows in year.rows.values()) > 40_000:
                        await flush()
                    current = day
                if handle is not None:
                    handle(moment, *args)
            year.finish()
            for (table, _), (_, row) in sorted(replay.latest.items(), key=lambda e: e[1][1][-1]):
                year.rows[table].append(row)
            year.rows["preferences"] += replay.preferences
            await flush()
        loaded = [table for table in COLUMNS if counts[table]]
        # As a live organisation's tables are (and so autovacuum does not visit them mid-benchmark, see
        # big_organisation.py).
        await conn.execute(f"VACUUM ANALYZE {', '.join(loaded)}")
        result = {table: counts[table] for table in loaded}
        result["seconds"] = round(monotonic.monotonic() - started)
        return result
    finally:
        await conn.close()


def main() -> None:
    big = asyncio.run(generated(service_dsn("planning")))
    print(asyncio.run(load(service_dsn("notifications"), big)))


if __name__ == "__main__":
    main()
