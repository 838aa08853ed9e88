"""Signing in and out, and the language switch."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from backoffice.db import StaffUser
from backoffice.web import accounts
from backoffice.web.core import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    LoginRequired,
    Posted,
    Refused,
    cookie_flags,
    render,
    request_language,
    safe_next,
    signed_in,
    web_of,
)
from backoffice.web.texts import LANGUAGES

router = APIRouter()


def _login_page(request: Request, lang: str, *, status: int = 200, error: str = "",
                username: str = "", notice: str = "") -> Response:
    token = request.cookies.get(LOGIN_COOKIE, "")
    if len(token) < 32:
        token = secrets.token_urlsafe(32)
    page = render(request, "login.html", lang=lang, status=status, error=error,
                  username=username, notice=notice, login_csrf=token)
    page.set_cookie(LOGIN_COOKIE, token, **cookie_flags(request))
    if request.query_params.get("lang") in LANGUAGES:
        page.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, **cookie_flags(request))
    return page


@router.get("/", name="home")
def home() -> Response:
    return RedirectResponse(f"{PREFIX}/queue", status_code=303)


@router.get("/login", name="login_page")
def login_page(request: Request) -> Response:
    try:
        signed_in(request)
        return RedirectResponse(f"{PREFIX}/queue", status_code=303)
    except LoginRequired:
        pass
    q = request.query_params
    notice = "login.expired" if q.get("expired") else "login.bye" if q.get("bye") else ""
    return _login_page(request, request_language(request), notice=notice)


@router.post("/login", name="login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    web = web_of(request)
    lang = request_language(request)
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(csrf.encode(), cookie.encode()):
        web.audit("login", accounts.REFUSED, reason="csrf")
        return _login_page(request, lang, status=403, error="refused.csrf_login",
                           username=username[:64])
    with web.bo.sessions() as s, s.begin():
        result = accounts.sign_in(s, username, password, web.bo.hasher, web.dummy_hash,
                                  web.policy, web.now())
        if result.ok and request.cookies.get(LANG_COOKIE) in LANGUAGES:
            result.user.language = lang  # the language chosen on the sign-in page stays
    if not result.ok:
        # One message for every failure: it must not tell whether the username exists.
        return _login_page(request, lang, status=401, error="login.failed",
                           username=username[:64])
    response = RedirectResponse(f"{PREFIX}/queue", status_code=303)
    response.set_cookie(SESSION_COOKIE, result.token, **cookie_flags(request))
    response.delete_cookie(LOGIN_COOKIE, **cookie_flags(request))
    return response


@router.post("/logout", name="logout")
def logout(request: Request, me: Posted) -> Response:
    web = web_of(request)
    with web.bo.sessions() as s, s.begin():
        accounts.end_session(s, request.cookies.get(SESSION_COOKIE, ""))
        accounts.record(s, "logout", accounts.ALLOWED, web.now(), village_code=me.village_code,
                        staff_user_id=me.user_id)
    response = RedirectResponse(f"{PREFIX}/login?bye=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, **cookie_flags(request))
    return response


@router.post("/language", name="language")
def language(
    request: Request,
    me: Posted,
    lang: Annotated[str, Form()] = "id",
    next: Annotated[str, Form()] = "",
) -> Response:
    if lang not in LANGUAGES:
        raise Refused(me, "language", "bad_language", status=400, message="refused.bad_input")
    web = web_of(request)
    with web.bo.sessions() as s, s.begin():
        user = s.get(StaffUser, me.user_id)
        user.language = lang
    return RedirectResponse(safe_next(next), status_code=303)
