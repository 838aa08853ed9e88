"""The resident registry pages: the village's residents (search, filters, paging), a
resident's page, and the desk actions — bind the e-KTP read on the desk reader, unbind it,
set a new PIN the resident types at the desk, unlock a PIN after wrong attempts.

The actions go through the registry's services (backoffice.registry), the same the staff
command line uses; this module checks who may ask (backoffice.web.permissions), in which
village, and turns the answer into a page. A resident is addressed by their row id, never by
NIK: a NIK goes neither into an address nor into the audit log (a search is a POST, as in the
queue). Every POST ends in one `AuditEntry`, allowed or refused, whose target is
`resident:<id>`; a PIN is never shown, echoed back into a form, or logged.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from backoffice import desk_reader
from backoffice.db import (
    ApplicationRow,
    CardBinding,
    Pin,
    PinEvent,
    ResidentRow,
    Village,
)
from backoffice.registry import (
    PIN_RE,
    StaffActionError,
    bind_card_uid,
    set_pin_by_nik,
    unbind_card,
    unlock_pin,
)
from backoffice.web import accounts
from backoffice.web.applications import _catalogue, _letter_title
from backoffice.web.core import (
    PREFIX,
    Me,
    MeCtx,
    Posted,
    render,
    village_row,
    web_of,
)
from backoffice.web.permissions import Perm
from forms.identity import card_fingerprint
from forms.nik import mask_nik

router = APIRouter()

PAGE_SIZE = 25
QUERY_MAX = 100
APPLICATIONS_SHOWN = 50  # a resident's newest applications on their page
PIN_EVENTS_WINDOW = timedelta(days=30)  # "recent" offline PIN attempts
SHOW = ("", "locked", "no_card", "no_pin")  # the list's filters ("" = everyone)
DONE = frozenset({"bind_card", "bind_card_same", "unbind_card", "set_pin", "unlock_pin"})


def target_of(resident_id: int | str) -> str:
    return f"resident:{str(resident_id)[:40]}"


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentLine:
    id: int
    name: str
    nik_masked: str
    dusun: str
    rt_rw: str
    card: bool
    pin: str  # "none", "set" or "locked"


@dataclass(frozen=True)
class ResidentsPage:
    rows: list[ResidentLine]
    total: int  # matching the search and the filter
    page: int
    pages: int
    counts: dict[str, int]  # per filter (SHOW), for the search


def _searched(stmt: Select, village_code: str, q: str) -> Select:
    stmt = (stmt.outerjoin(CardBinding, CardBinding.resident_id == ResidentRow.id)
            .outerjoin(Pin, Pin.resident_id == ResidentRow.id)
            .where(ResidentRow.village_code == village_code))
    q = " ".join(q.split())
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit():  # part of a NIK or of a family card number
            stmt = stmt.where(or_(ResidentRow.nik.contains(digits, autoescape=True),
                                  ResidentRow.family_card_number.contains(digits,
                                                                          autoescape=True)))
        else:
            stmt = stmt.where(func.lower(ResidentRow.name).contains(q.lower(), autoescape=True))
    return stmt


_FILTERS = {
    "locked": Pin.locked.is_(True),
    "no_card": CardBinding.id.is_(None),
    "no_pin": Pin.resident_id.is_(None),
}


def residents_page(session: Session, village_code: str, q: str, show: str, page: int,
                   page_size: int | None = None) -> ResidentsPage:
    """One page of the village's residents matching the search `q` and the filter `show`,
    by name."""
    page_size = page_size or PAGE_SIZE
    counted = _searched(select(
        func.count(),
        *(func.coalesce(func.sum(case((cond, 1), else_=0)), 0) for cond in _FILTERS.values()),
    ).select_from(ResidentRow), village_code, q)
    total_all, *per_filter = session.execute(counted).one()
    counts = {"": total_all, **dict(zip(_FILTERS, per_filter, strict=True))}
    total = counts[show]
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    listed = _searched(select(
        ResidentRow.id, ResidentRow.name, ResidentRow.nik, ResidentRow.dusun, ResidentRow.rt,
        ResidentRow.rw, CardBinding.id.label("card_id"), Pin.resident_id.label("pin_id"),
        Pin.locked,
    ), village_code, q)
    if show:
        listed = listed.where(_FILTERS[show])
    listed = listed.order_by(func.lower(ResidentRow.name), ResidentRow.id)
    rows = [
        ResidentLine(r.id, r.name, mask_nik(r.nik), r.dusun, f"{r.rt}/{r.rw}",
                     r.card_id is not None,
                     "none" if r.pin_id is None else "locked" if r.locked else "set")
        for r in session.execute(listed.limit(page_size).offset((page - 1) * page_size))
    ]
    return ResidentsPage(rows, total, page, pages, counts)


def _residents(request: Request, me: MeCtx, values: Mapping[str, str]) -> Response:
    me.require(Perm.REGISTRY, "residents")
    web = web_of(request)
    q = " ".join(values.get("q", "").split())[:QUERY_MAX]
    show = values.get("show", "")
    show = show if show in SHOW else ""
    try:
        page = max(1, min(int(values.get("page", "1") or 1), 100_000))
    except ValueError:
        page = 1
    with web.bo.sessions() as s:
        result = residents_page(s, me.village_code, q, show, page)
    fields = {"q": q, "show": show, "page": str(result.page)}

    def link(**changes: Any) -> dict[str, str]:
        merged = {**fields, **{k: str(v) for k, v in changes.items()}}
        return {k: v for k, v in merged.items() if v and not (k == "page" and v == "1")}

    return render(request, "residents.html", me=me, active="residents", result=result,
                  fields=fields, link=link, use_post=bool(q), shows=SHOW)


@router.get("/residents", name="residents")
def residents(request: Request, me: Me) -> Response:
    """Filter and page in the address (nothing personal)."""
    return _residents(request, me, request.query_params)


@router.post("/residents", name="residents_search")
def residents_search(request: Request, me: Posted, q: Annotated[str, Form()] = "",
                     show: Annotated[str, Form()] = "",
                     page: Annotated[str, Form()] = "1") -> Response:
    """A name or NIK never goes into an address (access logs, the browser's history)."""
    return _residents(request, me, {"q": q, "show": show, "page": page})


# --- one resident -----------------------------------------------------------------------------


def scoped_resident(s: Session, me: MeCtx, resident_id: str, action: str) -> ResidentRow:
    """The resident `resident_id` of the staff member's own village, or a 404 refusal — the
    same for another village's resident as for one that does not exist (the audit log tells
    them apart)."""
    return village_row(s, me, ResidentRow, resident_id, action, "refused.resident_not_found",
                       target_of(resident_id))


@dataclass(frozen=True)
class PinEvents:
    """The offline PIN attempts kiosks reported for the resident's card, recently."""

    wrong: int = 0
    right: int = 0
    locked: int = 0  # attempts that locked the card
    last_at: datetime | None = None


def _pin_events(s: Session, fingerprint: str | None, since: datetime) -> PinEvents:
    if fingerprint is None:
        return PinEvents()
    row = s.execute(select(
        func.coalesce(func.sum(case((PinEvent.outcome == "wrong", 1), else_=0)), 0),
        func.coalesce(func.sum(case((PinEvent.outcome == "right", 1), else_=0)), 0),
        func.coalesce(func.sum(case((PinEvent.effect == "locked", 1), else_=0)), 0),
        func.max(PinEvent.at),
    ).where(PinEvent.card == fingerprint, PinEvent.at >= since)).one()
    return PinEvents(row[0], row[1], row[2], row[3])


def resident_page(request: Request, me: MeCtx, resident_id: str, *, status: int = 200,
                  error: str = "", error_action: str = "", holder: int | None = None) -> Response:
    """The resident's page; after a refused action, its message beside that action's form."""
    me.require(Perm.REGISTRY, "view_resident", target_of(resident_id))
    web = web_of(request)
    catalogue = _catalogue(request)
    now = web.now()
    with web.bo.sessions() as s, s.begin():
        row = scoped_resident(s, me, resident_id, "view_resident")
        binding = s.scalars(select(CardBinding)
                            .where(CardBinding.resident_id == row.id)).one_or_none()
        pin = s.get(Pin, row.id)
        events = _pin_events(s, binding.fingerprint if binding else None,
                             now - PIN_EVENTS_WINDOW)
        applications = s.execute(
            select(ApplicationRow.application_number, ApplicationRow.letter,
                   ApplicationRow.status, ApplicationRow.received_at)
            .where(ApplicationRow.village_code == me.village_code,
                   ApplicationRow.resident_nik == row.nik)
            .order_by(ApplicationRow.received_at.desc(), ApplicationRow.id.desc())
            .limit(APPLICATIONS_SHOWN)).all()
        if status == 200:  # looking at a villager's record is kept, as every action is
            accounts.record(s, "view_resident", accounts.ALLOWED, now,
                            village_code=me.village_code, staff_user_id=me.user_id,
                            target=target_of(row.id))
    readers = desk_reader.reader_names() if me.can(Perm.CARD) else []
    done = request.query_params.get("done", "")
    return render(
        request, "resident.html", me=me, active="residents", status=status, r=row,
        binding=binding, pin=pin, events=events, max_attempts=web.bo.settings.pin_max_attempts,
        events_days=PIN_EVENTS_WINDOW.days, readers=readers,
        applications=[{"number": a.application_number, "status": a.status,
                       "received_at": a.received_at,
                       "letter": _letter_title(catalogue, a.letter)} for a in applications],
        error=error, error_action=error_action, holder=holder,
        done=done if done in DONE else "",
    )  # fmt: skip


@router.get("/residents/{resident_id}", name="resident")
def resident(request: Request, resident_id: str, me: Me) -> Response:
    return resident_page(request, me, resident_id)


# --- the desk actions -------------------------------------------------------------------------


class ActionRefused(Exception):
    """A desk action that cannot be done now: audited, and said beside its form."""

    def __init__(self, reason: str, message: str, status: int = 409, holder: int | None = None,
                 **kw: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message  # a text code
        self.status = status
        self.holder = holder
        self.kw = kw


def _refused(request: Request, me: MeCtx, resident_id: str, action: str,
             e: ActionRefused) -> Response:
    web_of(request).audit(action, accounts.REFUSED, me=me, target=target_of(resident_id),
                          reason=e.reason)
    return resident_page(request, me, resident_id, status=e.status,
                         error=me.t(e.message, **e.kw), error_action=action, holder=e.holder)


def _act(request: Request, me: MeCtx, resident_id: str, action: str, perm: Perm,
         do) -> Response:
    """Check the role, find the resident in the village, `do(session, row)` → (audit reason,
    done notice), in one transaction with its audit line; a refusal is audited and shown on
    the page beside the action's form."""
    me.require(perm, action, target_of(resident_id))
    web = web_of(request)
    try:
        with web.bo.sessions() as s, s.begin():
            row = scoped_resident(s, me, resident_id, action)
            reason, done = do(s, row)
            accounts.record(s, action, accounts.ALLOWED, web.now(), village_code=me.village_code,
                            staff_user_id=me.user_id, target=target_of(row.id), reason=reason)
    except ActionRefused as e:
        return _refused(request, me, resident_id, action, e)
    return RedirectResponse(f"{PREFIX}/residents/{row.id}?done={done}", status_code=303)


def _desk_error(e: desk_reader.DeskReadError) -> ActionRefused:
    words = e.text_code
    if e.code == desk_reader.NOT_EKTP:
        return ActionRefused(f"not_ektp:{words.removeprefix('desk.not_ektp_')}", words)
    status = 503 if e.code == desk_reader.NO_READER else 409
    return ActionRefused(e.code, words, status)


@router.post("/residents/{resident_id}/bind-card", name="bind_card")
def bind_card(request: Request, resident_id: str, me: Posted) -> Response:
    """Read the e-KTP lying on the desk reader and bind it to the resident, replacing the card
    they had (backoffice.registry.bind_card_uid, as `admin.py bind-card --reader`): only its
    HMAC fingerprint is kept. A card bound to someone else is refused, with a link to them."""
    me.require(Perm.CARD, "bind_card", target_of(resident_id))
    web = web_of(request)
    with web.bo.sessions() as s:
        scoped_resident(s, me, resident_id, "bind_card")  # before touching the reader
    try:  # outside any transaction: a slow card holds no database lock
        uid = desk_reader.read_desk_card()
    except desk_reader.DeskReadError as e:
        return _refused(request, me, resident_id, "bind_card", _desk_error(e))

    def do(s: Session, row: ResidentRow) -> tuple[str, str]:
        before = s.scalar(select(CardBinding.fingerprint)
                          .where(CardBinding.resident_id == row.id))
        try:
            fingerprint = bind_card_uid(s, me.village_code, row.nik, uid)
        except StaffActionError as e:
            key = s.get(Village, me.village_code).card_key_bytes
            holder = s.scalar(select(CardBinding.resident_id)
                              .where(CardBinding.fingerprint == card_fingerprint(uid, key)))
            raise ActionRefused(f"{e.code} holder={target_of(holder)}",
                                "desk.card_bound_elsewhere", holder=holder) from None
        if before == fingerprint:
            return "unchanged", "bind_card_same"
        return ("replaced" if before else "new"), "bind_card"

    return _act(request, me, resident_id, "bind_card", Perm.CARD, do)


@router.post("/residents/{resident_id}/unbind-card", name="unbind_card")
def unbind(request: Request, resident_id: str, me: Posted) -> Response:
    def do(s: Session, row: ResidentRow) -> tuple[str, str]:
        if not unbind_card(s, me.village_code, row.nik):
            raise ActionRefused("no_card_bound", "registry.no_card_bound")
        return "", "unbind_card"

    return _act(request, me, resident_id, "unbind_card", Perm.CARD, do)


@router.post("/residents/{resident_id}/pin", name="set_pin")
def set_pin(request: Request, resident_id: str, me: Posted,
            pin: Annotated[str, Form()] = "", pin_again: Annotated[str, Form()] = "") -> Response:
    """The resident types the new PIN twice on the desk's keyboard (the clerk looks away);
    stored as argon2 by backoffice.registry, the failure count and any lock cleared."""
    web = web_of(request)

    def do(s: Session, row: ResidentRow) -> tuple[str, str]:
        if not PIN_RE.fullmatch(pin):
            raise ActionRefused("pin_format", "registry.pin_format", 422)
        if not hmac.compare_digest(pin.encode(), pin_again.encode()):
            raise ActionRefused("pin_mismatch", "registry.pin_mismatch", 422)
        had = s.get(Pin, row.id) is not None
        set_pin_by_nik(s, me.village_code, row.nik, pin, web.bo.hasher)
        return ("reset" if had else "new"), "set_pin"

    return _act(request, me, resident_id, "set_pin", Perm.PIN, do)


@router.post("/residents/{resident_id}/unlock", name="unlock_pin")
def unlock(request: Request, resident_id: str, me: Posted) -> Response:
    """After three wrong PINs (the lock holds on every kiosk): the clerk has checked the
    person. The failure count goes back to zero, everywhere once the kiosks sync."""

    def do(s: Session, row: ResidentRow) -> tuple[str, str]:
        pin = s.get(Pin, row.id)
        if pin is None:
            raise ActionRefused("no_pin", "registry.no_pin")
        reason = f"failed={pin.failed_attempts} locked={'yes' if pin.locked else 'no'}"
        unlock_pin(s, me.village_code, row.nik)
        return reason, "unlock_pin"

    return _act(request, me, resident_id, "unlock_pin", Perm.PIN, do)
