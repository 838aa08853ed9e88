"""Offline identification: a sealed copy of the village registry, and PIN attempts made offline.

The kiosk keeps the back office's registry snapshot (card fingerprint → resident, PIN verifier,
failure count, lock) sealed under its key file, so a villager can still apply while the link is
down. The verifiers are argon2id hashes: whoever holds both this file and the key file can try
every 6-digit PIN offline, which is why the snapshot never rests unsealed and is never logged.

Every PIN attempt judged here is kept (sealed) until the back office has merged it
(`POST /api/v1/registry/pin-events`); its event id makes re-sending safe. The local state of a
card is the snapshot's, with the attempts not yet reported replayed on top: wrong adds a
failure, reaching the maximum locks (and the lock is reported as such, so it wins everywhere),
right resets an unlocked counter.

Command line (mobile service mode, see deploy/mobile-service.md):
    python -m terminal.offline --config kiosk.toml sync|status
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from forms.identity import Resident
from terminal.client import IdentifyOutcome, IdentifyResult, backoffice_http
from terminal.sealing import Sealer, SealError

log = logging.getLogger(__name__)

SNAPSHOT_FILE = "registry.sealed"
CHECKED_FILE = "registry.checked"  # when the back office last confirmed the snapshot (no PII)
EVENTS_FILE = "pin-events.sealed"
SNAPSHOT_CONTEXT = b"smart-kampung/registry-snapshot/v1"
EVENTS_CONTEXT = b"smart-kampung/pin-events/v1"
PUSH_BATCH = 500  # the back office takes up to 1000 per request
DEFAULT_MAX_AGE_S = 72 * 3600.0  # older than this, a revoked card could still pass: refuse


class OfflineRegistry:
    """The sealed snapshot and the unreported PIN attempts in `data_dir`.

    Thread-safe: `identify` runs on a worker thread while `sync` runs on a timer thread. The
    network calls (`sync`, `push_events`) are serialised among themselves and never hold the
    lock `identify` needs; argon2 verification runs outside any lock.
    """

    def __init__(
        self,
        data_dir: Path,
        sealer: Sealer,
        base_url: str,
        token: str,
        timeout_s: float = 10.0,
        max_age_s: float | None = DEFAULT_MAX_AGE_S,
        ca_file: str | Path | None = None,
    ):
        self._dir = Path(data_dir)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._sealer = sealer
        self._max_age_s = max_age_s
        self._http = backoffice_http(base_url, token, timeout_s, ca_file)
        self._hasher = PasswordHasher()  # verify reads the parameters from each verifier
        self._lock = threading.Lock()  # in-memory state and the files
        self._net = threading.Lock()  # one sync or push at a time
        self._snapshot: dict | None = None
        self._etag: str | None = None
        self._checked_at: float | None = None  # wall clock, seconds
        self._events: list[dict] = []
        self._last_at: datetime | None = None
        self._link_down = False  # log a lost link once per outage
        self._load()

    # --- what the kiosk asks ------------------------------------------------------------

    @property
    def has_snapshot(self) -> bool:
        with self._lock:
            return self._snapshot is not None

    @property
    def snapshot_age_s(self) -> float | None:
        """Seconds since the back office last confirmed the snapshot; None without one."""
        with self._lock:
            return self._age_locked()

    @property
    def snapshot_version(self) -> int | None:
        with self._lock:
            return None if self._snapshot is None else self._snapshot.get("version")

    @property
    def pending_events(self) -> int:
        with self._lock:
            return len(self._events)

    def status(self) -> dict:
        """For the heartbeat and the command line; nothing personal."""
        with self._lock:
            snap = self._snapshot
            return {
                "snapshot_version": None if snap is None else snap.get("version"),
                "snapshot_age_s": self._age_locked(),
                "cards": 0 if snap is None else len(snap["cards"]),
                "pin_events_pending": len(self._events),
            }

    def identify(self, card_fingerprint: str, pin: str) -> IdentifyOutcome:
        card = card_fingerprint.lower()
        with self._lock:
            if self._snapshot is None:
                return IdentifyOutcome(IdentifyResult.UNREACHABLE)
            age = self._age_locked()
            if self._max_age_s is not None and age is not None and age > self._max_age_s:
                log.warning("offline identify refused: the registry snapshot is %d h old",
                            int(age // 3600))
                return IdentifyOutcome(IdentifyResult.UNREACHABLE)
            entry = self._snapshot["cards"].get(card)
            if entry is None:
                return IdentifyOutcome(IdentifyResult.UNKNOWN_CARD)
            verifier = entry.get("pin_verifier")
            if not verifier:
                return IdentifyOutcome(IdentifyResult.REFUSED)  # no PIN yet: staff set one
            if self._card_state_locked(card)[1]:
                return IdentifyOutcome(IdentifyResult.LOCKED)
            resident_data = entry["resident"]
        right = self._verify(verifier, pin)  # slow on purpose; outside the lock
        with self._lock:
            if self._snapshot is None or card not in self._snapshot["cards"]:
                return IdentifyOutcome(IdentifyResult.UNKNOWN_CARD)  # unbound by a sync meanwhile
            failed, locked, max_attempts = self._card_state_locked(card)
            if locked:  # locked meanwhile (a sync, another attempt): the lock wins
                return IdentifyOutcome(IdentifyResult.LOCKED)
            if right:
                self._record_locked(card, "right", False)
                try:
                    return IdentifyOutcome(IdentifyResult.OK, Resident.from_dict(resident_data))
                except (KeyError, TypeError, ValueError):
                    log.error("offline identify: a resident record in the snapshot is unreadable")
                    return IdentifyOutcome(IdentifyResult.REFUSED)
            failed += 1
            locks = failed >= max_attempts
            self._record_locked(card, "wrong", locks)
            if locks:
                return IdentifyOutcome(IdentifyResult.LOCKED)
            return IdentifyOutcome(IdentifyResult.WRONG_PIN, attempts_left=max_attempts - failed)

    # --- talking to the back office -----------------------------------------------------

    def sync(self) -> bool:
        """Report the PIN attempts, then fetch the snapshot if it changed (ETag).

        True when the kiosk now holds the back office's current snapshot."""
        with self._net:
            self._push_locked_net()
            with self._lock:
                etag = self._etag if self._snapshot is not None else None
            try:
                r = self._http.get(
                    "/api/v1/registry/snapshot",
                    headers={"If-None-Match": etag} if etag else None,
                )
            except httpx.HTTPError as e:
                self._link_lost("snapshot", type(e).__name__)
                return False
            if r.status_code == 304:
                self._link_back()
                with self._lock:
                    self._checked_at = time.time()
                    self._write_checked_locked()
                return True
            if r.status_code != 200:
                self._link_lost("snapshot", str(r.status_code))
                return False
            try:
                snapshot = _valid_snapshot(r.json())
            except (ValueError, TypeError, KeyError):
                log.error("sync: the back office sent a snapshot the kiosk cannot read")
                return False
            self._link_back()
            with self._lock:
                self._snapshot = snapshot
                self._etag = r.headers.get("etag")
                self._checked_at = time.time()
                self._write_snapshot_locked()
                self._write_checked_locked()
            log.info("registry snapshot %s stored (%d cards)", snapshot["version"],
                     len(snapshot["cards"]))
            return True

    def push_events(self) -> bool:
        """Report the unreported PIN attempts; apply the lock states the back office returns.

        True when nothing is left to report."""
        with self._net:
            return self._push_locked_net()

    def close(self) -> None:
        self._http.close()

    # --- internals ----------------------------------------------------------------------

    def _push_locked_net(self) -> bool:
        while True:
            with self._lock:
                batch = [dict(ev) for ev in self._events[:PUSH_BATCH]]
            if not batch:
                return True
            try:
                r = self._http.post("/api/v1/registry/pin-events", json={"events": batch})
            except httpx.HTTPError as e:
                self._link_lost("pin events", type(e).__name__)
                return False
            if r.status_code != 200:
                # Kept whatever the answer: a PIN failure must not be forgotten.
                self._link_lost("pin events", str(r.status_code))
                return False
            try:
                body = r.json()
                cards = body["cards"]
                if not isinstance(cards, dict):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                log.error("pin events: the back office's answer is unreadable")
                return False
            self._link_back()
            sent = {ev["event_id"] for ev in batch}
            with self._lock:
                self._events = [ev for ev in self._events if ev["event_id"] not in sent]
                if self._snapshot is not None:
                    for card, state in cards.items():
                        entry = self._snapshot["cards"].get(card)
                        if entry is None or not isinstance(state, dict):
                            continue  # unbound since: the next snapshot drops it
                        entry["failed_attempts"] = int(state.get("failed_attempts", 0))
                        entry["locked"] = bool(state.get("locked", False))
                    self._write_snapshot_locked()
                self._write_events_locked()
            log.info("pin events: %d reported", len(batch))

    def _verify(self, verifier: str, pin: str) -> bool:
        try:
            return self._hasher.verify(verifier, pin)
        except (VerificationError, InvalidHashError):
            return False

    def _age_locked(self) -> float | None:
        if self._snapshot is None or self._checked_at is None:
            return None
        return max(0.0, time.time() - self._checked_at)

    def _card_state_locked(self, card: str) -> tuple[int, bool, int]:
        """(failed, locked, max) of a card: the snapshot's, with unreported attempts on top."""
        snap = self._snapshot
        assert snap is not None
        max_attempts = int(snap["pin_max_attempts"])
        entry = snap["cards"][card]
        failed, locked = int(entry["failed_attempts"]), bool(entry["locked"])
        for ev in self._events:
            if ev["card"] != card:
                continue
            if ev["outcome"] == "wrong" and not locked:
                failed += 1
                locked = failed >= max_attempts
            elif ev["outcome"] == "right" and not locked:
                failed = 0
            locked = locked or bool(ev.get("locked"))
        return failed, locked, max_attempts

    def _record_locked(self, card: str, outcome: str, locks: bool) -> None:
        # Strictly increasing times: the back office merges in time order.
        at = datetime.now(UTC)
        if self._last_at is not None and at <= self._last_at:
            at = self._last_at + timedelta(microseconds=1)
        self._last_at = at
        self._events.append(
            {
                "event_id": str(uuid.uuid4()),
                "card": card,
                "outcome": outcome,
                "at": at.isoformat(),
                "locked": locks,
            }
        )
        try:
            self._write_events_locked()
        except OSError as e:
            # Kept in memory and reported when the link returns; only a restart before that
            # would forget it.
            log.error("pin events: cannot store on disk (%s)", type(e).__name__)

    def _link_lost(self, what: str, why: str) -> None:
        if not self._link_down:
            log.warning("%s: back office unreachable (%s); working offline", what, why)
        self._link_down = True

    def _link_back(self) -> None:
        if self._link_down:
            log.info("back office reachable again")
        self._link_down = False

    # files

    def _load(self) -> None:
        snap_path = self._dir / SNAPSHOT_FILE
        if snap_path.exists():
            try:
                stored = json.loads(self._sealer.open(snap_path.read_bytes(), SNAPSHOT_CONTEXT))
                self._snapshot = _valid_snapshot(stored["snapshot"])
                self._etag = stored.get("etag")
                self._checked_at = float(stored["fetched_at"])
            except (OSError, SealError, ValueError, KeyError, TypeError):
                # Refetched at the next sync; identification is online-only until then.
                log.error("registry snapshot unreadable (damaged or another key); ignored")
                self._snapshot = None
        try:
            checked = float((self._dir / CHECKED_FILE).read_text())
            if self._checked_at is not None:
                self._checked_at = max(self._checked_at, checked)
        except (OSError, ValueError):
            pass
        events_path = self._dir / EVENTS_FILE
        if events_path.exists():
            try:
                stored = json.loads(self._sealer.open(events_path.read_bytes(), EVENTS_CONTEXT))
                self._events = [ev for ev in stored["events"] if isinstance(ev, dict)]
            except (OSError, SealError, ValueError, KeyError, TypeError):
                aside = events_path.with_name(f"{EVENTS_FILE}.unreadable-{int(time.time())}")
                log.error("pending PIN events unreadable; kept aside for staff")
                os.replace(events_path, aside)

    def _write_snapshot_locked(self) -> None:
        assert self._snapshot is not None
        data = json.dumps(
            {"etag": self._etag, "fetched_at": self._checked_at, "snapshot": self._snapshot},
            ensure_ascii=False,
        ).encode("utf-8")
        _write_atomic(self._dir / SNAPSHOT_FILE, self._sealer.seal(data, SNAPSHOT_CONTEXT))

    def _write_checked_locked(self) -> None:
        _write_atomic(self._dir / CHECKED_FILE, f"{self._checked_at}\n".encode())

    def _write_events_locked(self) -> None:
        data = json.dumps({"events": self._events}).encode("utf-8")
        _write_atomic(self._dir / EVENTS_FILE, self._sealer.seal(data, EVENTS_CONTEXT))


def _valid_snapshot(body) -> dict:
    """The snapshot as sent by the back office, checked enough to be used blindly later."""
    if not isinstance(body, dict):
        raise TypeError("snapshot is not an object")
    cards = body["cards"]
    max_attempts = body["pin_max_attempts"]
    if not isinstance(cards, dict) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError("snapshot lacks cards or pin_max_attempts")
    for card, entry in cards.items():
        if (
            not isinstance(card, str)
            or not isinstance(entry, dict)
            or not isinstance(entry.get("resident"), dict)
            or not isinstance(entry.get("pin_verifier"), str | None)
            or not isinstance(entry.get("failed_attempts"), int)
            or not isinstance(entry.get("locked"), bool)
        ):
            raise ValueError("snapshot entry malformed")
    return {
        "version": body.get("version"),
        "generated_at": body.get("generated_at"),
        "village_code": body.get("village_code"),
        "pin_max_attempts": max_attempts,
        "cards": {card.lower(): entry for card, entry in cards.items()},
    }


def _write_atomic(path: Path, data: bytes) -> None:
    """Write temp + fsync + rename + fsync the folder: the old file or the new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- command line -----------------------------------------------------------------------


def _outbox_counts(data_dir: Path, sealer: Sealer) -> tuple[int, int] | None:
    path = data_dir / "outbox.sqlite3"
    if not path.exists():
        return None
    try:
        from terminal.outbox import Outbox

        outbox = Outbox(path, sealer)
        try:
            return outbox.pending_count(), outbox.set_aside_count()
        finally:
            outbox.close()
    except Exception:  # `python -m terminal.sender` is the outbox's own tool; this is a glance
        return None


def _describe_age(age: float | None) -> str:
    if age is None:
        return "never"
    if age < 120:
        return f"{int(age)} s ago"
    if age < 7200:
        return f"{int(age // 60)} min ago"
    return f"{age / 3600:.1f} h ago"


def main(argv: list[str] | None = None) -> int:
    from terminal.config import ConfigError, KioskConfig

    p = argparse.ArgumentParser(
        prog="python -m terminal.offline",
        description="The kiosk's offline registry: sync it before going out, check it after.",
    )
    p.add_argument("--config", required=True, help="the kiosk's TOML configuration")
    p.add_argument("--key-file", help="the kiosk's sealing key (default: the configuration's "
                   "[kiosk] key_file)")
    p.add_argument("command", choices=["sync", "status"])
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        config = KioskConfig.load(args.config)
    except ConfigError as e:
        print(f"offline: {e}", file=sys.stderr)
        return 2
    key_file = Path(args.key_file) if args.key_file else Path(config.key_file)
    if args.command == "status" and not key_file.exists():
        print("snapshot: NONE (this kiosk has no key yet: run sync)")
        return 1
    try:
        sealer = Sealer.from_key_file(key_file, create=bool(getattr(config, "create_key", False)))
    except (OSError, RuntimeError, ValueError) as e:
        print(f"offline: {e}", file=sys.stderr)
        return 2
    registry = OfflineRegistry(
        config.data_dir, sealer, config.backoffice_url, config.backoffice_token,
        timeout_s=config.request_timeout_s, ca_file=config.backoffice_ca_file,
    )
    try:
        ok = True
        if args.command == "sync":
            ok = registry.sync()
            print("sync: " + ("done" if ok else "FAILED (is the back office reachable?)"))
        st = registry.status()
        fresh = st["snapshot_version"] is not None and (
            registry._max_age_s is None or (st["snapshot_age_s"] or 0) <= registry._max_age_s
        )
        print(f"snapshot: version {st['snapshot_version']}, {st['cards']} cards, "
              f"confirmed by the back office {_describe_age(st['snapshot_age_s'])}"
              if st["snapshot_version"] is not None else "snapshot: NONE (run sync)")
        print(f"PIN attempts not yet reported: {st['pin_events_pending']}")
        counts = _outbox_counts(config.data_dir, sealer)
        if counts is not None:
            print(f"applications waiting to be sent: {counts[0]} "
                  f"(set aside for staff: {counts[1]})")
        if args.command == "sync":
            return 0 if ok and st["pin_events_pending"] == 0 else 1
        return 0 if fresh else 1
    finally:
        registry.close()


if __name__ == "__main__":
    sys.exit(main())
