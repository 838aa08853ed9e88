"""Event-driven card reading on the real PC/SC stack (pcsc-lite through pyscard's ``scard``).

:class:`CardReaderMonitor` runs its own ``SCardGetStatusChange`` loop on a thread, including the
``\\\\?PnP?\\Notification`` pseudo-reader so that readers coming and going are seen, and
re-establishes its context when pcscd goes away (so a pcscd restart is survived; pyscard's
``CardMonitor`` dies for good in that case). When a card appears it reads the UID with the
PC/SC Part 3 pseudo-APDU ``FF CA 00 00 00`` and reports a :data:`CardEvent`.

Privacy: the UID (and a type B ATR, which contains the PUPI) identifies a person's card. This
module never logs them: only event kinds, reader names, PC/SC result codes and status words.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from smartcard import scard

from devices.ektp import normalise_uid

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
GET_UID_APDU = [0xFF, 0xCA, 0x00, 0x00, 0x00]

# Result codes as unsigned 32-bit ints (how pyscard reports them).
SCARD_S_SUCCESS = 0
SCARD_E_CANCELLED = 0x80100002
SCARD_E_INVALID_HANDLE = 0x80100003
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069

# pcscd is gone (or was restarted and our context is stale): re-establish the context.
_SERVICE_LOST = frozenset(
    {SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCARD_F_COMM_ERROR, SCARD_E_INVALID_HANDLE}
)
_CARD_GONE = frozenset({SCARD_E_NO_SMARTCARD, SCARD_W_REMOVED_CARD})
_RETRY_CONNECT = frozenset({SCARD_W_UNPOWERED_CARD, SCARD_W_UNRESPONSIVE_CARD, SCARD_W_RESET_CARD})
RETRY_DELAY = 0.3


def _u32(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


# -- events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReaderAttached:
    reader: str


@dataclass(frozen=True)
class ReaderDetached:
    reader: str


@dataclass(frozen=True)
class CardPresented:
    reader: str
    atr: bytes
    uid: bytes

    def __repr__(self) -> str:  # keep UIDs out of logs and tracebacks
        return f"CardPresented(reader={self.reader!r}, atr=<{len(self.atr)} bytes>, uid=<hidden>)"


@dataclass(frozen=True)
class CardUnreadable:
    reader: str
    atr: bytes
    reason: str  # "removed", "no_uid" or "error"

    def __repr__(self) -> str:
        return (
            f"CardUnreadable(reader={self.reader!r}, atr=<{len(self.atr)} bytes>, "
            f"reason={self.reason!r})"
        )


@dataclass(frozen=True)
class CardRemoved:
    reader: str


@dataclass(frozen=True)
class ServiceLost:
    """pcscd went away. CardRemoved/ReaderDetached for what was known are emitted just before."""


@dataclass(frozen=True)
class ServiceRestored:
    """pcscd is back; ReaderAttached (and CardPresented for cards lying on a reader) follow."""


CardEvent = (
    ReaderAttached
    | ReaderDetached
    | CardPresented
    | CardUnreadable
    | CardRemoved
    | ServiceLost
    | ServiceRestored
)


class CardReadError(Exception):
    """A one-shot read failed; ``reason`` is "no_card", "removed", "no_uid", "no_service"
    or "error"."""

    def __init__(self, reason: str, hresult: int | None = None, sw: bytes | None = None) -> None:
        detail = reason
        if hresult is not None:
            detail += f" (0x{_u32(hresult):08X})"
        if sw is not None:
            detail += f" (SW {sw.hex().upper()})"
        super().__init__(detail)
        self.reason = reason
        self.hresult = hresult
        self.sw = sw


# -- one card read -------------------------------------------------------------------------


def _connect(ctx: int, reader: str) -> tuple[int, int]:
    protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    for attempt in (1, 2):
        hr, hcard, proto = scard.SCardConnect(ctx, reader, scard.SCARD_SHARE_SHARED, protocols)
        hr = _u32(hr)
        if hr == SCARD_S_SUCCESS:
            return hcard, proto
        if hr in _RETRY_CONNECT and attempt == 1:
            log.info("connect to %s: 0x%08X, retrying", reader, hr)
            time.sleep(RETRY_DELAY)
            continue
        if hr in _CARD_GONE:
            raise CardReadError("no_card", hr)
        if hr in _SERVICE_LOST:
            raise CardReadError("no_service", hr)
        raise CardReadError("error", hr)
    raise AssertionError("unreachable")


def _read_card(ctx: int, reader: str) -> tuple[bytes, bytes]:
    """Connect, read (ATR, UID), disconnect. Raises CardReadError."""
    hcard, proto = _connect(ctx, reader)
    try:
        hr, _name, _state, _proto, atr_list = scard.SCardStatus(hcard)
        hr = _u32(hr)
        if hr in _CARD_GONE:
            raise CardReadError("removed", hr)
        atr = bytes(atr_list) if hr == SCARD_S_SUCCESS else b""
        hr, resp = scard.SCardTransmit(hcard, proto, GET_UID_APDU)
        hr = _u32(hr)
        if hr in _CARD_GONE or hr == SCARD_W_RESET_CARD:
            raise CardReadError("removed", hr)
        if hr in _SERVICE_LOST:
            raise CardReadError("no_service", hr)
        if hr != SCARD_S_SUCCESS:
            raise CardReadError("error", hr)
        resp = bytes(resp)
        sw = resp[-2:]
        if len(resp) < 2 or sw != b"\x90\x00":
            raise CardReadError("no_uid", sw=sw)
        try:
            uid = normalise_uid(resp[:-2])
        except ValueError:
            raise CardReadError("no_uid", sw=sw) from None
        return atr, uid
    finally:
        scard.SCardDisconnect(hcard, scard.SCARD_LEAVE_CARD)


def read_uid(reader: str) -> tuple[bytes, bytes]:
    """One-shot: (ATR, UID) of the card on ``reader``. Raises CardReadError."""
    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if _u32(hr) != SCARD_S_SUCCESS:
        raise CardReadError("no_service", hr)
    try:
        return _read_card(ctx, reader)
    finally:
        scard.SCardReleaseContext(ctx)


# -- the monitor ---------------------------------------------------------------------------


@dataclass
class _ReaderState:
    state: int = scard.SCARD_STATE_UNAWARE  # what we pass back as dwCurrentState
    present: bool = False  # a card we have reported (presented/unreadable) is on it
    counter: int = -1  # pcsc-lite's card event counter (high 16 bits) at that report


class _ServiceLostError(Exception):
    pass


class CardReaderMonitor:
    """Watch PC/SC readers and report :data:`CardEvent` s to ``on_event`` (on the monitor thread).

    ``reader_filter`` is a case-insensitive substring of the reader names to watch ("" = all).
    A card lying on a reader when the monitor starts (or when pcscd comes back) is reported.
    """

    WAIT_MS = 1000  # upper bound on one SCardGetStatusChange; also rescans the reader list
    RECONNECT_DELAY = 0.25

    def __init__(self, reader_filter: str, on_event: Callable[[CardEvent], None]) -> None:
        self.reader_filter = reader_filter.lower()
        self.on_event = on_event
        self._stop = threading.Event()
        self._ctx_lock = threading.Lock()
        self._ctx: int | None = None
        self._thread: threading.Thread | None = None
        self._readers: dict[str, _ReaderState] = {}
        self._pnp_state = scard.SCARD_STATE_UNAWARE

    # -- public ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("monitor already started")
        self._stop.clear()
        self._readers = {}
        self._pnp_state = scard.SCARD_STATE_UNAWARE
        self._thread = threading.Thread(target=self._run, name="card-reader-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        if thread is threading.current_thread():  # called from on_event: the loop will end
            return
        self._thread = None
        deadline = time.monotonic() + timeout
        while thread.is_alive() and time.monotonic() < deadline:
            with self._ctx_lock:
                if self._ctx is not None:
                    scard.SCardCancel(self._ctx)
            thread.join(0.1)
        if thread.is_alive():
            log.warning("card reader monitor did not stop within %.1f s", timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> CardReaderMonitor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- thread ----------------------------------------------------------------------------

    def _emit(self, event: CardEvent) -> None:
        log.debug("event %s", type(event).__name__)
        try:
            self.on_event(event)
        except Exception:
            log.exception("on_event handler failed for %s", type(event).__name__)

    def _watched(self, name: str) -> bool:
        return name != PNP_READER and self.reader_filter in name.lower()

    def _run(self) -> None:
        service_up: bool | None = None  # unknown until the first context
        while not self._stop.is_set():
            hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if _u32(hr) != SCARD_S_SUCCESS:
                if service_up is not False:
                    log.warning("PC/SC service unavailable (0x%08X)", _u32(hr))
                    self._emit(ServiceLost())
                    service_up = False
                self._stop.wait(self.RECONNECT_DELAY)
                continue
            with self._ctx_lock:
                self._ctx = ctx
            if service_up is False:
                log.info("PC/SC service restored")
                self._emit(ServiceRestored())
            service_up = True
            try:
                self._loop(ctx)
            except _ServiceLostError as exc:
                log.warning("PC/SC service lost (%s)", exc)
                self._forget_readers()
                self._emit(ServiceLost())
                service_up = False
            finally:
                with self._ctx_lock:
                    self._ctx = None
                scard.SCardReleaseContext(ctx)
            if service_up is False and not self._stop.is_set():
                self._stop.wait(self.RECONNECT_DELAY)

    def _forget_readers(self) -> None:
        """pcscd is gone: report every card removed and every reader detached."""
        for name, state in sorted(self._readers.items()):
            if state.present:
                self._emit(CardRemoved(name))
            self._emit(ReaderDetached(name))
        self._readers.clear()
        self._pnp_state = scard.SCARD_STATE_UNAWARE

    def _check(self, hr: int, what: str) -> int:
        hr = _u32(hr)
        if hr in _SERVICE_LOST:
            raise _ServiceLostError(f"{what}: 0x{hr:08X}")
        return hr

    def _sync_readers(self, ctx: int) -> None:
        hr, names = scard.SCardListReaders(ctx, [])
        hr = self._check(hr, "SCardListReaders")
        if hr == SCARD_E_NO_READERS_AVAILABLE:
            names = []
        elif hr != SCARD_S_SUCCESS:
            log.warning("SCardListReaders: 0x%08X", hr)
            return
        current = {n for n in names if self._watched(n)}
        for name in sorted(set(self._readers) - current):
            state = self._readers.pop(name)
            log.info("reader detached: %s", name)
            if state.present:
                self._emit(CardRemoved(name))
            self._emit(ReaderDetached(name))
        for name in sorted(current - set(self._readers)):
            log.info("reader attached: %s", name)
            self._readers[name] = _ReaderState()
            self._emit(ReaderAttached(name))

    def _loop(self, ctx: int) -> None:
        self._sync_readers(ctx)
        while not self._stop.is_set():
            names = list(self._readers)
            states = [(PNP_READER, self._pnp_state)] + [(n, self._readers[n].state) for n in names]
            hr, new_states = scard.SCardGetStatusChange(ctx, self.WAIT_MS, states)
            hr = self._check(hr, "SCardGetStatusChange")
            if hr == SCARD_E_CANCELLED or self._stop.is_set():
                return
            if hr == SCARD_E_TIMEOUT:
                self._sync_readers(ctx)  # belt and braces: a missed PnP notification
                continue
            if hr in (SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE):
                self._sync_readers(ctx)
                continue
            if hr != SCARD_S_SUCCESS:
                log.warning("SCardGetStatusChange: 0x%08X", hr)
                self._stop.wait(self.RECONNECT_DELAY)
                self._sync_readers(ctx)
                continue
            pnp_changed = False
            for name, event_state, atr in new_states:
                if name == PNP_READER:
                    if event_state & scard.SCARD_STATE_CHANGED:
                        pnp_changed = True
                    self._pnp_state = event_state & ~scard.SCARD_STATE_CHANGED
                    continue
                rs = self._readers.get(name)
                if rs is None:
                    continue
                rs.state = event_state & ~scard.SCARD_STATE_CHANGED
                self._reader_changed(ctx, name, rs, event_state, bytes(atr))
            if pnp_changed:
                self._sync_readers(ctx)

    def _reader_changed(
        self, ctx: int, name: str, rs: _ReaderState, event_state: int, atr: bytes
    ) -> None:
        if event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
            if rs.present:
                rs.present = False
                self._emit(CardRemoved(name))
            return
        counter = (event_state >> 16) & 0xFFFF
        has_card = bool(event_state & scard.SCARD_STATE_PRESENT)
        if rs.present and (not has_card or counter != rs.counter):
            rs.present = False
            log.info("card removed from %s", name)
            self._emit(CardRemoved(name))
        if not has_card or rs.present:
            return  # empty, or the same card still lying there (e.g. INUSE flips)
        rs.present = True
        rs.counter = counter
        if event_state & scard.SCARD_STATE_MUTE:
            log.info("mute card on %s", name)
            self._emit(CardUnreadable(name, atr, "error"))
            return
        self._emit(self._read(ctx, name, atr))

    def _read(self, ctx: int, name: str, atr: bytes) -> CardEvent:
        try:
            card_atr, uid = _read_card(ctx, name)
        except CardReadError as exc:
            if exc.reason == "no_service":
                raise _ServiceLostError(str(exc)) from None
            reason = {"no_card": "removed", "removed": "removed", "no_uid": "no_uid"}.get(
                exc.reason, "error"
            )
            log.info("card on %s unreadable: %s", name, exc)
            return CardUnreadable(name, atr, reason)
        log.info("card presented on %s", name)
        return CardPresented(name, card_atr or atr, uid)
