"""Store-and-forward of applications, complaints and survey answers to the back office.

Every item has a kind (`application`, `complaint`, `survey`); what is said of applications below
holds for all three (a complaint or a survey carries no PDF: its `pdf` column holds an empty,
sealed one). Version 2 outboxes (applications only) gain the `kind` column when opened.

An application is written here, with its PDF and its Idempotency-Key, in one transaction
*before* the villager is told it is submitted. One sender (one process, held by a file lock)
drains the outbox; a row is deleted only once the back office has acknowledged it, and the
key makes every retry safe: the back office stores each application once however often it
arrives.

Personal data at rest: the application's JSON and its PDF are sealed (AES-GCM, the kiosk's
root-only key, the idempotency key as context); the clear columns hold only the application
number, timestamps and the retry state. `secure_delete` overwrites what an acknowledged row
leaves behind, and the write-ahead log is truncated whenever the outbox runs empty.

The retry schedule lives in the database (attempts, next attempt with full jitter, a cap), so
it survives restarts. Answers that time can fix are retried forever at the capped pace; an
answer that says the application itself is wrong sets it aside for staff (never dropped,
never retried by itself; `requeue` puts it back).
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from terminal.client import BackofficeClient, SubmitResult
from terminal.sealing import Sealer, SealError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
APPLICATION = "application"
KINDS = (APPLICATION, "complaint", "survey")  # forms.feedback names the other two
ROOM_MARGIN_BYTES = 20 * 1024 * 1024  # what the disk must keep free beyond 4 × the new data
# enqueue itself never takes the last of the disk: acknowledgements (deletes) and receipt
# numbers need a little room to be written too.
RESERVE_BYTES = 1024 * 1024
LOCK_NAME = "outbox.sender.lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    application_number TEXT NOT NULL UNIQUE,    -- the item's number, whatever its kind
    application BLOB NOT NULL,          -- the item's sealed JSON (an Application for applications)
    pdf BLOB NOT NULL,                  -- sealed PDF of the application copy
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_result TEXT NOT NULL DEFAULT '',   -- status code and error code only
    set_aside_at REAL,                  -- NULL: waiting to be sent
    kind TEXT NOT NULL DEFAULT 'application'
);
CREATE INDEX IF NOT EXISTS queue_due ON queue(next_attempt_at) WHERE set_aside_at IS NULL;
CREATE TABLE IF NOT EXISTS numbering (
    day TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
"""


def number_day(now: datetime) -> str:
    """The day part of a receipt number (`yymmdd`, in the kiosk's time zone)."""
    return now.strftime("%y%m%d")


@dataclass(frozen=True)
class OutboxItem:
    idempotency_key: str
    application_number: str  # the item's number, whatever its kind
    payload: str
    pdf: bytes
    attempts: int
    kind: str = APPLICATION


@dataclass(frozen=True)
class PendingItem:
    """An application waiting to be sent, and its retry schedule; nothing personal."""

    idempotency_key: str
    application_number: str
    attempts: int
    next_attempt_at: float
    last_result: str  # e.g. "503", "ReadTimeout"; empty before the first attempt
    created_at: float


@dataclass(frozen=True)
class SetAsideItem:
    """An application the back office refused for good; nothing personal (for staff screens)."""

    idempotency_key: str
    application_number: str
    attempts: int
    reason: str  # e.g. "422 resident_unknown"
    created_at: float
    set_aside_at: float


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    set_aside: int
    oldest_age_s: float | None  # age of the oldest application still waiting to be sent


class OutboxError(RuntimeError):
    """The kiosk could not store an application (disk full, broken storage)."""


def _seal_context(key: str, part: str) -> bytes:
    return f"{key}/{part}".encode()


class Outbox:
    def __init__(self, path: Path, sealer: Sealer | None = None):
        """`sealer`: the kiosk's key (`Sealer.from_key_file`, created at install).

        Without one (development only), a key file beside the database is used or created.
        """
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sealer = sealer or Sealer.from_key_file(self.path.parent / "kiosk.key", create=True)
        self._lock = threading.Lock()
        # One connection, shared by the UI's threads and the sender thread under a lock:
        # operations are short, and a single connection keeps the WAL open between them.
        try:
            self._db = sqlite3.connect(
                self.path, timeout=10, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA secure_delete=ON")
            with self._lock:
                self._migrate()
        except sqlite3.Error as e:
            raise OutboxError(f"{self.path}: {_storage_problem(e)}") from e

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- schema -------------------------------------------------------------------------

    def _migrate(self) -> None:
        db = self._db
        if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return  # up to date: opening writes nothing (it must work on a full disk too)
        db.execute("BEGIN IMMEDIATE")
        try:
            # One statement at a time: executescript would commit the transaction.
            for stmt in filter(str.strip, _SCHEMA.split(";")):
                db.execute(stmt)
            columns = {row[1] for row in db.execute("PRAGMA table_info(queue)")}
            if "kind" not in columns:  # version 2: every queued item is an application
                db.execute("ALTER TABLE queue ADD COLUMN kind TEXT NOT NULL "
                           "DEFAULT 'application'")
            legacy = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"
            ).fetchone()
            if legacy:
                self._seal_legacy_rows(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if legacy:  # the zeroed pages replace the clear ones in the main file too
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def _seal_legacy_rows(self, db: sqlite3.Connection) -> None:
        """Version 1 kept payloads and PDFs in clear: seal them and overwrite the old table."""
        rows = db.execute(
            "SELECT idempotency_key, application_number, payload, pdf, created_at, attempts, "
            "next_attempt_at, last_result, set_aside FROM outbox"
        ).fetchall()
        for key, number, payload, pdf, created, attempts, next_at, result, aside in rows:
            db.execute(
                "INSERT OR IGNORE INTO queue(idempotency_key, application_number, application, "
                "pdf, created_at, attempts, next_attempt_at, last_result, set_aside_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key, number,
                    self._sealer.seal(payload.encode(), _seal_context(key, "application")),
                    self._sealer.seal(bytes(pdf), _seal_context(key, "pdf")),
                    created, attempts, next_at, result, created if aside else None,
                ),
            )
        db.execute("DROP TABLE outbox")  # secure_delete: the clear pages are zeroed
        log.info("outbox: %d queued application(s) sealed from the old format", len(rows))

    def _run(self, fn: Callable[[sqlite3.Connection], object], write: bool = False):
        with self._lock:
            db = self._db
            try:
                if not write:
                    return fn(db)
                db.execute("BEGIN IMMEDIATE")
                result = fn(db)
                db.execute("COMMIT")
                return result
            except BaseException:
                if db.in_transaction:
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise

    # --- the kiosk's side ---------------------------------------------------------------

    def next_application_number(self, kiosk_id: str, now: datetime, series: str = "") -> str:
        """Reserve the next receipt number of the day: `<kiosk>-<yymmdd>-<nnnn>`.

        A `series` letter counts on its own: `P` gives complaints `<kiosk>-<yymmdd>-P<nnn>`."""
        day = number_day(now)
        counter = f"{series}{day}"

        def work(db):
            db.execute(
                "INSERT INTO numbering(day, last) VALUES (?, 1) "
                "ON CONFLICT(day) DO UPDATE SET last = last + 1",
                (counter,),
            )
            return db.execute("SELECT last FROM numbering WHERE day = ?",
                              (counter,)).fetchone()[0]

        try:
            seq = self._run(work, write=True)
        except sqlite3.Error as e:
            raise OutboxError(_storage_problem(e)) from e
        return f"{kiosk_id}-{day}-{series}{seq:0{4 - len(series)}d}"

    def raise_numbering(self, day: str, last: dict[str, int]) -> None:
        """The back office's highest numbers of `day` from this kiosk (`{series: last}`):
        numbering goes on above them. Only ever raises a counter: after a wiped data directory
        (a reinstalled kiosk) the day's numbers are not handed out a second time."""
        if not re.fullmatch(r"\d{6}", day):
            raise ValueError(f"day {day!r}")

        def work(db):
            for series, seq in last.items():
                if series in ("", "P") and isinstance(seq, int) and 0 < seq < 10**6:
                    db.execute(
                        "INSERT INTO numbering(day, last) VALUES (?, ?) "
                        "ON CONFLICT(day) DO UPDATE SET last = max(last, excluded.last)",
                        (f"{series}{day}", seq),
                    )

        try:
            self._run(work, write=True)
        except sqlite3.Error as e:
            raise OutboxError(_storage_problem(e)) from e

    def has_room(self, nbytes: int) -> bool:
        """Can an application of about `nbytes` (JSON + PDF) be stored with a safe margin?

        Asked before the villager confirms, so a full disk is said plainly at that point."""
        return self._free_bytes() >= ROOM_MARGIN_BYTES + 4 * max(0, nbytes)

    def _free_bytes(self) -> int:
        """Free space on the disk, plus the pages acknowledged rows left free in the file."""
        try:
            st = os.statvfs(self.path.parent)
            pages, size = self._run(lambda db: (
                db.execute("PRAGMA freelist_count").fetchone()[0],
                db.execute("PRAGMA page_size").fetchone()[0],
            ))
        except (OSError, sqlite3.Error):
            return 0
        return st.f_bavail * st.f_frsize + pages * size

    def enqueue(self, application_number: str, payload: str, pdf: bytes = b"",
                kind: str = APPLICATION) -> str:
        """Store one item durably (sealed); returns its Idempotency-Key.

        Raises OutboxError when it could not be stored (nothing half-written remains)."""
        if kind not in KINDS:
            raise ValueError(f"outbox item kind {kind!r}")
        if self._free_bytes() < RESERVE_BYTES + 2 * (len(payload.encode()) + len(pdf)):
            log.error("outbox: could not store application %s (disk full)", application_number)
            raise OutboxError("disk full")
        key = str(uuid.uuid4())
        sealed_app = self._sealer.seal(payload.encode(), _seal_context(key, "application"))
        sealed_pdf = self._sealer.seal(pdf, _seal_context(key, "pdf"))
        now = time.time()
        try:
            self._run(
                lambda db: db.execute(
                    "INSERT INTO queue(idempotency_key, application_number, application, pdf, "
                    "created_at, next_attempt_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (key, application_number, sealed_app, sealed_pdf, now, now, kind),
                ),
                write=True,
            )
        except sqlite3.Error as e:
            log.error("outbox: could not store application %s (%s)", application_number,
                      _storage_problem(e))
            raise OutboxError(_storage_problem(e)) from e
        return key

    # --- the sender's side --------------------------------------------------------------

    def next_due(self, now: float) -> OutboxItem | None:
        """The next application to send, opened; one that does not open is set aside."""
        while True:
            row = self._run(
                lambda db: db.execute(
                    "SELECT idempotency_key, application_number, application, pdf, attempts, "
                    "kind FROM queue WHERE set_aside_at IS NULL AND next_attempt_at <= ? "
                    "ORDER BY next_attempt_at, id LIMIT 1",
                    (now,),
                ).fetchone()
            )
            if row is None:
                return None
            key, number, sealed_app, sealed_pdf, attempts, kind = row
            try:
                payload = self._sealer.open(sealed_app, _seal_context(key, "application"))
                pdf = self._sealer.open(sealed_pdf, _seal_context(key, "pdf"))
                return OutboxItem(key, number, payload.decode(), pdf, attempts, kind)
            except (SealError, UnicodeDecodeError):
                log.error("outbox: application %s does not open (damaged or another key); "
                          "set aside", number)
                self.set_aside(key, attempts, "unreadable")

    def seconds_until_due(self, now: float) -> float | None:
        (at,) = self._run(
            lambda db: db.execute(
                "SELECT MIN(next_attempt_at) FROM queue WHERE set_aside_at IS NULL"
            ).fetchone()
        )
        return None if at is None else max(0.0, at - now)

    def delivered(self, key: str) -> None:
        def work(db):
            db.execute("DELETE FROM queue WHERE idempotency_key = ?", (key,))
            return db.execute("SELECT NOT EXISTS (SELECT 1 FROM queue)").fetchone()[0]

        if self._run(work, write=True):
            # Empty: fold the WAL back and truncate it, so no old frame outlives its row.
            self._run(lambda db: db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())

    def retry_later(self, key: str, attempts: int, next_attempt_at: float, result: str) -> None:
        self._run(
            lambda db: db.execute(
                "UPDATE queue SET attempts = ?, next_attempt_at = ?, last_result = ? "
                "WHERE idempotency_key = ?",
                (attempts, next_attempt_at, result, key),
            ),
            write=True,
        )

    def set_aside(self, key: str, attempts: int, result: str) -> None:
        self._run(
            lambda db: db.execute(
                "UPDATE queue SET set_aside_at = ?, attempts = ?, last_result = ? "
                "WHERE idempotency_key = ?",
                (time.time(), attempts, result, key),
            ),
            write=True,
        )

    # --- staff and heartbeat ------------------------------------------------------------

    def pending_items(self) -> list[PendingItem]:
        rows = self._run(
            lambda db: db.execute(
                "SELECT idempotency_key, application_number, attempts, next_attempt_at, "
                "last_result, created_at FROM queue WHERE set_aside_at IS NULL "
                "ORDER BY next_attempt_at, id"
            ).fetchall()
        )
        return [PendingItem(*row) for row in rows]

    def set_aside_items(self) -> list[SetAsideItem]:
        rows = self._run(
            lambda db: db.execute(
                "SELECT idempotency_key, application_number, attempts, last_result, created_at, "
                "set_aside_at FROM queue WHERE set_aside_at IS NOT NULL ORDER BY set_aside_at, id"
            ).fetchall()
        )
        return [SetAsideItem(*row) for row in rows]

    def requeue(self, key: str) -> bool:
        """Staff: send a set-aside application again (after fixing the cause at the office).

        Its retry schedule starts afresh. False if no such set-aside application exists."""
        cur = self._run(
            lambda db: db.execute(
                "UPDATE queue SET set_aside_at = NULL, attempts = 0, next_attempt_at = ?, "
                "last_result = 'requeued' WHERE idempotency_key = ? AND set_aside_at IS NOT NULL",
                (time.time(), key),
            ),
            write=True,
        )
        return cur.rowcount == 1

    def stats(self, now: float | None = None) -> OutboxStats:
        now = time.time() if now is None else now
        pending, aside, oldest = self._run(
            lambda db: db.execute(
                "SELECT COUNT(*) FILTER (WHERE set_aside_at IS NULL), "
                "COUNT(*) FILTER (WHERE set_aside_at IS NOT NULL), "
                "MIN(created_at) FILTER (WHERE set_aside_at IS NULL) FROM queue"
            ).fetchone()
        )
        return OutboxStats(pending, aside, None if oldest is None else max(0.0, now - oldest))

    def pending_count(self) -> int:
        return self.stats().pending

    def set_aside_count(self) -> int:
        return self.stats().set_aside

    def contains(self, key: str) -> bool:
        row = self._run(
            lambda db: db.execute(
                "SELECT 1 FROM queue WHERE idempotency_key = ?", (key,)
            ).fetchone()
        )
        return row is not None


def _storage_problem(e: sqlite3.Error) -> str:
    code = getattr(e, "sqlite_errorname", "") or type(e).__name__
    if code == "SQLITE_FULL" or "full" in str(e).lower():
        return "disk full"
    return f"storage error ({code})"


def retry_delay(attempts: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempts)]."""
    return rng.uniform(0, min(cap_s, base_s * (2 ** min(attempts, 30))))


class Sender:
    """Drains the outbox to the back office: a thread in the kiosk (`start`), or a process of
    its own (`python -m terminal.sender`). A file lock makes sure only one sends at a time."""

    def __init__(
        self,
        outbox: Outbox,
        client: BackofficeClient,
        retry_base_s: float = 2.0,
        retry_cap_s: float = 300.0,
        on_delivered: Callable[[str], None] | None = None,
        *,
        poll_s: float = 30.0,
        lock_path: Path | None = None,
        rng: random.Random | None = None,
    ):
        """`poll_s`: the longest sleep with nothing due (a sender in another process than the
        kiosk is not woken by `wake`, so it polls more often)."""
        self._outbox = outbox
        self._client = client
        self._base, self._cap = retry_base_s, retry_cap_s
        self._on_delivered = on_delivered
        self._poll = poll_s
        self._lock_path = Path(lock_path or outbox.path.parent / LOCK_NAME)
        self._lock_fd: int | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rng = rng or random.Random()

    # --- the one-sender lock ------------------------------------------------------------

    @property
    def holds_lock(self) -> bool:
        return self._lock_fd is not None

    def acquire(self) -> bool:
        """Become the kiosk's one sender if no other holds the lock (never blocks)."""
        if self._lock_fd is not None:
            return True
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd
        return True

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing drops the flock; a killed process drops it too
            self._lock_fd = None

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="outbox-sender", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Try now: a new application was queued, or the link is known to be back."""
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def run(self) -> None:
        """Send until `stop`; waits (politely) while another sender holds the lock."""
        told = False
        try:
            while not self._stop.is_set():
                if not self.acquire():
                    if not told:
                        log.info("outbox: another sender is running; waiting for it to stop")
                        told = True
                    self._wake.wait(min(self._poll, 1.0))
                    self._wake.clear()
                    continue
                try:
                    wait = self.send_due()
                except Exception:  # the sender must outlive any single bad moment
                    log.exception("outbox sender: unexpected error; retrying shortly")
                    wait = 5.0
                self._wake.wait(wait)
                self._wake.clear()
        finally:
            self.release()

    def send_due(self) -> float:
        """Send everything that is due; return how long to sleep before looking again."""
        if not self.acquire():
            return min(self._poll, 1.0)
        while not self._stop.is_set():
            item = self._outbox.next_due(time.time())
            if item is None:
                break
            self._send(item)
        until = self._outbox.seconds_until_due(time.time())
        return self._poll if until is None else min(until, self._poll)

    def _send(self, item: OutboxItem) -> None:
        if item.kind == APPLICATION:
            outcome = self._client.submit(
                item.idempotency_key, item.payload, item.pdf, item.application_number
            )
        else:
            outcome = self._client.submit_feedback(
                item.kind, item.idempotency_key, item.payload, item.application_number
            )
        attempts = item.attempts + 1
        number = item.application_number
        if outcome.result is SubmitResult.DELIVERED:
            self._outbox.delivered(item.idempotency_key)
            log.info("outbox: %s delivered (%s) after %d attempt(s)", number, outcome.detail,
                     attempts)
            if self._on_delivered:
                try:
                    self._on_delivered(item.idempotency_key)
                except Exception:
                    log.exception("outbox: on_delivered failed for %s", number)
        elif outcome.result is SubmitResult.SET_ASIDE:
            self._outbox.set_aside(item.idempotency_key, attempts, outcome.detail)
            log.error("outbox: %s set aside for staff review (%s)", number, outcome.detail)
        else:
            if outcome.retry_after_s is not None:
                delay = min(self._cap, max(0.0, outcome.retry_after_s))
            else:
                delay = retry_delay(attempts - 1, self._base, self._cap, self._rng)
            self._outbox.retry_later(
                item.idempotency_key, attempts, time.time() + delay, outcome.detail
            )
            log.warning("outbox: %s not delivered (%s); retry in %.1f s", number,
                        outcome.detail, delay)

