"""The device's session: logged-in accounts with their tokens, the CSRF token and the language, kept in one
encrypted, HttpOnly, SameSite=Lax cookie (nothing stored server-side, so any portal process can answer)."""

import json
import secrets
import time
from dataclasses import asdict, dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

COOKIE = "konnect_session"
MAX_ACCOUNTS = 4  # a cookie holds ~4 KB; four accounts' tokens fit comfortably
LANGUAGES = ("nl", "en")


@dataclass
class Account:
    account_id: str
    email: str
    name: str
    organisation: str
    role: str
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds

    def expiring(self, margin: float = 30) -> bool:
        return time.time() > self.expires_at - margin


@dataclass
class SessionState:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    lang: str = "nl"
    accounts: list[Account] = field(default_factory=list)
    active: str | None = None  # account_id in use
    dirty: bool = False  # changed during this request: the response sets the cookie again

    @property
    def account(self) -> Account | None:
        return next((a for a in self.accounts if a.account_id == self.active), None)

    def add(self, account: Account) -> None:
        self.accounts = [a for a in self.accounts if a.account_id != account.account_id]
        self.accounts.insert(0, account)
        del self.accounts[MAX_ACCOUNTS:]
        self.active = account.account_id
        self.dirty = True

    def remove(self, account_id: str) -> None:
        self.accounts = [a for a in self.accounts if a.account_id != account_id]
        if self.active == account_id:
            self.active = self.accounts[0].account_id if self.accounts else None
        self.dirty = True

    def switch(self, account_id: str) -> bool:
        if any(a.account_id == account_id for a in self.accounts):
            self.active, self.dirty = account_id, True
            return True
        return False


class SessionCodec:
    def __init__(self, keys: list[bytes]) -> None:
        self.fernet = MultiFernet([Fernet(k) for k in keys])

    def dump(self, state: SessionState) -> str:
        data = {"csrf": state.csrf, "lang": state.lang, "active": state.active,
                "accounts": [asdict(a) for a in state.accounts]}
        return self.fernet.encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()

    def load(self, raw: str | None, max_age: int) -> SessionState | None:
        """None for a missing, forged, expired or unreadable cookie: the caller starts a new session."""
        if not raw:
            return None
        try:
            data = json.loads(self.fernet.decrypt(raw.encode(), ttl=max_age))
            state = SessionState(csrf=data["csrf"], lang=data["lang"] if data["lang"] in LANGUAGES else "nl",
                                 active=data["active"], accounts=[Account(**a) for a in data["accounts"]])
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None
        return state
