"""The chip biodata seam: a licensed, SAM-equipped reader returns the biodata on the e-KTP chip.

The kiosk identifies a villager either by **registry lookup by card UID** (the default; see
``devices/pcsc.py`` and ``forms/identity.py``) or by **chip biodata through an adapter**
(``[card] identity = "chip"``). An adapter is any object with the :class:`BiodataAdapter`
method; a vendor wraps its SDK in one. The contract is in :class:`BiodataAdapter` and in
``devices/chip_adapter_contract.md`` (merged into ``devices/README.md``).

:class:`ReferenceAdapter` is the adapter our tests run against a virtual card plus a virtual SAM
on the real pcscd. It speaks plain ISO/IEC 7816-4 (SELECT, chunked READ BINARY) and parses
BER-TLV with the tag map in :data:`TAG_MAP`. **It does not do Dukcapil's secure messaging**: a
real e-KTP only releases DF 7F0A / EF 6FF1 through secure messaging wrapped by a Dukcapil SAM
(credentials issued per institution under a PKS), so against a real card this adapter gets a
security status error (69 82) and reports ``"error"``. It has never been run on a real card.

Privacy: biodata, UIDs and NIKs are never logged, never put in exception messages, and
:class:`ChipBiodata` hides its values in ``repr``. Logs carry only reader names, reasons, status
words and PC/SC result codes.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import Protocol, runtime_checkable

from smartcard import scard

from devices.tlv import Tlv, TlvError, parse_one, read_header

log = logging.getLogger(__name__)

IDENTITY_REGISTRY = "registry"  # default: look the card UID up in the village registry
IDENTITY_CHIP = "chip"  # read the biodata from the chip through an adapter
IDENTITY_MODES = (IDENTITY_REGISTRY, IDENTITY_CHIP)

REASONS = frozenset({"removed", "no_sam", "not_ektp_app", "bad_data", "error"})

LIFETIME = "SEUMUR HIDUP"  # "valid for life", as printed on e-KTPs issued since 2016
SEXES = frozenset({"L", "P"})
BLOOD_TYPES = frozenset(
    {"A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "-"}
)


class ChipReadError(Exception):
    """Reading biodata failed. ``reason`` is one of :data:`REASONS`:

    - ``"removed"``: the card left the reader (or never was there) before the read finished;
    - ``"no_sam"``: no usable SAM (no SAM slot configured, empty slot, SAM refused);
    - ``"not_ektp_app"``: the card has no e-KTP biodata application/file (another card);
    - ``"bad_data"``: the card answered, but the bytes are malformed (TLV, fields, lengths);
    - ``"error"``: anything else (PC/SC service, unexpected status word, timeout, security).

    ``detail`` is for logs and must never contain personal data.
    """

    def __init__(
        self,
        reason: str,
        detail: str = "",
        *,
        sw: bytes | None = None,
        hresult: int | None = None,
    ) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown ChipReadError reason {reason!r}")
        text = reason
        if detail:
            text += f": {detail}"
        if sw is not None:
            text += f" (SW {sw.hex().upper()})"
        if hresult is not None:
            text += f" (0x{hresult & 0xFFFFFFFF:08X})"
        super().__init__(text)
        self.reason = reason
        self.detail = detail
        self.sw = sw
        self.hresult = hresult


# -- the data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChipBiodata:
    """The biodata printed on, and stored in, an e-KTP. Text as on the card (upper case)."""

    nik: str  # 16 digits
    name: str
    birth_place: str
    birth_date: date
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    blood_type: str  # one of BLOOD_TYPES; "-" when not known
    address: str  # street / kampung line
    rt: str  # 3 digits, zero-padded
    rw: str  # 3 digits, zero-padded
    village: str  # kelurahan / desa
    district: str  # kecamatan
    regency: str  # kabupaten / kota
    province: str
    religion: str
    marital_status: str
    occupation: str
    citizenship: str  # "WNI" or the country
    valid_until: str  # ISO date "YYYY-MM-DD" or "SEUMUR HIDUP"

    def __repr__(self) -> str:  # personal data: never in logs or tracebacks
        return f"ChipBiodata(<{len(fields(self))} fields hidden>)"

    __str__ = __repr__


# -- tag map -------------------------------------------------------------------------------
#
# OUR OWN encoding of the biodata file (the reference adapter and the virtual chip share it).
# It is NOT Dukcapil's layout, which is not public; a vendor adapter maps its SDK's fields.
#
#   7F71  biodata template (constructed, the whole EF content)
#     5F00  format version, 1 byte = 01
#     5F01  NIK, 16 ASCII digits
#     5F02  name
#     5F03  place of birth
#     5F04  date of birth, ASCII YYYYMMDD
#     5F05  sex, "L" or "P"
#     5F06  blood type ("A", "B", "AB", "O", optionally "+"/"-", or "-")
#     7F72  address template (constructed)
#       5F07  address line (street / kampung)
#       5F08  RT, 1-3 ASCII digits
#       5F09  RW, 1-3 ASCII digits
#       5F0A  village (kelurahan/desa)
#       5F0B  district (kecamatan)
#       5F0C  regency/city (kabupaten/kota)
#       5F0D  province
#     5F0E  religion
#     5F0F  marital status
#     5F10  occupation
#     5F11  citizenship
#     5F12  valid until, ASCII YYYYMMDD or "SEUMUR HIDUP"
#
# Text is UTF-8 (in practice upper-case ASCII), at most MAX_TEXT bytes, no control characters;
# trailing spaces are dropped. Every field is mandatory and appears exactly once; unknown tags
# are ignored (a later format may add fields). Anything else is "bad_data".

TAG_BIODATA = 0x7F71
TAG_ADDRESS = 0x7F72
TAG_VERSION = 0x5F00
FORMAT_VERSION = 1
MAX_TEXT = 128

TAG_MAP: dict[str, int] = {
    "nik": 0x5F01,
    "name": 0x5F02,
    "birth_place": 0x5F03,
    "birth_date": 0x5F04,
    "sex": 0x5F05,
    "blood_type": 0x5F06,
    "address": 0x5F07,
    "rt": 0x5F08,
    "rw": 0x5F09,
    "village": 0x5F0A,
    "district": 0x5F0B,
    "regency": 0x5F0C,
    "province": 0x5F0D,
    "religion": 0x5F0E,
    "marital_status": 0x5F0F,
    "occupation": 0x5F10,
    "citizenship": 0x5F11,
    "valid_until": 0x5F12,
}
ADDRESS_FIELDS = ("address", "rt", "rw", "village", "district", "regency", "province")


def _bad(detail: str) -> ChipReadError:
    return ChipReadError("bad_data", detail)


def _text(field: str, raw: bytes) -> str:
    if len(raw) > MAX_TEXT:
        raise _bad(f"{field}: longer than {MAX_TEXT} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(f"{field}: not UTF-8") from None
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise _bad(f"{field}: control characters")
    text = text.rstrip(" ")
    if not text.strip():
        raise _bad(f"{field}: empty")
    return text


def _digits(field: str, raw: bytes, sizes: tuple[int, ...]) -> str:
    if len(raw) not in sizes or not all(0x30 <= b <= 0x39 for b in raw):
        raise _bad(f"{field}: expected {'/'.join(map(str, sizes))} ASCII digits")
    return raw.decode("ascii")


def _ymd(field: str, raw: bytes) -> date:
    digits = _digits(field, raw, (8,))
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _bad(f"{field}: not a calendar date") from None


def _fields_of(template: Tlv, names: tuple[str, ...], where: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for name in names:
        found = template.find(TAG_MAP[name])
        if not found:
            raise _bad(f"{where}: {name} missing")
        if len(found) > 1:
            raise _bad(f"{where}: {name} repeated")
        if found[0].constructed:
            raise _bad(f"{where}: {name} is constructed")
        out[name] = found[0].value
    return out


def decode_biodata(data: bytes) -> ChipBiodata:
    """The biodata in ``data`` (exactly one biodata template, :data:`TAG_MAP`).

    Raises ``ChipReadError("bad_data")`` for anything else; never another exception.
    """
    try:
        top = parse_one(data, max_size=MAX_FILE_SIZE, max_depth=4, max_objects=256)
    except TlvError as exc:
        raise _bad(f"TLV: {exc}") from None
    if top.tag != TAG_BIODATA or not top.constructed:
        raise _bad(f"expected template 7F71, found tag {top.tag:X}")
    versions = top.find(TAG_VERSION)
    if len(versions) != 1 or versions[0].value != bytes([FORMAT_VERSION]):
        raise _bad("unsupported or missing format version")
    addresses = top.find(TAG_ADDRESS)
    if len(addresses) != 1 or not addresses[0].constructed:
        raise _bad("address template missing or repeated")
    personal = tuple(n for n in TAG_MAP if n not in ADDRESS_FIELDS)
    raw = _fields_of(top, personal, "biodata")
    raw.update(_fields_of(addresses[0], ADDRESS_FIELDS, "address"))

    values: dict[str, object] = {}
    for name, value in raw.items():
        if name == "nik":
            values[name] = _digits(name, value, (16,))
        elif name == "birth_date":
            values[name] = _ymd(name, value)
        elif name in ("rt", "rw"):
            values[name] = _digits(name, value, (1, 2, 3)).zfill(3)
        elif name == "valid_until":
            if value == LIFETIME.encode("ascii"):
                values[name] = LIFETIME
            else:
                values[name] = _ymd(name, value).isoformat()
        else:
            values[name] = _text(name, value)
    if values["sex"] not in SEXES:
        raise _bad("sex: expected L or P")
    if values["blood_type"] not in BLOOD_TYPES:
        raise _bad("blood_type: unknown")
    return ChipBiodata(**values)  # type: ignore[arg-type]


def _ymd_bytes(d: date) -> bytes:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}".encode("ascii")  # strftime drops year zeros


def encode_biodata(bio: ChipBiodata) -> bytes:
    """The EF content for ``bio`` in our tag map (the virtual chip and tests use it)."""
    from devices.tlv import encode  # encoder only needed on the card side

    def raw(name: str) -> bytes:
        value = getattr(bio, name)
        if name == "birth_date":
            return _ymd_bytes(value)
        if name == "valid_until" and value != LIFETIME:
            return _ymd_bytes(date.fromisoformat(value))
        return str(value).encode("utf-8")

    def prim(name: str) -> Tlv:
        return Tlv(TAG_MAP[name], raw(name))

    personal = [prim(n) for n in TAG_MAP if n not in ADDRESS_FIELDS]
    address = Tlv(TAG_ADDRESS, b"", tuple(prim(n) for n in ADDRESS_FIELDS))
    head = [Tlv(TAG_VERSION, bytes([FORMAT_VERSION]))] + personal[:6]
    return encode(TAG_BIODATA, head + [address] + personal[6:])


# -- ISO 7816-4 file reading (pure: fed by a transmit function) ------------------------------

SW_OK = b"\x90\x00"
SW_EOF = b"\x62\x82"  # end of file reached before reading Le bytes
SW_WRONG_P1P2 = b"\x6b\x00"  # here: offset outside the EF
MAX_FILE_SIZE = 4096  # biodata is ~0.3-0.7 KB; refuse to read more
MAX_OFFSET = 0x7FFF  # READ BINARY with a 15-bit offset in P1-P2 (P1 bit 8 = 0)

Transmit = Callable[[bytes], bytes]

_NOT_FOUND_SW = frozenset(
    {
        b"\x6a\x82",  # file or application not found
        b"\x6a\x86",  # incorrect P1-P2 (card does not know this kind of SELECT)
        b"\x6a\x81",  # function not supported
        b"\x6d\x00",  # INS not supported (not an ISO 7816-4 file system)
        b"\x6e\x00",  # CLA not supported
        b"\x69\x86",  # command not allowed (no current EF)
    }
)
_SECURITY_SW = frozenset({b"\x69\x82", b"\x69\x85", b"\x69\x87", b"\x69\x88", b"\x68\x82"})


def _split(resp: bytes) -> tuple[bytes, bytes]:
    if len(resp) < 2:
        raise ChipReadError("bad_data", f"response of {len(resp)} bytes has no status word")
    return resp[:-2], resp[-2:]


def select_apdu(fid_or_aid: bytes, *, ef: bool = False) -> bytes:
    """SELECT without FCI (P2 = 0C). 2 bytes: by file identifier (P1 00 for a DF, 02 for an
    EF under the current DF); 5..16 bytes: by DF name / AID (P1 04)."""
    ident = bytes(fid_or_aid)
    if len(ident) == 2:
        p1 = 0x02 if ef else 0x00
    elif 5 <= len(ident) <= 16 and not ef:
        p1 = 0x04
    else:
        raise ValueError("a file identifier is 2 bytes, an AID 5..16 bytes")
    return bytes([0x00, 0xA4, p1, 0x0C, len(ident)]) + ident


def select(transmit: Transmit, fid_or_aid: bytes, *, ef: bool = False) -> None:
    """SELECT; ``not_ektp_app`` if the card has no such file, ``error`` for other SWs."""
    _data, sw = _split(transmit(select_apdu(fid_or_aid, ef=ef)))
    if sw == SW_OK or sw[0] == 0x61:  # 61xx: done, response data available (we asked none)
        return
    what = "EF" if ef else "DF"
    if sw in _NOT_FOUND_SW:
        raise ChipReadError("not_ektp_app", f"SELECT {what} {fid_or_aid.hex().upper()}", sw=sw)
    raise ChipReadError("error", f"SELECT {what}", sw=sw)


def read_binary_apdu(offset: int, le: int) -> bytes:
    if not 0 <= offset <= MAX_OFFSET:
        raise ValueError("READ BINARY offset out of range")
    if not 1 <= le <= 256:
        raise ValueError("short Le is 1..256")
    return bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, le & 0xFF])


def read_tlv_file(transmit: Transmit, *, chunk: int = 0xDF, max_size: int = MAX_FILE_SIZE) -> bytes:
    """Read the current EF with chunked READ BINARY and return exactly its first BER-TLV.

    The first chunk's TLV header gives the total length, so no more bytes (and APDUs) are
    asked for than the data object needs; padding after it is never read. Per ISO 7816-4:

    - ``90 00`` with at most Le bytes: data (fewer than asked is accepted and the next read
      starts where the data ended; no data at all is refused, it would never progress);
    - ``62 82``: end of file reached before Le bytes (the data returned is the file's tail);
    - ``6C xx``: wrong Le, exactly ``xx`` bytes are available: asked again once with Le = xx
      (and reading goes on from there: a card may cap its responses this way);
    - ``6B 00``: offset beyond the EF, i.e. the file ended exactly at the previous chunk
      (at offset 0: an empty file, ``bad_data``).

    A file that ends before the TLV's announced length, a length beyond ``max_size``, a
    malformed header, or more bytes than asked for: ``bad_data``. Other status words:
    ``error`` (``not_ektp_app`` for "no current EF / not found"). Never another exception.
    """
    if not 1 <= chunk <= 256:
        raise ValueError("chunk must be 1..256 bytes")
    if not 1 <= max_size <= MAX_OFFSET + 1:
        raise ValueError("max_size must be 1..32768")
    buf = bytearray()
    total: int | None = None  # header + value length, once the header is known
    eof = False
    while True:
        if total is None:
            try:
                header = read_header(bytes(buf))
            except TlvError as exc:
                raise ChipReadError("bad_data", f"TLV header: {exc}") from None
            if header is not None:
                total = header[1] + header[2]
                if total > max_size:
                    raise ChipReadError("bad_data", f"TLV announces {total} bytes (> {max_size})")
        if total is not None and len(buf) >= total:
            return bytes(buf[:total])
        if eof:
            raise ChipReadError("bad_data", "file ends before the TLV's announced length")
        offset = len(buf)
        want = chunk if total is None else min(chunk, total - offset)
        if offset + want > max_size:
            want = max_size - offset
            if want <= 0:
                raise ChipReadError("bad_data", f"file larger than {max_size} bytes")
        data, sw = _split(transmit(read_binary_apdu(offset, want)))
        if sw[0] == 0x6C:  # wrong Le: the card tells the exact number available here
            exact = sw[1] or 256
            if exact >= want:
                raise ChipReadError("bad_data", "6Cxx does not shrink Le", sw=sw)
            want = exact
            data, sw = _split(transmit(read_binary_apdu(offset, want)))
        if len(data) > want:
            raise ChipReadError("bad_data", f"{len(data)} bytes for Le {want}", sw=sw)
        if sw == SW_OK:
            if not data:
                raise ChipReadError("bad_data", "READ BINARY returned no data")
        elif sw == SW_EOF:
            eof = True
        elif sw == SW_WRONG_P1P2:
            if offset == 0 or data:
                raise ChipReadError("bad_data", "empty file or offset refused", sw=sw)
            eof = True  # the previous chunk ended exactly at the end of the file
        elif sw in _NOT_FOUND_SW:
            raise ChipReadError("not_ektp_app", "READ BINARY", sw=sw)
        elif sw in _SECURITY_SW:
            raise ChipReadError("error", "READ BINARY: security status (secure messaging)", sw=sw)
        else:
            raise ChipReadError("error", "READ BINARY", sw=sw)
        buf += data


# -- the adapter seam ----------------------------------------------------------------------


@runtime_checkable
class BiodataAdapter(Protocol):
    """Reads the biodata of the card lying on a licensed, SAM-equipped reader.

    Contract (what a vendor adapter must provide; see devices/chip_adapter_contract.md):

    - ``read_biodata(card_reader, sam_reader)``: ``card_reader`` is the PC/SC name of the slot
      where the card was presented, ``sam_reader`` the PC/SC name of the SAM slot (``None`` if
      none is configured). Returns a complete, validated :class:`ChipBiodata` or raises
      :class:`ChipReadError` with a reason in :data:`REASONS`, and **no other exception**.
    - It is called on a worker thread (never the Qt main thread), one call at a time per
      adapter instance; it may block, but must return or raise within 10 s (``"error"``).
    - It opens its own PC/SC context/connections and releases them before returning, success
      or failure: it **must not hold the card connection** (the kiosk's monitor and the next
      villager need the reader), and must leave the card (SCARD_LEAVE_CARD), not eject it.
    - No caching: every call reads the chip afresh; nothing personal is kept in the adapter
      after the call returns (no fields, files, globals).
    - No logging of biodata, NIK, name, UID/PUPI, ATR of a type B card, APDU data or SAM
      credentials; log only reasons, status words and PC/SC result codes.
    - A card removed at any point of the read is ``"removed"``, never a hang or another reason.
    - The adapter itself verifies whatever its SDK can (secure messaging, signatures); the kiosk
      trusts a returned :class:`ChipBiodata` as the chip's content.
    - Constructible without arguments (``[card] adapter = "module:Class"``); settings such as
      SAM credentials come from the vendor's own configuration, never from this repository.
    """

    def read_biodata(self, card_reader: str, sam_reader: str | None) -> ChipBiodata: ...


def load_adapter(spec: str) -> BiodataAdapter:
    """Instantiate the adapter named ``"package.module:ClassName"`` (from kiosk configuration)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"adapter must be 'module:Class', got {spec!r}")
    module = importlib.import_module(module_name)
    factory = getattr(module, attr)
    adapter = factory()
    if not isinstance(adapter, BiodataAdapter):
        raise TypeError(f"{spec} has no read_biodata(card_reader, sam_reader)")
    return adapter


def find_reader(substring: str, readers: list[str]) -> str | None:
    """The first reader whose name contains ``substring`` (case-insensitive), else ``None``."""
    needle = substring.lower()
    if not needle:
        return None
    return next((r for r in readers if needle in r.lower()), None)


# -- the reference adapter (pyscard) ------------------------------------------------------

_S_SUCCESS = 0
_E_NO_SMARTCARD = 0x8010000C
_E_TIMEOUT = 0x8010000A
_W_UNRESPONSIVE = 0x80100066
_W_UNPOWERED = 0x80100067
_W_RESET = 0x80100068
_W_REMOVED = 0x80100069
_E_UNKNOWN_READER = 0x80100009
_E_READER_UNAVAILABLE = 0x80100017
_CARD_GONE = frozenset({_E_NO_SMARTCARD, _W_REMOVED, _W_RESET})
_RETRY_CONNECT = frozenset({_W_UNPOWERED, _W_UNRESPONSIVE, _W_RESET})
_RETRY_DELAY = 0.3
# After a failed transmit, how long to watch whether the card went (pcscd polls every 0.4 s).
_REMOVAL_GRACE = 1.0

# A made-up, unregistered ("F" category, ISO 7816-5) AID for the virtual SAM of our tests.
# A real Dukcapil SAM has its own AID and protocol, known to licensed vendors only.
DEFAULT_SAM_AID = bytes.fromhex("F0534B53414D01")  # F0 "SKSAM" 01
SAM_SERIAL_GET_DATA = bytes.fromhex("00CA010100")  # GET DATA, P1-P2 0101 (proprietary)


def _u32(hr: int) -> int:
    return hr & 0xFFFFFFFF


class _Link:
    """One PC/SC connection with an APDU counter and a deadline."""

    def __init__(self, ctx: int, reader: str, deadline: float, role: str) -> None:
        self.ctx = ctx
        self.reader = reader
        self.deadline = deadline
        self.role = role  # "card" or "sam": decides the failure reason
        self.apdus = 0
        self.hcard: int | None = None
        self.proto = 0

    def _gone_reason(self) -> str:
        return "removed" if self.role == "card" else "no_sam"

    def open(self) -> None:
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        for attempt in (1, 2):
            hr, hcard, proto = scard.SCardConnect(
                self.ctx, self.reader, scard.SCARD_SHARE_SHARED, protocols
            )
            hr = _u32(hr)
            if hr == _S_SUCCESS:
                self.hcard, self.proto = hcard, proto
                return
            if hr in _RETRY_CONNECT and attempt == 1 and time.monotonic() < self.deadline:
                time.sleep(_RETRY_DELAY)
                continue
            if hr in _CARD_GONE or self._went_away():
                raise ChipReadError(self._gone_reason(), f"connect {self.role}", hresult=hr)
            if self.role == "sam" and hr in (_E_UNKNOWN_READER, _E_READER_UNAVAILABLE):
                raise ChipReadError("no_sam", "SAM reader not found", hresult=hr)
            raise ChipReadError("error", f"connect {self.role}", hresult=hr)

    def close(self) -> None:
        hcard, self.hcard = self.hcard, None
        if hcard is not None:
            scard.SCardDisconnect(hcard, scard.SCARD_LEAVE_CARD)

    def transmit(self, apdu: bytes) -> bytes:
        if time.monotonic() > self.deadline:
            raise ChipReadError("error", f"{self.role}: timed out")
        assert self.hcard is not None
        self.apdus += 1
        hr, resp = scard.SCardTransmit(self.hcard, self.proto, list(apdu))
        hr = _u32(hr)
        if hr == _S_SUCCESS:
            resp = bytes(resp)
            # vpcd (and some readers) report a card pulled mid-APDU as an empty response
            if len(resp) < 2 and self._went_away():
                raise ChipReadError(self._gone_reason(), f"{self.role}: no response")
            return resp
        if hr in _CARD_GONE or self._went_away():
            raise ChipReadError(self._gone_reason(), f"{self.role} transmit", hresult=hr)
        raise ChipReadError("error", f"{self.role} transmit", hresult=hr)

    def _went_away(self) -> bool:
        """After a failed transmit: did the card leave? (The reader may report it late.)"""
        state = scard.SCARD_STATE_UNAWARE
        end = min(time.monotonic() + _REMOVAL_GRACE, self.deadline)
        first_counter: int | None = None
        while True:
            wait_ms = max(0, int((end - time.monotonic()) * 1000))
            hr, states = scard.SCardGetStatusChange(self.ctx, wait_ms, [(self.reader, state)])
            hr = _u32(hr)
            if hr == _E_TIMEOUT:
                return False
            if hr != _S_SUCCESS:
                return hr in (_E_UNKNOWN_READER, _E_READER_UNAVAILABLE)
            event = states[0][1]
            if not event & scard.SCARD_STATE_PRESENT or event & scard.SCARD_STATE_EMPTY:
                return True
            counter = (event >> 16) & 0xFFFF
            if first_counter is None:
                first_counter = counter
            elif counter != first_counter:
                return True  # removed and re-inserted meanwhile: still not our card
            if time.monotonic() >= end:
                return False
            state = event & ~scard.SCARD_STATE_CHANGED


class ReferenceAdapter:
    """ISO 7816-4 + BER-TLV biodata reading through pyscard, for tests and as a vendor template.

    Sequence (each step's failure reason in brackets):

    1. SAM slot: SELECT ``sam_aid``, GET DATA (SAM serial)              [no_sam]
    2. card slot: SELECT DF ``df`` (default FID 7F0A)                    [not_ektp_app]
    3. SELECT EF ``ef`` (default FID 6FF1)                               [not_ektp_app]
    4. READ BINARY in ``chunk``-byte pieces, only as far as the TLV says [bad_data/error]
    5. BER-TLV → :class:`ChipBiodata` with :data:`TAG_MAP`               [bad_data]

    Both connections are released before returning. The SAM connection is held during the
    card read, as a real adapter needs it for secure messaging — which this one does NOT do:
    on a real e-KTP, DF 7F0A / EF 6FF1 need secure messaging keyed by a Dukcapil SAM, so step 4
    fails there with 69 82 (reason "error").

    ``chunk`` defaults to 0xDF (223) bytes: it still fits a short response once a real secure
    messaging layer adds its padding and MAC. ``last_apdu_count`` / ``last_sam_apdu_count``
    report the APDUs of the last call (the benchmarks' ``card_apdus``).
    """

    def __init__(
        self,
        *,
        df: bytes = bytes.fromhex("7F0A"),
        ef: bytes = bytes.fromhex("6FF1"),
        sam_aid: bytes = DEFAULT_SAM_AID,
        chunk: int = 0xDF,
        max_size: int = MAX_FILE_SIZE,
        timeout_s: float = 10.0,
    ) -> None:
        if not 1 <= chunk <= 256:
            raise ValueError("chunk must be 1..256 bytes")
        select_apdu(df)  # validate the identifiers now, not at the first card
        select_apdu(ef, ef=True)
        select_apdu(sam_aid)
        self.df = bytes(df)
        self.ef = bytes(ef)
        self.sam_aid = bytes(sam_aid)
        self.chunk = chunk
        self.max_size = max_size
        self.timeout_s = timeout_s
        self.last_apdu_count = 0
        self.last_sam_apdu_count = 0

    def read_biodata(self, card_reader: str, sam_reader: str | None) -> ChipBiodata:
        self.last_apdu_count = 0
        self.last_sam_apdu_count = 0
        if not sam_reader:
            raise ChipReadError("no_sam", "no SAM reader configured")
        try:
            return self._read(card_reader, sam_reader)
        except ChipReadError as exc:
            log.info("chip read on %s failed: %s", card_reader, exc)
            raise
        except Exception as exc:  # the contract: ChipReadError only (chained for debugging)
            log.exception("chip read on %s: unexpected failure", card_reader)
            raise ChipReadError("error", f"unexpected {type(exc).__name__}") from exc

    def _read(self, card_reader: str, sam_reader: str) -> ChipBiodata:
        deadline = time.monotonic() + self.timeout_s
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if _u32(hr) != _S_SUCCESS:
            raise ChipReadError("error", "PC/SC service unavailable", hresult=_u32(hr))
        sam = _Link(ctx, sam_reader, deadline, "sam")
        card = _Link(ctx, card_reader, deadline, "card")
        try:
            sam.open()
            self._check_sam(sam.transmit)
            card.open()
            select(card.transmit, self.df)
            select(card.transmit, self.ef, ef=True)
            data = read_tlv_file(card.transmit, chunk=self.chunk, max_size=self.max_size)
        finally:
            card.close()
            sam.close()
            self.last_apdu_count = card.apdus
            self.last_sam_apdu_count = sam.apdus
            scard.SCardReleaseContext(ctx)
        return decode_biodata(data)

    def _check_sam(self, transmit: Transmit) -> None:
        """The SAM slot holds a SAM that answers: SELECT its AID, GET DATA its serial."""
        try:
            _data, sw = _split(transmit(select_apdu(self.sam_aid)))
            if sw != SW_OK and sw[0] != 0x61:
                raise ChipReadError("no_sam", "SAM application not selectable", sw=sw)
            serial, sw = _split(transmit(SAM_SERIAL_GET_DATA))
            if sw[0] == 0x6C and sw[1]:
                serial, sw = _split(transmit(SAM_SERIAL_GET_DATA[:4] + sw[1:2]))
            if sw != SW_OK or not 1 <= len(serial) <= 32:
                raise ChipReadError("no_sam", "SAM serial unavailable", sw=sw)
        except ChipReadError as exc:
            if exc.reason == "bad_data":
                raise ChipReadError("no_sam", f"SAM: {exc.detail}") from None
            raise
