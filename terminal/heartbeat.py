"""The kiosk's heartbeat: every 30 s, how it is doing, to the back office (for the fleet page).

Software version, outbox length and the age of its oldest item, printer and reader state,
whether it is in mobile service mode and whether it sleeps outside its opening hours. Nothing
personal: every value is a number or a short machine word, and the back office stores only the
fields it knows. A failed beat is quiet: one log line when the back office stops answering, one
when it answers again. The first beat after a start also asks for the kiosk's highest receipt
numbers of the day (`number_day`; the answer goes to `on_reply`).
"""

from __future__ import annotations

import importlib.metadata
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx

from terminal.client import backoffice_http

log = logging.getLogger(__name__)

_WORD_BAD = re.compile(r"[^a-z0-9_.+-]+")


def software_version() -> str:
    try:
        return importlib.metadata.version("smart-kampung")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def machine_word(value: object) -> str:
    """A printer/reader state as the back office accepts it: lowercase, short, no spaces."""
    word = _WORD_BAD.sub("-", str(value).strip().lower()).strip("-._+")[:40]
    return word or "unknown"


def heartbeat_status(
    *,
    outbox_pending: int,
    outbox_set_aside: int,
    oldest_age_s: float | None,
    printer_state: str,
    printer_reasons: Iterable[str] = (),
    reader_state: str,
    mode: str = "online",
    open_now: bool = True,
    offline: dict | None = None,
    version: str | None = None,
    number_day: str | None = None,
) -> dict:
    """The body of one heartbeat. `offline` is `OfflineRegistry.status()` (its `cards` count
    is left out)."""
    body: dict = {
        "version": version or software_version(),
        "outbox_pending": int(outbox_pending),
        "outbox_set_aside": int(outbox_set_aside),
        "oldest_age_s": None if oldest_age_s is None else max(0.0, float(oldest_age_s)),
        "printer": {
            "state": machine_word(printer_state),
            "reasons": [machine_word(r) for r in list(printer_reasons)[:16]],
        },
        "reader": {"state": machine_word(reader_state)},
        "mode": "mobile" if mode == "mobile" else "online",
        # Asleep outside the opening hours: staff then know why nobody uses it.
        "hours": "open" if open_now else "closed",
    }
    if number_day is not None:  # the back office answers with its highest numbers of that day
        body["number_day"] = number_day
    if offline is not None:
        body["offline"] = {
            "snapshot_version": offline.get("snapshot_version"),
            "snapshot_age_s": offline.get("snapshot_age_s"),
            "pin_events_pending": int(offline.get("pin_events_pending") or 0),
        }
    return body


class Heartbeat:
    """Posts `status()` to `POST /api/v1/heartbeat` every `interval_s`, on its own thread.

    `status` is called on the heartbeat thread; it must be cheap and thread-safe. The first
    beat goes out at `start()`; beats keep a fixed rhythm (a slow one does not shift the next).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        status: Callable[[], dict],
        interval_s: float = 30.0,
        timeout_s: float = 5.0,
        ca_file: str | Path | None = None,
        on_reply: Callable[[dict], None] | None = None,
    ):
        """`on_reply(answer)`: the back office's answer to a beat it took (on this thread)."""
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._status = status
        self._on_reply = on_reply
        self._interval = interval_s
        self._http = backoffice_http(base_url, token, timeout_s, ca_file)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self.last_ok_at: float | None = None  # wall clock of the last acknowledged beat

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._http.close()

    def beat(self) -> bool:
        """One heartbeat now; True if the back office took it."""
        try:
            body = self._status()
        except Exception as e:  # a broken status source must not stop the heartbeat
            self._failed(f"status unavailable ({type(e).__name__})")
            return False
        try:
            r = self._http.post("/api/v1/heartbeat", json=body)
        except httpx.HTTPError as e:
            self._failed(f"back office unreachable ({type(e).__name__})")
            return False
        if r.status_code != 200:
            self._failed(f"back office answered {r.status_code}")
            return False
        self.last_ok_at = time.time()
        if self._failing:
            log.info("heartbeat: the back office takes heartbeats again")
        self._failing = False
        if self._on_reply is not None:
            try:
                answer = r.json()
                if isinstance(answer, dict):
                    self._on_reply(answer)
            except Exception:  # a strange answer must not stop the heartbeat
                log.exception("heartbeat: the back office's answer could not be used")
        return True

    def _failed(self, why: str) -> None:
        if not self._failing:
            log.warning("heartbeat: %s; quiet until it works again", why)
        self._failing = True

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.wait(max(0.0, next_at - time.monotonic())):
            self.beat()
            next_at += self._interval
            now = time.monotonic()
            if next_at < now:  # a beat took longer than the interval: skip, do not burst
                next_at = now + self._interval
