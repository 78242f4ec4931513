"""Authentication routes: login, refresh, logout variants, invitation, password reset and change, machine tokens."""

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from konnect_kit.domain_errors import DomainError
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, CallerDep, GatewayCallDep
from konnect_kit.service import KitDep, SessionDep
from konnect_kit.values import Email, HumanName
from pydantic import BaseModel, Field

from identity.domain import passwords
from identity.service_layer import accounts as use
from identity.service_layer import machine_clients
from identity.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])

Password = Annotated[str, Field(min_length=1, max_length=1024)]  # an existing password: any length is worth a try
# A password being set: the schema states the policy (passwords.policy_violation), so a client can check first.
NewPassword = Annotated[str, Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH, pattern=r"\S",
                                   description="At least 10 characters, not only spaces.")]
DeviceId = Annotated[str | None, Field(
    default=None, max_length=200, examples=["ios-7f3c9a2e4b1d48c6a0e5f2b8d9c3e1a7"],
    description="A random id the app makes once per install and keeps to itself, like a device cookie. "
                "A device that logged in before is not slowed down by other people's failed attempts.")]
Secret = Annotated[str, Field(min_length=1, max_length=512)]


async def settings_of(request: Request) -> Settings:
    return request.app.state.kit.settings


SettingsDep = Annotated[Settings, Depends(settings_of)]


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int
    account_id: UUID
    session_id: UUID


class LoginIn(BaseModel):
    email: Email = Field(examples=["anne.dejong@example.nl"])
    password: Password
    organisation_id: UUID | None = Field(
        default=None, description="Only needed when the login exists at several organisations")
    device_id: DeviceId


class RefreshIn(BaseModel):
    refresh_token: Secret


class AcceptInvitationIn(BaseModel):
    token: Secret
    password: NewPassword
    device_id: DeviceId


class ResetRequestIn(BaseModel):
    email: Email


class ResetConfirmIn(BaseModel):
    token: Secret
    new_password: NewPassword


class ChangePasswordIn(BaseModel):
    current_password: Password
    new_password: NewPassword


class MachineTokenIn(BaseModel):
    client_id: Annotated[str, Field(min_length=1, max_length=200)]
    client_secret: Secret


class MachineTokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


class MachineClientIn(BaseModel):
    organisation_id: UUID
    name: HumanName = Field(examples=["Planning ERP"])


class MachineClientOut(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once; store it in the ERP's secret store")
    organisation_id: UUID


class LoggedOut(BaseModel):
    sessions_ended: int


def person(who: Caller) -> UUID:
    if who.role not in ("parent", "staff", "org_admin"):
        raise ApiError(403, "forbidden", "Only a person's login can do this.")
    return UUID(who.actor_id)


def session_ended() -> ApiError:
    return ApiError(401, "session_ended", "The session has ended. Log in again.")


async def live_person(who: CallerDep, session: SessionDep) -> Caller:
    """A logged-in person whose session has not been ended (logout takes effect at once here)."""
    account_id = person(who)
    if not await use.session_is_active(session, UUID(who.session_id) if who.session_id else None, account_id):
        raise session_ended()
    return who


LivePerson = Annotated[Caller, Depends(live_person)]


@router.post("/login", response_model=TokensOut, responses={
    401: {"description": "The e-mail address or password is not correct (invalid_credentials)."},
    409: {"description": "This login exists at several organisations: repeat with organisation_id "
                         "(choose_organisation; details.organisation_ids)."},
    429: {"description": "Too many failed attempts: wait details.retry_after_seconds (too_many_attempts)."}})
async def login(body: LoginIn, call: GatewayCallDep, kit: KitDep, settings: SettingsDep) -> dict:
    # Own transaction: a failed attempt is counted (committed) even though the answer is 401.
    async with kit.database.transaction() as session:
        outcome = await use.login(session, settings, email=body.email, password=body.password,
                                  organisation_id=body.organisation_id, device_id=body.device_id,
                                  client_ip=call.client_ip)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome.as_json()


@router.post("/refresh", response_model=TokensOut, responses={
    401: {"description": "The refresh token is not valid or its session has ended (invalid_refresh_token)."}})
async def refresh(body: RefreshIn, _: GatewayCallDep, kit: KitDep, settings: SettingsDep) -> dict:
    # Own transaction: a detected reuse must commit the session's end even though the answer is 401.
    async with kit.database.transaction() as session:
        tokens = await use.refresh(session, settings, refresh_token=body.refresh_token)
    if tokens is None:
        raise use.SESSION_ENDED
    return tokens.as_json()


@router.post("/logout", response_model=LoggedOut)
async def logout(who: LivePerson, session: SessionDep) -> LoggedOut:
    await use.logout(session, session_id=UUID(who.session_id or ""))
    return LoggedOut(sessions_ended=1)


@router.post("/logout-all", response_model=LoggedOut, summary="End every session of this account, on all devices")
async def logout_all(who: LivePerson, session: SessionDep) -> LoggedOut:
    return LoggedOut(sessions_ended=await use.logout_everywhere(session, account_id=UUID(who.actor_id)))


@router.post("/logout-device", response_model=LoggedOut,
             summary="Log out of all accounts on this device (sessions sharing the device_id)")
async def logout_device(who: LivePerson, session: SessionDep) -> LoggedOut:
    return LoggedOut(sessions_ended=await use.logout_device(session, session_id=UUID(who.session_id or "")))


@router.post("/invitation/accept", response_model=TokensOut, responses={
    400: {"description": "The invitation link is not valid any more (invalid_token)."}})
async def accept_invitation(body: AcceptInvitationIn, _: GatewayCallDep, session: SessionDep,
                            settings: SettingsDep) -> dict:
    tokens = await use.accept_invitation(session, settings, token=body.token, password=body.password,
                                         device_id=body.device_id)
    return tokens.as_json()


@router.post("/password-reset", status_code=202, response_class=Response,
             summary="Send a reset link; the answer is the same, and as fast, whether the address is known or not")
async def request_reset(body: ResetRequestIn, _: GatewayCallDep, session: SessionDep) -> Response:
    # Only queued here: the links are made after the answer (identity.reset_worker).
    await use.request_password_reset(session, email=body.email)
    return Response(status_code=202)


@router.post("/password-reset/confirm", status_code=204, response_class=Response, responses={
    400: {"description": "The reset link is not valid any more (invalid_token)."}})
async def confirm_reset(body: ResetConfirmIn, _: GatewayCallDep, session: SessionDep) -> Response:
    await use.confirm_password_reset(session, token=body.token, new_password=body.new_password)
    return Response(status_code=204)


@router.post("/password/change", status_code=204, response_class=Response)
async def change_password(body: ChangePasswordIn, who: LivePerson, session: SessionDep) -> Response:
    await use.change_password(session, account_id=UUID(who.actor_id),
                              session_id=UUID(who.session_id) if who.session_id else None,
                              current_password=body.current_password, new_password=body.new_password)
    return Response(status_code=204)


@router.post("/machine-token", response_model=MachineTokenOut, summary="ERP client credentials → access token",
             responses={401: {"description": "Unknown client or wrong secret (invalid_client)."}})
async def machine_token(body: MachineTokenIn, _: GatewayCallDep, session: SessionDep,
                        settings: SettingsDep) -> MachineTokenOut:
    token = await machine_clients.machine_token(
        session, client_id=body.client_id, client_secret=body.client_secret, jwt_secret=settings.jwt_secret,
        now=use.now(), ttl=timedelta(seconds=settings.access_token_ttl_seconds))
    return MachineTokenOut(access_token=token, expires_in=settings.access_token_ttl_seconds)


@router.post("/machine-clients", response_model=MachineClientOut, status_code=201,
             summary="Create ERP credentials for an organisation (admin)")
async def create_machine_client(body: MachineClientIn, who: CallerDep, session: SessionDep) -> MachineClientOut:
    client_id, secret = await machine_clients.create_machine_client(session, who, organisation_id=body.organisation_id,
                                                                    name=body.name)
    return MachineClientOut(client_id=client_id, client_secret=secret, organisation_id=body.organisation_id)
