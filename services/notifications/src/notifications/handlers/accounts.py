"""Account mails from identity: an invitation or a reset link is rendered and queued in the consumer's transaction."""


from konnect_contracts.events.accounts import AccountInvited, PasswordResetRequested
from konnect_kit.consumer import EventContext, Handlers

from notifications.db.deliveries import queue_email
from notifications.db.read_models import sender_of
from notifications.domain.mail_texts import render_invitation, render_password_reset
from notifications.settings import Settings


def handlers(settings: Settings) -> Handlers:
    async def account_invited(ctx: EventContext, event: AccountInvited) -> None:
        mail = render_invitation(
            display_name=event.display_name, invitation_token=event.invitation_token,
            expires_at=event.expires_at, language=event.language,
            web_base_url=settings.web_base_url, time_zone=settings.mail_time_zone,
            sender=await sender_of(ctx.session, event.organisation_id),
        )
        # Queued, not sent: SMTP being down must not hold up (or dead-letter) the event.
        await queue_email(ctx.session, event_id=ctx.envelope.event_id, recipient=event.email, mail=mail,
                          organisation_id=event.organisation_id, account_id=event.account_id)

    async def password_reset_requested(ctx: EventContext, event: PasswordResetRequested) -> None:
        mail = render_password_reset(
            display_name=event.display_name, reset_token=event.reset_token,
            expires_at=event.expires_at, language=event.language,
            web_base_url=settings.web_base_url, time_zone=settings.mail_time_zone,
            sender=await sender_of(ctx.session, event.organisation_id),
        )
        await queue_email(ctx.session, event_id=ctx.envelope.event_id, recipient=event.email, mail=mail,
                          organisation_id=event.organisation_id, account_id=event.account_id)

    return {AccountInvited: account_invited, PasswordResetRequested: password_reset_requested}
