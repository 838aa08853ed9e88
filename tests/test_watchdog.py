"""The app's side of the systemd unit: READY=1, WATCHDOG=1 from the GUI thread, STOPPING=1.

systemd itself is not run here (this machine's tests run in a container without it as PID 1).
What it would listen on is real: an AF_UNIX datagram socket bound by the test, named in
$NOTIFY_SOCKET (a path, or an "@" abstract name), as systemd names its own. The kiosk is the
real program, `python -m ui --config …` in a child process (offscreen), with the demo kiosk's
configuration: its own data folder, a back office nobody answers and a card reader filter no
reader matches (the machine's pcscd is shared with other test runs; this kiosk must not read
their cards). A frozen app is the child stopped with SIGSTOP; a frozen GUI thread alone is the
in-process test that sleeps on the GUI thread while the kiosk's other threads run on.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import types
import uuid
from pathlib import Path

import pytest

from terminal import sdnotify
from terminal.config import KioskConfig
from terminal.devstack import DEMO, ROOT

PING_USEC = 1_000_000  # WatchdogSec=1s: a ping every 0.5 s
START_TIMEOUT_S = 30.0  # a cold start is ~1.5 s; a busy CI machine may take longer


class NotifySocket:
    """What systemd listens on: a datagram socket; every message received, with its time."""

    def __init__(self, address: str | bytes):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.05)
        self.messages: list[tuple[float, str]] = []
        self.looked_at = 0  # messages wait_for has passed

    def collect(self, seconds: float) -> list[tuple[float, str]]:
        """Everything that arrives within `seconds`."""
        got, end = [], time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                message = self.sock.recv(4096).decode()
            except TimeoutError:
                continue
            got.append((time.monotonic(), message))
        self.messages += got
        return got

    def wait_for(self, prefix: str, timeout: float) -> float:
        """When the next message starting with `prefix` arrived (waiting up to `timeout`);
        messages before it are passed over."""
        end = time.monotonic() + timeout
        while True:
            while self.looked_at < len(self.messages):
                at, text = self.messages[self.looked_at]
                self.looked_at += 1
                if text.startswith(prefix):
                    return at
            if time.monotonic() > end:
                raise AssertionError(f"no {prefix!r} within {timeout} s: {self.messages}")
            self.collect(0.1)

    def drain(self) -> list[str]:
        """What was sent and not yet read, without waiting."""
        self.sock.setblocking(False)
        got = []
        try:
            while True:
                got.append(self.sock.recv(4096).decode())
        except BlockingIOError:
            pass
        finally:
            self.sock.settimeout(0.05)
        return got

    def close(self) -> None:
        self.sock.close()


def kiosk_toml(tmp: Path) -> Path:
    """The demo kiosk's configuration with its own data folder, an unanswered back office and
    a card reader filter no reader matches."""
    text = (DEMO / "kiosk.toml").read_text(encoding="utf-8")
    for old, new in (('data_dir = "../../var/kiosk"', f'data_dir = "{tmp}/data"'),
                     ('key_file = "../../var/kiosk/kiosk.key"', f'key_file = "{tmp}/kiosk.key"'),
                     ('url = "http://127.0.0.1:8470"', 'url = "http://127.0.0.1:9"'),
                     ('reader = "Smart Kampung"', 'reader = "no reader for the watchdog test"')):
        assert old in text, old
        text = text.replace(old, new)
    path = tmp / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start_kiosk(tmp: Path, windowed: bool = False, **env) -> subprocess.Popen:
    """Full screen as on a kiosk (its key filter, its close guard); `windowed` for the cold
    start's SMART_KAMPUNG_EXIT_WHEN_SHOWN (a full-screen kiosk closes only for the staff)."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
    environ.update(QT_QPA_PLATFORM="offscreen", **env)
    log = (tmp / "kiosk.log").open("wb")
    command = [sys.executable, "-m", "ui", "--config", str(kiosk_toml(tmp))]
    try:
        return subprocess.Popen(command + (["--windowed"] if windowed else []),
                                cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


@pytest.fixture
def kiosk_process():
    """start(tmp, **env) runs the kiosk; it is killed after the test whatever happened."""
    started: list[subprocess.Popen] = []

    def start(tmp: Path, windowed: bool = False, **env) -> subprocess.Popen:
        started.append(start_kiosk(tmp, windowed, **env))
        return started[-1]

    yield start
    for p in started:
        if p.poll() is None:
            p.send_signal(signal.SIGCONT)
            p.kill()
            p.wait(10)


def test_the_kiosk_says_ready_pings_the_watchdog_falls_silent_when_frozen_and_says_stopping(
    tmp_path, kiosk_process
):
    notify = NotifySocket(str(tmp_path / "notify"))
    # WATCHDOG_PID names the parent, as on a kiosk where cage is the unit's main process
    launched = time.monotonic()
    kiosk = kiosk_process(tmp_path, NOTIFY_SOCKET=str(tmp_path / "notify"),
                          WATCHDOG_USEC=str(PING_USEC), WATCHDOG_PID=str(os.getpid()))
    try:
        ready = notify.wait_for("READY=1", START_TIMEOUT_S)
        first = notify.messages[0][1].split("\n")
        assert first == ["READY=1", "STATUS=attract screen"], notify.messages
        print(f"READY=1 {ready - launched:.2f} s after launch")

        pings = [at for at, text in notify.collect(3.0) if text == "WATCHDOG=1"]
        gaps = [b - a for a, b in zip(pings, pings[1:], strict=False)]
        assert 5 <= len(pings) <= 8, pings  # every 0.5 s, for 3 s
        assert 0.4 <= statistics.median(gaps) <= 0.6, gaps
        assert max(gaps) < 0.9, gaps  # never near the 1 s systemd would act on

        kiosk.send_signal(signal.SIGSTOP)  # the whole app frozen
        time.sleep(0.05)
        notify.drain()  # sent before it stopped
        silent = notify.collect(2.5)
        assert silent == [], silent  # systemd would restart it after WatchdogSec

        kiosk.send_signal(signal.SIGCONT)
        assert [t for _, t in notify.collect(1.5)].count("WATCHDOG=1") >= 2

        kiosk.send_signal(signal.SIGTERM)  # systemctl stop
        notify.wait_for("STOPPING=1", 10)
        assert kiosk.wait(30) == 0
    finally:
        notify.close()
    assert "kiosk: asked to stop" in (tmp_path / "kiosk.log").read_text()


def test_an_abstract_notify_socket_is_reached_too(tmp_path, kiosk_process):
    name = f"smart-kampung-test-{uuid.uuid4().hex}"
    notify = NotifySocket(b"\0" + name.encode())
    try:
        kiosk = kiosk_process(tmp_path, windowed=True, NOTIFY_SOCKET=f"@{name}",
                              SMART_KAMPUNG_EXIT_WHEN_SHOWN="1")
        notify.wait_for("READY=1", START_TIMEOUT_S)
        notify.wait_for("STOPPING=1", 10)
        assert kiosk.wait(30) == 0
    finally:
        notify.close()


def test_without_notify_socket_the_kiosk_runs_as_before_and_says_nothing(
    tmp_path, kiosk_process
):
    kiosk = kiosk_process(tmp_path, windowed=True, WATCHDOG_USEC=str(PING_USEC),
                          SMART_KAMPUNG_EXIT_WHEN_SHOWN="1")
    assert kiosk.wait(START_TIMEOUT_S) == 0
    log = (tmp_path / "kiosk.log").read_text()
    assert "kiosk: attract screen shown" in log
    assert "systemd" not in log


# --- in process: the GUI thread alone frozen ----------------------------------------------


@pytest.fixture
def kiosk_window(tmp_path, qtbot):
    """The real kiosk and its window (offscreen), its threads running; no card reader (the
    watchdog needs none)."""
    from PySide6.QtWidgets import QApplication

    from ui.app import build

    config = dataclasses.replace(
        KioskConfig.load(kiosk_toml(tmp_path)), create_key=True)
    kiosk, window, _reader = build(config)
    kiosk.start()
    try:
        yield kiosk, window
    finally:
        kiosk.stop()
        QApplication.instance().removeEventFilter(window.idle)
        window.close()


def test_the_pings_come_from_the_gui_thread_and_stop_while_it_is_blocked(
    tmp_path, kiosk_window, qtbot
):
    from ui.app import SystemdNotifier

    kiosk, window = kiosk_window
    notify = NotifySocket(str(tmp_path / "notify"))
    received: list[tuple[float, str]] = []
    stop = threading.Event()

    def listen():  # systemd's side, on its own thread: it hears whatever is sent
        while not stop.is_set():
            received.extend(notify.collect(0.1))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    env = {"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": str(PING_USEC)}
    systemd = SystemdNotifier(kiosk, window.runner, environ=env, parent=window)
    try:
        systemd.ready()
        qtbot.wait(1600)
        before = [at for at, text in received if text == "WATCHDOG=1"]
        assert len(before) >= 3, received

        blocked_at = time.monotonic()
        time.sleep(2.0)  # this is the GUI thread: the event loop, and its timers, stand still
        blocked_until = time.monotonic()
        assert threading.active_count() > 2  # the outbox sender, the sync, the heartbeat …
        qtbot.wait(1200)
        during = [at for at, text in received
                  if text == "WATCHDOG=1" and blocked_at + 0.02 < at < blocked_until]
        after = [at for at, text in received if text == "WATCHDOG=1" and at >= blocked_until]
        assert during == [], received
        assert len(after) >= 2, received

        systemd.send_status()  # the outbox is counted on a worker, sent from the GUI thread
        qtbot.waitUntil(lambda: any(t.startswith("STATUS=") and "outbox" in t
                                    for _, t in received), timeout=5000)
        status = next(t for _, t in received if t.startswith("STATUS=") and "outbox" in t)
        assert status == "STATUS=attract screen; outbox 0 waiting, 0 set aside"
        systemd.stopping()
        qtbot.waitUntil(lambda: any(t.startswith("STOPPING=1") for _, t in received),
                        timeout=3000)
        assert not systemd.ping.isActive()
    finally:
        stop.set()
        listener.join(5)
        notify.close()


def test_without_notify_socket_the_notifier_sends_nothing_and_pings_never_start(
    kiosk_window, monkeypatch
):
    from ui.app import SystemdNotifier

    kiosk, window = kiosk_window

    def no_socket(*args, **kwargs):
        raise AssertionError("a socket was opened without NOTIFY_SOCKET")

    monkeypatch.setattr(sdnotify, "socket", types.SimpleNamespace(socket=no_socket))
    systemd = SystemdNotifier(kiosk, window.runner, environ={"WATCHDOG_USEC": "1000000"},
                              parent=window)
    systemd.ready()
    systemd.watchdog()
    systemd.stopping()
    assert systemd.watchdog_s is None and not systemd.ping.isActive()
    assert not systemd.status_timer.isActive()
    assert sdnotify.notify("READY=1", environ={}) is False


# --- terminal/sdnotify.py on its own -----------------------------------------------------


def test_notify_sends_one_datagram_to_a_path_or_an_abstract_socket(tmp_path):
    path = NotifySocket(str(tmp_path / "n"))
    name = f"smart-kampung-test-{uuid.uuid4().hex}"
    abstract = NotifySocket(b"\0" + name.encode())
    try:
        assert sdnotify.notify("READY=1", "STATUS=attract screen",
                               environ={"NOTIFY_SOCKET": str(tmp_path / "n")})
        assert sdnotify.notify("WATCHDOG=1", environ={"NOTIFY_SOCKET": f"@{name}"})
        assert path.collect(0.2) and path.messages[0][1] == "READY=1\nSTATUS=attract screen"
        assert [t for _, t in abstract.collect(0.2)] == ["WATCHDOG=1"]
    finally:
        path.close()
        abstract.close()


def test_a_notify_socket_that_is_gone_or_full_never_raises_nor_blocks(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="terminal.sdnotify")
    monkey_once = set(sdnotify._complained)
    sdnotify._complained.clear()
    try:
        gone = {"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")}
        assert [sdnotify.notify("WATCHDOG=1", environ=gone) for _ in range(3)] == [False] * 3
        assert sdnotify.notify("READY=1", environ={"NOTIFY_SOCKET": "vsock:2:1234"}) is False
        # A manager that stopped reading: its queue fills; a send then fails at once.
        full = NotifySocket(str(tmp_path / "full"))
        try:
            env = {"NOTIFY_SOCKET": str(tmp_path / "full")}
            t0 = time.monotonic()
            sent = [sdnotify.notify("STATUS=" + "x" * 1000, environ=env) for _ in range(3000)]
            assert False in sent and time.monotonic() - t0 < 5
        finally:
            full.close()
        warnings = [r.getMessage() for r in caplog.records if r.name == "terminal.sdnotify"]
        assert len(warnings) == 3, warnings  # each kind of failure once, not every ping
        assert any("unusable NOTIFY_SOCKET" in w for w in warnings)
    finally:
        sdnotify._complained.clear()
        sdnotify._complained.update(monkey_once)


@pytest.mark.parametrize("env, expected", [
    ({"NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "30000000"}, 30.0),
    ({"NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"}, 30.0),
    ({"NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4000"}, 30.0),
    ({"NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),
    ({"NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "x"}, None),
    ({"NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "0"}, None),
    ({"NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "soon"}, None),
    ({"NOTIFY_SOCKET": "/run/n"}, None),
    ({"WATCHDOG_USEC": "30000000"}, None),  # nobody to ping
])
def test_the_watchdog_period_is_read_as_sd_watchdog_enabled_does(env, expected):
    """This process is 4242, its parent (cage on a kiosk) 4000."""
    assert sdnotify.watchdog_period(env, pid=4242, parent_pid=4000) == expected
