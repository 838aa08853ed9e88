"""Chaos: 1 000 applications through a hostile network and a sender that keeps getting killed.

Real parts only, loopback only: the back office process (SQLite, demo residents), a
fault-injecting proxy in front of it (tests/outbox_rig.py) that drops ~20 % of the replies
*after* the back office stored the application, answers 503 to ~10 % without forwarding and
holds ~2 % past the client's timeout (then forwards them, or not); the sender runs as its own
process (`python -m terminal.sender`) and is SIGKILLed at random moments at least 20 times
while the kiosk (this test) keeps queueing applications.

Afterwards the back office holds exactly the 1 000 applications, each once and byte for byte
as queued, and the outbox is empty. Seeded: `CHAOS_SEED=<n>` repeats a run's faults and kill
schedule (process timing still varies).
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter

from terminal.devstack import BackofficeProcess
from terminal.outbox import Outbox
from terminal.sealing import Sealer
from tests.outbox_rig import (
    ROOT,
    FaultProxy,
    demo_applications,
    personal_strings,
    write_kiosk_config,
)

COUNT = 1000
MIN_KILLS = 20
TIMEOUT_S = 0.6  # the kiosk's request timeout in this test
DEADLINE_S = 150


def test_a_thousand_applications_survive_lost_replies_503s_timeouts_and_killed_senders(
    tmp_path,
):
    seed = int(os.environ.get("CHAOS_SEED", random.randrange(1 << 30)))
    print(f"\nchaos seed {seed} (CHAOS_SEED={seed} to repeat)")
    rng = random.Random(seed)
    apps, pdf = demo_applications(COUNT, tag="C")
    office = BackofficeProcess(tmp_path / "office")
    office.start()
    proxy = FaultProxy(office.port, seed=seed, drop_after=0.20, unavailable=0.10, delay=0.02,
                       delay_s=TIMEOUT_S + 0.3).start()
    data = tmp_path / "kiosk"
    key_file = tmp_path / "keys" / "kiosk.key"
    sealer = Sealer.from_key_file(key_file, create=True)
    config = write_kiosk_config(tmp_path / "kiosk.toml", proxy.url, data, TIMEOUT_S,
                                retry_base_s=0.02, retry_cap_s=0.3)
    outbox = Outbox(data / "outbox.sqlite3", sealer)
    logs = tmp_path / "sender-logs"
    logs.mkdir()
    senders: list[subprocess.Popen] = []
    events: Counter[str] = Counter()

    def spawn() -> subprocess.Popen:
        log = (logs / f"{len(senders):03d}.log").open("w")
        p = subprocess.Popen(
            [sys.executable, "-m", "terminal.sender", "--config", str(config),
             "--key-file", str(key_file), "--poll", "0.2", "--verbose"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
        )
        log.close()
        senders.append(p)
        return p

    # The kiosk keeps taking applications while the senders come and go.
    queued: list[str] = []

    def kiosk_takes_applications() -> None:
        for number, payload in apps:
            queued.append(outbox.enqueue(number, payload, pdf))
            time.sleep(0.01)

    writer = threading.Thread(target=kiosk_takes_applications, name="kiosk-writer")
    t0 = time.monotonic()
    try:
        writer.start()
        kills = 0
        while kills < MIN_KILLS:
            assert time.monotonic() - t0 < DEADLINE_S, f"too slow: {kills} kills, {events}"
            p = spawn()
            if rng.random() < 0.2:  # some kills land while the sender is still starting
                time.sleep(rng.uniform(0.0, 0.3))
            else:
                ready, _, _ = select.select([p.stdout], [], [], 20)
                assert ready and p.stdout.readline() == "sender: running\n"
                time.sleep(rng.uniform(0.1, 0.9))
            events["kills_with_request_in_flight"] += proxy.inflight > 0
            events["kills_with_work_left"] += outbox.pending_count() > 0 or writer.is_alive()
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
        writer.join()
        last = spawn()  # the last sender is left to finish the job
        while outbox.pending_count():
            assert time.monotonic() - t0 < DEADLINE_S, f"outbox not drained: {outbox.stats()}"
            assert last.poll() is None, "the sender died by itself"
            time.sleep(0.1)
        drained_s = time.monotonic() - t0
        last.send_signal(signal.SIGTERM)
        assert last.wait(10) == 0  # a polite stop is a clean exit
        while proxy.inflight:  # a held request may still reach the office: it must replay
            time.sleep(0.05)
    finally:
        for p in senders:
            if p.poll() is None:
                p.kill()
                p.wait()
        proxy.stop()
        office.stop()

    stats = outbox.stats()
    leftovers = outbox.set_aside_items()
    outbox.close()
    db = sqlite3.connect(office.workdir / "backoffice.sqlite3")
    rows = db.execute("SELECT application_number, payload_json FROM applications").fetchall()
    db.close()
    sender_logs = "".join(f.read_text() for f in sorted(logs.iterdir()))
    s = proxy.stats
    print(
        f"chaos: {COUNT} applications in {drained_s:.1f} s; sender killed {kills} times "
        f"({events['kills_with_request_in_flight']} with a request in flight, "
        f"{events['kills_with_work_left']} with work left); {s['requests']} requests: "
        f"{s['dropped_after_upstream']} replies dropped after the office answered "
        f"({s['dropped_upstream_201']} of them 201), {s['answered_503']} answered 503, "
        f"{s['delayed_forwarded'] + s['delayed_dropped']} held past the timeout "
        f"({s['delayed_forwarded']} then forwarded); relayed {_relayed(s)} "
        f"({s['relayed_replays']} of them replays of a stored application); "
        f"sender logs: {sender_logs.count(' attempt(s)')} deliveries, "
        f"{sender_logs.count('ReadTimeout')} timeouts, "
        f"{sender_logs.count('RemoteProtocolError')} lost replies seen"
    )
    assert len(queued) == COUNT
    assert (stats.pending, stats.set_aside) == (0, 0), [i.reason for i in leftovers]
    assert len(rows) == COUNT, f"the back office holds {len(rows)} applications"
    assert len({n for n, _ in rows}) == COUNT, "duplicates in the back office"
    assert dict(rows) == dict(apps), "an application arrived different from how it was queued"
    assert kills >= MIN_KILLS and events["kills_with_work_left"] >= MIN_KILLS // 2
    assert s["dropped_upstream_201"] > 0 and s["answered_503"] > 0
    assert s["delayed_forwarded"] + s["delayed_dropped"] > 0
    for secret in personal_strings():
        assert secret not in sender_logs


def _relayed(stats: Counter) -> str:
    return ", ".join(f"{k[8:]}×{v}" for k, v in sorted(stats.items())
                     if k.startswith("relayed_") and k[8:].isdigit())
