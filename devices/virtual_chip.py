"""A virtual e-KTP chip file system and a virtual SAM, as ``respond`` hooks for VirtualCard.

:class:`VirtualEktpChip` serves MF 3F00 / DF 7F0A / EF 6FF1 with the biodata of a
:class:`~devices.chip.ChipBiodata` encoded in our tag map (``devices.chip.TAG_MAP``), through
plain ISO 7816-4 SELECT (by FID, P1 00/01/02, or by DF name P1 04) and READ BINARY (offset in
P1-P2, short Le, ``62 82`` / ``6C xx`` at the end of the file, ``6B 00`` beyond it). There is no
secure messaging: a real e-KTP requires it (``require_sm`` mimics the 69 82 a real card gives).

:class:`VirtualSam` answers SELECT of its AID and GET DATA (P1-P2 0101) for a serial; put it
in the rig's second slot (``port + 1``).

Fault knobs (tests set them at any time; ``apdus`` counts the APDUs seen, from 1):

- ``pull_at = n``: at APDU n the card is pulled (the VirtualCard's socket is closed from
  the hook, exactly as taking the card off the reader) and that APDU is never answered;
- ``replies = {n: bytes}``: APDU n is answered with exactly these bytes (garbage, a 1-byte
  "response", an oversized one, any status word);
- ``max_read = k``: READ BINARY returns at most k bytes with ``90 00`` (a card that
  short-reads);
- ``eof_style``: "6282" (data + 62 82) or "6C" (6C xx) when Le runs past the end of the file;
- ``lie_length = n``: the biodata template claims n value bytes, whatever it holds;
- ``padding = n``: n zero bytes after the template in the EF (a fixed-size file).

For tests, benchmarks and the demo only; the biodata is made up.
"""

from __future__ import annotations

import threading
from datetime import date
from functools import reduce

from devices.chip import DEFAULT_SAM_AID, ChipBiodata, encode_biodata
from devices.tlv import encode_length, read_header
from devices.virtual_card import DEFAULT_PORT, VirtualCard

MF = bytes.fromhex("3F00")
DF_EKTP = bytes.fromhex("7F0A")
EF_BIODATA = bytes.fromhex("6FF1")
SAM_AID = DEFAULT_SAM_AID

SW_OK = b"\x90\x00"
SW_EOF = b"\x62\x82"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY = b"\x69\x82"
SW_NO_EF = b"\x69\x86"
SW_FUNC_NOT_SUPPORTED = b"\x6a\x81"
SW_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2 = b"\x6b\x00"
SW_INS = b"\x6d\x00"
SW_CLA = b"\x6e\x00"


def sample_biodata() -> ChipBiodata:
    """A made-up villager (matches no demo resident); ~0.4 KB encoded."""
    return ChipBiodata(
        nik="3510155208580003",
        name="SITI AMINAH BINTI ABDUL RAHMAN WIJAYAKUSUMA",
        birth_place="BANYUWANGI",
        birth_date=date(1958, 8, 12),
        sex="P",
        blood_type="O",
        address="JL. KAMPUNG OSING GANG MELATI NO. 17, DUSUN KRAJAN WETAN",
        rt="003",
        rw="012",
        village="KEMIREN",
        district="GLAGAH",
        regency="KABUPATEN BANYUWANGI",
        province="JAWA TIMUR",
        religion="ISLAM",
        marital_status="KAWIN",
        occupation="MENGURUS RUMAH TANGGA",
        citizenship="WNI",
        valid_until="SEUMUR HIDUP",
    )


def _atr(historical: bytes) -> bytes:
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    return b"\x3b" + body + bytes([reduce(lambda a, b: a ^ b, body, 0)])


SAM_ATR = _atr(b"SKVSAM01")


class _Hook:
    """Shared machinery: APDU counting, fault replies, pulling the card from the hook."""

    def __init__(self) -> None:
        self.apdus = 0
        self.pull_at: int | None = None
        self.replies: dict[int, bytes] = {}
        self.card: VirtualCard | None = None
        self.on_pull: VirtualCard | None = None  # another card to pull instead (e.g. the e-KTP)
        self._lock = threading.Lock()

    def reset_faults(self) -> None:
        with self._lock:
            self.apdus = 0
            self.pull_at = None
            self.replies = {}
            self.on_pull = None

    def __call__(self, apdu: bytes) -> bytes | None:
        with self._lock:
            self.apdus += 1
            n = self.apdus
        if self.pull_at == n:
            victim = self.on_pull or self.card
            if victim is not None:
                victim.remove()  # closes the vpcd socket: the card leaves the reader
            if victim is self.card or victim is None:
                return b""  # never sent: the socket is closed
        if n in self.replies:
            return self.replies[n]
        return self.answer(bytes(apdu))

    def answer(self, apdu: bytes) -> bytes | None:
        raise NotImplementedError


class VirtualEktpChip(_Hook):
    """``respond`` hook serving the e-KTP biodata file system (see the module docstring)."""

    def __init__(
        self,
        biodata: ChipBiodata | None = None,
        *,
        df_name: bytes | None = None,
        eof_style: str = "6282",
    ) -> None:
        super().__init__()
        self.biodata = biodata or sample_biodata()
        self.df_name = df_name  # optional AID for SELECT by name (P1 04)
        self.eof_style = eof_style
        self.max_read: int | None = None
        self.lie_length: int | None = None
        self.padding = 0
        self.require_sm = False
        self._current_df: bytes | None = None
        self._current_ef: bytes | None = None

    def reset_faults(self) -> None:
        super().reset_faults()
        self.max_read = None
        self.lie_length = None
        self.padding = 0
        self.require_sm = False
        self.eof_style = "6282"

    def insert_card(self, atr: bytes, uid: bytes, port: int = DEFAULT_PORT) -> VirtualCard:
        """A VirtualCard answering with this chip (not yet inserted)."""
        self.card = VirtualCard(atr, uid, port=port, respond=self)
        return self.card

    # -- the file -------------------------------------------------------------------------

    def file_content(self) -> bytes:
        content = encode_biodata(self.biodata)
        if self.lie_length is not None:
            header = read_header(content)
            assert header is not None
            tag_len = 2  # 7F71
            content = content[:tag_len] + encode_length(self.lie_length) + content[header[1] :]
        return content + bytes(self.padding)

    # -- APDUs ----------------------------------------------------------------------------

    def answer(self, apdu: bytes) -> bytes | None:
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        if cla == 0xFF:
            return None  # PC/SC pseudo-APDUs (GET UID): VirtualCard's default
        if cla != 0x00:
            return SW_CLA
        if ins == 0xA4:
            return self._select(p1, p2, apdu[4:])
        if ins == 0xB0:
            return self._read_binary(p1, p2, apdu[4:])
        return SW_INS

    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        if not body or len(body) < 1 + body[0] or len(body) > 2 + body[0]:
            return SW_WRONG_LENGTH
        ident = body[1 : 1 + body[0]]
        if p2 not in (0x00, 0x04, 0x0C):
            return b"\x6a\x86"
        if p1 == 0x04:
            if self.df_name is not None and ident == self.df_name:
                self._current_df, self._current_ef = DF_EKTP, None
                return SW_OK
            return SW_NOT_FOUND
        if p1 not in (0x00, 0x01, 0x02) or len(ident) != 2:
            return b"\x6a\x86"
        if ident == MF and p1 == 0x00:
            self._current_df, self._current_ef = MF, None
        elif ident == DF_EKTP and p1 in (0x00, 0x01):
            self._current_df, self._current_ef = DF_EKTP, None
        elif ident == EF_BIODATA and p1 in (0x00, 0x02) and self._current_df == DF_EKTP:
            self._current_ef = EF_BIODATA
        else:
            return SW_NOT_FOUND
        return SW_OK

    def _read_binary(self, p1: int, p2: int, body: bytes) -> bytes:
        if len(body) != 1:
            return SW_WRONG_LENGTH
        if p1 & 0x80:
            return SW_FUNC_NOT_SUPPORTED  # short EF identifiers: not offered
        if self._current_ef != EF_BIODATA:
            return SW_NO_EF
        if self.require_sm:
            return SW_SECURITY
        content = self.file_content()
        offset = (p1 << 8) | p2
        le = body[0] or 256
        if offset >= len(content):
            return SW_WRONG_P1P2
        available = len(content) - offset
        if self.max_read is not None:
            le = min(le, self.max_read)
            return content[offset : offset + min(le, available)] + SW_OK
        if le <= available:
            return content[offset : offset + le] + SW_OK
        if self.eof_style == "6C":
            return bytes([0x6C, available & 0xFF])
        return content[offset:] + SW_EOF


class VirtualSam(_Hook):
    """``respond`` hook for a virtual SAM in the second vpcd slot: SELECT AID, GET DATA serial."""

    def __init__(self, aid: bytes = SAM_AID, serial: bytes = bytes.fromhex("5343000000000042")):
        super().__init__()
        self.aid = bytes(aid)
        self.serial = bytes(serial)
        self._selected = False

    def insert_card(self, port: int = DEFAULT_PORT + 1) -> VirtualCard:
        """A VirtualCard for the SAM slot (the rig's ``port + 1``), not yet inserted."""
        self.card = VirtualCard(SAM_ATR, bytes(4), port=port, respond=self)
        return self.card

    def answer(self, apdu: bytes) -> bytes | None:
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        if cla == 0xFF:
            return None
        if cla != 0x00:
            return SW_CLA
        if ins == 0xA4 and p1 == 0x04:
            body = apdu[4:]
            if not body or len(body) < 1 + body[0]:
                return SW_WRONG_LENGTH
            self._selected = body[1 : 1 + body[0]] == self.aid
            return SW_OK if self._selected else SW_NOT_FOUND
        if ins == 0xCA and (p1, p2) == (0x01, 0x01):
            if not self._selected:
                return b"\x69\x85"
            if len(apdu) != 5:
                return SW_WRONG_LENGTH
            le = apdu[4] or 256
            if le != len(self.serial) and apdu[4] != 0:
                return bytes([0x6C, len(self.serial)])
            return self.serial + SW_OK
        return SW_INS
