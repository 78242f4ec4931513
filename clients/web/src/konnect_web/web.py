"""What every page shares: the session of the request, CSRF check, rendering with the request's language."""

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from konnect_web import labels
from konnect_web.gateway import Gateway
from konnect_web.i18n import Texts
from konnect_web.session import SessionState

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
TEMPLATES.env.globals.update(labels=labels, label=labels.label, option_reason=labels.option_reason,
                              cancel_reason=labels.cancel_reason)


class CsrfRefused(Exception):
    """A state-changing request without this session's CSRF token (or from another origin)."""


def session_of(request: Request) -> SessionState:
    return request.state.session


def gateway_of(request: Request) -> Gateway:
    return request.app.state.gateway


def texts_of(request: Request) -> Texts:
    return Texts(session_of(request).lang)


async def csrf_protect(request: Request) -> None:
    """Every POST carries the session's token (form field csrf_token, or header X-CSRF-Token from htmx), and a
    browser-sent Origin must be our own: a page elsewhere cannot make a logged-in browser act."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfRefused
    state = session_of(request)
    token = request.headers.get("x-csrf-token")
    if token is None:
        form = await request.form()
        token = str(form.get("csrf_token", ""))
    if request.state.new_session or not secrets.compare_digest(token.encode(), state.csrf.encode()):
        raise CsrfRefused


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    state = session_of(request)
    if request.state.new_session:
        state.dirty = True  # the page's forms carry this session's CSRF token: the browser must keep it
    _ = texts_of(request)
    context.update(request=request, _=_, texts=_, ngettext=_.ngettext, lang=state.lang, csrf=state.csrf,
                   account=state.account, accounts=state.accounts, path=request.url.path,
                   htmx=request.headers.get("hx-request") == "true")
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def redirect(url: str, request: Request | None = None) -> Response:
    """303 after a POST; for an htmx request the browser navigates (HX-Redirect) instead of swapping."""
    if request is not None and request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
