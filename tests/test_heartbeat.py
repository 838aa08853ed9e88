"""The kiosk's heartbeat: stored by the real back office, on its rhythm, nothing personal.

The API part runs the back office in-process (TestClient); the thread runs against
`python -m backoffice` on loopback (terminal.devstack.BackofficeProcess), with a short interval.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest

from backoffice.db import KioskHeartbeat, make_engine, make_sessionmaker
from backoffice.demo import DEMO_RESIDENTS
from backoffice.settings import Settings
from terminal.devstack import BackofficeProcess
from terminal.heartbeat import Heartbeat, heartbeat_status, machine_word
from tests.test_backoffice import AUTH, OTHER_AUTH, TOKEN, _assert_error, _sessions

SITI = DEMO_RESIDENTS[0]


def _status(**changes) -> dict:
    values = dict(outbox_pending=2, outbox_set_aside=1, oldest_age_s=75.5,
                  printer_state="stopped", printer_reasons=["media-empty", "paused"],
                  reader_state="ready", mode="mobile",
                  offline={"snapshot_version": 7, "snapshot_age_s": 3600.0, "cards": 4,
                           "pin_events_pending": 3})
    values.update(changes)
    return heartbeat_status(**values)


def _stored(sessions, kiosk_id="KMR01") -> KioskHeartbeat | None:
    with sessions() as s:
        return s.get(KioskHeartbeat, kiosk_id)


# --- the API ---------------------------------------------------------------------------------


def test_heartbeat_is_stored_for_the_kiosk_and_replaced_by_the_next(client):
    resp = client.post("/api/v1/heartbeat", headers=AUTH, json=_status())
    assert resp.status_code == 200, resp.text
    row = _stored(_sessions(client))
    first_at = row.last_heartbeat_at
    assert row.status == {
        "version": _status()["version"],
        "outbox_pending": 2,
        "outbox_set_aside": 1,
        "oldest_age_s": 75.5,
        "printer": {"state": "stopped", "reasons": ["media-empty", "paused"]},
        "reader": {"state": "ready"},
        "mode": "mobile",
        "hours": "open",
        "offline": {"snapshot_version": 7, "snapshot_age_s": 3600.0, "pin_events_pending": 3},
    }
    client.post("/api/v1/heartbeat", headers=AUTH, json=_status(outbox_pending=0, mode="online"))
    row = _stored(_sessions(client))
    assert row.status["outbox_pending"] == 0 and row.status["mode"] == "online"
    assert row.last_heartbeat_at >= first_at
    assert _stored(_sessions(client), "OLH01") is None  # per kiosk


def test_heartbeat_stores_nothing_it_does_not_know(client):
    body = _status()
    body["resident"] = SITI.to_dict()  # a careless caller
    body["printer"]["last_job"] = SITI.name
    resp = client.post("/api/v1/heartbeat", headers=OTHER_AUTH, json=body)
    assert resp.status_code == 200
    stored = _stored(_sessions(client), "OLH01").status_json
    assert SITI.name not in stored and SITI.nik not in stored
    assert set(json.loads(stored)) == {"version", "outbox_pending", "outbox_set_aside",
                                       "oldest_age_s", "printer", "reader", "mode", "hours",
                                       "offline"}


@pytest.mark.parametrize(
    "change",
    [
        {"printer": {"state": "Siti Aminah sedang mencetak"}},  # words only, no sentences
        {"reader": {"state": SITI.nik + "x" * 40}},
        {"outbox_pending": -1},
        {"mode": "holiday"},
        {"hours": "tutup sampai Siti pulang"},
        {"version": "0.1 with spaces"},
    ],
)
def test_a_heartbeat_with_free_text_is_refused(client, change):
    body = {**_status(), **change}
    _assert_error(client.post("/api/v1/heartbeat", headers=AUTH, json=body), 422, "bad_request")
    assert _stored(_sessions(client)) is None


def test_heartbeat_needs_a_kiosk_token(client):
    resp = client.post("/api/v1/heartbeat", headers={"Authorization": TOKEN}, json=_status())
    _assert_error(resp, 401, "kiosk_unauthorized")


def test_printer_words_are_made_acceptable_on_the_kiosk():
    assert machine_word("Media Empty Error") == "media-empty-error"
    assert machine_word("") == "unknown"
    assert len(machine_word("x" * 100)) == 40


@pytest.fixture
def client(database_url: str):
    from tests.test_backoffice import _make_client, _settings

    return _make_client(_settings(database_url))


# --- the thread, against the real back office process --------------------------------------


@pytest.fixture
def office(tmp_path: Path):
    proc = BackofficeProcess(tmp_path / "office", demo=False)
    proc.start()
    yield proc
    proc.stop()


def _office_sessions(office):
    return make_sessionmaker(make_engine(Settings.load(office.config_path).database_url))


def test_the_heartbeat_keeps_its_rhythm_and_is_stored(office):
    calls: list[float] = []

    def status():
        calls.append(time.monotonic())
        return _status(outbox_pending=len(calls))

    beat = Heartbeat(office.url, TOKEN, status, interval_s=0.25)
    beat.start()
    time.sleep(1.15)
    beat.stop()
    assert 4 <= len(calls) <= 6, calls  # at 0, 0.25, 0.5, 0.75, 1.0 s
    gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)]
    assert min(gaps) > 0.15 and max(gaps) < 0.5, gaps
    row = _stored(_office_sessions(office))
    assert row is not None and row.status["outbox_pending"] == len(calls)
    assert beat.last_ok_at is not None


def test_a_lost_back_office_is_logged_once_and_its_return_once(office, caplog):
    caplog.set_level(logging.INFO, logger="terminal.heartbeat")
    beats = threading.Semaphore(0)

    def status():
        beats.release()
        return _status()

    beat = Heartbeat(office.url, TOKEN, status, interval_s=0.1, timeout_s=1.0)
    office.stop()
    beat.start()
    try:
        for _ in range(5):
            assert beats.acquire(timeout=5)
        office.start()
        deadline = time.monotonic() + 10
        while beat.last_ok_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        beat.stop()
    assert beat.last_ok_at is not None
    records = [r for r in caplog.records if r.name == "terminal.heartbeat"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO], records
    assert "unreachable" in records[0].getMessage()


def test_a_failing_status_source_does_not_stop_the_heartbeat(office):
    n = {"calls": 0}

    def status():
        n["calls"] += 1
        if n["calls"] == 1:
            raise RuntimeError("printer query failed")
        return _status()

    beat = Heartbeat(office.url, TOKEN, status, interval_s=0.1)
    beat.start()
    deadline = time.monotonic() + 5
    while beat.last_ok_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    beat.stop()
    assert n["calls"] >= 2 and beat.last_ok_at is not None


def test_stop_does_not_wait_for_the_next_beat(office):
    beat = Heartbeat(office.url, TOKEN, _status, interval_s=30)
    beat.start()
    time.sleep(0.2)
    started = time.monotonic()
    beat.stop()
    assert time.monotonic() - started < 1.0


# --- the day's numbers: a reinstalled kiosk never hands them out again ---------------------


def test_the_answer_to_a_first_beat_gives_the_kiosks_highest_numbers_of_the_day(client):
    from tests.test_backoffice import _application, _new_key, _submit
    from tests.test_feedback_backoffice import _complaint, _post

    for number in ("KMR01-261126-0007", "KMR01-261126-0012", "KMR01-261125-0099"):
        assert _submit(client, _application(application_number=number),
                       key=_new_key()).status_code == 201
    assert _post(client, "/api/v1/complaints",
                 _complaint(complaint_number="KMR01-261126-P003").to_json()).status_code == 201
    r = client.post("/api/v1/heartbeat", headers=AUTH, json=_status(number_day="261126"))
    assert r.status_code == 200
    assert r.json()["number_day"] == "261126"
    assert r.json()["last_numbers"] == {"application": 12, "complaint": 3}
    assert "number_day" not in _stored(_sessions(client)).status  # a question, not a state
    # another kiosk's numbers are its own; a day without any is 0; no question, no numbers
    other = client.post("/api/v1/heartbeat", headers=OTHER_AUTH,
                        json=_status(number_day="261126")).json()
    assert other["last_numbers"] == {"application": 0, "complaint": 0}
    assert "last_numbers" not in client.post("/api/v1/heartbeat", headers=AUTH,
                                             json=_status()).json()
    bad = client.post("/api/v1/heartbeat", headers=AUTH, json=_status(number_day="26-11-26"))
    _assert_error(bad, 422, "bad_request")


def test_the_outbox_numbers_on_above_the_office_but_never_goes_back(tmp_path):
    from datetime import datetime

    from terminal.outbox import Outbox
    from terminal.sealing import Sealer

    outbox = Outbox(tmp_path / "outbox.sqlite3", Sealer.from_key_file(
        tmp_path / "kiosk.key", create=True))
    now = datetime(2026, 11, 26, 9, 0)
    assert outbox.next_application_number("KMR01", now) == "KMR01-261126-0001"
    outbox.raise_numbering("261126", {"": 12, "P": 3})
    assert outbox.next_application_number("KMR01", now) == "KMR01-261126-0013"
    assert outbox.next_application_number("KMR01", now, series="P") == "KMR01-261126-P004"
    outbox.raise_numbering("261126", {"": 5})  # an older answer: nothing goes back
    assert outbox.next_application_number("KMR01", now) == "KMR01-261126-0014"
    outbox.raise_numbering("261127", {"": 0})
    assert outbox.next_application_number("KMR01", now.replace(day=27)) == "KMR01-261127-0001"
    with pytest.raises(ValueError):
        outbox.raise_numbering("2611", {"": 1})
    outbox.close()


def test_a_reinstalled_kiosk_numbers_on_above_what_the_office_received(tmp_path):
    """A kiosk delivers two applications; its data directory is lost (a new disk, a
    reinstall); the new kiosk's first heartbeat brings the day's highest number, and the next
    receipt number follows it instead of being refused as taken."""
    import dataclasses

    from terminal.config import KioskConfig
    from terminal.devstack import DEMO
    from terminal.kiosk import Kiosk
    from terminal.session import InlineRunner
    from tests.outbox_rig import demo_applications

    office = BackofficeProcess(tmp_path / "office")  # the demo village, kiosk KMR01
    office.start()
    try:
        def kiosk_in(folder: Path) -> Kiosk:
            config = dataclasses.replace(
                KioskConfig.load(DEMO / "kiosk.toml"), backoffice_url=office.url,
                data_dir=folder, key_file=folder / "kiosk.key", create_key=True,
                printer_queue="", copy_queue="", heartbeat_interval_s=3600)
            return Kiosk(config, InlineRunner())

        first = kiosk_in(tmp_path / "kiosk-a")
        now = first.services.now()
        numbers = [first.services.next_application_number(now) for _ in range(2)]
        apps, pdf = demo_applications(2)
        assert [number for number, _ in apps] == numbers  # the same kiosk, day and counting
        for number, text in apps:
            first.outbox.enqueue(number, text, pdf)
        first.start()
        deadline = time.monotonic() + 20
        while first.outbox.stats().pending and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first.outbox.stats().pending == 0
        first.stop()

        again = kiosk_in(tmp_path / "kiosk-b")  # nothing of kiosk-a's folder
        assert not again.numbers_checked
        assert again.heartbeat.beat() and again.numbers_checked
        assert again.services.next_application_number(now) == numbers[-1][:-4] + "0003"
        assert "number_day" not in again.status()  # asked once, not every 30 s
        again.stop()
    finally:
        office.stop()
