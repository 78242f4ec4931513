"""One-click unsubscribe (RFC 8058): a signed token from a mail turns off e-mail for that kind (or the digest)."""

from konnect_kit.db import Session
from konnect_kit.domain_errors import NotFound

from notifications.db.preferences import preferences_of, save_preference
from notifications.domain.channels import DEFAULTS
from notifications.domain.mail_links import DIGEST_KIND, read_unsubscribe_token
from notifications.domain.preferences import ITEM_KINDS


async def unsubscribe(session: Session, token: str, signing_key: bytes) -> list[str]:
    """The kinds whose e-mail is now off. Push and in-app stay as they were; doing it twice changes nothing."""
    found = read_unsubscribe_token(signing_key, token)
    if found is None or (found.kind != DIGEST_KIND and found.kind not in ITEM_KINDS):
        # Same answer for forged, edited and unknown tokens: nothing to learn by trying.
        raise NotFound("unknown_unsubscribe_link", "This unsubscribe link is not valid.")
    chosen = await preferences_of(session, found.account_id)
    current = {kind: chosen.get(kind, DEFAULTS[kind]) for kind in ITEM_KINDS}
    # A digest mail's link ends the digest: every kind gathered in it stops mailing.
    kinds = ([kind for kind, c in current.items() if c.email == "digest"] if found.kind == DIGEST_KIND
             else [found.kind])
    for kind in kinds:
        await save_preference(session, found.account_id, kind, email=False, push=current[kind].push,
                              in_app=current[kind].in_app)
    return kinds
