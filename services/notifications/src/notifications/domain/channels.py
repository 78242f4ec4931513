"""Per kind and channel: the defaults a parent starts with, and what a stored choice means (SPEC §14).

E-mail is off, immediate, or gathered in the daily digest; push and in-app are on or off. Defaults are chosen
against flooding: what a parent must act on (request outcomes, expiry, messages) comes at once; photos, diary,
news and observations go in the evening digest; newsletters only in-app and in the digest.
"""

from dataclasses import dataclass
from typing import Literal

EmailMode = Literal["off", "immediate", "digest"]
EMAIL_MODES: tuple[str, ...] = EmailMode.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class KindChannels:
    email: EmailMode
    push: bool
    in_app: bool


DEFAULTS: dict[str, KindChannels] = {
    "photo_posted": KindChannels("digest", True, True),
    "diary_entry_posted": KindChannels("digest", True, True),
    "message_sent": KindChannels("immediate", True, True),
    "news_published": KindChannels("digest", True, True),
    "newsletter_published": KindChannels("digest", False, True),
    "observation_shared": KindChannels("digest", True, True),
    "request_decided": KindChannels("immediate", True, True),
    "request_expired": KindChannels("immediate", True, True),
    "absence_reported": KindChannels("immediate", True, True),
}

# Pushed even in quiet hours: a request that expires today cannot wait for the morning.
URGENT_KINDS = frozenset({"request_expired"})


def effective(kind: str, email: bool | None, email_mode: str | None, push: bool | None,
              in_app: bool | None) -> KindChannels:
    """The choice in force from a stored row (None: never changed). `email` False means off whatever the mode;
    rows from before the digest existed have email True and no mode: the kind's default mode (or immediate)."""
    default = DEFAULTS[kind]
    if email is False:
        mode: EmailMode = "off"
    elif email_mode in ("immediate", "digest"):
        mode = email_mode  # type: ignore[assignment]
    elif email is True:
        mode = default.email if default.email != "off" else "immediate"
    else:
        mode = default.email
    return KindChannels(email=mode, push=default.push if push is None else push,
                        in_app=default.in_app if in_app is None else in_app)
