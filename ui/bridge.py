"""Thin Qt glue between threads and the kiosk core: nothing here decides anything.

Card-reader events and outbox acknowledgements arrive on worker threads; they are re-emitted
as signals on QObjects that live in the GUI thread (queued connections), and slow session
work runs on a plain thread whose result is delivered the same way.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from devices.pcsc import CardReaderMonitor

log = logging.getLogger(__name__)


class _Relay(QObject):
    call = Signal(object, object)  # callback, argument

    def __init__(self):
        super().__init__()
        self.call.connect(lambda fn, arg: fn(arg))


class QtRunner:
    """`terminal.session.Runner` for the GUI: work on a thread, `done` on the GUI thread."""

    def __init__(self):
        self._relay = _Relay()

    def run(self, work, done) -> None:
        relay = self._relay

        def job():
            try:
                result = work()
            except Exception:
                # The session stays on its waiting screen; the idle timeout brings it home.
                log.exception("background work failed")
                return
            relay.call.emit(done, result)

        threading.Thread(target=job, name="kiosk-work", daemon=True).start()

    def later(self, fn, arg) -> None:
        """Call `fn(arg)` on the GUI thread (safe from any thread)."""
        self._relay.call.emit(fn, arg)


class CardReaderBridge(QObject):
    """Runs the PC/SC monitor and hands its events to the GUI thread."""

    event = Signal(object)

    def __init__(self, reader_filter: str, sam_filter: str = ""):
        super().__init__()
        self._monitor = CardReaderMonitor(reader_filter, self.event.emit, sam_filter=sam_filter)

    def start(self) -> None:
        self._monitor.start()

    def stop(self) -> None:
        self._monitor.stop()
