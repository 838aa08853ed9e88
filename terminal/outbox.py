"""Store-and-forward of applications to the back office.

An application is written here, with its PDF and its Idempotency-Key, in one transaction
*before* the villager is told it is submitted. One sender drains the outbox; a row is deleted
only once the back office has acknowledged it, and the key makes every retry safe: the back
office stores each application once however often it arrives.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from terminal.client import BackofficeClient, SubmitResult

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    application_number TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    pdf BLOB NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_result TEXT NOT NULL DEFAULT '',
    set_aside INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS numbering (
    day TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class OutboxItem:
    idempotency_key: str
    application_number: str
    payload: str
    pdf: bytes
    attempts: int


class OutboxError(RuntimeError):
    """The kiosk could not store an application (disk full, broken storage)."""


class Outbox:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # A connection per operation: the GUI thread and the sender never share one.
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return _Closing(db)

    def next_application_number(self, kiosk_id: str, now: datetime) -> str:
        """Reserve the next receipt number of the day: `<kiosk>-<yymmdd>-<nnnn>`."""
        day = now.strftime("%y%m%d")
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    "INSERT INTO numbering(day, last) VALUES (?, 1) "
                    "ON CONFLICT(day) DO UPDATE SET last = last + 1",
                    (day,),
                )
                (seq,) = db.execute("SELECT last FROM numbering WHERE day = ?", (day,)).fetchone()
                db.execute("COMMIT")
        except sqlite3.Error as e:
            raise OutboxError(str(e)) from e
        return f"{kiosk_id}-{day}-{seq:04d}"

    def enqueue(self, application_number: str, payload: str, pdf: bytes) -> str:
        """Store one application durably; returns its Idempotency-Key."""
        key = str(uuid.uuid4())
        now = time.time()
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO outbox(idempotency_key, application_number, payload, pdf, "
                    "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (key, application_number, payload, pdf, now, now),
                )
        except sqlite3.Error as e:
            raise OutboxError(str(e)) from e
        return key

    def next_due(self, now: float) -> OutboxItem | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT idempotency_key, application_number, payload, pdf, attempts FROM outbox "
                "WHERE set_aside = 0 AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1",
                (now,),
            ).fetchone()
        return OutboxItem(*row) if row else None

    def seconds_until_due(self, now: float) -> float | None:
        with self._connect() as db:
            (at,) = db.execute(
                "SELECT MIN(next_attempt_at) FROM outbox WHERE set_aside = 0"
            ).fetchone()
        return None if at is None else max(0.0, at - now)

    def delivered(self, key: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM outbox WHERE idempotency_key = ?", (key,))

    def retry_later(self, key: str, attempts: int, next_attempt_at: float, result: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_result = ? "
                "WHERE idempotency_key = ?",
                (attempts, next_attempt_at, result, key),
            )

    def set_aside(self, key: str, attempts: int, result: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET set_aside = 1, attempts = ?, last_result = ? "
                "WHERE idempotency_key = ?",
                (attempts, result, key),
            )

    def pending_count(self) -> int:
        with self._connect() as db:
            (n,) = db.execute("SELECT COUNT(*) FROM outbox WHERE set_aside = 0").fetchone()
        return n

    def set_aside_count(self) -> int:
        with self._connect() as db:
            (n,) = db.execute("SELECT COUNT(*) FROM outbox WHERE set_aside = 1").fetchone()
        return n

    def contains(self, key: str) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT 1 FROM outbox WHERE idempotency_key = ?", (key,)).fetchone()
        return row is not None


class _Closing:
    """sqlite3's context manager commits but does not close; this one closes too."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        return self._db

    def __exit__(self, *exc) -> None:
        self._db.close()


def retry_delay(attempts: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempts)]."""
    return rng.uniform(0, min(cap_s, base_s * (2 ** min(attempts, 30))))


class Sender:
    """The one thread that drains the outbox to the back office."""

    def __init__(
        self,
        outbox: Outbox,
        client: BackofficeClient,
        retry_base_s: float = 2.0,
        retry_cap_s: float = 300.0,
        on_delivered: Callable[[str], None] | None = None,
    ):
        self._outbox = outbox
        self._client = client
        self._base, self._cap = retry_base_s, retry_cap_s
        self._on_delivered = on_delivered
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rng = random.Random()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Try now: a new application was queued, or the link is known to be back."""
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.send_due()
            except Exception:  # the sender must outlive any single bad moment
                log.exception("outbox sender: unexpected error; retrying shortly")
                wait = 5.0
            self._wake.wait(wait)
            self._wake.clear()

    def send_due(self) -> float:
        """Send everything that is due; return how long to sleep before looking again."""
        while not self._stop.is_set():
            item = self._outbox.next_due(time.time())
            if item is None:
                break
            outcome = self._client.submit(item.idempotency_key, item.payload, item.pdf)
            attempts = item.attempts + 1
            if outcome.result is SubmitResult.DELIVERED:
                self._outbox.delivered(item.idempotency_key)
                log.info("outbox: delivered after %d attempt(s)", attempts)
                if self._on_delivered:
                    self._on_delivered(item.idempotency_key)
            elif outcome.result is SubmitResult.SET_ASIDE:
                self._outbox.set_aside(item.idempotency_key, attempts, outcome.detail)
                log.error("outbox: set aside for staff review (%s)", outcome.detail)
            else:
                delay = retry_delay(attempts - 1, self._base, self._cap, self._rng)
                self._outbox.retry_later(
                    item.idempotency_key, attempts, time.time() + delay, outcome.detail
                )
                log.warning("outbox: not delivered (%s); retry in %.1f s", outcome.detail, delay)
        until = self._outbox.seconds_until_due(time.time())
        return 30.0 if until is None else min(until, 30.0)
