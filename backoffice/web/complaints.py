"""Complaints (pengaduan) from the kiosks: the list by urgency, one complaint with what staff
did about it, and the time to first response per month.

Every complaint is answered within `forms.feedback.RESPONSE_HOURS` of its receipt (`due_at`,
set by the kiosk API). Staff record what they did as `ComplaintResponse` rows: a contact with
the villager (by phone, in person, by message) or an internal note. The first *contact* stops
the clock; a note never does ("called, no answer" is not an answer). Nothing is stored twice:
the time of first response is always min(at) over the contacts.

The complaint stores the villager's NIK; the name shown is the registry's for that NIK in the
same village (a resident who has since left the registry shows as such, with the NIK).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Subquery, and_, case, func, select
from sqlalchemy.orm import Session

from backoffice.db import ComplaintResponse, ComplaintRow, ResidentRow
from backoffice.web import accounts
from backoffice.web.core import PREFIX, Me, MeCtx, Posted, Refused, render, web_of
from backoffice.web.permissions import Perm
from backoffice.web.texts import text
from forms.feedback import CATEGORIES, NUMBER_RE, RESPONSE_HOURS, clean_complaint_text
from forms.nik import mask_nik

router = APIRouter()

RESPONSE_LIMIT = timedelta(hours=RESPONSE_HOURS)
CONTACT_KINDS = ("phone", "in_person", "message")  # a contact with the villager: an answer
NOTE = "note"  # for the office only: the clock keeps running
KINDS = (*CONTACT_KINDS, NOTE)
RESPONSE_MAX = 1000
PAGE_SIZE = 50
# The list's tabs: every complaint, the unanswered ones past their deadline, every unanswered
# one (overdue included), the answered ones.
SHOWS = ("", "overdue", "open", "answered")
OVERDUE, OPEN, ANSWERED, ANSWERED_LATE = "overdue", "open", "answered", "answered_late"
DONE = ("first", "contact", "note")
_CATEGORY = {c.code: c for c in CATEGORIES}


# --- formatting (both languages) ------------------------------------------------------------


def format_decimal(value: Any, places: int, lang: str) -> str:
    """`value` rounded half up to `places` decimals; a decimal comma in Indonesian."""
    quantum = Decimal(1).scaleb(-places)
    s = f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP):f}"
    return s.replace(".", ",") if lang == "id" else s


def format_duration(delta: timedelta, lang: str) -> str:
    """"2 jam 15 menit", "45 menit", "3 hari 2 jam" (whole minutes, rounded down)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return text("dur.dh", lang, d=days, h=hours)
    if hours:
        return text("dur.hm" if minutes else "dur.h", lang, h=hours, m=minutes)
    return text("dur.m", lang, m=minutes)


def category_label(code: str, lang: str) -> str:
    choice = _CATEGORY.get(code)
    return choice.label(lang) if choice else code


def phone_display(phone: str) -> str:
    """0812-3456-7890: easier to read out and dial by hand."""
    if len(phone) < 8:
        return phone
    return "-".join([phone[:4], phone[4:8], phone[8:]]).rstrip("-")


# --- queries ------------------------------------------------------------------------------


def first_contacts() -> Subquery:
    """complaint_id → first_at: when each answered complaint was first answered."""
    return (
        select(ComplaintResponse.complaint_id,
               func.min(ComplaintResponse.at).label("first_at"))
        .where(ComplaintResponse.kind.in_(CONTACT_KINDS))
        .group_by(ComplaintResponse.complaint_id)
        .subquery("first_contacts")
    )


def state_of(due_at: datetime, first_at: datetime | None, now: datetime) -> tuple[str, timedelta]:
    """(state, how long): overdue by, time left, or the time the first response took."""
    if first_at is None:
        return (OVERDUE, now - due_at) if due_at < now else (OPEN, due_at - now)
    took = first_at - (due_at - RESPONSE_LIMIT)
    return (ANSWERED if first_at <= due_at else ANSWERED_LATE), took


@dataclass(frozen=True)
class ComplaintItem:
    number: str
    category: str
    received_at: datetime
    due_at: datetime
    first_at: datetime | None
    kiosk_id: str
    nik: str
    name: str | None  # None: not (or no longer) in the village's registry
    state: str
    delta: timedelta


@dataclass(frozen=True)
class ComplaintList:
    items: list[ComplaintItem]
    counts: dict[str, int]  # per tab (SHOWS)
    total: int  # in the chosen tab
    page: int
    pages: int


def complaint_list(s: Session, village_code: str, now: datetime, show: str = "",
                   page: int = 1) -> ComplaintList:
    """The village's complaints: unanswered past their deadline first (the longest overdue
    first), then the other unanswered ones by deadline, then the answered ones, newest
    first."""
    first = first_contacts()
    unanswered = first.c.first_at.is_(None)
    overdue = and_(unanswered, ComplaintRow.due_at < now)
    joined = (
        select(ComplaintRow)
        .outerjoin(first, first.c.complaint_id == ComplaintRow.id)
        .where(ComplaintRow.village_code == village_code)
    )
    counted = s.execute(
        joined.with_only_columns(
            func.count(), func.count(case((overdue, 1))), func.count(case((unanswered, 1))))
    ).one()
    counts = {"": counted[0], "overdue": counted[1], "open": counted[2],
              "answered": counted[0] - counted[2]}
    condition = {"overdue": overdue, "open": unanswered, "answered": ~unanswered}.get(show)
    total = counts.get(show, counts[""])
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    group = case((overdue, 0), (unanswered, 1), else_=2)
    listed = (
        joined.with_only_columns(ComplaintRow, first.c.first_at, ResidentRow.name)
        .outerjoin(ResidentRow, and_(ResidentRow.village_code == ComplaintRow.village_code,
                                     ResidentRow.nik == ComplaintRow.resident_nik))
        .order_by(group, case((unanswered, ComplaintRow.due_at)),
                  ComplaintRow.received_at.desc(), ComplaintRow.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    if condition is not None:
        listed = listed.where(condition)
    items = []
    for row, first_at, name in s.execute(listed):
        state, delta = state_of(row.due_at, first_at, now)
        items.append(ComplaintItem(
            row.complaint_number, row.category, row.received_at, row.due_at, first_at,
            row.kiosk_id, row.resident_nik, name, state, delta))
    return ComplaintList(items, counts, total, page, pages)


def scoped_complaint(s: Session, me: MeCtx, number: str, action: str) -> ComplaintRow:
    """The complaint `number` of the staff member's own village, or a 404 refusal — the same
    for another village's number as for one that does not exist; the audit log tells them
    apart."""
    row = None
    if NUMBER_RE.fullmatch(number):
        row = s.scalars(select(ComplaintRow).where(
            ComplaintRow.complaint_number == number,
            ComplaintRow.village_code == me.village_code)).one_or_none()
    if row is None:
        elsewhere = NUMBER_RE.fullmatch(number) and s.scalar(
            select(ComplaintRow.id).where(ComplaintRow.complaint_number == number)) is not None
        raise Refused(me, action, "other_village" if elsewhere else "not_found", status=404,
                      message="refused.complaint_not_found", target=number[:100])
    return row


# --- statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthStats:
    month: int  # 1–12
    received: int
    answered: int
    within: int  # first response by the deadline
    overdue: int  # answered late, or unanswered and past the deadline now
    pending: int  # unanswered, deadline still ahead: neither on time nor late yet
    median: timedelta | None  # time to first response, answered ones only

    @property
    def decided(self) -> int:
        return self.received - self.pending

    @property
    def share(self) -> float | None:
        """Answered within the deadline, of those whose outcome is known."""
        return self.within / self.decided if self.decided else None


def _stats(month: int, items: list[tuple[datetime, datetime, datetime | None]],
           now: datetime) -> MonthStats:
    took = [f - r for r, _, f in items if f is not None]
    return MonthStats(
        month=month, received=len(items), answered=len(took),
        within=sum(1 for _, d, f in items if f is not None and f <= d),
        overdue=sum(1 for _, d, f in items if (f is None and d < now) or (f is not None and f > d)),
        pending=sum(1 for _, d, f in items if f is None and d >= now),
        median=statistics.median(took) if took else None,
    )  # fmt: skip


def month_stats(s: Session, village_code: str, year: int, tz,
                now: datetime) -> tuple[list[MonthStats], MonthStats]:
    """The twelve months of `year` (the office's calendar, by the day a complaint arrived),
    and the whole year (month 0)."""
    start = datetime.combine(date(year, 1, 1), time(), tz)
    end = datetime.combine(date(year + 1, 1, 1), time(), tz)
    first = first_contacts()
    rows = s.execute(
        select(ComplaintRow.received_at, ComplaintRow.due_at, first.c.first_at)
        .outerjoin(first, first.c.complaint_id == ComplaintRow.id)
        .where(ComplaintRow.village_code == village_code, ComplaintRow.received_at >= start,
               ComplaintRow.received_at < end)
    ).all()
    by_month: dict[int, list] = {m: [] for m in range(1, 13)}
    for received_at, due_at, first_at in rows:
        by_month[received_at.astimezone(tz).month].append((received_at, due_at, first_at))
    months = [_stats(month, items, now) for month, items in by_month.items()]
    return months, _stats(0, [tuple(r) for r in rows], now)


# --- pages ----------------------------------------------------------------------------------


def _helpers(me: MeCtx) -> dict[str, Any]:
    lang = me.language
    return {
        "duration": lambda d: format_duration(d, lang),
        "category": lambda code: category_label(code, lang),
        "decimal": lambda v, places=1: format_decimal(v, places, lang),
        "mask_nik": mask_nik, "phone_display": phone_display,
        "response_hours": RESPONSE_HOURS,
    }  # fmt: skip


def _int(value: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(int(value), high))
    except ValueError:
        return default


@router.get("/complaints", name="complaints")
def complaints(request: Request, me: Me) -> Response:
    me.require(Perm.COMPLAINTS, "complaints")
    web = web_of(request)
    show = request.query_params.get("show", "")
    show = show if show in SHOWS else ""
    page = _int(request.query_params.get("page", "1"), 1, 1, 100_000)
    with web.bo.sessions() as s:
        result = complaint_list(s, me.village_code, web.now(), show, page)

    def link(**changes: Any) -> str:
        params = {"show": show, "page": str(result.page), **{k: str(v) for k, v in
                                                             changes.items()}}
        query = "&".join(f"{k}={v}" for k, v in params.items() if v and (k, v) != ("page", "1"))
        return f"{PREFIX}/complaints" + (f"?{query}" if query else "")

    return render(request, "complaints.html", me=me, active="complaints", result=result,
                  show=show, shows=SHOWS, link=link, **_helpers(me))


@router.get("/complaints/stats", name="complaint_stats")
def complaint_stats(request: Request, me: Me) -> Response:
    me.require(Perm.COMPLAINTS, "complaint_stats")
    web = web_of(request)
    now = web.now()
    this_year = now.astimezone(web.tz).year
    year = _int(request.query_params.get("year", ""), this_year, 2000, 2100)
    with web.bo.sessions() as s:
        months, whole = month_stats(s, me.village_code, year, web.tz, now)
    return render(request, "complaint_stats.html", me=me, active="complaints", year=year,
                  this_year=this_year, months=months, whole=whole, **_helpers(me))


def complaint_page(request: Request, me: MeCtx, number: str, *, status: int = 200,
                   error: str = "", form: Mapping[str, str] | None = None) -> Response:
    me.require(Perm.COMPLAINTS, "complaint", number)
    web = web_of(request)
    now = web.now()
    with web.bo.sessions() as s:
        row = scoped_complaint(s, me, number, "complaint")
        resident = s.scalars(select(ResidentRow).where(
            ResidentRow.village_code == row.village_code,
            ResidentRow.nik == row.resident_nik)).one_or_none()
        responses = list(s.scalars(select(ComplaintResponse)
                                   .where(ComplaintResponse.complaint_id == row.id)
                                   .order_by(ComplaintResponse.at, ComplaintResponse.id)))
    first_at = min((r.at for r in responses if r.kind in CONTACT_KINDS), default=None)
    state, delta = state_of(row.due_at, first_at, now)
    done = request.query_params.get("done", "")
    return render(
        request, "complaint.html", me=me, active="complaints", status=status, row=row,
        resident=resident, responses=responses, first_at=first_at, state=state, delta=delta,
        kinds=KINDS, contact_kinds=CONTACT_KINDS, can_respond=me.can(Perm.RESPOND), error=error,
        form=dict(form or {}), done=done if done in DONE else "", response_max=RESPONSE_MAX,
        **_helpers(me),
    )  # fmt: skip


@router.get("/complaints/{number}", name="complaint")
def complaint(request: Request, number: str, me: Me) -> Response:
    return complaint_page(request, me, number)


class BadInput(Exception):
    def __init__(self, text_code: str) -> None:
        super().__init__(text_code)
        self.text_code = text_code


def _clean_response(kind: str, words: str) -> str:
    if kind not in KINDS:
        raise BadInput("complaint.kind_required")
    words = clean_complaint_text(words)
    if not words:
        raise BadInput("complaint.text_required")
    if len(words) > RESPONSE_MAX:
        raise BadInput("complaint.text_too_long")
    return words


@router.post("/complaints/{number}/respond", name="complaint_respond")
def respond(request: Request, number: str, me: Posted,
            kind: Annotated[str, Form()] = "",
            words: Annotated[str, Form(alias="text")] = "") -> Response:
    """Record a response: who is the signed-in staff member, when is now. The first contact
    stops the clock; later ones, and notes, are added to the history."""
    me.require(Perm.RESPOND, "complaint_respond", number)
    web = web_of(request)
    now = web.now()
    try:
        with web.bo.sessions() as s, s.begin():
            row = scoped_complaint(s, me, number, "complaint_respond")
            cleaned = _clean_response(kind, words)
            answered_before = s.scalar(
                select(func.count()).select_from(ComplaintResponse).where(
                    ComplaintResponse.complaint_id == row.id,
                    ComplaintResponse.kind.in_(CONTACT_KINDS))) > 0
            s.add(ComplaintResponse(
                complaint_id=row.id, at=now, kind=kind, text=cleaned,
                staff_user_id=me.user_id, staff_name=me.display_name, staff_role=me.role))
            first = kind in CONTACT_KINDS and not answered_before
            accounts.record(s, "complaint_respond", accounts.ALLOWED, now,
                            village_code=me.village_code, staff_user_id=me.user_id,
                            target=number, reason=f"{kind} first" if first else kind)
    except BadInput as e:
        web.audit("complaint_respond", accounts.REFUSED, me=me, target=number,
                  reason="bad_input")
        return complaint_page(request, me, number, status=422, error=me.t(e.text_code),
                              form={"kind": kind, "text": words[:4 * RESPONSE_MAX]})
    done = "first" if first else "contact" if kind in CONTACT_KINDS else "note"
    return RedirectResponse(f"{PREFIX}/complaints/{number}?done={done}#responses",
                            status_code=303)
