"""The staff pages as one sub-application, mounted by the back office under `/staff/`.

Its own error handlers answer with HTML pages (the kiosk API's are JSON), and every answer
carries the same security headers: no framing, no cache for pages with personal data, a
Content-Security-Policy that allows nothing from another site (there is no CDN, and no
inline script).
"""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from backoffice.web import (
    accounts,
    applications,
    auth,
    complaints,
    fleet,
    registry,
    satisfaction,
    staff_admin,
)
from backoffice.web.core import (
    HERE,
    PREFIX,
    SESSION_COOKIE,
    Clock,
    LoginRequired,
    Refused,
    StaffWeb,
    cookie_flags,
    make_env,
    message_page,
    request_language,
    utc_now,
    web_of,
)

# Every page's router, mounted in this order. A new area of pages adds its router here and
# its menu item to core.NAV.
ROUTERS = (auth.router, applications.router, complaints.router, satisfaction.router,
           registry.router, fleet.router, staff_admin.router)

_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'self'; "
                               "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_staff_app(bo, *, clock: Clock = utc_now,
                     policy: accounts.StaffPolicy | None = None) -> FastAPI:
    """The staff pages over the back office `bo` (backoffice.app.BackOffice)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.web = StaffWeb(
        bo=bo, policy=policy or accounts.StaffPolicy(), clock=clock,
        dummy_hash=bo.hasher.hash(secrets.token_hex(16)),
        tz=ZoneInfo(bo.settings.timezone), env=make_env(),
    )  # fmt: skip
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith(f"{PREFIX}/static/") and response.status_code == 200:
            # The stylesheet's address carries its hash (core.STATIC_VERSION): keep it.
            response.headers["Cache-Control"] = "public, max-age=604800, immutable"
        return response

    return app


def install(app: FastAPI, bo) -> StaffWeb:
    """Mount the staff pages on the back office's app; returns their state (tests set its
    clock)."""
    staff = create_staff_app(bo)
    app.mount(PREFIX, staff)
    return staff.state.web


def _install_handlers(app: FastAPI) -> None:
    def lang_of(request: Request) -> str:
        return request_language(request)

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired) -> Response:
        response = RedirectResponse(f"{PREFIX}/login" + ("?expired=1" if exc.expired else ""),
                                    status_code=303)
        if exc.expired:
            response.delete_cookie(SESSION_COOKIE, **cookie_flags(request))
        return response

    @app.exception_handler(Refused)
    def refused(request: Request, exc: Refused) -> Response:
        web_of(request).audit(exc.action, accounts.REFUSED, me=exc.me, target=exc.target,
                              reason=exc.reason)
        return message_page(request, me=exc.me, lang=exc.lang, status=exc.status,
                            title="refused.title" if exc.status != 404 else "notfound.title",
                            message=exc.message, **exc.kw)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            title, message = "notfound.title", "notfound.page"
        elif exc.status_code == 405:
            title, message = "refused.title", "error.method"
        else:
            title, message = "refused.title", "refused.bad_input"
        return message_page(request, me=None, lang=lang_of(request), status=exc.status_code,
                            title=title, message=message)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return message_page(request, me=None, lang=lang_of(request), status=400,
                            title="refused.title", message="refused.bad_input")
