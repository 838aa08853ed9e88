"""Village registry operations: residents, card bindings and PINs (staff-side helpers), the
registry snapshot that kiosks keep for offline identification, and the merge of the PIN
attempts they made offline."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backoffice.db import (
    CardBinding,
    Pin,
    PinEvent,
    PinReset,
    RegistryDetails,
    ResidentRow,
    find_resident,
    utcnow,
)
from backoffice.security import verify_pin
from forms.identity import Resident
from forms.nik import check_nik

PIN_RE = re.compile(r"[0-9]{6}")
FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")


class InvalidNik(ValueError):
    """The NIK cannot be right (see forms.nik); `problems` say why in both languages."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(p.en for p in problems))


def upsert_resident(session: Session, village_code: str, resident: Resident,
                    details: RegistryDetails | None = None) -> ResidentRow:
    """Add or update a resident by NIK (and their registry details, when given). A NIK that
    cannot be right is refused (`InvalidNik`); one that only looks odd (unknown region, birth
    date unlike the registry's) is stored, and the caller can show `check_nik(...).warnings`
    to staff."""
    check = check_nik(resident.nik, known_birth_date=resident.birth_date,
                      known_sex=resident.sex)
    if check.errors:
        raise InvalidNik(check.errors)
    row = find_resident(session, village_code, resident.nik)
    if row is None:
        row = ResidentRow(village_code=village_code)
        session.add(row)
    row.update_from(resident)
    if details is not None:
        details.apply_to(row)
    session.flush()
    return row


def bind_card(session: Session, resident: ResidentRow, fingerprint: str) -> None:
    """Bind a card (by fingerprint) to `resident`, replacing any card the resident had."""
    if not FINGERPRINT_RE.fullmatch(fingerprint):
        raise ValueError("card fingerprint must be 64 lowercase hex digits")
    current = session.scalars(
        select(CardBinding).where(CardBinding.resident_id == resident.id)
    ).one_or_none()
    if current is not None and current.fingerprint == fingerprint:
        return
    session.execute(delete(CardBinding).where(CardBinding.resident_id == resident.id))
    session.execute(delete(CardBinding).where(CardBinding.fingerprint == fingerprint))
    session.add(CardBinding(fingerprint=fingerprint, resident_id=resident.id))
    session.flush()


def set_pin(
    session: Session, resident: ResidentRow, pin: str, hasher: PasswordHasher, *, keep=True
) -> None:
    """Set the resident's PIN; with keep=True an existing record holding this PIN is left as is
    (its failed-attempt counter and lock included)."""
    if not PIN_RE.fullmatch(pin):
        raise ValueError("PIN must be 6 digits")
    row = session.get(Pin, resident.id)
    if row is not None and keep and verify_pin(hasher, row.pin_hash, pin):
        return
    if row is None:
        row = Pin(resident_id=resident.id)
        session.add(row)
    row.pin_hash = hasher.hash(pin)
    row.failed_attempts = 0
    row.locked = False
    row.updated_at = utcnow()
    _mark_reset(session, resident.id, row.updated_at)
    session.flush()


def unlock_pin(session: Session, village_code: str, nik: str) -> bool:
    """Staff unlock after too many wrong PINs. False if the resident has no PIN record."""
    resident = find_resident(session, village_code, nik)
    row = session.get(Pin, resident.id) if resident is not None else None
    if row is None:
        return False
    row.failed_attempts = 0
    row.locked = False
    row.updated_at = utcnow()
    _mark_reset(session, resident.id, row.updated_at)
    session.flush()
    return True


def lock_pin(session: Session, village_code: str, nik: str) -> bool:
    """Staff lock (a card reported lost, a villager's request). It holds on every kiosk, once
    each has synced, until staff unlock it; a right PIN never clears it. False if no PIN."""
    resident = find_resident(session, village_code, nik)
    row = session.get(Pin, resident.id) if resident is not None else None
    if row is None:
        return False
    row.locked = True
    row.updated_at = utcnow()
    session.flush()
    return True


def _mark_reset(session: Session, resident_id: int, at) -> None:
    # PIN attempts and kiosk locks reported later but made before this are void (see PinReset).
    mark = session.get(PinReset, resident_id)
    if mark is None:
        session.add(PinReset(resident_id=resident_id, reset_at=at))
    else:
        mark.reset_at = at


# --- the registry snapshot for offline kiosks ------------------------------------------------


def registry_snapshot(session: Session, village_code: str, max_attempts: int) -> dict:
    """Every bound card of the village → its resident, PIN verifier, failure count and lock.

    One SELECT, so the snapshot is one consistent state. Shipping PIN verifiers to a kiosk is
    acceptable only because the kiosk keeps them sealed at rest (terminal/sealing.py) and never
    logs them: whoever holds both the snapshot file and the kiosk's key file can try all 10^6
    PINs against each argon2id verifier offline, which the parameters slow down but do not
    prevent. The verifiers go out exactly as stored (the back office's argon2 parameters are in
    each PHC string); a kiosk never re-hashes.
    """
    rows = session.execute(
        select(
            CardBinding.fingerprint, ResidentRow, Pin.pin_hash, Pin.failed_attempts, Pin.locked
        )
        .join(ResidentRow, CardBinding.resident_id == ResidentRow.id)
        .outerjoin(Pin, Pin.resident_id == ResidentRow.id)
        .where(ResidentRow.village_code == village_code)
        .order_by(CardBinding.fingerprint)
    ).all()
    cards = {
        fingerprint: {
            "resident": resident.to_resident().to_dict(),
            "pin_verifier": pin_hash,
            "failed_attempts": failed or 0,
            "locked": bool(locked),
        }
        for fingerprint, resident, pin_hash, failed, locked in rows
    }
    return {"village_code": village_code, "pin_max_attempts": max_attempts, "cards": cards}


def snapshot_hash(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- offline PIN attempts, merged late -------------------------------------------------------

WRONG = "wrong"
RIGHT = "right"


@dataclass(frozen=True)
class PinAttempt:
    """One PIN attempt a kiosk judged offline against its snapshot."""

    event_id: str
    card: str
    outcome: str  # WRONG | RIGHT
    at: datetime  # aware; when the villager tried (kiosk clock)
    kiosk_locked: bool = False  # this attempt made the kiosk lock the card locally


@dataclass(frozen=True)
class MergeResult:
    cards: dict[str, dict | None]  # fingerprint → {"failed_attempts", "locked"}; None: unknown
    applied: int
    duplicates: int


def merge_pin_events(
    session: Session,
    village_code: str,
    kiosk_id: str,
    events: Iterable[PinAttempt],
    max_attempts: int,
) -> MergeResult:
    """Merge a kiosk's offline PIN attempts into the counters, oldest first. Does not commit.

    The rules, so that a late report ends where reporting on time would have, and where it
    cannot know, errs towards more failures, never fewer:
    - a wrong PIN adds one failure and reaching `max_attempts` locks; it is void if staff
      cleared the PIN (set, reset, unlocked) after it, and forgiven if the counter is at zero
      because a right PIN came after it;
    - a right PIN resets the counter only if no failure is known after it, and never unlocks;
    - a lock set anywhere wins: a kiosk's local lock holds here too, whatever right PIN
      arrived since, until staff unlock (only locks made before that unlock are void).
    Event ids make a re-sent batch change nothing. Raises IntegrityError if another request
    stores the same event ids concurrently (the caller retries; they are then duplicates).
    """
    now = utcnow()
    batch: dict[str, PinAttempt] = {}
    for ev in events:
        batch.setdefault(ev.event_id, ev)
    cards = {ev.card for ev in batch.values()}
    seen = set()
    if batch:
        seen = set(
            session.scalars(
                select(PinEvent.event_id).where(
                    PinEvent.kiosk_id == kiosk_id, PinEvent.event_id.in_(list(batch))
                )
            )
        )
    # Stable: attempts with the same time keep the order the kiosk reported them in.
    fresh = sorted((ev for ev in batch.values() if ev.event_id not in seen), key=lambda ev: ev.at)
    rows: list[tuple[PinAttempt, PinEvent]] = []
    for ev in fresh:
        row = PinEvent(
            kiosk_id=kiosk_id,
            event_id=ev.event_id,
            card=ev.card,
            outcome=ev.outcome,
            kiosk_locked=ev.kiosk_locked,
            at=min(ev.at, now),  # a kiosk clock running ahead must not outrank staff actions
            received_at=now,
            effect="pending",
        )
        session.add(row)
        rows.append((ev, row))
    # The first write takes SQLite's write lock before the counters are read.
    session.flush()

    residents: dict[str, int] = {}
    if cards:
        residents = dict(
            session.execute(
                select(CardBinding.fingerprint, ResidentRow.id)
                .join(ResidentRow, CardBinding.resident_id == ResidentRow.id)
                .where(
                    CardBinding.fingerprint.in_(sorted(cards)),
                    ResidentRow.village_code == village_code,
                )
            ).all()
        )
    ids = sorted(set(residents.values()))
    pins: dict[int, Pin] = {}
    resets: dict[int, datetime] = {}
    if ids:
        # Row locks in one order (PostgreSQL); concurrent online attempts wait for us.
        pins = {
            p.resident_id: p
            for p in session.scalars(
                select(Pin).where(Pin.resident_id.in_(ids)).order_by(Pin.resident_id)
                .with_for_update()
            )
        }
        resets = dict(
            session.execute(
                select(PinReset.resident_id, PinReset.reset_at).where(
                    PinReset.resident_id.in_(ids)
                )
            ).all()
        )

    for ev, row in rows:
        rid = residents.get(ev.card)
        pin = pins.get(rid) if rid is not None else None
        if rid is None:
            row.effect = "unknown_card"
        elif pin is None:
            row.effect = "no_pin"
        else:
            row.effect = _apply_attempt(pin, row.at, ev, resets.get(rid), max_attempts)
    session.flush()

    state: dict[str, dict | None] = {}
    for card in sorted(cards):
        rid = residents.get(card)
        pin = pins.get(rid) if rid is not None else None
        state[card] = (
            None
            if pin is None
            else {"failed_attempts": pin.failed_attempts, "locked": bool(pin.locked)}
        )
    return MergeResult(cards=state, applied=len(rows), duplicates=len(batch) - len(rows))


def _apply_attempt(
    pin: Pin, at: datetime, ev: PinAttempt, reset_at: datetime | None, max_attempts: int
) -> str:
    cleared_by_staff_later = reset_at is not None and at <= reset_at
    effect = "no_change"
    if ev.outcome == WRONG:
        if cleared_by_staff_later:
            effect = "void"
        elif pin.locked:
            effect = "already_locked"
        elif pin.failed_attempts == 0 and pin.updated_at > at:
            effect = "forgiven"  # a right PIN came after it
        else:
            pin.failed_attempts += 1
            pin.updated_at = max(pin.updated_at, at)
            effect = "counted"
            if pin.failed_attempts >= max_attempts:
                pin.locked = True
                effect = "locked"
    elif ev.outcome == RIGHT:
        if pin.locked:
            effect = "refused_locked"
        elif at >= pin.updated_at:
            pin.failed_attempts = 0
            pin.updated_at = at
            effect = "reset"
        else:
            effect = "stale"  # failures are known after it: they stand
    if ev.kiosk_locked and not cleared_by_staff_later and not pin.locked:
        pin.locked = True
        pin.updated_at = max(pin.updated_at, at)
        effect = "locked"
    return effect


# --- at the desk: card binding and PINs by NIK ------------------------------------------------


class StaffActionError(ValueError):
    """A desk action that cannot be done; `code`, `id` and `en` say why."""

    def __init__(self, code: str, id_msg: str, en_msg: str) -> None:
        super().__init__(en_msg)
        self.code = code
        self.id = id_msg
        self.en = en_msg


def resident_by_nik(session: Session, village_code: str, nik: str) -> ResidentRow:
    resident = find_resident(session, village_code, nik.strip())
    if resident is None:
        raise StaffActionError(
            "resident_unknown",
            "Penduduk dengan NIK ini tidak terdaftar di desa ini.",
            "No resident with this NIK is registered in this village.",
        )
    return resident


def bind_card_uid(session: Session, village_code: str, nik: str, uid: bytes) -> str:
    """Bind the e-KTP with `uid` (raw bytes, as read on the desk reader) to the resident.

    Only the card's HMAC fingerprint under the village key is stored. One card ↔ one
    resident: a card already bound to someone else is refused (unbind it there first); the
    resident's previous card, if any, is replaced. Returns the fingerprint. Does not commit.
    """
    from backoffice.db import Village
    from forms.identity import card_fingerprint

    resident = resident_by_nik(session, village_code, nik)
    village = session.get(Village, village_code)
    fingerprint = card_fingerprint(bytes(uid), village.card_key_bytes)
    holder = session.scalars(
        select(CardBinding).where(CardBinding.fingerprint == fingerprint)
    ).one_or_none()
    if holder is not None and holder.resident_id != resident.id:
        raise StaffActionError(
            "card_bound_elsewhere",
            "Kartu ini sudah terikat pada penduduk lain. Lepaskan dulu dari penduduk itu.",
            "This card is already bound to another resident. Unbind it there first.",
        )
    bind_card(session, resident, fingerprint)
    return fingerprint


def unbind_card(session: Session, village_code: str, nik: str) -> bool:
    """Remove the resident's card binding. False if they had none. Does not commit."""
    resident = resident_by_nik(session, village_code, nik)
    gone = session.execute(delete(CardBinding).where(CardBinding.resident_id == resident.id))
    session.flush()
    return gone.rowcount > 0


def set_pin_by_nik(
    session: Session, village_code: str, nik: str, pin: str, hasher: PasswordHasher
) -> None:
    """Staff set or reset the resident's 6-digit PIN; the failure count and any lock are
    cleared (and attempts reported late from before now are void). Does not commit."""
    if not PIN_RE.fullmatch(pin):
        raise StaffActionError(
            "pin_format", "PIN harus 6 angka.", "A PIN has exactly 6 digits."
        )
    set_pin(session, resident_by_nik(session, village_code, nik), pin, hasher, keep=False)


def pin_state(session: Session, village_code: str, nik: str) -> dict | None:
    """{"failed_attempts", "locked"} of the resident's PIN, None if no PIN is set."""
    resident = resident_by_nik(session, village_code, nik)
    row = session.get(Pin, resident.id)
    if row is None:
        return None
    return {"failed_attempts": row.failed_attempts, "locked": bool(row.locked)}
