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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from smartcard import scard

from devices.ektp import UidError, is_ektp_atr, read_uid_with

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
SCARD_E_NOT_TRANSACTED = 0x80100016
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
    # time.monotonic() when PC/SC reported the card (before the UID was read): what the kiosk
    # does after this moment is its own processing time.
    detected_at: float = field(default=0.0, compare=False)

    def __repr__(self) -> str:  # keep UIDs out of logs and tracebacks
        return f"CardPresented(reader={self.reader!r}, atr=<{len(self.atr)} bytes>, uid=<hidden>)"


@dataclass(frozen=True)
class CardUnreadable:
    reader: str
    atr: bytes
    # "removed": the card left during the read; "no_uid": the reader/card refused GET DATA;
    # "random_uid": an e-KTP-like card with an ISO 14443-3 random UID (no stable identity);
    # "bad_response": short, oversized or malformed answer; "error": anything else (mute card,
    # two cards in the field / collision, transmission error, timeout).
    reason: str

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
    """A one-shot read failed; ``reason`` is "no_card", "removed", "no_uid", "random_uid",
    "bad_response", "no_service" or "error"."""

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


def _connect(ctx: int, reader: str, api: Any = scard) -> tuple[int, int]:
    protocols = api.SCARD_PROTOCOL_T0 | api.SCARD_PROTOCOL_T1
    for attempt in (1, 2):
        hr, hcard, proto = api.SCardConnect(ctx, reader, api.SCARD_SHARE_SHARED, protocols)
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


_UID_REASONS = {"random_uid": "random_uid", "no_uid": "no_uid"}  # others: "bad_response"


def _read_card(
    ctx: int, reader: str, api: Any = scard, lsb_first: bool = False
) -> tuple[bytes, bytes]:
    """Connect, read (ATR, normalised UID), disconnect. Raises CardReadError.

    A card whose ATR is not an e-KTP may have a random UID (bank cards do): it is returned
    as read, so that the kiosk can refuse the card by its ATR with the right message. An
    e-KTP-like card with a random UID is refused here ("random_uid")."""
    hcard, proto = _connect(ctx, reader, api)
    try:
        hr, _name, _state, _proto, atr_list = api.SCardStatus(hcard)
        hr = _u32(hr)
        if hr in _CARD_GONE:
            raise CardReadError("removed", hr)
        if hr in _SERVICE_LOST:
            raise CardReadError("no_service", hr)
        atr = bytes(atr_list) if hr == SCARD_S_SUCCESS else b""

        def transmit(apdu: bytes) -> bytes:
            hr, resp = api.SCardTransmit(hcard, proto, list(apdu))
            hr = _u32(hr)
            if hr in _CARD_GONE or hr == SCARD_W_RESET_CARD:
                raise CardReadError("removed", hr)
            if hr in _SERVICE_LOST:
                raise CardReadError("no_service", hr)
            if hr != SCARD_S_SUCCESS:
                raise CardReadError("error", hr)
            return bytes(resp)

        try:
            uid = read_uid_with(
                transmit, atr or None, lsb_first=lsb_first, allow_random=not is_ektp_atr(atr)
            )
        except UidError as exc:
            raise CardReadError(_UID_REASONS.get(exc.reason, "bad_response"), sw=exc.sw) from None
        return atr, uid
    finally:
        api.SCardDisconnect(hcard, api.SCARD_LEAVE_CARD)


def read_uid(reader: str, lsb_first: bool = False) -> tuple[bytes, bytes]:
    """One-shot: (ATR, UID) of the card on ``reader``. Raises CardReadError."""
    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if _u32(hr) != SCARD_S_SUCCESS:
        raise CardReadError("no_service", hr)
    try:
        return _read_card(ctx, reader, lsb_first=lsb_first)
    finally:
        scard.SCardReleaseContext(ctx)


def reader_names() -> list[str]:
    """The PC/SC reader names offered now ([] if none or if pcscd is not running)."""
    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if _u32(hr) != SCARD_S_SUCCESS:
        return []
    try:
        hr, names = scard.SCardListReaders(ctx, [])
        return [n for n in names if n != PNP_READER] if _u32(hr) == SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(ctx)


# -- the monitor ---------------------------------------------------------------------------


@dataclass
class _ReaderState:
    state: int = scard.SCARD_STATE_UNAWARE  # what we pass back as dwCurrentState
    present: bool = False  # a card we have reported (presented/unreadable) is on it
    counter: int = -1  # pcsc-lite's card event counter (high 16 bits) at that report
    uid: bytes | None = None  # the UID we presented (for the presence check); never logged
    last_check: float = 0.0


class _ServiceLostError(Exception):
    pass


def _substrings(value: str | Iterable[str]) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    return tuple(v.lower() for v in items)


class CardReaderMonitor:
    """Watch PC/SC readers and report :data:`CardEvent` s to ``on_event`` (on the monitor thread).

    ``reader_filter``: case-insensitive substring(s) of the card readers' names ("" = all);
    several matching readers are watched at once and every event names its reader.
    ``sam_filter``: substring of the SAM slot's name (e.g. "00 01"); a matching reader is never
    watched or reported as a card reader, whatever ``reader_filter`` says; see ``sam_readers``.
    ``uid_lsb_first``: substrings of readers known to return UIDs least significant byte first.
    A card lying on a reader when the monitor starts (or when pcscd comes back) is reported.

    ``presence_check_s``: how often a presented card's UID is read again. pcscd polls a reader
    every ~0.4 s and misses a tap-remove-tap (or a swap) faster than that; the check then sees
    the new UID (CardRemoved + CardPresented) or no card (CardRemoved). None disables it.
    """

    WAIT_MS = 1000  # upper bound on one SCardGetStatusChange; also rescans the reader list
    RECONNECT_DELAY = 0.25

    def __init__(
        self,
        reader_filter: str | Iterable[str],
        on_event: Callable[[CardEvent], None],
        *,
        sam_filter: str = "",
        uid_lsb_first: Iterable[str] = (),
        presence_check_s: float | None = 1.0,
        api: Any = scard,
    ) -> None:
        self.reader_filters = _substrings(reader_filter)
        self.sam_filter = sam_filter.lower()
        self.uid_lsb_first = _substrings(uid_lsb_first)
        self.presence_check_s = presence_check_s
        self.on_event = on_event
        self._api = api  # smartcard.scard; a stand-in only in unit tests of the state machine
        self._stop = threading.Event()
        self._ctx_lock = threading.Lock()
        self._ctx: int | None = None
        self._thread: threading.Thread | None = None
        self._readers: dict[str, _ReaderState] = {}
        self._sam_readers: list[str] = []
        self._pnp_state = api.SCARD_STATE_UNAWARE

    @property
    def reader_filter(self) -> str:  # the single filter of older callers
        return self.reader_filters[0] if len(self.reader_filters) == 1 else ""

    # -- public ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("monitor already started")
        self._stop.clear()
        self._readers = {}
        self._sam_readers = []
        self._pnp_state = self._api.SCARD_STATE_UNAWARE
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
                    self._api.SCardCancel(self._ctx)
            thread.join(0.1)
        if thread.is_alive():
            log.warning("card reader monitor did not stop within %.1f s", timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def readers(self) -> list[str]:
        """The card readers being watched now (a snapshot)."""
        return sorted(self._readers)

    @property
    def sam_readers(self) -> list[str]:
        """The SAM slots present now (matching ``sam_filter``; never card readers)."""
        return list(self._sam_readers)

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

    def _is_sam(self, name: str) -> bool:
        return bool(self.sam_filter) and self.sam_filter in name.lower()

    def _watched(self, name: str) -> bool:
        if name == PNP_READER or self._is_sam(name):
            return False
        low = name.lower()
        return any(f in low for f in self.reader_filters)

    def _lsb_first(self, name: str) -> bool:
        low = name.lower()
        return any(f in low for f in self.uid_lsb_first)

    def _run(self) -> None:
        api = self._api
        service_up: bool | None = None  # unknown until the first context
        while not self._stop.is_set():
            try:
                hr, ctx = api.SCardEstablishContext(api.SCARD_SCOPE_USER)
            except Exception:  # pyscard raising instead of returning: treat as no service
                log.exception("SCardEstablishContext failed")
                hr, ctx = SCARD_E_NO_SERVICE, None
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
            except Exception:
                # never let the monitor die: start over with a fresh context
                log.exception("card reader monitor: unexpected error; re-establishing")
                self._forget_readers()
                self._stop.wait(self.RECONNECT_DELAY)
            finally:
                with self._ctx_lock:
                    self._ctx = None
                api.SCardReleaseContext(ctx)
            if service_up is False and not self._stop.is_set():
                self._stop.wait(self.RECONNECT_DELAY)

    def _forget_readers(self) -> None:
        """pcscd is gone: report every card removed and every reader detached."""
        for name, state in sorted(self._readers.items()):
            if state.present:
                self._emit(CardRemoved(name))
            self._emit(ReaderDetached(name))
        self._readers.clear()
        self._sam_readers = []
        self._pnp_state = self._api.SCARD_STATE_UNAWARE

    def _check(self, hr: int, what: str) -> int:
        hr = _u32(hr)
        if hr in _SERVICE_LOST:
            raise _ServiceLostError(f"{what}: 0x{hr:08X}")
        return hr

    def _sync_readers(self, ctx: int) -> None:
        hr, names = self._api.SCardListReaders(ctx, [])
        hr = self._check(hr, "SCardListReaders")
        if hr == SCARD_E_NO_READERS_AVAILABLE:
            names = []
        elif hr != SCARD_S_SUCCESS:
            log.warning("SCardListReaders: 0x%08X", hr)
            return
        self._sam_readers = [n for n in names if n != PNP_READER and self._is_sam(n)]
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
        api = self._api
        self._sync_readers(ctx)
        while not self._stop.is_set():
            names = list(self._readers)
            states = [(PNP_READER, self._pnp_state)] + [(n, self._readers[n].state) for n in names]
            hr, new_states = api.SCardGetStatusChange(ctx, self._wait_ms(), states)
            hr = self._check(hr, "SCardGetStatusChange")
            if hr == SCARD_E_CANCELLED or self._stop.is_set():
                return
            if hr == SCARD_E_TIMEOUT:
                self._sync_readers(ctx)  # belt and braces: a missed PnP notification
                self._presence_check(ctx)
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
                    if event_state & api.SCARD_STATE_CHANGED:
                        pnp_changed = True
                    self._pnp_state = event_state & ~api.SCARD_STATE_CHANGED
                    continue
                rs = self._readers.get(name)
                if rs is None:
                    continue
                rs.state = event_state & ~api.SCARD_STATE_CHANGED
                self._reader_changed(ctx, name, rs, event_state, bytes(atr))
            if pnp_changed:
                self._sync_readers(ctx)
            self._presence_check(ctx)

    def _wait_ms(self) -> int:
        if self.presence_check_s is None:
            return self.WAIT_MS
        return max(50, min(self.WAIT_MS, int(self.presence_check_s * 1000)))

    def _reader_changed(
        self, ctx: int, name: str, rs: _ReaderState, event_state: int, atr: bytes
    ) -> None:
        api = self._api
        if event_state & (api.SCARD_STATE_UNKNOWN | api.SCARD_STATE_UNAVAILABLE):
            if rs.present:
                rs.present = False
                rs.uid = None
                self._emit(CardRemoved(name))
            return
        counter = (event_state >> 16) & 0xFFFF
        has_card = bool(event_state & api.SCARD_STATE_PRESENT)
        if rs.present and (not has_card or counter != rs.counter):
            rs.present = False
            rs.uid = None
            log.info("card removed from %s", name)
            self._emit(CardRemoved(name))
        if not has_card or rs.present:
            return  # empty, or the same card still lying there (e.g. INUSE flips)
        rs.present = True
        rs.counter = counter
        rs.last_check = detected = time.monotonic()
        if event_state & api.SCARD_STATE_MUTE:
            log.info("mute card on %s", name)
            self._emit(CardUnreadable(name, atr, "error"))
            return
        event = self._read(ctx, name, atr, detected)
        rs.uid = event.uid if isinstance(event, CardPresented) else None
        self._emit(event)

    def _presence_check(self, ctx: int) -> None:
        """Re-read the UID of presented cards: catches swaps pcscd did not see."""
        if self.presence_check_s is None:
            return
        now = time.monotonic()
        for name, rs in list(self._readers.items()):
            if not rs.present or rs.uid is None or now - rs.last_check < self.presence_check_s:
                continue
            rs.last_check = now
            try:
                atr, uid = _read_card(ctx, name, self._api, self._lsb_first(name))
            except CardReadError as exc:
                if exc.reason == "no_service":
                    raise _ServiceLostError(str(exc)) from None
                if exc.reason in ("no_card", "removed"):
                    log.info("presence check: card gone from %s", name)
                    rs.present, rs.uid = False, None
                    rs.state = self._api.SCARD_STATE_UNAWARE  # report what pcscd sees next
                    self._emit(CardRemoved(name))
                continue  # busy (another handle), transient error: keep the card
            if uid != rs.uid:
                log.info("presence check: another card on %s", name)
                self._emit(CardRemoved(name))
                rs.uid = uid
                self._emit(CardPresented(name, atr, uid, now))

    def _read(self, ctx: int, name: str, atr: bytes, detected: float) -> CardEvent:
        try:
            card_atr, uid = _read_card(ctx, name, self._api, self._lsb_first(name))
        except CardReadError as exc:
            if exc.reason == "no_service":
                raise _ServiceLostError(str(exc)) from None
            reason = {"no_card": "removed", "removed": "removed"}.get(exc.reason, exc.reason)
            if reason not in ("removed", "no_uid", "random_uid", "bad_response"):
                reason = "error"
            log.info("card on %s unreadable: %s", name, exc)
            return CardUnreadable(name, atr, reason)
        log.info("card presented on %s", name)
        return CardPresented(name, card_atr or atr, uid, detected)
