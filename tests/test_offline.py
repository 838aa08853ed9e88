"""Offline identification: the registry snapshot, offline PIN attempts and their merge.

The API parts run the real back office in-process (FastAPI TestClient, real SQLite file); the
kiosk parts run `python -m backoffice` on loopback (terminal.devstack.BackofficeProcess), and
"the link is down" is that process stopped. Village staff act on the same SQLite file through
backoffice.registry, as the staff pages will.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from backoffice.db import Pin, PinEvent, PinReset, make_engine, make_sessionmaker
from backoffice.demo import DEMO_RESIDENTS, DEMO_VILLAGE_CODE
from backoffice.registry import lock_pin, unlock_pin
from backoffice.settings import KioskConfig, Settings
from devices.demo_cards import DEMO_CARDS
from terminal.client import IdentifyResult
from terminal.devstack import ROOT, BackofficeProcess
from terminal.offline import EVENTS_FILE, SNAPSHOT_FILE, OfflineRegistry
from terminal.sealing import Sealer
from tests.test_backoffice import (
    AUTH,
    OTHER_AUTH,
    SITI,
    TOKEN,
    _assert_error,
    _fingerprint,
    _make_client,
    _sessions,
    _settings,
)

TOKEN2 = "test-kiosk-token-KMR02-not-for-production"
AUTH2 = {"Authorization": f"Bearer {TOKEN2}"}
SITI_PIN = "241258"
REGISTERED = [c for c in DEMO_CARDS if c.nik and c.pin]
NAMES = [r.name for r in DEMO_RESIDENTS]
NIKS = [r.nik for r in DEMO_RESIDENTS]


# --- the API, in-process --------------------------------------------------------------------


@pytest.fixture
def client(database_url: str) -> TestClient:
    settings = _settings(database_url)
    kiosks = (*settings.kiosks, KioskConfig("KMR02", DEMO_VILLAGE_CODE, TOKEN2))
    client = _make_client(dataclasses.replace(settings, kiosks=kiosks))
    # The registry was set up yesterday, so that attempts "an hour ago" come after it.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with _sessions(client)() as s, s.begin():
        s.execute(update(Pin).values(updated_at=yesterday))
        s.execute(update(PinReset).values(reset_at=yesterday))
    return client


def _snapshot(client, headers=AUTH, etag=None):
    h = dict(headers)
    if etag:
        h["If-None-Match"] = etag
    return client.get("/api/v1/registry/snapshot", headers=h)


def _event(outcome: str, at: datetime, card: str | None = None, locked=False) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "card": card or _fingerprint(),
        "outcome": outcome,
        "at": at.isoformat(),
        "locked": locked,
    }


def _push(client, events, headers=AUTH):
    return client.post("/api/v1/registry/pin-events", headers=headers, json={"events": events})


def _pin(client, nik=SITI.nik) -> Pin:
    from backoffice.db import find_resident

    with _sessions(client)() as s:
        return s.get(Pin, find_resident(s, DEMO_VILLAGE_CODE, nik).id)


def _staff(client, action, nik=SITI.nik):
    with _sessions(client)() as s, s.begin():
        assert action(s, DEMO_VILLAGE_CODE, nik)


def _online(client, pin, card=None, headers=AUTH):
    return client.post(
        "/api/v1/identify", headers=headers, json={"card": card or _fingerprint(), "pin": pin}
    )


def test_snapshot_holds_every_bound_card_of_the_village(client):
    resp = _snapshot(client)
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    body = resp.json()
    assert body["village_code"] == DEMO_VILLAGE_CODE
    assert body["version"] >= 1 and body["generated_at"]
    assert body["pin_max_attempts"] == 3
    assert set(body["cards"]) == {_fingerprint(c.key) for c in REGISTERED}
    siti = body["cards"][_fingerprint()]
    assert siti["resident"] == SITI.to_dict()
    assert siti["failed_attempts"] == 0 and siti["locked"] is False
    # The verifier is the back office's own argon2id hash, parameters included.
    assert siti["pin_verifier"].startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert PasswordHasher().verify(siti["pin_verifier"], SITI_PIN)


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TOKEN}]
)
def test_snapshot_and_pin_events_need_a_kiosk_token(client, headers):
    _assert_error(_snapshot(client, headers=headers), 401, "kiosk_unauthorized")
    now = datetime.now(UTC)
    _assert_error(_push(client, [_event("wrong", now)], headers=headers), 401,
                  "kiosk_unauthorized")
    assert _pin(client).failed_attempts == 0


def test_another_villages_kiosk_sees_nothing_of_this_village(client):
    resp = _snapshot(client, headers=OTHER_AUTH)
    assert resp.status_code == 200
    assert resp.json()["cards"] == {}
    for nik, name in zip(NIKS, NAMES, strict=True):
        assert nik not in resp.text and name not in resp.text
    # Nor can it count failures against this village's cards.
    resp = _push(client, [_event("wrong", datetime.now(UTC)) for _ in range(3)],
                 headers=OTHER_AUTH)
    assert resp.status_code == 200
    assert resp.json()["cards"] == {_fingerprint(): None}
    assert _pin(client).failed_attempts == 0


def test_unchanged_snapshot_answers_304_and_a_change_bumps_the_version(client):
    first = _snapshot(client)
    etag = first.headers["etag"]
    again = _snapshot(client, etag=etag)
    assert again.status_code == 304
    assert again.content == b"" and again.headers["etag"] == etag
    assert _snapshot(client, etag=f'"other", {etag}').status_code == 304
    _online(client, "000000")  # a wrong PIN online changes the failure count
    changed = _snapshot(client, etag=etag)
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["version"] == first.json()["version"] + 1
    assert changed.json()["cards"][_fingerprint()]["failed_attempts"] == 1
    # Same content, same version, whoever asks.
    assert _snapshot(client, headers=AUTH2).json()["version"] == changed.json()["version"]


def test_offline_wrong_pins_merge_in_time_order_and_lock(client):
    t = datetime.now(UTC) - timedelta(hours=2)
    resp = _push(client, [_event("wrong", t)])
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "applied": 1,
        "duplicates": 0,
        "pin_max_attempts": 3,
        "cards": {_fingerprint(): {"failed_attempts": 1, "locked": False}},
    }
    # The other kiosk's batch arrives out of order; the right PIN at t+2 comes after its
    # wrong one at t+1 and resets; the lone wrong at t+3 then counts once.
    resp = _push(client, [_event("wrong", t + timedelta(minutes=3)),
                          _event("right", t + timedelta(minutes=2)),
                          _event("wrong", t + timedelta(minutes=1))], headers=AUTH2)
    assert resp.json()["cards"][_fingerprint()] == {"failed_attempts": 1, "locked": False}
    resp = _push(client, [_event("wrong", t + timedelta(minutes=4)),
                          _event("wrong", t + timedelta(minutes=5))])
    assert resp.json()["cards"][_fingerprint()] == {"failed_attempts": 3, "locked": True}
    _assert_error(_online(client, SITI_PIN), 423, "pin_locked")
    # A right PIN never unlocks.
    resp = _push(client, [_event("right", datetime.now(UTC))])
    assert resp.json()["cards"][_fingerprint()]["locked"] is True


def test_resending_the_same_events_changes_nothing(client):
    t = datetime.now(UTC) - timedelta(minutes=10)
    events = [_event("wrong", t), _event("wrong", t + timedelta(minutes=1))]
    first = _push(client, events).json()
    again = _push(client, events + events).json()
    assert first["applied"] == 2 and again["applied"] == 0 and again["duplicates"] == 2
    assert again["cards"] == first["cards"]
    assert _pin(client).failed_attempts == 2
    with _sessions(client)() as s:
        assert s.scalar(select(func.count()).select_from(PinEvent)) == 2


def test_a_right_pin_does_not_forgive_failures_made_after_it(client):
    t = datetime.now(UTC) - timedelta(minutes=30)
    _online(client, "000000")  # now: failure 1 online
    resp = _push(client, [_event("right", t)])  # reported late, made before it
    assert resp.json()["cards"][_fingerprint()]["failed_attempts"] == 1
    # A wrong PIN made before a right PIN that the back office already saw is forgiven.
    assert _online(client, SITI_PIN).status_code == 200
    resp = _push(client, [_event("wrong", t)])
    assert resp.json()["cards"][_fingerprint()]["failed_attempts"] == 0
    with _sessions(client)() as s:
        effects = sorted(s.scalars(select(PinEvent.effect)))
    assert effects == ["forgiven", "stale"]


def test_a_lock_set_by_staff_wins_over_a_later_offline_right_pin(client):
    _staff(client, lock_pin)
    resp = _push(client, [_event("right", datetime.now(UTC))])
    assert resp.json()["cards"][_fingerprint()] == {"failed_attempts": 0, "locked": True}
    assert _snapshot(client).json()["cards"][_fingerprint()]["locked"] is True


def test_a_kiosks_local_lock_wins_over_an_online_right_pin_in_between(client):
    t = datetime.now(UTC) - timedelta(hours=1)
    _online(client, "000000")
    assert _online(client, SITI_PIN).status_code == 200  # resets: after t, in truth
    # The kiosk's two wrongs before that reset are forgiven, but its lock is not: had it been
    # online, the right PIN above would have been refused.
    resp = _push(client, [_event("wrong", t), _event("wrong", t + timedelta(seconds=1),
                                                     locked=True)])
    assert resp.json()["cards"][_fingerprint()] == {"failed_attempts": 0, "locked": True}


def test_staff_unlock_voids_older_reports(client):
    t = datetime.now(UTC) - timedelta(hours=1)
    _staff(client, unlock_pin)  # after t
    resp = _push(client, [_event("wrong", t), _event("wrong", t, locked=True)])
    assert resp.json()["cards"][_fingerprint()] == {"failed_attempts": 0, "locked": False}


def test_a_kiosk_clock_in_the_future_cannot_outrank_staff(client):
    future = datetime.now(UTC) + timedelta(days=365)
    _push(client, [_event("wrong", future), _event("wrong", future)])
    assert _pin(client).updated_at <= datetime.now(UTC)
    with _sessions(client)() as s:
        assert all(at <= datetime.now(UTC) for at in s.scalars(select(PinEvent.at)))
    _staff(client, unlock_pin)
    # Had the failures kept their future date, no right PIN reported now could reset them.
    _online(client, "000000")
    assert _push(client, [_event("right", datetime.now(UTC) + timedelta(seconds=1))]
                 ).json()["cards"][_fingerprint()] == {"failed_attempts": 0, "locked": False}


@pytest.mark.parametrize(
    "events",
    [
        [{"event_id": "not-a-uuid", "card": "0" * 64, "outcome": "wrong",
          "at": "2025-11-26T09:00:00+00:00"}],
        [{"event_id": str(uuid.uuid4()), "card": "0" * 64, "outcome": "maybe",
          "at": "2025-11-26T09:00:00+00:00"}],
        [{"event_id": str(uuid.uuid4()), "card": "0" * 64, "outcome": "wrong",
          "at": "2025-11-26T09:00:00"}],  # no time zone
        [{"event_id": str(uuid.uuid4()), "card": "xyz", "outcome": "wrong",
          "at": "2025-11-26T09:00:00+00:00"}],
        [{"event_id": str(uuid.uuid4()), "card": "0" * 64, "outcome": "wrong",
          "at": "2025-11-26T09:00:00+00:00", "pin": "241258"}],  # nothing else travels
    ],
)
def test_malformed_pin_events_are_refused_whole(client, events):
    _assert_error(_push(client, events), 422, "bad_request")
    with _sessions(client)() as s:
        assert s.scalar(select(func.count()).select_from(PinEvent)) == 0


# --- the kiosk against the real back office process -----------------------------------------


@pytest.fixture
def office(tmp_path: Path):
    """`python -m backoffice --demo` on loopback, with a second Kemiren kiosk KMR02."""
    proc = BackofficeProcess(tmp_path / "office")
    proc.write_config()
    with proc.config_path.open("a") as f:
        f.write(f'\n[[kiosks]]\nid = "KMR02"\nvillage = "{DEMO_VILLAGE_CODE}"\n'
                f'token = "{TOKEN2}"\n')
    proc.start()
    yield proc
    proc.stop()


def _staff_db(office: BackofficeProcess):
    settings = Settings.load(office.config_path)
    return make_sessionmaker(make_engine(settings.database_url))


def _kiosk(office, tmp_path: Path, name="KMR01", token=TOKEN, **kw) -> OfflineRegistry:
    data = tmp_path / name
    sealer = Sealer.from_key_file(data / "kiosk.key", create=True)
    return OfflineRegistry(data, sealer, office.url, token, timeout_s=3.0, **kw)


def _server_pin(office, nik=SITI.nik) -> tuple[int, bool]:
    from backoffice.db import find_resident

    with _staff_db(office)() as s:
        pin = s.get(Pin, find_resident(s, DEMO_VILLAGE_CODE, nik).id)
        return pin.failed_attempts, pin.locked


def _online_http(office, pin, token=TOKEN):
    import httpx

    return httpx.post(f"{office.url}/api/v1/identify", json={"card": _fingerprint(), "pin": pin},
                      headers={"Authorization": f"Bearer {token}"}, timeout=5)


def test_no_snapshot_means_office_unreachable(office, tmp_path):
    kiosk = _kiosk(office, tmp_path)
    assert not kiosk.has_snapshot and kiosk.snapshot_age_s is None
    assert kiosk.identify(_fingerprint(), SITI_PIN).result == IdentifyResult.UNREACHABLE


def test_offline_identify_right_wrong_unknown_locked(office, tmp_path):
    kiosk = _kiosk(office, tmp_path)
    assert kiosk.sync()
    assert kiosk.has_snapshot and kiosk.snapshot_age_s < 5
    office.stop()
    kiosk = _kiosk(office, tmp_path)  # a restarted kiosk reads its sealed snapshot
    assert kiosk.has_snapshot
    ok = kiosk.identify(_fingerprint(), SITI_PIN)
    assert ok.result == IdentifyResult.OK and ok.resident == SITI
    wrong = kiosk.identify(_fingerprint(), "000000")
    assert wrong.result == IdentifyResult.WRONG_PIN and wrong.attempts_left == 2
    assert kiosk.identify(_fingerprint("unregistered"), "123456").result == \
        IdentifyResult.UNKNOWN_CARD
    assert kiosk.identify(_fingerprint(), "111111").attempts_left == 1
    assert kiosk.identify(_fingerprint(), "222222").result == IdentifyResult.LOCKED
    assert kiosk.identify(_fingerprint(), SITI_PIN).result == IdentifyResult.LOCKED
    # The failure count and the lock survive a restart of the kiosk.
    assert _kiosk(office, tmp_path).identify(_fingerprint(), SITI_PIN).result == \
        IdentifyResult.LOCKED
    # Others are not affected.
    sukarmi = kiosk.identify(_fingerprint("sukarmi"), "430349")
    assert sukarmi.result == IdentifyResult.OK
    assert kiosk.pending_events == 5
    # Back online: the lock reaches the back office.
    office.start()
    assert kiosk.push_events() and kiosk.pending_events == 0
    assert _server_pin(office) == (3, True)
    assert _online_http(office, SITI_PIN).status_code == 423


def test_a_stale_snapshot_is_not_trusted(office, tmp_path):
    kiosk = _kiosk(office, tmp_path, max_age_s=0.0)
    assert kiosk.sync()
    assert kiosk.identify(_fingerprint(), SITI_PIN).result == IdentifyResult.UNREACHABLE


def test_nothing_personal_in_clear_on_the_kiosks_disk(office, tmp_path):
    kiosk = _kiosk(office, tmp_path)
    assert kiosk.sync()
    kiosk.identify(_fingerprint(), "000000")
    kiosk.identify(_fingerprint("maruf"), "170185")
    files = [p for p in (tmp_path / "KMR01").iterdir() if p.name != "kiosk.key"]
    assert {SNAPSHOT_FILE, EVENTS_FILE} <= {p.name for p in files}
    for path in files:
        data = path.read_bytes()
        for secret in (*NIKS, *NAMES, "argon2", _fingerprint(), "Krajan"):
            assert secret.encode() not in data, (path.name, secret)
    # Under another key, the sealed files open nowhere: the kiosk starts without them.
    other = OfflineRegistry(tmp_path / "KMR01", Sealer(b"\x07" * 32), office.url, TOKEN)
    assert not other.has_snapshot


def test_an_unchanged_snapshot_is_not_downloaded_again(office, tmp_path):
    kiosk = _kiosk(office, tmp_path)
    assert kiosk.sync()
    sealed = (tmp_path / "KMR01" / SNAPSHOT_FILE).read_bytes()
    version = kiosk.snapshot_version
    assert kiosk.sync()  # 304: the sealed file (fresh nonce on every write) is untouched
    assert (tmp_path / "KMR01" / SNAPSHOT_FILE).read_bytes() == sealed
    assert _online_http(office, "000000").status_code == 401  # the registry changes
    assert kiosk.sync()
    assert kiosk.snapshot_version == version + 1
    assert kiosk.identify(_fingerprint(), "111111").attempts_left == 1


def test_two_kiosks_offline_and_one_online_wrong_pin_lock_the_card(office, tmp_path):
    a = _kiosk(office, tmp_path, "KMR01", TOKEN)
    b = _kiosk(office, tmp_path, "KMR02", TOKEN2)
    assert a.sync() and b.sync()
    office.stop()
    assert a.identify(_fingerprint(), "000000").attempts_left == 2
    assert b.identify(_fingerprint(), "111111").attempts_left == 2
    office.start()
    assert _online_http(office, "222222").json()["attempts_left"] == 2
    assert a.push_events() and b.push_events()
    assert _server_pin(office) == (3, True)
    assert _online_http(office, SITI_PIN).status_code == 423
    # Each kiosk learnt the lock from the merge's answer (b at once, a at its next sync).
    assert b.identify(_fingerprint(), SITI_PIN).result == IdentifyResult.LOCKED
    assert a.sync()
    assert a.identify(_fingerprint(), SITI_PIN).result == IdentifyResult.LOCKED


def test_a_staff_lock_while_offline_wins_over_an_offline_right_pin(office, tmp_path):
    kiosk = _kiosk(office, tmp_path)
    assert kiosk.sync()
    office.stop()
    with _staff_db(office)() as s, s.begin():
        assert lock_pin(s, DEMO_VILLAGE_CODE, SITI.nik)  # the card was reported lost
    # The kiosk cannot know yet: the holder of the card and PIN gets in, offline.
    assert kiosk.identify(_fingerprint(), SITI_PIN).result == IdentifyResult.OK
    office.start()
    assert kiosk.sync()
    assert _server_pin(office) == (0, True)
    assert kiosk.identify(_fingerprint(), SITI_PIN).result == IdentifyResult.LOCKED


def test_resending_events_after_a_lost_answer_changes_nothing(office, tmp_path):
    kiosk = _kiosk(office, tmp_path)
    assert kiosk.sync()
    office.stop()
    kiosk.identify(_fingerprint(), "000000")
    kiosk.identify(_fingerprint(), "111111")
    saved = (tmp_path / "KMR01" / EVENTS_FILE).read_bytes()
    office.start()
    assert kiosk.push_events()
    assert _server_pin(office) == (2, False)
    # The answer was "lost": the kiosk restarts with the events file as it was and re-sends.
    (tmp_path / "KMR01" / EVENTS_FILE).write_bytes(saved)
    again = _kiosk(office, tmp_path)
    assert again.pending_events == 2
    assert again.push_events() and again.pending_events == 0
    assert _server_pin(office) == (2, False)
    with _staff_db(office)() as s:
        assert s.scalar(select(func.count()).select_from(PinEvent)) == 2


def test_a_whole_day_offline(office, tmp_path):
    """Mobile service: synced in the morning, a day of villagers offline, back in the evening."""
    kiosk = _kiosk(office, tmp_path)
    assert kiosk.sync()
    office.stop()
    expected = {c.key: 0 for c in REGISTERED}  # failures the back office must end with
    locked = set()
    plan = []
    for round_ in range(6):
        for card in REGISTERED:
            if card.key == "bagus":
                plan += [(card, "000000")] * (1 if round_ < 3 else 0)  # three wrongs: locked
            elif card.key == "maruf" and round_ == 5:
                plan += [(card, "999999"), (card, "999999")]  # ends the day with 2 failures
            else:
                plan += [(card, "999999"), (card, card.pin)]  # a slip, then the right PIN
    for card, pin in plan:
        out = kiosk.identify(_fingerprint(card.key), pin)
        if card.key in locked:
            assert out.result == IdentifyResult.LOCKED
            continue
        if pin == card.pin:
            assert out.result == IdentifyResult.OK, card.key
            expected[card.key] = 0
        else:
            expected[card.key] += 1
            if expected[card.key] >= 3:
                assert out.result == IdentifyResult.LOCKED
                locked.add(card.key)
            else:
                assert out.result == IdentifyResult.WRONG_PIN
    assert kiosk.pending_events == len(plan)
    office.start()
    assert kiosk.sync()  # pushes first, then refreshes the snapshot
    assert kiosk.pending_events == 0
    for card in REGISTERED:
        failed, is_locked = _server_pin(office, card.nik)
        assert (failed, is_locked) == (expected[card.key], card.key in locked), card.key
    assert locked == {"bagus"}
    # The refreshed snapshot agrees with what the kiosk had worked out alone.
    assert kiosk.identify(_fingerprint("maruf"), "999999").result == IdentifyResult.LOCKED
    assert kiosk.identify(_fingerprint("siti"), SITI_PIN).result == IdentifyResult.OK


def test_identify_and_sync_on_two_threads(office, tmp_path):
    kiosk = _kiosk(office, tmp_path)
    assert kiosk.sync()
    errors: list[BaseException] = []
    stop = threading.Event()

    def syncing():
        try:
            while not stop.is_set():
                kiosk.sync()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=syncing)
    t.start()
    try:
        for _ in range(15):
            assert kiosk.identify(_fingerprint("sukarmi"), "430349").result == IdentifyResult.OK
    finally:
        stop.set()
        t.join(10)
    assert not errors
    assert kiosk.sync() and kiosk.pending_events == 0


def test_command_line_sync_and_status(office, tmp_path):
    toml = (ROOT / "deploy" / "demo" / "kiosk.toml").read_text()
    toml = toml.replace('url = "http://127.0.0.1:8470"', f'url = "{office.url}"')
    toml = toml.replace('data_dir = "../../var/kiosk"', f'data_dir = "{tmp_path / "laptop"}"')
    toml = toml.replace('key_file = "../../var/kiosk/kiosk.key"',
                        f'key_file = "{tmp_path / "laptop" / "kiosk.key"}"')
    assert str(tmp_path / "laptop" / "kiosk.key") in toml
    config = tmp_path / "kiosk.toml"
    config.write_text(toml)

    def run(command):
        return subprocess.run(
            [sys.executable, "-m", "terminal.offline", "--config", str(config), command],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )

    before = run("status")
    assert before.returncode == 1 and "NONE" in before.stdout
    synced = run("sync")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "sync: done" in synced.stdout and "4 cards" in synced.stdout
    status = run("status")
    assert status.returncode == 0 and "PIN attempts not yet reported: 0" in status.stdout
    for secret in (*NIKS, *NAMES):
        assert secret not in synced.stdout + synced.stderr + status.stdout
    office.stop()
    offline = run("sync")
    assert offline.returncode == 1 and "FAILED" in offline.stdout

