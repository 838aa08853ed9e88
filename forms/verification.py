"""The signed token in a final letter's QR code, and the URL that carries it.

Whoever scans the QR code opens ``<village's verification page>/<token>``; the page shows the
letter's number, date, type and signer from the village's records. The token itself proves
that the village issued a letter with this number, date and type:

    payload = version (1 byte) · village code · letter number · issue date · letter type id
              · NIK tag (8 bytes)          (texts UTF-8, each preceded by its length, 1 byte)
    token   = base64url(payload · HMAC-SHA256(village key, domain · payload)[:16]), no padding

The NIK is never in the token: the *NIK tag* is an HMAC of the NIK under the village key, so
only the village (which holds the key) can tell whether a letter belongs to a given NIK, and a
scanned QR code reveals nothing about its holder. The MAC is truncated to 128 bits (as NIST SP
800-107 allows) to keep the QR code small enough to print at 30 mm.

`verify_token` refuses forged, altered and truncated tokens with `InvalidToken`; the encoding
is checked to be canonical, so no two different texts verify as the same token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

VERSION = 1
_DOMAIN = b"smart-kampung/letter-token/v1\x00"
_NIK_DOMAIN = b"smart-kampung/letter-nik/v1\x00"
MAC_BYTES = 16
NIK_TAG_BYTES = 8
MIN_KEY_BYTES = 16


class InvalidToken(ValueError):
    """The token was not issued by this village's key, or was altered or cut short."""


@dataclass(frozen=True)
class VerifiedLetter:
    village_code: str
    letter_number: str
    issued: date
    letter_id: str  # letter type, e.g. "domisili"
    nik_tag: bytes  # see `nik_tag`

    def is_for_nik(self, nik: str, key: bytes) -> bool:
        """True when the letter was issued to the resident with `nik` (needs the village key)."""
        return hmac.compare_digest(self.nik_tag, nik_tag(nik, key))


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the village signing key must be at least {MIN_KEY_BYTES} bytes")


def nik_tag(nik: str, key: bytes) -> bytes:
    """An 8-byte keyed tag of the NIK: without the key it reveals nothing about the NIK."""
    _check_key(key)
    return hmac.new(key, _NIK_DOMAIN + nik.strip().encode(), hashlib.sha256).digest()[
        :NIK_TAG_BYTES
    ]


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, _DOMAIN + payload, hashlib.sha256).digest()[:MAC_BYTES]


def _field(text: str, what: str) -> bytes:
    data = text.encode("utf-8")
    if not data or len(data) > 255:
        raise ValueError(f"{what} must be 1–255 bytes of UTF-8, not {text!r}")
    return bytes([len(data)]) + data


def sign_letter(
    *, village_code: str, letter_number: str, issued: date, letter_id: str, nik: str, key: bytes
) -> str:
    """The token for one issued letter (base64url, ~90 characters for a usual letter)."""
    _check_key(key)
    payload = b"".join([
        bytes([VERSION]),
        _field(village_code, "village code"),
        _field(letter_number, "letter number"),
        _field(issued.strftime("%Y%m%d"), "issue date"),
        _field(letter_id, "letter id"),
        nik_tag(nik, key),
    ])  # fmt: skip
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).rstrip(b"=").decode("ascii")


def verify_token(token: str, key: bytes) -> VerifiedLetter:
    """What a genuine token says; `InvalidToken` for anything else."""
    _check_key(key)
    if not isinstance(token, str) or not token or len(token) > 1024:
        raise InvalidToken("no token, or not a text of a plausible length")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("not base64url") from None
    # Canonical form only: otherwise the unused low bits of the last character could be
    # changed without changing the bytes, and an altered token would still verify.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
        raise InvalidToken("not in canonical base64url form")
    if len(raw) < 1 + MAC_BYTES:
        raise InvalidToken("too short")
    payload, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise InvalidToken("signature does not match (forged, altered, or another village's key)")
    # Signed by us, so well-formed unless our own format changed.
    try:
        if payload[0] != VERSION:
            raise InvalidToken(f"unknown token version {payload[0]}")
        texts: list[str] = []
        at = 1
        for _ in range(4):
            n = payload[at]
            texts.append(payload[at + 1 : at + 1 + n].decode("utf-8"))
            at += 1 + n
        tag = payload[at:]
        if len(tag) != NIK_TAG_BYTES:
            raise InvalidToken("malformed payload")
        issued = date(int(texts[2][:4]), int(texts[2][4:6]), int(texts[2][6:8]))
    except (IndexError, UnicodeDecodeError, ValueError) as e:
        if isinstance(e, InvalidToken):
            raise
        raise InvalidToken("malformed payload") from None
    return VerifiedLetter(texts[0], texts[1], issued, texts[3], bytes(tag))


def verification_url(base_url: str, token: str) -> str:
    """``verification_url("https://kemiren.desa.id/cek", t)`` → ``https://kemiren.desa.id/cek/<t>``."""
    base = base_url.strip()
    if not base.startswith(("https://", "http://")):
        raise ValueError(f"verification base URL must start with https:// (got {base_url!r})")
    return f"{base.rstrip('/')}/{token}"


def token_from_url(url: str) -> str:
    """The token at the end of a verification URL (what the verification page receives)."""
    return url.rstrip("/").rsplit("/", 1)[-1]
