"""Recognising e-KTP cards by their contactless ATR, and building realistic ATRs for the rig.

A PC/SC reader (Part 3) synthesises an ATR for a contactless card:

    3B 8n 80 01 <n historical bytes> TCK

Type B cards carry ``50 <ATQB application data 4> <protocol info 3> <MBLI/CID>`` style bytes;
the e-KTP type B family looks like ``3B 8C 80 01 50 <PUPI 4> 30 AA AA 01 77 81 D7 <TCK>``.
Type A e-KTP chips carry ASCII historical bytes such as ``eKTP0D2eKTP`` or ``P308G0P3_10``.

We recognise *families* by pattern, never an exact whitelist: the PUPI (type B) differs per card.
The UID/PUPI is an identifier, not a secret: never log it.
"""

from __future__ import annotations

import re
from functools import reduce

# 3B = direct convention, T0 = 8n (TD1 present, n historical bytes), TD1 = 80 (TD2 present,
# T=0), TD2 = 01 (T=1, nothing more). Every PC/SC Part 3 contactless ATR starts like this.
_TS = 0x3B
_TD1 = 0x80
_TD2 = 0x01

_TYPE_B_MARKER = 0x50
# ATQB protocol info + MBLI/CID bytes shared by the e-KTP type B family (after the PUPI).
_EKTP_B_TAIL = bytes.fromhex("30AAAA017781D7")

# Type A e-KTP historical bytes: "eKTP..." or "P3<digits>G<digit>P3..." chip strings.
_EKTP_A_PATTERNS = (
    re.compile(rb"eKTP"),
    re.compile(rb"P3\d{2}G\dP3"),
)

_TYPE_A_HISTORICAL = b"eKTP0D2eKTP"

# A contactless EMV (bank) card seen through a PC/SC Part 3 reader: ISO 7816-4 compact TLV
# historical bytes (80 31 80 66 B1 84 0C 01 6E 01 83 00 90 00), no e-KTP marker.
_BANK_HISTORICAL = bytes.fromhex("80318066B1840C016E0183009000")

UID_LENGTHS = (4, 7, 10)


def _tck(body: bytes) -> int:
    """TCK = XOR of T0 .. last historical byte (TS excluded)."""
    return reduce(lambda a, b: a ^ b, body, 0)


def _contactless_atr(historical: bytes) -> bytes:
    if not 0 < len(historical) <= 15:
        raise ValueError("a contactless ATR carries 1..15 historical bytes")
    body = bytes([0x80 | len(historical), _TD1, _TD2]) + historical
    return bytes([_TS]) + body + bytes([_tck(body)])


def contactless_historical_bytes(atr: bytes) -> bytes | None:
    """Historical bytes of a well-formed PC/SC Part 3 contactless ATR (TCK checked), else None."""
    atr = bytes(atr)
    if len(atr) < 5 or atr[0] != _TS:
        return None
    t0 = atr[1]
    if t0 & 0xF0 != 0x80 or atr[2] != _TD1 or atr[3] != _TD2:
        return None
    n = t0 & 0x0F
    if len(atr) != 4 + n + 1:
        return None
    if _tck(atr[1:-1]) != atr[-1]:
        return None
    return atr[4:-1]


def is_ektp_type_b_atr(atr: bytes) -> bool:
    hist = contactless_historical_bytes(atr)
    return (
        hist is not None
        and len(hist) == 12
        and hist[0] == _TYPE_B_MARKER
        and hist[5:] == _EKTP_B_TAIL
    )


def is_ektp_type_a_atr(atr: bytes) -> bool:
    hist = contactless_historical_bytes(atr)
    if hist is None:
        return False
    return any(p.search(hist) for p in _EKTP_A_PATTERNS)


def is_ektp_atr(atr: bytes) -> bool:
    """True if ``atr`` belongs to a known e-KTP ATR family (type A or type B)."""
    return is_ektp_type_b_atr(atr) or is_ektp_type_a_atr(atr)


def ektp_type_b_atr(pupi: bytes) -> bytes:
    """An e-KTP type B ATR for the given 4-byte PUPI, with a correct TCK."""
    pupi = bytes(pupi)
    if len(pupi) != 4:
        raise ValueError("a type B PUPI is 4 bytes")
    return _contactless_atr(bytes([_TYPE_B_MARKER]) + pupi + _EKTP_B_TAIL)


def ektp_type_a_atr() -> bytes:
    """An e-KTP type A ATR (historical bytes ``eKTP0D2eKTP``), with a correct TCK."""
    return _contactless_atr(_TYPE_A_HISTORICAL)


def bank_card_atr() -> bytes:
    """A realistic contactless EMV bank-card ATR; ``is_ektp_atr`` refuses it."""
    return _contactless_atr(_BANK_HISTORICAL)


def normalise_uid(raw: bytes) -> bytes:
    """Return the UID as immutable bytes; 4, 7 or 10 bytes (ISO 14443 single/double/triple)."""
    uid = bytes(raw)
    if len(uid) not in UID_LENGTHS:
        raise ValueError(f"a card UID is 4, 7 or 10 bytes, got {len(uid)}")
    return uid
