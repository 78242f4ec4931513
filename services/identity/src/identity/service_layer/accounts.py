"""Account use cases: invitation, login, sessions with rotating refresh tokens, password reset and change."""

import logging
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID

from konnect_contracts.events.access import SessionEndReason, SessionsEnded
from konnect_contracts.events.accounts import AccountInvited, PasswordResetRequested
from konnect_kit.correlation import current_correlation_id
from konnect_kit.db import Session
from konnect_kit.domain_errors import BadRequest, Conflict, DomainError, Forbidden, Invalid, Throttled, Unauthenticated
from konnect_kit.outbox import Outbox
from konnect_kit.tenancy import not_found

from identity.db import login_sessions, login_throttles, logins, sign_in_links
from identity.db.password_resets import queue_reset_request
from identity.domain import passwords, throttle
from identity.domain.access_tokens import issue_access_token
from identity.domain.tokens import new_secret, secret_hash, usable
from identity.settings import Settings

AccountRole = Literal["parent", "staff", "org_admin"]

# Session ends are published from deep inside several use cases; the outbox is a stateless writer
# into the caller's transaction, so one module-level instance (named like the service) serves them all.
ACCESS_EVENTS = Outbox("identity")

throttle_log = logging.getLogger("identity.login_throttle")


def now() -> datetime:
    return datetime.now(UTC)


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    account_id: UUID
    session_id: UUID

    def as_json(self) -> dict[str, object]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token, "token_type": "Bearer",
                "expires_in": self.expires_in, "account_id": str(self.account_id),
                "session_id": str(self.session_id)}


INVALID_CREDENTIALS = Unauthenticated("invalid_credentials", "The e-mail address or password is not correct.")
INVALID_TOKEN = BadRequest("invalid_token", "This link is not valid any more. Ask for a new one.")


async def ensure_account(
    session: Session,
    outbox: Outbox,
    *,
    account_id: UUID,
    organisation_id: UUID,
    role: AccountRole,
    email: str,
    display_name: str,
    language: str,
    settings: Settings | None = None,
) -> None:
    """Make sure a login exists for this person; a new one (or one whose e-mail changed) gets an invitation.

    Called by the directory inside its own transaction whenever a parent or staff member with an
    e-mail address is upserted. Idempotent: the same data again sends no second invitation. Only a login of
    `organisation_id` is ever read or changed: an id that names another organisation's login is answered
    like an id that does not exist (404), and that login is left as it was.
    """
    settings = settings or Settings()
    normalized = normalize_email(email)
    row = await logins.login_of(session, account_id, organisation_id, lock=True)
    if await logins.email_used_by_other(session, organisation_id, normalized, account_id):
        raise Conflict("email_taken", "Another person in this organisation already uses this e-mail address.")
    if row is None:
        created = await logins.create_login(
            session, account_id=account_id, organisation_id=organisation_id, role=role, email=email.strip(),
            email_normalized=normalized, display_name=display_name, language=language, status="invited")
        if not created:  # the id is another organisation's login
            raise not_found()
        await _invite(session, outbox, account_id, organisation_id, email, display_name, language, settings)
        return
    if (row.role == "parent") != (role == "parent"):
        # One person's login is either a parent's or a staff member's: a staff record must not take over a
        # parent's login (or the other way round) by reusing its id.
        raise Conflict("id_in_use", f"This id already names a {'parent' if row.role == 'parent' else 'staff'} "
                       "login; give this person an id of their own.")
    changes = {"role": role, "display_name": display_name, "language": language}
    email_changed = row.email_normalized != normalized
    if email_changed:
        changes.update(email=email.strip(), email_normalized=normalized)
    if any(getattr(row, k) != v for k, v in changes.items()):
        await logins.change_login(session, account_id, changes, now())
    if email_changed and row.status == "invited":
        # The old invitation went to an address that is no longer theirs.
        await _invite(session, outbox, account_id, organisation_id, email, display_name, language, settings)


async def _invite(session: Session, outbox: Outbox, account_id: UUID, organisation_id: UUID, email: str,
                  display_name: str, language: str, settings: Settings) -> None:
    secret, expires_at = await _new_one_time_token(
        session, account_id, "invitation", timedelta(hours=settings.invitation_ttl_hours))
    await outbox.publish(session, AccountInvited(
        account_id=account_id, organisation_id=organisation_id, email=email.strip(), display_name=display_name,
        language=language, invitation_token=secret, expires_at=expires_at))


async def _new_one_time_token(session: Session, account_id: UUID, purpose: str,
                              ttl: timedelta) -> tuple[str, datetime]:
    moment = now()
    secret = new_secret()
    # Only the newest link of a kind works: asking again makes earlier links useless.
    await sign_in_links.replace_link(session, account_id=account_id, purpose=purpose, token_hash=secret_hash(secret),
                                     moment=moment, expires_at=moment + ttl)
    return secret, moment + ttl


async def _redeem_one_time_token(session: Session, secret: str, purpose: str) -> UUID:
    row = await sign_in_links.link_to_redeem(session, secret_hash(secret), purpose)
    moment = now()
    if row is None or not usable(expires_at=row.expires_at, used_at=row.used_at,
                                 superseded_at=row.superseded_at, now=moment):
        raise INVALID_TOKEN
    await sign_in_links.mark_used(session, row.token_hash, moment)
    return row.account_id


def _check_new_password(password: str) -> None:
    problem = passwords.policy_violation(password)
    if problem:
        raise Invalid("weak_password", problem)


async def accept_invitation(session: Session, settings: Settings, *, token: str, password: str,
                            device_id: str | None) -> IssuedTokens:
    _check_new_password(password)
    account_id = await _redeem_one_time_token(session, token, "invitation")
    await _set_password(session, account_id, password)
    return await _open_session(session, settings, account_id, device_id)


async def _set_password(session: Session, account_id: UUID, password: str) -> None:
    await logins.change_login(session, account_id, {
        "password_hash": passwords.hash_password(password), "password_changed_at": now(), "status": "active"}, now())


# A device counts as this login's own when it opened a session for it within this time.
KNOWN_DEVICE_FOR = timedelta(days=180)


async def login(session: Session, settings: Settings, *, email: str, password: str,
                organisation_id: UUID | None, device_id: str | None, client_ip: str) -> IssuedTokens | DomainError:
    """Tokens, or the refusal to answer with after committing: a failed attempt must be counted.

    Throttling (identity.domain.throttle) never puts the e-mail address alone under a hard lock: an
    attacker's failures elsewhere slow unknown devices down, but the person's own device is judged only
    by its own failures, so the right password from it always gets in.
    """
    normalized = normalize_email(email)
    candidates = await logins.logins_with_email(session, normalized, active_only=True,
                                                organisation_id=organisation_id)
    known = await _known_device(session, [row.account_id for row in candidates], device_id)
    keys = throttle.keys_for_attempt(normalized, client_ip, device_id, known)
    moment = now()
    states = {key: await _throttle_state(session, key.key) for key in keys}
    for key, state in states.items():
        if state is not None and throttle.lock_has_ended(state, moment):
            # Conditional, so of two attempts arriving together only one logs the end of the lock.
            if await login_throttles.end_lock(session, key.key, state.locked_until):
                _log_throttle("login throttle unlocked", key, reason="delay_over", failures=state.failures)
    for state in states.values():
        until = throttle.waiting_until(state, moment)
        if until is not None:
            seconds = max(1, math.ceil((until - moment).total_seconds()))
            # Refused without checking the password: waiting costs the attacker a guess, not us a hash.
            # Returned, not raised, so an unlock recorded above is committed.
            return Throttled("too_many_attempts", "Too many failed attempts. Try again later.",
                           {"retry_after_seconds": seconds})
    matches = [row for row in candidates if passwords.verify_password(row.password_hash, password)]
    if not candidates:
        passwords.verify_password(None, password)  # same work as a wrong password
    if not matches:
        for key in states:
            await _record_failure(session, key, moment)
        return INVALID_CREDENTIALS
    if len(matches) > 1:
        raise Conflict("choose_organisation", "This login exists at several organisations: choose one.",
                       {"organisation_ids": sorted(str(m.organisation_id) for m in matches)})
    # The person is in: their own counters start again. The e-mail-wide counter is left to run out by
    # itself, or the real person's login would hand a distributed attacker a fresh allowance.
    for key, state in states.items():
        if key.kind in ("pair", "device") and state is not None:
            await login_throttles.clear_throttle(session, key.key)
            _log_throttle("login throttle cleared", key, reason="login_succeeded", failures=state.failures)
    account = matches[0]
    if passwords.needs_rehash(account.password_hash):
        await _set_password(session, account.account_id, password)
    return await _open_session(session, settings, account.account_id, device_id)


async def _known_device(session: Session, account_ids: list[UUID], device_id: str | None) -> bool:
    """Has one of these logins opened a session on this device (the device id works like a device cookie)?"""
    if not device_id or not account_ids:
        return False
    return await login_sessions.device_used_since(session, account_ids, device_id, now() - KNOWN_DEVICE_FOR)


async def _throttle_state(session: Session, key: str, *, lock: bool = False) -> throttle.ThrottleState | None:
    return await login_throttles.throttle_state(session, key, lock=lock)


async def _record_failure(session: Session, key: throttle.ThrottleKey, moment: datetime) -> None:
    # Read again under a row lock, after the (slow) password check: concurrent failures each count, and
    # the lock is held only until this transaction commits, right after.
    counted = throttle.after_failure(await _throttle_state(session, key.key, lock=True), key.policy, moment)
    await login_throttles.save_throttle(session, key.key, key.kind, counted)
    if counted.locked_until is not None:
        _log_throttle("login throttle locked", key, failures=counted.failures,
                      locked_seconds=round((counted.locked_until - moment).total_seconds()))


def _log_throttle(message: str, key: throttle.ThrottleKey, **fields: object) -> None:
    """One structured line per lock and unlock: the kind and the pseudonymous key, never a password."""
    throttle_log.warning(message, extra={"throttle_kind": key.kind, "throttle_key": key.key, **fields})


async def _open_session(session: Session, settings: Settings, account_id: UUID,
                        device_id: str | None) -> IssuedTokens:
    session_id = uuid.uuid4()
    moment = now()
    await login_sessions.open_session(session, session_id=session_id, account_id=account_id, device_id=device_id,
                                      moment=moment)
    return await _issue(session, settings, account_id, session_id)


async def _issue(session: Session, settings: Settings, account_id: UUID, session_id: UUID) -> IssuedTokens:
    account = await logins.login_of(session, account_id)
    assert account is not None  # a session's account is never deleted
    refresh = new_secret()
    await login_sessions.add_refresh_token(session, secret_hash(refresh), session_id, now())
    ttl = timedelta(seconds=settings.access_token_ttl_seconds)
    access = issue_access_token(secret=settings.jwt_secret, account_id=str(account_id), role=account.role,
                                organisation_id=str(account.organisation_id), session_id=str(session_id),
                                now=now(), ttl=ttl)
    return IssuedTokens(access, refresh, settings.access_token_ttl_seconds, account_id, session_id)


SESSION_ENDED = Unauthenticated("invalid_refresh_token", "The session has ended. Log in again.")


async def refresh(session: Session, settings: Settings, *, refresh_token: str) -> IssuedTokens | None:
    """New token pair for a valid refresh token; None when reuse was detected and the session was just ended
    (the caller commits that, then answers like an invalid token)."""
    invalid = SESSION_ENDED
    token = await login_sessions.refresh_token_to_use(session, secret_hash(refresh_token))
    if token is None:
        raise invalid
    live = await login_sessions.session_of(session, token.session_id, lock=True)
    assert live is not None  # a refresh token belongs to a session (foreign key)
    moment = now()
    if live.revoked_at is not None or moment - live.created_at > timedelta(days=settings.refresh_token_ttl_days):
        raise invalid
    if token.rotated_at is not None:
        # A refresh token used twice means it was copied: end the whole session (theft detection).
        await _revoke(session, [live.session_id], "refresh_token_reuse")
        return None
    await login_sessions.rotate(session, token.token_hash, live.session_id, moment)
    account = await logins.login_of(session, live.account_id)
    if account is None or account.status != "active":
        raise invalid
    return await _issue(session, settings, live.account_id, live.session_id)


async def _revoke(session: Session, session_ids: list[UUID], reason: SessionEndReason) -> int:
    """Ends these sessions and tells the platform (SessionsEnded per account), in the same transaction."""
    if not session_ids:
        return 0
    moment = now()
    ended = await login_sessions.end_sessions(session, session_ids, reason, moment)
    by_account: dict[UUID, list[UUID]] = defaultdict(list)
    for session_id, account_id in ended:
        by_account[account_id].append(session_id)
    if by_account:
        organisations = await logins.organisations_of(session, list(by_account))
        for account_id, ids in sorted(by_account.items()):
            await ACCESS_EVENTS.publish(session, SessionsEnded(
                account_id=account_id, organisation_id=organisations[account_id], session_ids=sorted(ids),
                reason=reason, ended_at=moment), organisation_id=organisations[account_id])
    return len(ended)


async def session_is_active(session: Session, session_id: UUID | None, account_id: UUID) -> bool:
    if session_id is None:
        return False
    row = await login_sessions.session_of(session, session_id)
    return row is not None and row.revoked_at is None and row.account_id == account_id


async def logout(session: Session, *, session_id: UUID) -> None:
    await _revoke(session, [session_id], "logout")


async def logout_everywhere(session: Session, *, account_id: UUID,
                            reason: SessionEndReason = "logout_all") -> int:
    """All sessions of this account, on every device."""
    return await _revoke(session, await login_sessions.live_sessions_of(session, account_id), reason)


async def logout_device(session: Session, *, session_id: UUID) -> int:
    """Every account's session on the device of this session ("log out of all accounts")."""
    device = await login_sessions.device_of(session, session_id)
    if device is None:
        return await _revoke(session, [session_id], "logout_device")
    return await _revoke(session, await login_sessions.live_sessions_on(session, device), "logout_device")


async def request_password_reset(session: Session, *, email: str) -> None:
    """Queues "send a reset link to this address" and nothing else, for known and unknown addresses alike.

    The answer must not tell whether a login exists, not even by how long it takes (finding 5 of issue 8:
    creating tokens made known addresses 5-8 ms slower). So the route runs the very same two statements
    for every address and looks nothing up; identity.reset_worker does the real work after the answer.
    """
    await queue_reset_request(session, normalize_email(email), current_correlation_id())


async def send_password_reset_links(session: Session, outbox: Outbox, settings: Settings, *,
                                    email_normalized: str) -> int:
    """A reset link to every login with this address (none for an unknown one); returns how many."""
    rows = await logins.logins_with_email(session, email_normalized, active_only=False)
    for row in rows:
        secret, expires_at = await _new_one_time_token(
            session, row.account_id, "password_reset", timedelta(minutes=settings.password_reset_ttl_minutes))
        await outbox.publish(session, PasswordResetRequested(
            account_id=row.account_id, organisation_id=row.organisation_id, email=row.email,
            display_name=row.display_name, language=row.language, reset_token=secret, expires_at=expires_at))
    return len(rows)


async def confirm_password_reset(session: Session, *, token: str, new_password: str) -> None:
    _check_new_password(new_password)
    account_id = await _redeem_one_time_token(session, token, "password_reset")
    await _set_password(session, account_id, new_password)
    # Whoever knew the old password is out: every session of this account ends.
    await logout_everywhere(session, account_id=account_id, reason="password_reset")
    # The person proved they own the mailbox: every failed-login counter of this address starts again.
    account = await logins.login_of(session, account_id)
    hashed = throttle.subject_hash(account.email_normalized if account else "")
    for row in await login_throttles.clear_throttles_of(session, hashed):
        _log_throttle("login throttle cleared", throttle.ThrottleKey(row.kind, row.throttle_key),
                      reason="password_reset", failures=row.failures)


async def change_password(session: Session, *, account_id: UUID, session_id: UUID | None,
                          current_password: str, new_password: str) -> None:
    row = await logins.login_of(session, account_id)
    if row is None or not passwords.verify_password(row.password_hash, current_password):
        raise Forbidden("wrong_password", "The current password is not correct.")
    _check_new_password(new_password)
    await _set_password(session, account_id, new_password)
    others = await login_sessions.live_sessions_of(session, account_id, but=session_id)
    await _revoke(session, others, "password_changed")
