"""Personal data at rest on the kiosk: sealed with AES-256-GCM under the kiosk's key file.

The key is 32 random bytes in a file only root (the owner) may read, created at install
(`deploy/`), or on first start in development. Each sealed blob carries its own random nonce;
the `context` (e.g. an application's idempotency key) is authenticated with it, so a blob
copied to another row does not open there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = b"\x01"


class SealError(ValueError):
    """A sealed blob is damaged, was made under another key, or belongs to another context."""


class KeyFileError(RuntimeError):
    """The key file is missing, malformed, or readable by others."""


class Sealer:
    def __init__(self, key: bytes):
        if len(key) != KEY_BYTES:
            raise KeyFileError(f"the kiosk key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_key_file(cls, path: str | Path, create: bool = False) -> Sealer:
        """Load the key; with `create`, make a new one (mode 0600) when the file is missing."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise KeyFileError(f"{path}: no kiosk key (the installer creates it)")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, os.urandom(KEY_BYTES))
                os.fsync(fd)
            finally:
                os.close(fd)
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(f"{path}: readable by others (mode {oct(mode & 0o777)}); "
                               "it must be 0600")
        key = path.read_bytes()
        return cls(key)

    def seal(self, data: bytes, context: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, data, VERSION + context)

    def open(self, blob: bytes, context: bytes) -> bytes:
        if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != VERSION:
            raise SealError("not a sealed blob")
        nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, VERSION + context)
        except InvalidTag:
            raise SealError("sealed blob does not open (damaged, other key or other row)") from None
