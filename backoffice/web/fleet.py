"""The kiosk fleet: every kiosk of the village and what its last heartbeat said.

A kiosk beats every 30 s (terminal/heartbeat.py → `POST /api/v1/heartbeat` → one
`KioskHeartbeat` row per kiosk, nothing personal): software version, outbox length and the age
of its oldest item, printer state and problem codes, reader state, mode, whether it sleeps
outside its opening hours, and the age of its offline registry snapshot. A kiosk silent for
more than `SILENT_AFTER` is flagged and listed first; one never heard from says so. Reading
the page changes nothing and is not audited; another village's kiosk id is "not found", and
audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.db import Kiosk, KioskHeartbeat
from backoffice.web.core import Me, MeCtx, Refused, render, web_of
from backoffice.web.permissions import Perm
from backoffice.web.texts import TEXTS

router = APIRouter()

# A kiosk beats every 30 s: five minutes is ten beats missed — not a slow link, something is
# wrong (power, network, the kiosk program).
SILENT_AFTER = timedelta(minutes=5)

# The words a heartbeat may carry (terminal/kiosk.py, devices.printer); each has a text
# "fleet.printer.<state>", "fleet.problem.<code>", "fleet.reader.<state>". Anything else a
# newer kiosk sends is shown as the machine word it is.
PRINTER_STATES = ("ready", "printing", "error", "stopped", "missing", "none")
# devices.printer.PROBLEM_CODES (tests/test_staff_fleet.py keeps the two equal), and which of
# them leave the printer usable (devices.printer.WARNING_CODES).
PRINTER_PROBLEMS = ("printer_missing", "offline", "paper_out", "paper_jam", "cover_open",
                    "toner_out", "toner_low", "other")
PRINTER_WARNINGS = frozenset({"toner_low"})
READER_STATES = ("ready", "missing")

SILENT, NEVER, ATTENTION, OK, REVOKED = "silent", "never", "attention", "ok", "revoked"
_RANK = {SILENT: 0, NEVER: 1, ATTENTION: 2, OK: 3, REVOKED: 4}


@dataclass(frozen=True)
class KioskState:
    """One kiosk as the fleet page shows it."""

    id: str
    active: bool
    last_at: datetime | None  # the last heartbeat (UTC), None: never heard from
    silent_for: timedelta | None
    state: str  # SILENT, NEVER, ATTENTION, OK or REVOKED
    version: str = ""
    outbox_pending: int | None = None
    outbox_set_aside: int | None = None
    oldest_age_s: float | None = None
    printer_state: str = ""
    printer_problems: tuple[str, ...] = ()
    reader_state: str = ""
    mode: str = ""
    asleep: bool = False  # outside its opening hours: the black sleep screen
    snapshot_version: int | None = None
    snapshot_age_s: float | None = None
    pin_events_pending: int | None = None
    notes: list[str] = field(default_factory=list)  # why ATTENTION: text codes

    @property
    def printer_trouble(self) -> bool:
        return self.printer_state in ("error", "stopped", "missing") or any(
            p not in PRINTER_WARNINGS for p in self.printer_problems)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _word(value: Any) -> str:
    return value[:40] if isinstance(value, str) else ""


def kiosk_state(kiosk: Kiosk, beat: KioskHeartbeat | None, now: datetime) -> KioskState:
    """What the page says of `kiosk` at `now`, from its last heartbeat (defensive: a beat
    of an older or newer kiosk may lack a field)."""
    if beat is None:
        return KioskState(kiosk.id, kiosk.active, None, None, NEVER if kiosk.active else REVOKED)
    try:
        status = json.loads(beat.status_json)
    except ValueError:
        status = {}
    status = status if isinstance(status, dict) else {}
    printer = status.get("printer") if isinstance(status.get("printer"), dict) else {}
    reader = status.get("reader") if isinstance(status.get("reader"), dict) else {}
    offline = status.get("offline") if isinstance(status.get("offline"), dict) else None
    reasons = printer.get("reasons") if isinstance(printer.get("reasons"), list) else []
    silent_for = max(timedelta(0), now - beat.last_heartbeat_at)
    k = KioskState(
        id=kiosk.id, active=kiosk.active, last_at=beat.last_heartbeat_at, silent_for=silent_for,
        state=OK, version=_word(status.get("version")),
        outbox_pending=_int(status.get("outbox_pending")),
        outbox_set_aside=_int(status.get("outbox_set_aside")),
        oldest_age_s=_float(status.get("oldest_age_s")),
        printer_state=_word(printer.get("state")),
        printer_problems=tuple(_word(r) for r in reasons if _word(r))[:16],
        reader_state=_word(reader.get("state")), mode=_word(status.get("mode")),
        asleep=status.get("hours") == "closed",
        snapshot_version=_int(offline.get("snapshot_version")) if offline else None,
        snapshot_age_s=_float(offline.get("snapshot_age_s")) if offline else None,
        pin_events_pending=_int(offline.get("pin_events_pending")) if offline else None,
    )  # fmt: skip
    if not kiosk.active:
        return _with(k, REVOKED)
    if silent_for > SILENT_AFTER:
        return _with(k, SILENT)
    notes = []
    if k.printer_trouble:
        notes.append("fleet.note.printer")
    if k.reader_state and k.reader_state != "ready":
        notes.append("fleet.note.reader")
    if k.outbox_set_aside:
        notes.append("fleet.note.set_aside")
    if k.oldest_age_s is not None and k.oldest_age_s > SILENT_AFTER.total_seconds():
        notes.append("fleet.note.outbox_old")
    return _with(k, ATTENTION if notes else OK, notes)


def _with(k: KioskState, state: str, notes: list[str] | None = None) -> KioskState:
    return replace(k, state=state, notes=list(notes or []))


def fleet(session: Session, village_code: str, now: datetime) -> list[KioskState]:
    """Every kiosk of the village: silent ones first (the longest silent at the top), then
    those never heard from, those needing attention, the rest, and revoked ones last."""
    rows = session.execute(
        select(Kiosk, KioskHeartbeat)
        .outerjoin(KioskHeartbeat, KioskHeartbeat.kiosk_id == Kiosk.id)
        .where(Kiosk.village_code == village_code)
    ).all()
    kiosks = [kiosk_state(kiosk, beat, now) for kiosk, beat in rows]
    return sorted(kiosks, key=lambda k: (
        _RANK[k.state], -(k.silent_for or timedelta(0)).total_seconds() if k.state == SILENT
        else 0, k.id))


def age_words(seconds: float | timedelta | None, t) -> str:
    """A duration in the staff's words: "45 detik", "12 menit", "3 jam 5 menit", "2 hari"."""
    if seconds is None:
        return "-"
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    s = max(0, int(seconds))
    if s < 60:
        return t("fleet.age.seconds", n=s)
    if s < 3600:
        return t("fleet.age.minutes", n=s // 60)
    if s < 2 * 86400:
        h, m = divmod(s // 60, 60)
        return t("fleet.age.hours", h=h, m=m) if m else t("fleet.age.hours_only", h=h)
    return t("fleet.age.days", n=s // 86400)


def _page(request: Request, me: MeCtx, template: str, **context: Any) -> Response:
    def t(code: str, **kw: Any) -> str:
        return me.t(code, **kw)

    def word(prefix: str, value: str) -> str:
        """A heartbeat word in the staff's words; an unknown one as it came."""
        code = f"{prefix}.{value}"
        return me.t(code) if code in TEXTS else value or "-"

    return render(request, template, me=me, active="kiosks", age=lambda s: age_words(s, t),
                  word=word, silent_minutes=int(SILENT_AFTER.total_seconds() // 60),
                  warnings=PRINTER_WARNINGS, **context)


@router.get("/kiosks", name="kiosks")
def kiosks(request: Request, me: Me) -> Response:
    me.require(Perm.FLEET, "kiosks")
    web = web_of(request)
    now = web.now()
    with web.bo.sessions() as s:
        states = fleet(s, me.village_code, now)
    counts = {state: sum(1 for k in states if k.state == state) for state in _RANK}
    return _page(request, me, "kiosks.html", kiosks=states, counts=counts, now=now)


@router.get("/kiosks/{kiosk_id}", name="kiosk")
def kiosk(request: Request, kiosk_id: str, me: Me) -> Response:
    me.require(Perm.FLEET, "kiosk", f"kiosk:{kiosk_id[:40]}")
    web = web_of(request)
    now = web.now()
    with web.bo.sessions() as s:
        row = s.scalars(select(Kiosk).where(Kiosk.id == kiosk_id,
                                            Kiosk.village_code == me.village_code)).one_or_none()
        if row is None:
            elsewhere = s.get(Kiosk, kiosk_id) is not None
            raise Refused(me, "kiosk", "other_village" if elsewhere else "not_found",
                          status=404, message="refused.kiosk_not_found",
                          target=f"kiosk:{kiosk_id[:40]}")
        state = kiosk_state(row, s.get(KioskHeartbeat, row.id), now)
    return _page(request, me, "kiosk.html", k=state, now=now)
