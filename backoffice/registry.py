"""Village registry operations: residents, card bindings and PINs (staff-side helpers)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backoffice.db import CardBinding, Pin, ResidentRow, find_resident, utcnow
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


def upsert_resident(session: Session, village_code: str, resident: Resident) -> ResidentRow:
    """Add or update a resident by NIK. A NIK that cannot be right is refused (`InvalidNik`);
    one that only looks odd (unknown region, birth date unlike the registry's) is stored, and
    the caller can show `check_nik(...).warnings` to staff."""
    check = check_nik(resident.nik, known_birth_date=resident.birth_date,
                      known_sex=resident.sex)
    if check.errors:
        raise InvalidNik(check.errors)
    row = find_resident(session, village_code, resident.nik)
    if row is None:
        row = ResidentRow(village_code=village_code)
        row.update_from(resident)
        session.add(row)
    else:
        row.update_from(resident)
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
    session.flush()
    return True
