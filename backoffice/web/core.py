"""What every staff page shares: the signed-in staff member (`Me`), the CSRF check
(`Posted`), refusals (`Refused`), rendering (`render`), the navigation (`NAV`).

A route takes `me: Me` (GET) or `me: Posted` (POST; CSRF checked) and calls
`me.require(Perm.X, action, target)` before it does anything: a refusal raises `Refused`, which
the site's handler writes to the audit log and shows as a plain message page.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from backoffice.db import Village
from backoffice.web import accounts
from backoffice.web.permissions import Perm, allowed
from backoffice.web.texts import LANGUAGES, TEXTS, text
from forms.status import status_label

if TYPE_CHECKING:
    from backoffice.app import BackOffice

PREFIX = "/staff"
SESSION_COOKIE = "sk_staff"
LOGIN_COOKIE = "sk_login"  # before sign-in: the login form's CSRF value (double submit)
LANG_COOKIE = "sk_lang"  # before sign-in: the language chosen on the sign-in page
HERE = Path(__file__).resolve().parent
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class NavItem:
    key: str  # the `active` value a page passes to `render`
    href: str
    text: str  # a code in backoffice/web/texts.py
    perm: Perm  # shown only to roles with this permission


# The menu bar, in order. A new page adds its item here (and its router in site.ROUTERS).
NAV: list[NavItem] = [
    NavItem("queue", f"{PREFIX}/queue", "nav.queue", Perm.VIEW),
    NavItem("complaints", f"{PREFIX}/complaints", "nav.complaints", Perm.COMPLAINTS),
    NavItem("skm", f"{PREFIX}/skm", "nav.skm", Perm.SKM),
    # the registry, the kiosk fleet, staff accounts
    NavItem("residents", f"{PREFIX}/residents", "nav.residents", Perm.REGISTRY),
    NavItem("kiosks", f"{PREFIX}/kiosks", "nav.kiosks", Perm.FLEET),
    NavItem("accounts", f"{PREFIX}/accounts", "nav.accounts", Perm.MANAGE_STAFF),
]


@dataclass
class StaffWeb:
    """The staff pages' state, on the sub-app's `state.web`; `clock` is replaceable (tests)."""

    bo: BackOffice
    policy: accounts.StaffPolicy
    clock: Clock
    dummy_hash: str
    tz: ZoneInfo
    env: jinja2.Environment
    _villages: dict[str, str] = field(default_factory=dict)

    def now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the staff pages' clock must be timezone-aware")
        return now.astimezone(UTC)

    def village_label(self, code: str) -> str:
        """"Desa Kemiren" for a village code (villages change only when the service starts)."""
        if code not in self._villages:
            with self.bo.sessions() as s:
                row = s.get(Village, code)
                profile = json.loads(row.profile_json) if row is not None else {}
            self._villages[code] = f"{profile.get('kind', '')} {profile.get('name', code)}".strip()
        return self._villages[code]

    def audit(self, action: str, outcome: str, *, me: MeCtx | None = None,
              village_code: str | None = None, target: str = "", reason: str = "") -> None:
        """One audit line in its own transaction (for refusals, after the request's own
        transaction has been rolled back)."""
        with self.bo.sessions() as s, s.begin():
            accounts.record(
                s, action, outcome, self.now(),
                village_code=me.village_code if me else village_code,
                staff_user_id=me.user_id if me else None, target=target, reason=reason,
            )  # fmt: skip


def web_of(request: Request) -> StaffWeb:
    return request.app.state.web


# --- who is asking ----------------------------------------------------------------------------


class LoginRequired(Exception):
    def __init__(self, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


class Refused(Exception):
    """An action refused: audited by the site's handler and shown as a message page."""

    def __init__(self, me: MeCtx | None, action: str, reason: str, *, status: int = 403,
                 message: str = "refused.role", target: str = "", lang: str = "id",
                 **kw: Any) -> None:
        super().__init__(reason)
        self.me = me
        self.action = action
        self.reason = reason
        self.status = status
        self.message = message
        self.target = target
        self.lang = me.language if me else lang
        self.kw = kw


@dataclass(frozen=True)
class MeCtx:
    """The signed-in staff member of this request."""

    user_id: int
    username: str
    display_name: str
    role: str
    village_code: str
    village_label: str
    language: str
    csrf: str

    def can(self, perm: Perm) -> bool:
        return allowed(self.role, perm)

    def require(self, perm: Perm, action: str, target: str = "") -> None:
        if not self.can(perm):
            raise Refused(self, action, f"role {self.role} lacks {perm.value}", target=target,
                          message="refused.role")

    def t(self, code: str, **kw: Any) -> str:
        return text(code, self.language, **kw)


def village_row(s, me: MeCtx, model, raw_id: str, action: str, message: str, target: str):
    """The row of `model` with id `raw_id` in the staff member's own village, or `Refused`
    (404): "not_found", or "other_village" in the audit when it is another village's."""
    rid = int(raw_id) if raw_id.isdigit() and len(raw_id) <= 12 else None
    row = None
    if rid is not None:
        row = s.scalars(select(model).where(
            model.id == rid, model.village_code == me.village_code)).one_or_none()
    if row is None:
        elsewhere = rid is not None and s.get(model, rid) is not None
        raise Refused(me, action, "other_village" if elsewhere else "not_found", status=404,
                      message=message, target=target)
    return row


def signed_in(request: Request) -> MeCtx:
    """The staff member of the session cookie; `LoginRequired` without a live session."""
    web = web_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise LoginRequired(expired=False)
    me = None
    with web.bo.sessions() as s, s.begin():  # commits the deletion of an expired session too
        found = accounts.find_session(s, token, web.policy, web.now())
        if found is not None:
            row, user = found
            me = MeCtx(
                user_id=user.id, username=user.username, display_name=user.display_name,
                role=user.role, village_code=user.village_code, village_label="",
                language=user.language if user.language in LANGUAGES else "id",
                csrf=row.csrf_token,
            )  # fmt: skip
    if me is None:
        raise LoginRequired(expired=True)
    return replace(me, village_label=web.village_label(me.village_code))


def action_name(request: Request) -> str:
    """The audit name of the requested action: the route's name."""
    route = request.scope.get("route")
    return getattr(route, "name", "") or request.url.path


def csrf_checked(
    request: Request,
    me: Annotated[MeCtx, Depends(signed_in)],
    csrf: Annotated[str, Form()] = "",
) -> MeCtx:
    """`signed_in`, and the form's CSRF token must be this session's (every POST)."""
    if not hmac.compare_digest(csrf.encode(), me.csrf.encode()):
        target = request.path_params.get("number", "")
        raise Refused(me, action_name(request), "csrf", target=str(target)[:100],
                      message="refused.csrf")
    return me


Me = Annotated[MeCtx, Depends(signed_in)]
Posted = Annotated[MeCtx, Depends(csrf_checked)]


# --- pages ------------------------------------------------------------------------------------


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _static_version() -> str:
    import hashlib

    return hashlib.sha256((HERE / "static" / "staff.css").read_bytes()).hexdigest()[:12]


STATIC_VERSION = _static_version()


def safe_next(path: str | None, default: str = f"{PREFIX}/queue") -> str:
    """A local staff page to go back to (never another site)."""
    if not path or not path.startswith(f"{PREFIX}/") or "//" in path or "\\" in path:
        return default
    return path


def render(
    request: Request,
    template: str,
    *,
    me: MeCtx | None = None,
    lang: str | None = None,
    status: int = 200,
    active: str = "",
    **context: Any,
) -> HTMLResponse:
    """A staff page from `templates/<template>` (extending base.html)."""
    web = web_of(request)
    language = me.language if me else (lang or "id")
    here = request.url.path + (f"?{request.url.query}" if request.method == "GET"
                               and request.url.query else "")

    def t(code: str, **kw: Any) -> str:
        return text(code, language, **kw)

    def local(dt: datetime | None, with_time: bool = True) -> str:
        if dt is None:
            return "-"
        dt = dt.astimezone(web.tz)
        if not with_time:
            return dt.strftime("%d-%m-%Y")
        return dt.strftime("%d-%m-%Y %H.%M" if language == "id" else "%d-%m-%Y %H:%M")

    def bilingual(value: Any) -> str:
        """A {"id", "en"} dict or a forms Text in the page's language."""
        if isinstance(value, dict):
            return value.get(language) or value.get("id", "")
        return value.get(language) if hasattr(value, "get") else str(value)

    html = web.env.get_template(template).render(
        t=t, lang=language, other_lang="en" if language == "id" else "id", me=me,
        nav=[n for n in NAV if me is not None and me.can(n.perm)], active=active,
        here=safe_next(here), prefix=PREFIX, local=local, bilingual=bilingual,
        static=lambda name: f"{PREFIX}/static/{name}?v={STATIC_VERSION}",
        status_label=status_label, known_texts=TEXTS, **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status)


def message_page(request: Request, *, me: MeCtx | None, lang: str, status: int,
                 title: str, message: str, **kw: Any) -> HTMLResponse:
    return render(request, "message.html", me=me, lang=lang, status=status,
                  title_code=title, message_code=message, kw=kw)


def request_language(request: Request) -> str:
    """Before sign-in: `?lang=`, else the sign-in page's cookie, else Indonesian."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE, "id")
    return lang if lang in LANGUAGES else "id"


def cookie_flags(request: Request) -> dict[str, Any]:
    """HttpOnly, SameSite=Strict, path /staff; Secure when served over TLS."""
    return {"httponly": True, "samesite": "strict", "path": PREFIX,
            "secure": request.url.scheme == "https"}
