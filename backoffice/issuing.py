"""Issuing the final letter: its number, the signed QR token, the PDF, all in one transaction.

Numbers run per (village, letter type, year) from 1, with no gaps and no duplicates even when
clerks issue at the same moment: the counter row is incremented by a single
`UPDATE … SET last_number = last_number + 1` as the transaction's *first* statement (it takes
SQLite's write lock, or the counter row's lock on PostgreSQL, and holds it to commit), and the
letter, the new status and the audit event are written in that same transaction. Anything
failing afterwards (rendering included) rolls the number back with the rest.

The signing key of a village's verification tokens is derived from its `card_key` (HMAC-SHA256
with a distinct label), so no new secret has to be configured; the two uses cannot be confused
because card fingerprints and letter tokens are MACs over different, labelled inputs.
The verification base URL is `settings.verification_base_url` when the settings have one,
otherwise `DEFAULT_VERIFICATION_BASE_URL` (the back office's own `/v/` page on loopback).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import asdict
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backoffice.db import ApplicationRow, IssuedLetterRow, LetterCounter, Village
from backoffice.lifecycle import (
    MENUNGGU_TANDA_TANGAN,
    SIAP_DIAMBIL,
    LifecycleError,
    Staff,
    application_not_found,
    apply_transition,
    check_transition,
    load_for_update,
)
from forms.application import Application
from forms.issued import IssuedLetter, Signer
from forms.numbering import DEFAULT_FORMAT, format_letter_number
from forms.verification import sign_letter, verification_url

DEFAULT_VERIFICATION_BASE_URL = "http://127.0.0.1:8470/v/"
_SIGNING_LABEL = b"smart-kampung/letter-signing-key/v1"


def letter_signing_key(card_key: bytes) -> bytes:
    """The village's key for letter tokens, derived from its card key (see module doc)."""
    return hmac.new(card_key, _SIGNING_LABEL, hashlib.sha256).digest()


def verification_base_url(settings) -> str:
    return getattr(settings, "verification_base_url", None) or DEFAULT_VERIFICATION_BASE_URL


def signer_from_json(text: str) -> Signer:
    return Signer(**json.loads(text))


def _next_number(session: Session, village_code: str, letter: str, year: int) -> int:
    """Increment-or-create the counter; must be the transaction's first write."""
    key = (
        (LetterCounter.village_code == village_code)
        & (LetterCounter.letter == letter)
        & (LetterCounter.year == year)
    )
    for _ in range(3):
        bumped = session.execute(
            update(LetterCounter)
            .where(key)
            .values(last_number=LetterCounter.last_number + 1)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount == 1:
            return session.scalar(select(LetterCounter.last_number).where(key))
        try:
            with session.begin_nested():
                session.execute(
                    insert(LetterCounter).values(
                        village_code=village_code, letter=letter, year=year, last_number=1
                    )
                )
            return 1
        except IntegrityError:
            continue  # another clerk created the sequence meanwhile: increment it
    raise RuntimeError("could not obtain a letter number")


def issue_letter(
    session: Session,
    application_number: str,
    signer: Signer,
    staff: Staff,
    issued: date,
    *,
    base_url: str = DEFAULT_VERIFICATION_BASE_URL,
    number_format: str = DEFAULT_FORMAT,
    catalogue=None,
) -> IssuedLetterRow:
    """Number, sign, render and store the letter of an application waiting for signature,
    and make it *siap diambil*. Call in a fresh transaction (nothing written before it in
    this transaction) and commit after; `LifecycleError` if the application is not ready."""
    from forms.catalogue import load_catalogue
    from forms.render import render_letter

    # Read what selects the sequence without writing; the first write is the counter.
    head = session.execute(
        select(ApplicationRow.letter, ApplicationRow.village_code, ApplicationRow.status).where(
            ApplicationRow.application_number == application_number
        )
    ).one_or_none()
    if head is None:
        raise application_not_found(application_number)
    check_transition(head.status, SIAP_DIAMBIL, issuing=True)  # fail early, before numbering
    catalogue = catalogue or load_catalogue()
    letter = catalogue.get(head.letter)

    sequence = _next_number(session, head.village_code, head.letter, issued.year)
    row = load_for_update(session, application_number)
    if row.status != MENUNGGU_TANDA_TANGAN:  # changed since the first read
        check_transition(row.status, SIAP_DIAMBIL, issuing=True)
    village = session.get(Village, row.village_code)
    number = format_letter_number(
        number_format,
        code=letter.code,
        number=sequence,
        village_code=row.village_code,
        issued=issued,
    )
    application = Application.from_json(row.payload_json)
    token = sign_letter(
        village_code=row.village_code,
        letter_number=number,
        issued=issued,
        letter_id=row.letter,
        nik=row.resident_nik,
        key=letter_signing_key(village.card_key_bytes),
    )
    url = verification_url(base_url, token)
    pdf = render_letter(IssuedLetter(application, number, issued, signer, url), letter,
                        village.profile)
    issued_row = IssuedLetterRow(
        application_id=row.id,
        village_code=row.village_code,
        letter=row.letter,
        year=issued.year,
        sequence=sequence,
        number=number,
        issued=issued,
        signer_json=json.dumps(asdict(signer), ensure_ascii=False, sort_keys=True),
        token=token,
        verification_url=url,
        pdf=pdf,
        issued_by=staff.name,
    )
    session.add(issued_row)
    apply_transition(session, row, SIAP_DIAMBIL, staff, f"Nomor surat {number}", issuing=True)
    session.flush()
    return issued_row


def issue_letter_committed(
    sessions: sessionmaker[Session],
    application_number: str,
    signer: Signer,
    staff: Staff,
    issued: date,
    *,
    attempts: int = 20,
    **kwargs,
) -> IssuedLetterRow:
    """`issue_letter` in its own transaction, retried while the database is busy (SQLite
    under many concurrent writers)."""
    delay = 0.02
    for attempt in range(attempts):
        try:
            with sessions() as s, s.begin():
                return issue_letter(s, application_number, signer, staff, issued, **kwargs)
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")


def find_issued(session: Session, application_number: str) -> IssuedLetterRow | None:
    return session.scalars(
        select(IssuedLetterRow)
        .join(ApplicationRow, ApplicationRow.id == IssuedLetterRow.application_id)
        .where(ApplicationRow.application_number == application_number)
    ).one_or_none()


__all__ = [
    "DEFAULT_VERIFICATION_BASE_URL", "LifecycleError", "find_issued", "issue_letter",
    "issue_letter_committed", "letter_signing_key", "signer_from_json", "verification_base_url",
]  # fmt: skip
