"""The portal's FastAPI app: session cookie, security headers, CSRF on every form, the screens' routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from konnect_web.family import NotAParent
from konnect_web.gateway import ApiError, Gateway, LoggedOut
from konnect_web.i18n import N_
from konnect_web.media import MediaStore
from konnect_web.pages import (
    agenda,
    auth,
    child,
    credits,
    evaluation,
    files,
    groups,
    inbox,
    location,
    messages,
    profile,
    publish,
    requests,
)
from konnect_web.security import HEADERS
from konnect_web.session import COOKIE, SessionCodec, SessionState
from konnect_web.settings import WebSettings
from konnect_web.web import CsrfRefused, csrf_protect, redirect, render

STATIC = Path(__file__).parent / "static"


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    settings.check()
    codec = SessionCodec(settings.fernet_keys())
    max_age = settings.session_days * 86400

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gateway = Gateway(settings.gateway_url, settings.gateway_timeout_seconds)
        app.state.media = MediaStore(codec.fernet, settings.gateway_timeout_seconds)
        yield
        await app.state.gateway.close()
        await app.state.media.close()

    app = FastAPI(title="Konnect web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(csrf_protect)])
    app.state.settings = settings

    @app.middleware("http")
    async def session_and_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        static = request.url.path.startswith("/static/") or request.url.path in ("/manifest.webmanifest",
                                                                                   "/health")
        state = None if static else codec.load(request.cookies.get(COOKIE), max_age)
        request.state.new_session = state is None
        if state is None:
            # Kept only once a page hands out its CSRF token (render) or something is stored: a stray request
            # (favicon, 404) must not replace the session of the page that is open.
            state = SessionState()
        request.state.session = state
        response = await call_next(request)
        if state.dirty:
            response.set_cookie(COOKIE, codec.dump(state), max_age=max_age, path="/", httponly=True,
                                secure=settings.cookie_secure, samesite="lax")
        response.headers.update(HEADERS)
        if not static:
            response.headers["Cache-Control"] = "no-store"  # pages show personal data
            response.headers["Vary"] = "Cookie"
        return response

    @app.exception_handler(LoggedOut)
    async def logged_out(request: Request, exc: LoggedOut) -> Response:
        return redirect("/login", request)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return render(request, "error.html", 403, title=N_("This form has expired"),
                      message=N_("The page was open too long or came from elsewhere. Please try again."))

    @app.exception_handler(NotAParent)
    async def not_a_parent(request: Request, exc: NotAParent) -> Response:
        return render(request, "error.html", 403, title=N_("For parents"),
                      message=N_("These screens show a family's children, agenda and requests. Staff and the "
                                 "planning office find their messages and the requests to evaluate in the menu."))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        # 422: an address with a malformed id or date, which the API cannot even look up.
        if exc.status in (404, 422):
            return render(request, "error.html", 404, title=N_("Not found"),
                          message=N_("This page does not exist or is not yours to see."))
        return render(request, "error.html", 502 if exc.status >= 500 else exc.status,
                      title=N_("Something went wrong"), message=N_("Please try again in a moment."),
                      detail=exc.message)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # inbox last: its /absences/{id} deep link must not shadow /absences/new
    for module in (auth, child, messages, agenda, requests, credits, location, evaluation, publish, groups,
                   profile, files, inbox):
        app.include_router(module.router)
    return app
