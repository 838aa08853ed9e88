"""Strict BER-TLV (ISO/IEC 7816-4 § 5.2 / ISO/IEC 8825-1) parsing, and an encoder for tests.

What "strict" means here, because chip data comes from a card we do not trust:

- Tags are 1 to 3 bytes. A first byte with bits 5..1 all set (``xx11111``) announces more tag
  bytes; each subsequent byte with bit 8 set announces one more. ``00`` and ``FF`` are padding
  in ISO 7816-4, not tags, and a first subsequent byte of ``80`` (a zero-padded tag number) is
  refused.
- Lengths: short form ``00``..``7F``; long form ``81 xx``, ``82 xx xx``, ``83 …``, ``84 …``.
  The indefinite length ``80`` and ``85``..``FF`` are refused.
- A constructed tag (bit 6 of the first byte set) must contain a whole number of TLVs; a value
  that overruns its parent, or the data, is refused (a TLV that lies about its length).
- Limits against hostile input: total size (``max_size``), nesting depth (``max_depth``) and
  number of data objects (``max_objects``).

Every problem raises :class:`TlvError` (a ``ValueError``); nothing else escapes
:func:`parse_tlv` for any ``bytes`` input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_TAG_BYTES = 3
MAX_LENGTH_BYTES = 4  # 84 xx xx xx xx
DEFAULT_MAX_SIZE = 64 * 1024
DEFAULT_MAX_DEPTH = 8
DEFAULT_MAX_OBJECTS = 4096


class TlvError(ValueError):
    """The bytes are not acceptable BER-TLV (truncated, overrun, indefinite, too big/deep)."""


class TlvTruncatedError(TlvError):
    """The data ends inside a tag or length field (more bytes might make it valid)."""


@dataclass(frozen=True)
class Tlv:
    """One data object. ``tag`` is the tag bytes read as a big-endian integer (``0x5F01``).

    ``children`` is a tuple for a constructed tag (possibly empty), ``None`` for a primitive one.
    ``value`` is always the raw value bytes.
    """

    tag: int
    value: bytes
    children: tuple[Tlv, ...] | None = None

    @property
    def constructed(self) -> bool:
        return self.children is not None

    def __repr__(self) -> str:  # values may be personal data: never show them
        kind = f"{len(self.children)} children" if self.children is not None else "primitive"
        return f"Tlv(tag=0x{self.tag:X}, {kind}, value=<{len(self.value)} bytes>)"

    def find(self, tag: int) -> list[Tlv]:
        """Direct children with ``tag`` (empty for a primitive object)."""
        return [c for c in self.children or () if c.tag == tag]

    def to_bytes(self) -> bytes:
        if self.children is not None:
            return encode(self.tag, self.children)
        return encode(self.tag, self.value)


def _tag_width(tag: int) -> int:
    if tag < 0:
        raise ValueError("negative tag")
    return max(1, (tag.bit_length() + 7) // 8)


# -- parsing -------------------------------------------------------------------------------


def _read_tag(data: bytes, pos: int, end: int) -> tuple[int, bool, int]:
    """(tag, constructed, position after the tag)."""
    if pos >= end:
        raise TlvTruncatedError(f"truncated: tag expected at offset {pos}")
    first = data[pos]
    if first in (0x00, 0xFF):
        raise TlvError(f"invalid tag byte {first:02X} at offset {pos} (padding is not a tag)")
    constructed = bool(first & 0x20)
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:
        count = 1
        while True:
            if pos >= end:
                raise TlvTruncatedError("truncated: multi-byte tag")
            b = data[pos]
            if count == 1 and b == 0x80:
                raise TlvError(f"invalid tag: zero-padded tag number at offset {pos}")
            tag = (tag << 8) | b
            pos += 1
            count += 1
            if not b & 0x80:
                break
            if count >= MAX_TAG_BYTES:
                raise TlvError(f"tag longer than {MAX_TAG_BYTES} bytes at offset {pos}")
    return tag, constructed, pos


def _read_length(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """(value length, position after the length field)."""
    if pos >= end:
        raise TlvTruncatedError(f"truncated: length expected at offset {pos}")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        raise TlvError("indefinite length (80) is not allowed")
    count = first & 0x7F
    if count > MAX_LENGTH_BYTES:
        raise TlvError(f"length field of {count} bytes is not allowed")
    if pos + count > end:
        raise TlvTruncatedError("truncated: long-form length")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def read_header(data: bytes) -> tuple[int, int, int] | None:
    """(tag, header length, value length) of the first TLV in ``data``, or ``None`` if
    ``data`` is too short to tell yet (used to learn a file's length from its first chunk).

    Raises :class:`TlvError` if the header is malformed whatever follows.
    """
    data = bytes(data)
    try:
        tag, _constructed, pos = _read_tag(data, 0, len(data))
        length, pos = _read_length(data, pos, len(data))
    except TlvTruncatedError:
        return None
    return tag, pos, length


@dataclass
class _Budget:
    objects: int


def _parse(data: bytes, pos: int, end: int, depth: int, max_depth: int, budget: _Budget) -> list:
    out: list[Tlv] = []
    while pos < end:
        budget.objects -= 1
        if budget.objects < 0:
            raise TlvError("too many data objects")
        tag, constructed, pos = _read_tag(data, pos, end)
        length, pos = _read_length(data, pos, end)
        if length > end - pos:
            raise TlvError(f"tag {tag:X}: length {length} overruns the {end - pos} bytes available")
        value = data[pos : pos + length]
        children = None
        if constructed:
            if depth + 1 > max_depth:
                raise TlvError(f"nesting deeper than {max_depth}")
            children = tuple(_parse(data, pos, pos + length, depth + 1, max_depth, budget))
        out.append(Tlv(tag, value, children))
        pos += length
    return out


def parse_tlv(
    data: bytes,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_objects: int = DEFAULT_MAX_OBJECTS,
) -> list[Tlv]:
    """All top-level data objects in ``data`` (which must be exactly a sequence of TLVs).

    Raises :class:`TlvError` for anything malformed or beyond the limits.
    """
    data = bytes(data)
    if len(data) > max_size:
        raise TlvError(f"{len(data)} bytes exceed the {max_size}-byte limit")
    return _parse(data, 0, len(data), 1, max_depth, _Budget(max_objects))


def parse_one(data: bytes, **limits: int) -> Tlv:
    """Exactly one top-level data object, else :class:`TlvError`."""
    objects = parse_tlv(data, **limits)
    if len(objects) != 1:
        raise TlvError(f"expected one data object, found {len(objects)}")
    return objects[0]


# -- encoding (tests, the virtual chip) -----------------------------------------------------


def encode_tag(tag: int) -> bytes:
    raw = tag.to_bytes(_tag_width(tag), "big")
    if len(raw) > MAX_TAG_BYTES:
        raise ValueError(f"tag 0x{tag:X} is longer than {MAX_TAG_BYTES} bytes")
    multi = raw[0] & 0x1F == 0x1F
    if (
        multi != (len(raw) > 1)
        or any(not b & 0x80 for b in raw[1:-1])
        or (len(raw) > 1 and raw[-1] & 0x80)
    ):
        raise ValueError(f"0x{tag:X} is not a well-formed BER tag")
    return raw


def encode_length(n: int) -> bytes:
    if n < 0:
        raise ValueError("negative length")
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(raw) > MAX_LENGTH_BYTES:
        raise ValueError("length too large")
    return bytes([0x80 | len(raw)]) + raw


def encode(tag: int, value: bytes | Iterable[Tlv]) -> bytes:
    """One TLV; ``value`` is raw bytes or, for a constructed tag, its children."""
    if isinstance(value, bytes | bytearray | memoryview):
        body = bytes(value)
    else:
        body = b"".join(child.to_bytes() for child in value)
    return encode_tag(tag) + encode_length(len(body)) + body
