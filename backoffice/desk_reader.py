"""The desk card reader: the e-KTP a resident lays on the PC/SC reader of the office PC.

The registry page (backoffice.web.registry) and `admin.py bind-card --reader` read it here,
through devices.pcsc (pyscard → pcscd): one connection per read, the card's ATR and its
normalised UID, released at once. There is no setting naming the reader: every reader the PC
offers is tried, and exactly one e-KTP must be lying on them (a dual-slot reader's empty SAM
slot, or a kiosk-less office PC with one reader, need no configuration). The UID is returned to
the caller only to be fingerprinted (HMAC with the village key,
backoffice.registry.bind_card_uid); it is never stored, shown or logged, and neither is an
e-KTP's ATR (a type B ATR holds the PUPI).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from devices.ektp import CardKind, classify_atr

log = logging.getLogger(__name__)

# Why a read failed, as the desk is told (texts "desk.<code>" in backoffice/web/texts.py).
NO_READER = "no_reader"  # no reader attached, or pcscd not running
NO_CARD = "no_card"  # readers, but no card on any
NOT_EKTP = "not_ektp"  # a card, but not an e-KTP (`kind` says what it looks like)
SEVERAL = "several_cards"  # more than one e-KTP lying on the readers
REMOVED = "removed"  # the card left the reader during the read
RANDOM_UID = "random_uid"  # an e-KTP-like card whose UID changes on every tap
UNREADABLE = "unreadable"  # the card answered nothing usable


class DeskReadError(Exception):
    """A read at the desk that gave no single e-KTP; `code` says why (one of the above),
    `kind` what the card looked like for NOT_EKTP (a devices.ektp.CardKind value)."""

    def __init__(self, code: str, kind: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.kind = kind

    @property
    def text_code(self) -> str:
        """What the desk is told: a text "desk.<code>" of backoffice/web/texts.py."""
        if self.code == NOT_EKTP:
            known = {k.value for k in CardKind if k is not CardKind.EKTP}
            return f"desk.not_ektp_{self.kind if self.kind in known else 'unknown'}"
        return f"desk.{self.code}"


@dataclass(frozen=True)
class DeskReader:
    """How the desk reads: the reader names and one read of a named reader (devices.pcsc)."""

    names: Callable[[], list[str]]
    read: Callable[[str], tuple[bytes, bytes]]  # reader name → (ATR, UID); CardReadError


def pcsc_reader() -> DeskReader:
    from devices.pcsc import read_uid, reader_names

    return DeskReader(reader_names, read_uid)


def reader_names(reader: DeskReader | None = None) -> list[str]:
    """The readers attached now ([] without pcscd), for the resident page's hint."""
    try:
        return list((reader or pcsc_reader()).names())
    except Exception:  # the page must show even when PC/SC is broken
        log.exception("listing the desk readers failed")
        return []


def read_desk_card(reader: DeskReader | None = None) -> bytes:
    """The UID of the one e-KTP lying on the desk readers; `DeskReadError` otherwise."""
    from devices.pcsc import CardReadError

    reader = reader or pcsc_reader()
    names = reader.names()
    if not names:
        raise DeskReadError(NO_READER)
    ektp: list[bytes] = []
    other_kind = ""
    failures: list[str] = []
    for name in names:
        try:
            atr, uid = reader.read(name)
        except CardReadError as e:
            if e.reason == "no_service":
                raise DeskReadError(NO_READER) from None
            if e.reason != "no_card":
                failures.append(e.reason)
            continue
        kind = classify_atr(atr)
        if kind is CardKind.EKTP:
            ektp.append(uid)
        else:
            other_kind = other_kind or kind.value
    if len(ektp) > 1:
        raise DeskReadError(SEVERAL)
    if ektp:
        return ektp[0]
    if other_kind:
        raise DeskReadError(NOT_EKTP, other_kind)
    for reason, code in (("random_uid", RANDOM_UID), ("removed", REMOVED)):
        if reason in failures:
            raise DeskReadError(code)
    if failures:
        log.info("desk card unreadable: %s", ", ".join(sorted(set(failures))))
        raise DeskReadError(UNREADABLE)
    raise DeskReadError(NO_CARD)
