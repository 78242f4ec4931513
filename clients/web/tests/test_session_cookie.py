"""The session cookie: encrypted and authenticated (tokens unreadable, tampering or another key means no
session), expiring, with several accounts and switching."""

import time

from konnect_web.session import MAX_ACCOUNTS, Account, SessionCodec, SessionState
from konnect_web.settings import WebSettings


def _account(n: int) -> Account:
    return Account(account_id=f"a{n}", email=f"p{n}@example.org", name=f"Parent {n}", organisation="Org",
                   role="parent", access_token="eyJ" + "x" * 440, refresh_token="r" * 43,
                   expires_at=time.time() + 900)


def _codec(secret: str = "one secret") -> SessionCodec:
    return SessionCodec(WebSettings(secret_keys=secret).fernet_keys())


def test_the_cookie_round_trips_and_hides_the_tokens() -> None:
    state = SessionState(lang="en")
    state.add(_account(1))
    raw = _codec().dump(state)
    assert "eyJ" not in raw and "Parent" not in raw
    loaded = _codec().load(raw, max_age=60)
    assert loaded is not None and loaded.account == state.account and loaded.lang == "en"
    assert loaded.csrf == state.csrf


def test_a_tampered_foreign_or_expired_cookie_is_no_session() -> None:
    raw = _codec().dump(SessionState())
    assert _codec().load(raw[:-4] + "AAAA", max_age=60) is None
    assert _codec("another secret").load(raw, max_age=60) is None
    assert _codec().load("not a cookie", max_age=60) is None
    assert _codec().load(raw, max_age=-1) is None


def test_rotating_the_key_keeps_sessions_made_with_the_old_one() -> None:
    raw = _codec("old").dump(SessionState(lang="en"))
    loaded = _codec("new,old").load(raw, max_age=60)
    assert loaded is not None and loaded.lang == "en"


def test_several_accounts_switch_and_log_out_one_by_one() -> None:
    state = SessionState()
    for n in range(MAX_ACCOUNTS + 1):
        state.add(_account(n))
    assert len(state.accounts) == MAX_ACCOUNTS and state.active == f"a{MAX_ACCOUNTS}"
    assert len(_codec().dump(state)) < 4000  # still fits in one cookie
    assert state.switch("a2") and state.account.name == "Parent 2"
    assert not state.switch("somebody-else")
    state.remove("a2")
    assert state.account is not None and state.active != "a2"
