"""The application queue and the application page, with the clerk's actions.

Every action goes through the existing services — `backoffice.lifecycle.transition` and
`backoffice.issuing.issue_letter_committed` — which keep the rules between statuses; this
module only checks who may ask (backoffice.web.permissions), in which village, and turns the
answer into a page. Each POST ends in exactly one `AuditEntry`, allowed or refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from backoffice.app import APPLICATION_NUMBER_RE
from backoffice.db import ApplicationEvent, ApplicationRow, IssuedLetterRow, Village
from backoffice.issuing import issue_letter_committed, signer_from_json, verification_base_url
from backoffice.lifecycle import (
    DIBATALKAN,
    DIKEMBALIKAN,
    MENUNGGU_TANDA_TANGAN,
    SEDANG_DIPERIKSA,
    SIAP_DIAMBIL,
    STATUS_LABELS,
    SUDAH_DIAMBIL,
    TRANSITIONS,
    LifecycleError,
    Staff,
    transition,
)
from backoffice.web import accounts
from backoffice.web.core import PREFIX, Me, MeCtx, Posted, Refused, render, web_of
from backoffice.web.permissions import KADES, SEKDES, Perm
from backoffice.web.queue import QUERY_MAX, QueueFilter, queue_page
from forms.application import Application
from forms.issued import Signer
from forms.nik import mask_nik
from forms.village import VillageProfile

router = APIRouter()

MESSAGE_MAX = 500
NAME_MAX = 100
COLLECTED_CLOCK_SLACK = timedelta(minutes=5)  # office PC and server clocks differ a little


@dataclass(frozen=True)
class Action:
    """A button on the application page: the status it leads to and who may press it.
    Whether the application's current status allows it is the lifecycle's to say."""

    name: str  # the route (…/applications/{number}/{name}) and the audit action
    to: str
    perm: Perm
    message: str = "none"  # "required", "optional" or "none"


ACTIONS: tuple[Action, ...] = (
    Action("verify", MENUNGGU_TANDA_TANGAN, Perm.VERIFY),
    Action("issue", SIAP_DIAMBIL, Perm.ISSUE),
    Action("collected", SUDAH_DIAMBIL, Perm.COLLECT),
    Action("return", DIKEMBALIKAN, Perm.RETURN, "required"),
    Action("reopen", SEDANG_DIPERIKSA, Perm.REOPEN, "optional"),
    Action("cancel", DIBATALKAN, Perm.CANCEL, "required"),
)
ACTION_BY_NAME = {a.name: a for a in ACTIONS}
DONE = frozenset({*ACTION_BY_NAME})


# --- helpers ------------------------------------------------------------------------------


def _catalogue(request: Request):
    from forms.catalogue import load_catalogue

    return web_of(request).bo.catalogue(load_catalogue)


def _letter_title(catalogue, letter_id: str) -> dict[str, str]:
    try:
        title = catalogue.get(letter_id).title
        return {"id": title.id, "en": title.en}
    except KeyError:
        return {"id": letter_id, "en": letter_id}


def scoped_application(s: Session, me: MeCtx, number: str, action: str) -> ApplicationRow:
    """The application `number` of the staff member's own village (its PDF not loaded), or a
    404 refusal — the same for another village's number as for one that does not exist; the
    audit log tells them apart."""
    row = None
    if APPLICATION_NUMBER_RE.fullmatch(number):
        row = s.scalars(
            select(ApplicationRow)
            .options(defer(ApplicationRow.pdf))
            .where(ApplicationRow.application_number == number,
                   ApplicationRow.village_code == me.village_code)
        ).one_or_none()
    if row is None:
        elsewhere = APPLICATION_NUMBER_RE.fullmatch(number) and s.scalar(
            select(ApplicationRow.id).where(ApplicationRow.application_number == number)
        ) is not None
        raise Refused(me, action, "other_village" if elsewhere else "not_found", status=404,
                      message="refused.not_found", target=number[:100])
    return row


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",
        # The application page shows it in an <object>: framing by the staff pages only.
        "Content-Security-Policy": "frame-ancestors 'self'",
        "X-Frame-Options": "SAMEORIGIN",
    })  # fmt: skip


def _staff(me: MeCtx) -> Staff:
    return Staff(me.display_name, me.role)


def signer_for(me: MeCtx, profile: VillageProfile) -> Signer:
    """Who the letter says signed it: the head in their own name; the secretary *a.n.* the
    head (see backoffice.web.permissions)."""
    head = f"{profile.head_title} {profile.name}".strip()
    if me.role == KADES:
        return Signer(me.display_name, head)
    if me.role == SEKDES:
        return Signer(me.display_name, f"Sekretaris {profile.kind}".strip(), "a.n.", head)
    raise ValueError(f"role {me.role!r} does not sign letters")


# --- the queue ----------------------------------------------------------------------------


def _parse_date(value: str, errors: list[str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append("queue.bad_date")
        return None


def _queue_filter(values: Mapping[str, str], catalogue) -> tuple[QueueFilter, list[str]]:
    errors: list[str] = []
    status = values.get("status", "")
    letter = values.get("letter", "")
    try:
        page = max(1, min(int(values.get("page", "1") or 1), 100_000))
    except ValueError:
        page = 1
    f = QueueFilter(
        status=status if status in STATUS_LABELS else "",
        letter=letter if letter in catalogue else "",
        date_from=_parse_date(values.get("date_from", ""), errors),
        date_to=_parse_date(values.get("date_to", ""), errors),
        q=" ".join(values.get("q", "").split())[:QUERY_MAX],
        page=page,
    )
    return f, errors


def _queue(request: Request, me: MeCtx, values: Mapping[str, str]) -> Response:
    me.require(Perm.VIEW, "queue")
    web = web_of(request)
    catalogue = _catalogue(request)
    f, errors = _queue_filter(values, catalogue)
    with web.bo.sessions() as s:
        result = queue_page(s, me.village_code, f, web.tz)
    fields = {
        "status": f.status, "letter": f.letter,
        "date_from": f.date_from.isoformat() if f.date_from else "",
        "date_to": f.date_to.isoformat() if f.date_to else "",
        "q": f.q, "page": str(result.page),
    }  # fmt: skip

    def link(**changes: Any) -> dict[str, str]:
        """The filter's fields with `changes` (a new status starts again at page 1)."""
        merged = {**fields, **{k: str(v) for k, v in changes.items()}}
        return {k: v for k, v in merged.items() if v and not (k == "page" and v == "1")}

    rows = [{
        "number": r.application_number, "received_at": r.received_at, "status": r.status,
        "letter": _letter_title(catalogue, r.letter), "kiosk": r.kiosk_id,
        "name": r.resident_name, "nik": mask_nik(r.resident_nik),
    } for r in result.rows]  # fmt: skip
    return render(
        request, "queue.html", me=me, active="queue", result=result, rows=rows, fields=fields,
        link=link, errors=errors, use_post=bool(f.q),
        statuses=[(code, label) for code, label in STATUS_LABELS.items()],
        letters=[(x.id, {"id": x.title.id, "en": x.title.en}) for x in catalogue.letters()],
    )  # fmt: skip


@router.get("/queue", name="queue")
def queue(request: Request, me: Me) -> Response:
    """Filters in the address (status, letter type, dates, page: nothing personal)."""
    return _queue(request, me, request.query_params)


@router.post("/queue", name="queue_search")
def queue_search(
    request: Request,
    me: Posted,
    status: Annotated[str, Form()] = "",
    letter: Annotated[str, Form()] = "",
    date_from: Annotated[str, Form()] = "",
    date_to: Annotated[str, Form()] = "",
    q: Annotated[str, Form()] = "",
    page: Annotated[str, Form()] = "1",
) -> Response:
    """The same with a search: a name or NIK never goes into an address (and so never into
    an access log or the browser's history), so searching is a POST."""
    values = {"status": status, "letter": letter, "date_from": date_from,
              "date_to": date_to, "q": q, "page": page}
    return _queue(request, me, values)


# --- the application page -----------------------------------------------------------------


def _data_rows(app: Application, catalogue) -> list[tuple[dict[str, str], str]]:
    """(label, value) of every field of the letter, as the letter prints them."""
    from forms.catalogue import display_value, identity_value

    try:
        letter = catalogue.get(app.letter)
    except KeyError:
        letter = None
    rows: list[tuple[dict[str, str], str]] = []
    if letter is None:
        rows.append(({"id": "Nama", "en": "Name"}, app.resident.name))
        rows.append(({"id": "NIK", "en": "NIK"}, app.resident.nik))
        rows += [({"id": k, "en": k}, v) for k, v in app.values.items()]
        return rows
    known = set()
    for f in letter.fields:
        label = {"id": f.label.id, "en": f.label.en}
        if f.is_identity:
            rows.append((label, identity_value(app.resident, f.attribute or "")))
        else:
            known.add(f.name)
            rows.append((label, display_value(f, app.values.get(f.name, ""))))
    rows += [({"id": k, "en": k}, v) for k, v in app.values.items() if k not in known]
    return rows


def application_page(request: Request, me: MeCtx, number: str, *, status: int = 200,
                     error: str = "", error_action: str = "",
                     form: Mapping[str, str] | None = None) -> Response:
    """The application page; after a refused action, with its message beside that action's
    form and what was typed still in it."""
    me.require(Perm.VIEW, "view", number)
    web = web_of(request)
    catalogue = _catalogue(request)
    with web.bo.sessions() as s:
        row = scoped_application(s, me, number, "view")
        events = list(s.scalars(select(ApplicationEvent)
                                .where(ApplicationEvent.application_id == row.id)
                                .order_by(ApplicationEvent.id)))
        issued = s.scalars(select(IssuedLetterRow).options(defer(IssuedLetterRow.pdf))
                           .where(IssuedLetterRow.application_id == row.id)).one_or_none()
        profile = s.get(Village, row.village_code).profile
    app = Application.from_json(row.payload_json)
    possible = [a for a in ACTIONS if a.to in TRANSITIONS.get(row.status, frozenset())]
    actions = [a for a in possible if me.can(a.perm)]
    others = [a for a in possible if not me.can(a.perm)]
    now_local = web.now().astimezone(web.tz)
    done = request.query_params.get("done", "")
    return render(
        request, "application.html", me=me, active="queue", status=status,
        row=row, app=app, letter_title=_letter_title(catalogue, row.letter),
        data=_data_rows(app, catalogue), events=events, issued=issued,
        issued_signer=signer_from_json(issued.signer_json) if issued else None,
        actions=actions, others=others, can_print=issued is not None and me.can(Perm.PRINT),
        signer=signer_for(me, profile) if any(a.name == "issue" for a in actions) else None,
        error=error, error_action=error_action, form=dict(form or {}),
        error_at_form=error_action in {a.name for a in actions},
        collected_default=now_local.strftime("%Y-%m-%dT%H:%M"),
        done=done if done in DONE else "", status_labels=STATUS_LABELS,
    )  # fmt: skip


@router.get("/applications/{number}", name="application")
def application(request: Request, number: str, me: Me) -> Response:
    return application_page(request, me, number)


@router.get("/applications/{number}/pdf", name="application_pdf")
def application_pdf(request: Request, number: str, me: Me) -> Response:
    """The villager's application copy, as the kiosk sent it."""
    me.require(Perm.VIEW, "view_pdf", number)
    web = web_of(request)
    with web.bo.sessions() as s:
        row = scoped_application(s, me, number, "view_pdf")
        pdf = s.scalar(select(ApplicationRow.pdf).where(ApplicationRow.id == row.id))
    return _pdf(pdf, f"permohonan-{number}.pdf")


@router.get("/applications/{number}/letter", name="print_letter")
def print_letter(request: Request, number: str, me: Me) -> Response:
    """The issued letter, inline: the browser's PDF viewer prints it (each print audited)."""
    me.require(Perm.PRINT, "print_letter", number)
    web = web_of(request)
    with web.bo.sessions() as s, s.begin():
        row = scoped_application(s, me, number, "print_letter")
        letter = s.scalars(select(IssuedLetterRow)
                           .where(IssuedLetterRow.application_id == row.id)).one_or_none()
        if letter is None:
            raise Refused(me, "print_letter", "not_issued", status=404,
                          message="refused.not_issued", target=number)
        accounts.record(s, "print_letter", accounts.ALLOWED, web.now(),
                        village_code=me.village_code, staff_user_id=me.user_id, target=number)
    return _pdf(letter.pdf, f"surat-{number}.pdf")


# --- actions ------------------------------------------------------------------------------


class BadInput(Exception):
    def __init__(self, text_code: str) -> None:
        super().__init__(text_code)
        self.text_code = text_code


def _clean_message(message: str, action: Action) -> str:
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise BadInput("action.message_too_long")
    return message if action.message != "none" else ""


def _collected_message(web, row: ApplicationRow, collector: str, representative: str,
                       collected_at: str) -> str:
    """Who collected the letter and when, as the history keeps it (Indonesian: a record)."""
    try:
        at = datetime.strptime(collected_at.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=web.tz)
    except ValueError:
        raise BadInput("collected.bad_time") from None
    if at > web.now() + COLLECTED_CLOCK_SLACK or at < row.received_at - COLLECTED_CLOCK_SLACK:
        raise BadInput("collected.time_out_of_range")
    when = at.strftime("%d-%m-%Y %H.%M")
    if collector == "self":
        return f"Diambil oleh pemohon sendiri, {when}"
    if collector == "representative":
        name = " ".join(representative.split())
        if not name:
            raise BadInput("collected.name_required")
        if len(name) > NAME_MAX:
            raise BadInput("collected.name_too_long")
        return f"Diambil oleh wakil: {name}, {when}"
    raise BadInput("collected.who_required")


def _act(request: Request, me: MeCtx, number: str, action: Action,
         form: Mapping[str, str]) -> Response:
    web = web_of(request)
    try:
        if action.name == "issue":
            _issue(request, me, number)
        else:
            with web.bo.sessions() as s, s.begin():
                row = scoped_application(s, me, number, action.name)
                me.require(action.perm, action.name, number)
                if action.name == "collected":
                    message = _collected_message(web, row, form.get("collector", ""),
                                                 form.get("representative", ""),
                                                 form.get("collected_at", ""))
                else:
                    message = _clean_message(form.get("message", ""), action)
                event = transition(s, number, action.to, _staff(me), message)
                accounts.record(s, action.name, accounts.ALLOWED, web.now(),
                                village_code=me.village_code, staff_user_id=me.user_id,
                                target=number, reason=f"{event.from_status}->{event.to_status}")
    except (LifecycleError, BadInput) as e:
        if isinstance(e, LifecycleError):
            reason, error = e.code, {"id": e.id, "en": e.en}[me.language]
            status = 422 if e.code == "message_required" else 409
        else:
            reason, error, status = "bad_input", me.t(e.text_code), 422
        web.audit(action.name, accounts.REFUSED, me=me, target=number, reason=reason)
        return application_page(request, me, number, status=status, error=error,
                                error_action=action.name, form=form)
    return RedirectResponse(f"{PREFIX}/applications/{number}?done={action.name}",
                            status_code=303)


def _issue(request: Request, me: MeCtx, number: str) -> IssuedLetterRow:
    """Record the signature: number, final PDF, signed QR, *siap diambil* (one transaction,
    in backoffice.issuing), then the audit line."""
    web = web_of(request)
    with web.bo.sessions() as s:
        row = scoped_application(s, me, number, "issue")
        me.require(Perm.ISSUE, "issue", number)
        profile = s.get(Village, row.village_code).profile
    issued = issue_letter_committed(
        web.bo.sessions, number, signer_for(me, profile), _staff(me),
        web.now().astimezone(web.tz).date(),
        base_url=verification_base_url(web.bo.settings), catalogue=_catalogue(request),
    )
    web.audit("issue", accounts.ALLOWED, me=me, target=number,
              reason=f"{MENUNGGU_TANDA_TANGAN}->{SIAP_DIAMBIL}")
    return issued


Text = Annotated[str, Form()]


@router.post("/applications/{number}/verify", name="verify")
def verify(request: Request, number: str, me: Posted) -> Response:
    return _act(request, me, number, ACTION_BY_NAME["verify"], {})


@router.post("/applications/{number}/issue", name="issue")
def issue(request: Request, number: str, me: Posted) -> Response:
    return _act(request, me, number, ACTION_BY_NAME["issue"], {})


@router.post("/applications/{number}/collected", name="collected")
def collected(request: Request, number: str, me: Posted, collector: Text = "",
              representative: Text = "", collected_at: Text = "") -> Response:
    return _act(request, me, number, ACTION_BY_NAME["collected"], {
        "collector": collector, "representative": representative, "collected_at": collected_at,
    })  # fmt: skip


@router.post("/applications/{number}/return", name="return")
def return_(request: Request, number: str, me: Posted, message: Text = "") -> Response:
    return _act(request, me, number, ACTION_BY_NAME["return"], {"message": message})


@router.post("/applications/{number}/reopen", name="reopen")
def reopen(request: Request, number: str, me: Posted, message: Text = "") -> Response:
    return _act(request, me, number, ACTION_BY_NAME["reopen"], {"message": message})


@router.post("/applications/{number}/cancel", name="cancel")
def cancel(request: Request, number: str, me: Posted, message: Text = "") -> Response:
    return _act(request, me, number, ACTION_BY_NAME["cancel"], {"message": message})
