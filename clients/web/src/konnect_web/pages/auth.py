"""Inloggen: log in (several accounts on one device), switch, log out (this one or everywhere), forgotten
password, invitation; the language switch and the app manifest."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, Response

from konnect_web.gateway import ApiError, LoggedOut, account_from_tokens
from konnect_web.i18n import N_
from konnect_web.session import LANGUAGES
from konnect_web.web import gateway_of, redirect, render, session_of

router = APIRouter()

LOGIN_REFUSALS = {
    401: N_("E-mail address or password is incorrect."),
    429: N_("Too many attempts. Wait a minute and try again."),
}


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _home(request: Request) -> str:
    """A parent starts at the family's agenda; staff and the planning office at their messages."""
    account = session_of(request).account
    return "/agenda" if account is None or account.role == "parent" else "/conversations"


@router.get("/")
async def home(request: Request) -> Response:
    return redirect(_home(request) if session_of(request).account else "/login")


@router.get("/login")
async def login_form(request: Request, add: bool = False, done: str = "") -> Response:
    state = session_of(request)
    if state.account and not add:
        return redirect(_home(request))
    return render(request, "login.html", adding=add, notice=done, email="", error=None, organisations=[])


@router.post("/login")
async def login(request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()],
                organisation_id: Annotated[str, Form()] = "") -> Response:
    body = {"email": email.strip(), "password": password}
    if organisation_id:
        body["organisation_id"] = organisation_id
    try:
        tokens = await gateway_of(request).public("POST", "/auth/login", body, _client_ip(request))
    except ApiError as refusal:
        if refusal.code == "choose_organisation":
            organisations = (refusal.details or {}).get("organisation_ids", [])
            return render(request, "login.html", 409, adding=False, notice="", email=email, error=None,
                          organisations=organisations)
        message = LOGIN_REFUSALS.get(refusal.status, N_("Logging in is not possible right now. Try again later."))
        return render(request, "login.html", refusal.status if refusal.status < 500 else 502, adding=False,
                      notice="", email=email, error=message, organisations=[])
    await _sign_in(request, tokens)
    return redirect(_home(request))


async def _sign_in(request: Request, tokens: dict) -> None:
    gateway = gateway_of(request)
    me = await gateway.with_token("GET", "/me", tokens["access_token"])
    state = session_of(request)
    state.add(account_from_tokens(tokens, me))
    if len(state.accounts) == 1 and me["account"].get("language") in LANGUAGES:
        state.lang = me["account"]["language"]  # the first login brings the account's own language


@router.post("/accounts/switch")
async def switch(request: Request, account_id: Annotated[str, Form()]) -> Response:
    session_of(request).switch(account_id)
    return redirect(_home(request))


@router.post("/logout")
async def logout(request: Request, scope: Annotated[str, Form()] = "this") -> Response:
    """scope: `this` (this account on this device), `everywhere` (this account on every device: logout-all),
    `device` (every account on this device)."""
    state = session_of(request)
    if state.account is None:
        return redirect("/login")
    leaving = list(state.accounts) if scope == "device" else [state.account]
    for account in leaving:
        state.switch(account.account_id)
        try:
            await gateway_of(request).call(state, "POST", "/auth/logout-all" if scope == "everywhere" else
                                           "/auth/logout")
        except (ApiError, LoggedOut):
            pass  # the session is gone either way; forget it here too
        state.remove(account.account_id)
    return redirect(_home(request) if state.account else "/login?done=logged_out")


@router.get("/forgot-password")
async def forgot_form(request: Request) -> Response:
    return render(request, "forgot.html", sent=False, error=None)


@router.post("/forgot-password")
async def forgot(request: Request, email: Annotated[str, Form()]) -> Response:
    try:
        await gateway_of(request).public("POST", "/auth/password-reset", {"email": email.strip()},
                                         _client_ip(request))
    except ApiError as refusal:
        if refusal.status == 429:
            return render(request, "forgot.html", 429, sent=False, error=LOGIN_REFUSALS[429])
        if refusal.status != 422:
            raise
        return render(request, "forgot.html", 422, sent=False, error=N_("Enter a valid e-mail address."))
    return render(request, "forgot.html", sent=True, error=None)


@router.get("/reset-password")
async def reset_form(request: Request, token: str = "") -> Response:
    return render(request, "set_password.html", token=token, action="/reset-password", error=None,
                  title=N_("Choose a new password"))


@router.post("/reset-password")
async def reset(request: Request, token: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
    try:
        await gateway_of(request).public("POST", "/auth/password-reset/confirm",
                                         {"token": token, "new_password": password}, _client_ip(request))
    except ApiError as refusal:
        return render(request, "set_password.html", 400 if refusal.status < 500 else 502, token=token,
                      action="/reset-password", title=N_("Choose a new password"), error=_password_refusal(refusal))
    return redirect("/login?done=password_set")


@router.get("/invitation")
async def invitation_form(request: Request, token: str = "") -> Response:
    return render(request, "set_password.html", token=token, action="/invitation", error=None,
                  title=N_("Welcome! Choose a password"))


@router.post("/invitation")
async def accept_invitation(request: Request, token: Annotated[str, Form()],
                            password: Annotated[str, Form()]) -> Response:
    try:
        tokens = await gateway_of(request).public("POST", "/auth/invitation/accept",
                                                  {"token": token, "password": password}, _client_ip(request))
    except ApiError as refusal:
        return render(request, "set_password.html", 400 if refusal.status < 500 else 502, token=token,
                      action="/invitation", title=N_("Welcome! Choose a password"), error=_password_refusal(refusal))
    await _sign_in(request, tokens)
    return redirect(_home(request))


def _password_refusal(refusal: ApiError) -> str:
    if refusal.status == 422:
        return N_("This password is too short or too simple. Use at least 10 characters.")
    if refusal.status == 429:
        return LOGIN_REFUSALS[429]
    return N_("This link is invalid, already used or expired. Ask for a new one.")


@router.post("/language")
async def language(request: Request, lang: Annotated[str, Form()], back: Annotated[str, Form()] = "/") -> Response:
    state = session_of(request)
    if lang in LANGUAGES:
        state.lang, state.dirty = lang, True
    # Only a path of our own: never an open redirect.
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/")


@router.get("/manifest.webmanifest")
async def manifest() -> FileResponse:
    from konnect_web.app import STATIC

    return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")
