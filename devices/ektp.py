"""Recognising e-KTP cards by their ATR family, and turning a reader's UID answer into one
canonical card identifier.

A PC/SC reader (Part 3) synthesises an ATR for a contactless card:

    3B 8n 80 01 <n historical bytes> TCK

* ISO 14443 A (ISO-DEP): the historical bytes are those of the card's ATS.
* ISO 14443 B: PC/SC Part 3 says ``<ATQB application data 4> <ATQB protocol info 3> <MBLI|CID>``
  (8 bytes); many readers instead put ``50 <PUPI 4> <application data 4> <protocol info 3>``
  (12 bytes, the ATQB without its CRC). Both layouts are recognised.
* Storage cards (MIFARE Classic/Ultralight, ...): ``80 4F 0C A0 00 00 03 06 <SS> <NN NN> 00..``.

Families are matched by *structure and distinctive bytes*, never by a whitelist of whole ATRs:
the PUPI (type B) and the chip-version characters differ per card. The public reference is the
``smartcard_list.txt`` of pcsc-tools (https://pcsc-tools.apdu.fr/smartcard_list.txt); each rule
below names the entries it covers.

Privacy: the UID/PUPI identifies a person's card, and a type B ATR contains the PUPI. Nothing
here logs; callers must never log a UID, a PUPI or a whole e-KTP ATR.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

# -- ATR structure ---------------------------------------------------------------------------

# 3B = direct convention, T0 = 8n (TD1 present, n historical bytes), TD1 = 80 (TD2 present,
# T=0), TD2 = 01 (T=1, nothing more). Every PC/SC Part 3 contactless ATR starts like this.
_TS = 0x3B
_TD1 = 0x80
_TD2 = 0x01
_TYPE_B_MARKER = 0x50  # first ATQB byte, kept by the 12-byte reader layout


class CardKind(enum.Enum):
    EKTP = "ektp"
    SIM_DRIVING_LICENCE = "sim_driving_licence"  # Indonesian SIM (Surat Izin Mengemudi)
    BANK_OR_PREPAID = "bank_or_prepaid"  # EMV bank cards, e-money/prepaid/transport cards
    CONTACT_CARD = "contact_card"  # inserted in a contact slot, not tapped
    UNKNOWN = "unknown"


def _tck(body: bytes) -> int:
    """TCK = XOR of T0 .. last historical byte (TS excluded)."""
    return reduce(lambda a, b: a ^ b, body, 0)


def contactless_atr(historical: bytes) -> bytes:
    """The PC/SC Part 3 ATR a reader builds around ``historical`` (TCK computed)."""
    historical = bytes(historical)
    if not 0 < len(historical) <= 15:
        raise ValueError("a contactless ATR carries 1..15 historical bytes")
    body = bytes([0x80 | len(historical), _TD1, _TD2]) + historical
    return bytes([_TS]) + body + bytes([_tck(body)])


_contactless_atr = contactless_atr  # old private name


def contactless_historical_bytes(atr: bytes) -> bytes | None:
    """Historical bytes of a well-formed PC/SC Part 3 contactless ATR (TCK checked), else None."""
    try:
        atr = bytes(atr)
    except (TypeError, ValueError):
        return None
    if len(atr) < 5 or atr[0] != _TS:
        return None
    t0 = atr[1]
    if t0 & 0xF0 != 0x80 or atr[2] != _TD1 or atr[3] != _TD2:
        return None
    n = t0 & 0x0F
    if n == 0 or len(atr) != 4 + n + 1:
        return None
    if _tck(atr[1:-1]) != atr[-1]:
        return None
    return atr[4:-1]


def _is_iso7816_atr(atr: bytes) -> bool:
    """True if ``atr`` parses as an ISO 7816-3 ATR: TS, T0, the interface bytes T0/TDi
    announce, the historical bytes, and TCK (checked) when a protocol other than T=0 is
    offered. A missing TCK is tolerated (some contact cards omit it). Used to recognise
    contact cards; PC/SC contactless-shaped ATRs (3B 8n 80 01) never count."""
    if len(atr) < 2 or atr[0] not in (0x3B, 0x3F):
        return False
    if len(atr) >= 4 and atr[0] == _TS and atr[1] & 0xF0 == 0x80 and atr[2:4] == b"\x80\x01":
        return False
    i, y, k = 2, atr[1] >> 4, atr[1] & 0x0F
    protocols: set[int] = set()
    while True:
        i += bin(y).count("1")
        if i > len(atr):
            return False
        if not y & 0x8:
            break
        td = atr[i - 1]
        protocols.add(td & 0x0F)
        y = td >> 4
    end = i + k
    if len(atr) == end:
        return True
    return bool(protocols - {0}) and len(atr) == end + 1 and _tck(atr[1:end]) == atr[end]


# -- type B fields -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeBFields:
    pupi: bytes | None  # only in the 12-byte reader layout
    app_data: bytes  # AFI, CRC_B(AID) 2 bytes, number of applications
    protocol_info: bytes  # bit rates, max frame size | protocol type, FWI | ADC | FO


def type_b_fields(historical: bytes) -> TypeBFields | None:
    """The ATQB fields a reader put in the historical bytes, in either layout; else None."""
    if len(historical) == 12 and historical[0] == _TYPE_B_MARKER:
        return TypeBFields(historical[1:5], historical[5:9], historical[9:12])
    if len(historical) == 8:
        return TypeBFields(None, historical[0:4], historical[4:7])
    return None


# -- families -----------------------------------------------------------------------------------

_STORAGE_CARD_PREFIX = bytes.fromhex("804F0CA000000306")


@dataclass(frozen=True)
class AtrFamily:
    """One ATR family: ``matches(historical_bytes)`` on a well-formed contactless ATR."""

    name: str
    kind: CardKind
    matches: Callable[[bytes], bool]
    sources: str  # which public list entries it covers (for maintainers)


def _b(app_data: Callable[[bytes], bool], iso_dep: bool = True) -> Callable[[bytes], bool]:
    def match(hist: bytes) -> bool:
        f = type_b_fields(hist)
        if f is None or not app_data(f.app_data):
            return False
        # protocol type bit (ISO 14443-4 compliant) in the second protocol-info byte
        return not iso_dep or bool(f.protocol_info[1] & 0x01)

    return match


def _ascii(pattern: bytes) -> Callable[[bytes], bool]:
    rx = re.compile(pattern)
    return lambda hist: rx.fullmatch(hist) is not None


ATR_FAMILIES: tuple[AtrFamily, ...] = (
    # e-KTP type B: AFI 30 (identification), CRC_B(AID) AA AA, one application. Bit rates,
    # frame size and FWI (protocol info, 77 81 D7 on known cards) may differ per chip version.
    # Covers "Indonesian ektp" 3B 8C 80 01 50 53 81 57 36 30 AA AA 01 77 81 D7 FE and
    # "Indonesia ektp" 3B 8C 80 01 50 5C F5 A9 45 30 AA AA 01 77 81 D7 08 (12-byte layout), and
    # the same card behind a reader using the PC/SC Part 3 8-byte layout
    # (3B 88 80 01 30 AA AA 01 77 81 D7 <MBLI|CID> TCK; compare the Italian CNS, listed in both
    # layouts as ... 30 AB AB 01 77 81 B7 - a look-alike we refuse: its CRC_B(AID) is AB AB).
    AtrFamily(
        "e-KTP type B",
        CardKind.EKTP,
        _b(lambda ad: ad == b"\x30\xaa\xaa\x01"),
        "Indonesian ektp 3B8C8001505381..., Indonesia ektp 3B8C8001505CF5...",
    ),
    # e-KTP type A, NXP smart eID: ATS historical bytes "eKTP" + 3-char chip version + "eKTP".
    # Covers "NXP smart eID - Indonesia ektp" 3B 8B 80 01 65 4B 54 50 30 44 32 65 4B 54 50 4C.
    AtrFamily(
        "e-KTP type A (NXP eKTP<ver>eKTP)",
        CardKind.EKTP,
        _ascii(rb"eKTP[0-9A-Z]{3}eKTP"),
        "NXP smart eID - Indonesia ektp 3B8B8001654B5450...",
    ),
    # e-KTP type A, "P3<nn>G<n>P3_<nn>" chip string.
    # Covers "Indonesian ektp" 3B 8B 80 01 50 33 30 38 47 30 50 33 5F 31 30 2B ("P308G0P3_10").
    AtrFamily(
        "e-KTP type A (P3nnGnP3_nn)",
        CardKind.EKTP,
        _ascii(rb"P3[0-9]{2}G[0-9]P3_[0-9A-Z]{2}"),
        "Indonesian ektp 3B8B80015033303847305033...",
    ),
    # e-KTP type A, "<6 digits>_<3 digits>" chip string. Covers "Electronic Citizen Identity
    # Card (e-ID Card)", listed with https://www.e-ktp.com/:
    # 3B 8A 80 01 30 37 39 31 34 31 5F 30 30 31 6F ("079141_001"). Lowest confidence: the entry
    # does not say "ektp" in its name.
    AtrFamily(
        "e-KTP type A (nnnnnn_nnn)",
        CardKind.EKTP,
        _ascii(rb"[0-9]{6}_[0-9]{3}"),
        "Electronic Citizen Identity Card (e-ktp.com) 3B8A8001303739313431...",
    ),
    # Indonesian electronic driving licence (SIM), type B. Its ATRs look like the e-KTP's
    # (same 3B 8C 80 01 50 <PUPI> layout) but with other application data:
    # "31 01 06 0x" ... 77 81 77 (Driver License of Indonesia - SIM 3B8C800150370B16BD...,
    # Indonesian Driver License 3B8C80015043E0F5F4...), "23 18 01 00" ... 77 81 97
    # (Indonesian Driver License 3B8C8001502C8D214B..., ...5046E570EC..., ...507AA44007...; the
    # same bytes are listed once as "mifare (Transport)"), and the 8-byte layout
    # "Indonesian Electronic Driving License (e-SIM)" 3B 88 80 01 31 01 09 00 00 00 00 00 30.
    AtrFamily(
        "Indonesian SIM (driving licence) type B",
        CardKind.SIM_DRIVING_LICENCE,
        _b(lambda ad: ad[:3] in (b"\x31\x01\x06", b"\x31\x01\x09", b"\x23\x18\x01"), False),
        "Indonesian Driver License / e-SIM entries 3B8C800150..3101060x, ..231801.., 3B88800131",
    ),
    # Gemalto EMV (bank/prepaid) ISO-DEP cards: compact-TLV "80 31 80 66 B0|B1 ...". Covers
    # "BCA Flazz Card (Bank)" 3B 8E 80 01 80 31 80 66 B0 07 03 00 AC 01 83 00 90 00 52 and the
    # Barclaycard / Lloyds / MultiApp entries 3B 8E 80 01 80 31 80 66 B1 84 0C 01 6E 01 83 ...
    AtrFamily(
        "EMV / prepaid, Gemalto compact-TLV",
        CardKind.BANK_OR_PREPAID,
        lambda h: h[:4] == b"\x80\x31\x80\x66" and len(h) > 4 and h[4] & 0xF0 == 0xB0,
        "BCA Flazz 3B8E8001803180 66B007..., Barclaycard/Lloyds 3B8E800180318066B184...",
    ),
    # Visa payWave type B (12-byte layout): application data 00 00 00 00, protocol info
    # 80 81 71. Covers "Visa Classic" 3B8C800150 00CA464D..., "VISA card from bank LA BANQUE
    # POSTALE", "Hello bank! VISA", "SumUp Apple Pay Virtual Card".
    AtrFamily(
        "Visa payWave type B",
        CardKind.BANK_OR_PREPAID,
        lambda h: (f := type_b_fields(h)) is not None
        and f.pupi is not None
        and f.app_data == b"\x00\x00\x00\x00"
        and f.protocol_info == b"\x80\x81\x71",
        "Visa Classic / La Banque Postale / Hello bank! 3B8C800150....00000000808171",
    ),
    # PC/SC Part 3 storage cards (MIFARE Classic/Ultralight, ...): cannot hold an e-KTP; in
    # practice stored-value (e-money/transport) cards. "... (as per PCSC std part3)" entries
    # 3B 8F 80 01 80 4F 0C A0 00 00 03 06 .. 00 NN 00 00 00 00 ..
    AtrFamily(
        "PC/SC storage card (MIFARE Classic/Ultralight, ...)",
        CardKind.BANK_OR_PREPAID,
        lambda h: h.startswith(_STORAGE_CARD_PREFIX),
        "3B8F8001804F0CA0000003 06 .. (as per PCSC std part3)",
    ),
)


def atr_family(atr: bytes) -> AtrFamily | None:
    """The family a well-formed contactless ATR belongs to, if any."""
    hist = contactless_historical_bytes(atr)
    if hist is None:
        return None
    for family in ATR_FAMILIES:
        if family.matches(hist):
            return family
    return None


def classify_atr(atr: bytes) -> CardKind:
    """What kind of card this ATR belongs to. Never raises."""
    family = atr_family(atr)
    if family is not None:
        return family.kind
    try:
        raw = bytes(atr)
    except (TypeError, ValueError):
        return CardKind.UNKNOWN
    if contactless_historical_bytes(raw) is None and _is_iso7816_atr(raw):
        return CardKind.CONTACT_CARD
    return CardKind.UNKNOWN


def is_ektp_atr(atr: bytes) -> bool:
    """True if ``atr`` belongs to a known e-KTP ATR family (type A or type B)."""
    return classify_atr(atr) is CardKind.EKTP


def is_type_b_atr(atr: bytes) -> bool:
    """True for a contactless ATR in the 12-byte type B layout (``50 <PUPI> ...``)."""
    hist = contactless_historical_bytes(atr)
    return hist is not None and len(hist) == 12 and hist[0] == _TYPE_B_MARKER


def is_ektp_type_b_atr(atr: bytes) -> bool:
    f = atr_family(atr)
    return f is not None and f is ATR_FAMILIES[0]


def is_ektp_type_a_atr(atr: bytes) -> bool:
    f = atr_family(atr)
    return f is not None and f.kind is CardKind.EKTP and f is not ATR_FAMILIES[0]


# -- ATRs for the virtual rig and tests --------------------------------------------------------

_EKTP_B_APP_DATA = bytes.fromhex("30AAAA01")
_EKTP_B_PROTOCOL_INFO = bytes.fromhex("7781D7")
_TYPE_A_HISTORICAL = b"eKTP0D2eKTP"
# A contactless EMV (bank) card seen through a PC/SC Part 3 reader: ISO 7816-4 compact TLV
# historical bytes (80 31 80 66 B1 84 0C 01 6E 01 83 00 90 00), no e-KTP marker.
_BANK_HISTORICAL = bytes.fromhex("80318066B1840C016E0183009000")


def ektp_type_b_atr(
    pupi: bytes, protocol_info: bytes = _EKTP_B_PROTOCOL_INFO, pcsc_layout: bool = False
) -> bytes:
    """An e-KTP type B ATR for ``pupi`` (4 bytes), with a correct TCK.

    ``pcsc_layout=True`` gives the PC/SC Part 3 8-byte layout (no PUPI in the ATR)."""
    pupi, protocol_info = bytes(pupi), bytes(protocol_info)
    if len(pupi) != 4:
        raise ValueError("a type B PUPI is 4 bytes")
    if len(protocol_info) != 3:
        raise ValueError("ATQB protocol info is 3 bytes")
    if pcsc_layout:
        return contactless_atr(_EKTP_B_APP_DATA + protocol_info + b"\x00")
    return contactless_atr(bytes([_TYPE_B_MARKER]) + pupi + _EKTP_B_APP_DATA + protocol_info)


def ektp_type_a_atr(historical: bytes = _TYPE_A_HISTORICAL) -> bytes:
    """An e-KTP type A ATR (default historical bytes ``eKTP0D2eKTP``), with a correct TCK."""
    return contactless_atr(historical)


def bank_card_atr() -> bytes:
    """A realistic contactless EMV bank-card ATR; ``is_ektp_atr`` refuses it."""
    return contactless_atr(_BANK_HISTORICAL)


# -- UID ---------------------------------------------------------------------------------------

UID_LENGTHS = (4, 7, 10)
MAX_UID_RESPONSE = 2 + 16  # SW + a UID with a length prefix or padding; longer is garbage

UID_ERROR_REASONS = ("bad_length", "invalid", "random_uid", "bad_response", "no_uid")


class UidError(ValueError):
    """The reader's answer does not give a stable card identifier.

    ``reason``: "bad_length" (not 4/7/10 bytes after normalising), "invalid" (all 00/FF,
    cascade tag), "random_uid" (ISO 14443-3 random ID: changes on every tap), "bad_response"
    (short, oversized or malformed response APDU), "no_uid" (the reader/card refused
    GET DATA: status word in ``sw``)."""

    def __init__(self, reason: str, sw: bytes | None = None) -> None:
        detail = {
            "bad_length": "a card UID is 4, 7 or 10 bytes",
            "invalid": "not a valid ISO 14443 UID",
            "random_uid": "a random UID (first byte 08) is not a stable card identity",
            "bad_response": "malformed GET DATA response",
            "no_uid": "the reader did not return a UID",
        }.get(reason, reason)
        if sw is not None:
            detail += f" (SW {sw.hex().upper()})"
        super().__init__(detail)  # never the UID itself
        self.reason = reason
        self.sw = sw


def normalise_uid(
    raw: bytes, atr: bytes | None = None, *, lsb_first: bool = False, allow_random: bool = False
) -> bytes:
    """The canonical card identifier from the data of a ``FF CA 00 00 00`` answer.

    Canonical form: ISO 14443-3 order (UID0 first; type B: the PUPI as sent in ATQB), no
    length prefix, no padding, 4, 7 or 10 bytes. Handles readers that prepend a length byte,
    pad a type B PUPI with zeros, or (``lsb_first=True``, a per-reader setting: a 4-byte
    single-size UID cannot reveal its order) return the UID reversed. With a 12-byte type B
    ATR the PUPI it carries settles the byte order. Raises :class:`UidError`; random UIDs
    (4 bytes starting 08, type A) are refused unless ``allow_random``. Hash (HMAC) the result,
    never the raw answer, and never log either.
    """
    try:
        uid = bytes(raw)
    except (TypeError, ValueError):
        raise UidError("bad_response") from None
    type_b = False
    atr_pupi = None
    if atr is not None:
        hist = contactless_historical_bytes(atr)
        if hist is not None and len(hist) == 12 and hist[0] == _TYPE_B_MARKER:
            type_b, atr_pupi = True, hist[1:5]
        elif hist is not None and is_ektp_atr(atr) and len(hist) == 8:
            type_b = True
    if len(uid) in (5, 8, 11) and uid[0] == len(uid) - 1:
        uid = uid[1:]  # length-prefixed
    if type_b and len(uid) > 4 and not any(uid[4:]):
        uid = uid[:4]  # a PUPI padded with zeros
    if len(uid) not in UID_LENGTHS:
        raise UidError("bad_length")
    if lsb_first:
        uid = uid[::-1]
    if atr_pupi is not None and uid != atr_pupi and uid[::-1] == atr_pupi:
        uid = atr_pupi  # the ATR keeps the PUPI in transmission order
    if not any(uid) or uid == b"\xff" * len(uid):
        raise UidError("invalid")
    if not type_b:
        if uid[0] == 0x88:  # the cascade tag is never UID0
            raise UidError("invalid")
        if len(uid) == 4 and uid[0] == 0x08 and not allow_random:
            raise UidError("random_uid")
    return uid


def get_uid_apdu(le: int = 0) -> bytes:
    """PC/SC Part 3 GET DATA (UID): ``FF CA 00 00 Le``."""
    return bytes([0xFF, 0xCA, 0x00, 0x00, le & 0xFF])


@dataclass(frozen=True)
class RetryWithLe:
    le: int


def parse_uid_response(resp: bytes, le: int = 0) -> bytes | RetryWithLe:
    """One GET DATA answer: the UID data bytes, or :class:`RetryWithLe`. Raises UidError.

    ``6C xx``: repeat with Le = xx. ``67 00`` (wrong length): some readers need Le = 07/04.
    ``62 82`` with data: end of data reached before Le bytes: the data is the UID."""
    try:
        resp = bytes(resp)
    except (TypeError, ValueError):
        raise UidError("bad_response") from None
    if len(resp) < 2 or len(resp) > MAX_UID_RESPONSE:
        raise UidError("bad_response")
    data, sw = resp[:-2], resp[-2:]
    sw1, sw2 = sw
    if sw1 == 0x6C:
        if data or sw2 == 0 or sw2 == le or sw2 > MAX_UID_RESPONSE - 2:
            raise UidError("bad_response", sw)
        return RetryWithLe(sw2)
    if sw == b"\x67\x00" and not data:
        nxt = {0: 7, 7: 4, 4: 10}.get(le)
        if nxt is None:
            raise UidError("no_uid", sw)
        return RetryWithLe(nxt)
    if sw == b"\x90\x00" or (sw == b"\x62\x82" and data):
        if not data:
            raise UidError("bad_response", sw)
        return data
    raise UidError("no_uid", sw)


MAX_UID_APDUS = 4


def read_uid_with(
    transmit: Callable[[bytes], bytes],
    atr: bytes | None = None,
    *,
    lsb_first: bool = False,
    allow_random: bool = False,
) -> bytes:
    """Run the GET DATA exchange through ``transmit`` (command APDU -> response APDU) and
    return the normalised UID. At most :data:`MAX_UID_APDUS` APDUs. Raises UidError (and
    whatever ``transmit`` raises, e.g. a card that left the field)."""
    le = 0
    for _ in range(MAX_UID_APDUS):
        result = parse_uid_response(transmit(get_uid_apdu(le)), le)
        if isinstance(result, RetryWithLe):
            le = result.le
            continue
        return normalise_uid(result, atr, lsb_first=lsb_first, allow_random=allow_random)
    raise UidError("bad_response")
