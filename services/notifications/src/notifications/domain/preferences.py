"""What a person can switch on or off, per kind of news and per channel (SPEC §14); defaults in domain.channels."""

from typing import Literal

# The kinds a parent hears about. Account mail (invitation, password reset) is not optional.
ItemKind = Literal["photo_posted", "diary_entry_posted", "message_sent", "news_published", "newsletter_published",
                   "observation_shared", "request_decided", "request_expired", "absence_reported"]
ITEM_KINDS: tuple[str, ...] = ItemKind.__args__  # type: ignore[attr-defined]
Channel = Literal["email", "push", "in_app"]
