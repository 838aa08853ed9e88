"""Kiosk credentials, managed by staff: add a kiosk, rotate its token, revoke it.

A token is shown once (printed by the CLI) and only its SHA-256 is stored. Every kiosk
request looks its token up afresh (backoffice.app.authenticate), so a rotation or revocation
takes effect on the next request: the old token gets 401. A `KioskTokenChange` row marks the
kiosk as managed here, so the settings file cannot bring an old token back at the next start.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from backoffice.db import Kiosk, KioskTokenChange, Village, utcnow
from backoffice.registry import StaffActionError
from backoffice.security import token_hash

TOKEN_BYTES = 32  # 256 bits → 43 base64url characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _mark(session: Session, kiosk_id: str, change: str) -> None:
    row = session.get(KioskTokenChange, kiosk_id)
    if row is None:
        session.add(KioskTokenChange(kiosk_id=kiosk_id, change=change, changed_at=utcnow()))
    else:
        row.change = change
        row.changed_at = utcnow()


def _kiosk(session: Session, kiosk_id: str) -> Kiosk:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise StaffActionError(
            "kiosk_unknown", f"Kios {kiosk_id!r} tidak terdaftar.", f"No kiosk {kiosk_id!r}."
        )
    return kiosk


def add_kiosk(session: Session, kiosk_id: str, village_code: str) -> str:
    """Register a kiosk of `village_code`; returns its new token (shown once)."""
    if not kiosk_id or len(kiosk_id) > 32 or not kiosk_id.isprintable():
        raise StaffActionError(
            "kiosk_id", "ID kios harus 1–32 karakter.", "A kiosk id is 1 to 32 characters."
        )
    if session.get(Village, village_code) is None:
        raise StaffActionError(
            "village_unknown", f"Desa {village_code!r} tidak dikenal.",
            f"Unknown village {village_code!r}.",
        )
    if session.get(Kiosk, kiosk_id) is not None:
        raise StaffActionError(
            "kiosk_exists", f"Kios {kiosk_id!r} sudah ada.", f"Kiosk {kiosk_id!r} already exists."
        )
    token = new_token()
    session.add(Kiosk(id=kiosk_id, village_code=village_code, token_hash=token_hash(token),
                      active=True))
    session.flush()
    _mark(session, kiosk_id, "added")
    session.flush()
    return token


def rotate_kiosk_token(session: Session, kiosk_id: str) -> str:
    """A new token for the kiosk (re-activating it if revoked); the old one stops working."""
    kiosk = _kiosk(session, kiosk_id)
    token = new_token()
    kiosk.token_hash = token_hash(token)
    kiosk.active = True
    _mark(session, kiosk_id, "rotated")
    session.flush()
    return token


def revoke_kiosk(session: Session, kiosk_id: str) -> None:
    """The kiosk's token stops working at once (401) until staff rotate it."""
    kiosk = _kiosk(session, kiosk_id)
    kiosk.active = False
    kiosk.token_hash = token_hash(new_token())  # the old secret is gone, not just disabled
    _mark(session, kiosk_id, "revoked")
    session.flush()
