"""The outbox: sealed at rest, written whole or not at all, sent by one sender, retried on a
persisted schedule, refused applications set aside for staff.

Real parts: SQLite on disk (and on a real 4 MB tmpfs for the full disk), the real back office
process on loopback, a real HTTP proxy (tests/outbox_rig.py) for the answers the back office
never gives by itself (503, 429, lost replies, a captive portal's 200), real SIGKILLs.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from terminal.client import BackofficeClient, SubmitResult
from terminal.outbox import (
    ROOM_MARGIN_BYTES,
    Outbox,
    OutboxError,
    Sender,
    _seal_context,
    retry_delay,
)
from terminal.sealing import Sealer
from tests.outbox_rig import (
    ROOT,
    TOKEN,
    Fault,
    FaultProxy,
    demo_applications,
    personal_strings,
    write_kiosk_config,
)

APPS, PDF = demo_applications(12, tag="T")


@pytest.fixture
def sealer(tmp_path):
    return Sealer.from_key_file(tmp_path / "keys" / "kiosk.key", create=True)


@pytest.fixture
def outbox(tmp_path, sealer):
    box = Outbox(tmp_path / "kiosk" / "outbox.sqlite3", sealer)
    yield box
    box.close()


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    from terminal.devstack import BackofficeProcess

    bo = BackofficeProcess(tmp_path_factory.mktemp("office"))
    bo.start()
    yield bo
    bo.stop()


@pytest.fixture
def proxy(office):
    with FaultProxy(office.port) as p:
        yield p


def office_rows(office, numbers) -> dict[str, str]:
    db = sqlite3.connect(office.workdir / "backoffice.sqlite3")
    try:
        marks = ",".join("?" * len(numbers))
        rows = db.execute(
            f"SELECT application_number, payload_json FROM applications "
            f"WHERE application_number IN ({marks})", list(numbers)
        ).fetchall()
    finally:
        db.close()
    assert len(rows) == len({n for n, _ in rows}), "the back office holds a duplicate"
    return dict(rows)


def raw_bytes(path: Path) -> bytes:
    out = b""
    for p in (path, Path(f"{path}-wal")):
        if p.exists():
            out += p.read_bytes()
    return out


def open_every_row(path: Path, sealer: Sealer) -> int:
    """Open and parse every row as the sender would; the number of rows."""
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT idempotency_key, application_number, application, pdf "
                          "FROM queue").fetchall()
    finally:
        db.close()
    for key, number, app, pdf in rows:
        payload = json.loads(sealer.open(app, _seal_context(key, "application")))
        assert payload["application_number"] == number
        assert sealer.open(pdf, _seal_context(key, "pdf")).startswith(b"%PDF-")
    return len(rows)


# --- at rest -----------------------------------------------------------------------------


def test_personal_data_is_sealed_at_rest_and_overwritten_once_acknowledged(outbox, sealer):
    number, payload = APPS[0]
    key = outbox.enqueue(number, payload, PDF)
    disk = raw_bytes(outbox.path)
    for s in personal_strings():
        assert s.encode() not in disk
    assert number.encode() in disk  # the receipt number is the one clear field
    item = outbox.next_due(time.time())
    assert (item.idempotency_key, item.payload, item.pdf) == (key, payload, PDF)
    (sealed,) = sqlite3.connect(outbox.path).execute("SELECT application FROM queue").fetchone()

    outbox.delivered(key)
    assert outbox.pending_count() == 0 and not outbox.contains(key)
    assert sealed[20:60] not in raw_bytes(outbox.path)  # secure_delete: not merely unlinked
    assert Path(f"{outbox.path}-wal").stat().st_size == 0  # WAL truncated when empty


def test_a_row_that_does_not_open_is_set_aside_and_the_rest_still_goes(outbox):
    (n1, p1), (n2, p2) = APPS[:2]
    k1, k2 = outbox.enqueue(n1, p1, PDF), outbox.enqueue(n2, p2, PDF)
    db = sqlite3.connect(outbox.path)
    with db:  # row 1's sealed JSON copied into row 2: authenticated context refuses it
        db.execute("UPDATE queue SET application = (SELECT application FROM queue "
                   "WHERE idempotency_key = ?) WHERE idempotency_key = ?", (k1, k2))
    db.close()
    outbox.retry_later(k1, 0, time.time() + 60, "")  # row 2 is due first
    assert outbox.next_due(time.time()) is None
    (aside,) = outbox.set_aside_items()
    assert (aside.idempotency_key, aside.reason) == (k2, "unreadable")
    assert outbox.next_due(time.time() + 61).idempotency_key == k1


def test_an_old_clear_text_outbox_is_sealed_when_opened(tmp_path, sealer):
    path = tmp_path / "outbox.sqlite3"
    number, payload = APPS[0]
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, "
        "application_number TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, pdf BLOB NOT NULL, "
        "created_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL "
        "NOT NULL, last_result TEXT NOT NULL DEFAULT '', set_aside INTEGER NOT NULL DEFAULT 0);"
    )
    db.execute("INSERT INTO outbox VALUES (1, 'k-1', ?, ?, ?, 1.0, 3, 2.0, '503', 0)",
               (number, payload, PDF))
    db.commit()
    db.close()
    nik = json.loads(payload)["resident"]["nik"].encode()
    assert nik in path.read_bytes()

    box = Outbox(path, sealer)
    item = box.next_due(time.time())
    assert (item.idempotency_key, item.payload, item.pdf, item.attempts) == ("k-1", payload, PDF, 3)
    assert nik not in raw_bytes(path)
    box.close()


# --- kills and full disks ------------------------------------------------------------------

WRITER = """
import json, os, random, sys
from datetime import datetime
from terminal.outbox import Outbox
from terminal.sealing import Sealer
box = Outbox(sys.argv[1], Sealer.from_key_file(sys.argv[2]))
rng = random.Random(int(sys.argv[3]))
print("ready", flush=True)
while True:
    number = box.next_application_number("KMR01", datetime.now())
    payload = json.dumps({"application_number": number, "filler": "x" * rng.randint(10, 4000)})
    key = box.enqueue(number, payload, b"%PDF-" + os.urandom(rng.randint(500, 60000)))
    print(key, flush=True)
    if rng.random() < 0.4:  # acknowledgements (deletes) get killed too
        item = box.next_due(9e9)
        print("-" + item.idempotency_key, flush=True)  # said before: it may go any moment
        box.delivered(item.idempotency_key)
"""


def test_a_kill_during_the_local_write_never_leaves_a_half_written_application(tmp_path, sealer):
    """A process writing applications as fast as it can is SIGKILLed at random moments, 25
    times: every write it reported done is there, every row opens and parses, SQLite is ok."""
    seed = int(os.environ.get("OUTBOX_SEED", random.randrange(1 << 30)))
    print(f"kill-during-write seed {seed} (OUTBOX_SEED to repeat)")
    rng = random.Random(seed)
    path = tmp_path / "outbox.sqlite3"
    Outbox(path, sealer).close()
    stored: set[str] = set()
    kills = 0
    for run in range(25):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(tmp_path / "keys" / "kiosk.key"),
             str(rng.randrange(1 << 30))],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert child.stdout.readline() == "ready\n", child.stderr.read()
        time.sleep(rng.uniform(0.005, 0.12))
        child.send_signal(signal.SIGKILL)
        # Read through the same stream as readline(): it may already hold lines written
        # right after "ready" (communicate() reads the raw pipe and would miss them).
        out = child.stdout.read()
        child.stderr.read()
        child.wait()
        assert child.returncode == -signal.SIGKILL
        kills += 1
        for line in out.splitlines(keepends=True):
            if not line.endswith("\n"):
                continue  # cut off by the kill: the caller never heard "stored"
            line = line.strip()
            if line.startswith("-"):
                stored.discard(line[1:])
            else:
                stored.add(line)
        box = Outbox(path, sealer)  # recovers the WAL like the next start of the kiosk
        missing = [k for k in stored if not box.contains(k)]
        box.close()
        assert not missing, f"run {run}: {len(missing)} acknowledged write(s) lost"
    rows = open_every_row(path, sealer)
    assert kills == 25 and rows >= len(stored) > 0
    print(f"kills {kills}, rows {rows}, acknowledged and present {len(stored)}")


@pytest.fixture
def small_disk(tmp_path):
    """A real 4 MB filesystem (tmpfs) to fill up."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"full-disk test needs to mount a small tmpfs (root): {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_is_said_before_confirming_and_harms_nothing_queued(small_disk, sealer):
    path = small_disk / "outbox.sqlite3"
    (small_disk / "logs").write_bytes(b"\0" * 600_000)  # another program's files
    box = Outbox(path, sealer)
    assert not box.has_room(50_000)  # 4 MB disk < the 20 MB margin: said before confirming
    apps = iter(demo_applications(80, tag="F")[0])
    keys, error = [], None
    for number, payload in apps:  # the villager was warned, but the kiosk stored anyway
        try:
            keys.append(box.enqueue(number, payload, b"%PDF-" + os.urandom(80_000)))
        except OutboxError as e:
            error = e
            break
    assert error is not None and "disk full" in str(error), "the disk never filled up"
    assert 5 < len(keys) < 80 and box.pending_count() == len(keys)
    box.delivered(keys.pop(0))  # the outbox keeps room for acknowledgements

    # Another program takes the rest of the disk.
    with (small_disk / "filler").open("wb", buffering=0) as f:
        with pytest.raises(OSError):
            while True:
                f.write(b"\0" * 65536)
    with pytest.raises(OutboxError, match="disk full"):  # a real SQLITE_FULL this time
        box._free_bytes = lambda: 1 << 40  # (past the outbox's own check, into SQLite)
        box.enqueue(*next(apps), PDF)
    assert box.pending_count() == len(keys)
    box.close()
    # The rows written before the disk filled: all there, all open; nothing half-written.
    assert open_every_row(path, sealer) == len(keys)
    box = Outbox(path, sealer)  # a restart on the full disk still reads the queue
    assert box.next_due(time.time()).idempotency_key == keys[0]
    box.close()
    (small_disk / "filler").unlink()  # staff clear the other program's files ...
    (small_disk / "logs").unlink()
    box = Outbox(path, sealer)
    keys.append(box.enqueue(*next(apps), PDF))  # ... and the kiosk carries on
    box.delivered(keys.pop(0))
    assert box.pending_count() == len(keys)
    box.close()
    assert open_every_row(path, sealer) == len(keys)


def test_has_room_keeps_a_margin(outbox):
    st = os.statvfs(outbox.path.parent)
    free = st.f_bavail * st.f_frsize
    assert outbox.has_room(1_000_000) == (free >= ROOM_MARGIN_BYTES + 4_000_000)
    assert not outbox.has_room(free // 4)


# --- sending -------------------------------------------------------------------------------


def make_sender(outbox, url, timeout_s=3.0, **kw):
    client = BackofficeClient(url, TOKEN, timeout_s)
    kw.setdefault("retry_base_s", 0.5)
    kw.setdefault("retry_cap_s", 5.0)
    return Sender(outbox, client, rng=random.Random(1), **kw), client


def test_queued_applications_reach_the_back_office_once_even_when_a_reply_is_lost(
    outbox, office, proxy
):
    apps = demo_applications(3, tag="D")[0]
    keys = [outbox.enqueue(n, p, PDF) for n, p in apps]
    delivered = []
    sender, client = make_sender(outbox, proxy.url, on_delivered=delivered.append,
                                 retry_base_s=0.01, retry_cap_s=0.01)
    proxy.script.extend([Fault("drop_after"), Fault("pass"), Fault("pass"), Fault("pass")])
    deadline = time.monotonic() + 10
    while outbox.pending_count() and time.monotonic() < deadline:
        time.sleep(min(sender.send_due(), 0.05))
    sender.release()
    client.close()
    assert outbox.stats().pending == 0 and sorted(delivered) == sorted(keys)
    assert proxy.stats["dropped_upstream_201"] == 1 and proxy.stats["requests"] == 4
    rows = office_rows(office, [n for n, _ in apps])
    assert rows == dict(apps)  # each exactly once, byte for byte as queued


RFC_DATE_IN_3S = object()


@pytest.mark.parametrize(
    ("fault", "detail", "delay"),
    [
        (Fault("status", 503, {"Retry-After": "7"}), "503", (5.0, 5.0)),  # capped at 5
        (Fault("status", 429, {"Retry-After": "2"}), "429", (2.0, 2.0)),
        (Fault("status", 429, {"Retry-After": RFC_DATE_IN_3S}), "429", (1.5, 3.2)),
        (Fault("status", 503), "503", (0.0, 0.5)),  # no Retry-After: full jitter
        (Fault("status", 500), "500", (0.0, 0.5)),
        (Fault("status", 409, body=b'{"error": "in_flight"}'), "409", (0.0, 0.5)),
        (Fault("status", 401, body=b'{"error": "kiosk_unauthorized"}'), "401", (0.0, 0.5)),
        (Fault("status", 200, body=b'<html>Login to the Wi-Fi</html>'), "200 unconfirmed",
         (0.0, 0.5)),
        (Fault("delay", delay_s=1.5), "ReadTimeout", (0.0, 0.5)),
    ],
    ids=["503-retry-after-capped", "429-retry-after", "429-http-date", "503", "500", "409",
         "401", "captive-portal-200", "timeout"],
)
def test_answers_that_time_can_fix_are_retried_on_a_persisted_schedule(
    outbox, proxy, fault, detail, delay
):
    if fault.headers.get("Retry-After") is RFC_DATE_IN_3S:
        when = format_datetime(datetime.fromtimestamp(time.time() + 3, UTC), usegmt=True)
        fault = replace(fault, headers={"Retry-After": when})
    number, payload = APPS[1]
    key = outbox.enqueue(number, payload, PDF)
    sender, client = make_sender(outbox, proxy.url, timeout_s=0.5)
    proxy.script.append(fault)
    t0 = time.time()
    wait = sender.send_due()
    sender.release()
    client.close()
    (item,) = outbox.pending_items()
    assert (item.idempotency_key, item.attempts, item.last_result) == (key, 1, detail)
    lo, hi = delay
    assert t0 + lo - 0.1 <= item.next_attempt_at <= time.time() + hi
    assert proxy.stats["requests"] == 1 and wait <= hi + 0.1
    reopened = Outbox(outbox.path, Sealer.from_key_file(outbox.path.parent.parent / "keys"
                                                         / "kiosk.key"))
    assert reopened.pending_items() == [item]  # the schedule survives a restart
    reopened.close()


def test_full_jitter_stays_within_the_doubling_and_the_cap():
    rng = random.Random(7)
    for attempts in range(40):
        bound = min(30.0, 0.5 * 2 ** attempts)
        delays = [retry_delay(attempts, 0.5, 30.0, rng) for _ in range(200)]
        assert all(0 <= d <= bound for d in delays)
        assert max(delays) > bound * 0.8  # really spread over the whole range


def test_refused_applications_are_set_aside_listed_and_requeued_by_staff(outbox, proxy):
    number, payload = APPS[2]
    wrong = json.loads(payload)
    wrong["letter"] = "tidak_ada"  # no such letter at the office: refused for good
    key = outbox.enqueue(number, json.dumps(wrong), PDF)
    good = outbox.enqueue(*APPS[3], PDF)
    sender, client = make_sender(outbox, proxy.url)
    sender.send_due()
    sender.send_due()  # nothing is retried by itself
    assert proxy.stats["requests"] == 2
    (aside,) = outbox.set_aside_items()
    assert (aside.idempotency_key, aside.application_number, aside.attempts, aside.reason) == (
        key, number, 1, "422 unknown_letter")
    stats = outbox.stats()
    assert (stats.pending, stats.set_aside) == (0, 1) and not outbox.contains(good)
    assert outbox.contains(key)  # never dropped
    assert outbox.requeue(key) and not outbox.requeue(key) and not outbox.requeue("nope")
    (again,) = outbox.pending_items()
    assert (again.attempts, again.last_result) == (0, "requeued")
    proxy.script.append(Fault("status", 422, body=b'{"error": "invalid_fields"}'))
    sender.send_due()
    assert outbox.set_aside_items()[0].reason == "422 invalid_fields"
    sender.release()
    client.close()


def test_stats_for_the_heartbeat(outbox):
    assert outbox.stats() == type(outbox.stats())(0, 0, None)
    k1 = outbox.enqueue(*APPS[4], PDF)
    outbox.enqueue(*APPS[5], PDF)
    outbox.set_aside(k1, 1, "422 x")
    created = outbox.pending_items()[0].created_at
    s = outbox.stats(now=created + 90)
    assert (s.pending, s.set_aside) == (1, 1) and s.oldest_age_s == pytest.approx(90)


def test_only_one_sender_sends_at_a_time(tmp_path, sealer, outbox, proxy):
    number, payload = APPS[6]
    outbox.enqueue(number, payload, PDF)
    other = Outbox(outbox.path, sealer)  # the same outbox, as another process would open it
    first, c1 = make_sender(outbox, proxy.url)
    second, c2 = make_sender(other, proxy.url, poll_s=0.2)
    assert first.acquire() and not second.acquire()
    second.send_due()
    assert proxy.stats["requests"] == 0 and other.pending_count() == 1

    config = write_kiosk_config(tmp_path / "kiosk.toml", proxy.url, outbox.path.parent, 3, 1, 5)
    r = subprocess.run(
        [sys.executable, "-m", "terminal.sender", "--config", str(config), "--key-file",
         str(tmp_path / "keys" / "kiosk.key"), "--exit-if-running"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert r.returncode == 0 and "another sender is running" in r.stderr

    second.start()  # waits politely ...
    time.sleep(0.5)
    assert proxy.stats["requests"] == 0
    first.release()  # ... and takes over once the first is gone
    deadline = time.monotonic() + 10
    while other.pending_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    second.stop()
    assert other.pending_count() == 0 and proxy.stats["requests"] == 1
    assert not second.holds_lock
    c1.close()
    c2.close()
    other.close()


def test_nothing_personal_in_any_log_line(outbox, proxy, caplog):
    caplog.set_level(logging.DEBUG)
    apps = demo_applications(4, tag="L")[0]
    for n, p in apps:
        outbox.enqueue(n, p, PDF)
    wrong = json.loads(apps[0][1])
    wrong["letter"] = "tidak_ada"
    outbox.enqueue("KMR01-000000-0001", json.dumps(wrong), PDF)
    sender, client = make_sender(outbox, proxy.url, retry_base_s=0.01, retry_cap_s=0.01)
    proxy.script.extend([Fault("status", 503), Fault("drop_after"), Fault("delay", delay_s=0.7)])
    deadline = time.monotonic() + 10
    while outbox.pending_count() and time.monotonic() < deadline:
        time.sleep(min(sender.send_due(), 0.05))
    sender.release()
    client.close()
    assert outbox.stats().set_aside == 1
    assert "set aside" in caplog.text and "not delivered" in caplog.text
    for s in personal_strings():
        assert s not in caplog.text


def test_client_submit_classification_against_the_real_back_office(office):
    client = BackofficeClient(office.url, TOKEN, 5)
    number, payload = APPS[7]
    key = str(uuid.uuid4())
    first = client.submit(key, payload, PDF, number)
    replay = client.submit(key, payload, PDF, number)
    other = client.submit(key, payload.replace("nomor", "no."), PDF, number)
    taken = client.submit(str(uuid.uuid4()), payload, PDF, number)
    client.close()
    assert (first.result, first.detail) == (SubmitResult.DELIVERED, "201")
    assert (replay.result, replay.detail) == (SubmitResult.DELIVERED, "201")
    assert (other.result, other.detail) == (SubmitResult.SET_ASIDE, "422 idempotency_key_reused")
    assert (taken.result, taken.detail) == (SubmitResult.SET_ASIDE,
                                            "422 application_number_taken")
    unauthorized = BackofficeClient(office.url, "wrong-token-wrong-token", 5)
    assert unauthorized.submit(str(uuid.uuid4()), payload, PDF).result is SubmitResult.RETRY
    unauthorized.close()
    down = BackofficeClient("http://127.0.0.1:9", TOKEN, 1)
    assert down.submit(str(uuid.uuid4()), payload, PDF).detail == "ConnectError"
    down.close()
