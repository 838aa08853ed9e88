"""A virtual contactless card that plugs into vsmartcard's vpcd driver (loaded by pcscd).

vpcd protocol (card side, we are the TCP client): every frame is a 2-byte big-endian length
followed by the payload. A 1-byte payload is a control: 00 power off, 01 power on, 02 reset,
04 "send the ATR" (answered with the ATR). Any longer payload is a command APDU, answered by
the response APDU. Opening the TCP connection inserts the card; closing it removes it.

Only for tests, benchmarks and ``make demo``: the UID here is made up.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from devices.ektp import UID_LENGTHS, bank_card_atr, ektp_type_a_atr, ektp_type_b_atr

if TYPE_CHECKING:
    from devices.demo_cards import DemoCard

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963  # 0x8C7B

_CTRL_OFF = 0x00
_CTRL_ON = 0x01
_CTRL_RESET = 0x02
_CTRL_ATR = 0x04

SW_OK = b"\x90\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_END_OF_DATA = b"\x62\x82"

Responder = Callable[[bytes], "bytes | None"]


class PullCard(Exception):  # noqa: N818 - it is an action, not an error
    """Raise from a ``respond`` hook: the card leaves the field before answering this APDU
    (the vpcd connection is closed, as when a villager pulls the card mid-read). A hook that
    returns ``b""`` does the same: a real card cannot answer with nothing, and vpcd would
    wait for ever on an empty frame."""


def _atr_for_kind(kind: str, uid: bytes) -> bytes:
    if kind == "ektp-b":
        return ektp_type_b_atr(uid[:4])
    if kind == "ektp-a":
        return ektp_type_a_atr()
    if kind == "bank":
        return bank_card_atr()
    raise ValueError(f"unknown demo card kind {kind!r}")


class VirtualCard:
    """One virtual card; ``insert()`` puts it on the vpcd reader slot at ``port``."""

    def __init__(
        self,
        atr: bytes,
        uid: bytes,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        respond: Responder | None = None,
    ) -> None:
        self.atr = bytes(atr)
        self.uid = bytes(uid)  # any UID a real card may have, random ones included
        if len(self.uid) not in UID_LENGTHS:
            raise ValueError(f"a card UID is 4, 7 or 10 bytes, got {len(self.uid)}")
        self.host = host
        self.port = port
        self.respond = respond
        self.powered = False
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_demo(
        cls, card: DemoCard, port: int = DEFAULT_PORT, host: str = "127.0.0.1"
    ) -> VirtualCard:
        """A virtual card for a demo card, with the ATR of its family."""
        return cls(_atr_for_kind(card.kind, card.uid), card.uid, host=host, port=port)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def inserted(self) -> bool:
        with self._lock:
            return self._sock is not None

    def insert(self, timeout: float = 2.0) -> None:
        """Connect to vpcd (inserts the card) and serve it on a daemon thread."""
        with self._lock:
            if self._sock is not None:
                raise RuntimeError("card already inserted")
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self._thread = threading.Thread(
                target=self._serve, args=(sock,), name=f"virtual-card:{self.port}", daemon=True
            )
            self._thread.start()

    def remove(self) -> None:
        """Close the connection (removes the card). Idempotent."""
        with self._lock:
            sock, self._sock = self._sock, None
            thread, self._thread = self._thread, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        self.powered = False

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    # -- card behaviour --------------------------------------------------------------------

    def answer(self, apdu: bytes) -> bytes:
        """The response APDU for ``apdu`` (hook first, then GET DATA UID, else 6D 00).

        The hook may return bytes (the answer), None (default behaviour), ``b""`` or raise
        :class:`PullCard` (the card leaves the field now)."""
        if self.respond is not None:
            custom = self.respond(apdu)
            if custom is not None:
                return bytes(custom)
        if len(apdu) == 5 and apdu[:4] == b"\xff\xca\x00\x00":
            le = apdu[4]
            if le == 0 or le == len(self.uid):
                return self.uid + SW_OK
            if le < len(self.uid):
                return bytes([0x6C, len(self.uid)])  # wrong Le: here is the right one
            return self.uid + SW_END_OF_DATA
        return SW_INS_NOT_SUPPORTED

    # -- vpcd wire protocol ----------------------------------------------------------------

    @staticmethod
    def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                head = self._recv_exact(sock, 2)
                if head is None:
                    break
                (size,) = struct.unpack(">H", head)
                payload = self._recv_exact(sock, size) if size else b""
                if payload is None:
                    break
                if len(payload) == 1:
                    reply = self._control(payload[0])
                else:
                    try:
                        reply = self.answer(payload)
                    except PullCard:
                        reply = b""
                    if not reply:
                        break  # pulled: the finally below closes the connection
                if reply is not None:
                    sock.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            pass  # closed by remove() or by pcscd going away
        finally:
            with self._lock:
                if self._sock is sock:  # vpcd went away: the card is no longer inserted
                    self._sock = None
                    self._thread = None
                    try:
                        sock.close()
                    except OSError:
                        pass

    def _control(self, code: int) -> bytes | None:
        if code == _CTRL_OFF:
            self.powered = False
        elif code in (_CTRL_ON, _CTRL_RESET):
            self.powered = True
        elif code == _CTRL_ATR:
            return self.atr
        else:
            log.debug("vpcd: unknown control byte %02X", code)
        return None
