"""The development stack: everything a kiosk talks to, running on this machine for real.

`pcscd` with a vpcd virtual reader, the back office as its own process on a loopback port with
a fresh SQLite database and the demo residents, and a kiosk configuration pointing at both.
`make demo`, `make tour`, the benchmarks and the end-to-end tests all use it. The back office
is started as a separate program (`python -m backoffice`): the kiosk never imports it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx

from devices.demo_cards import demo_card
from devices.rig import PcscdRig
from devices.virtual_card import VirtualCard
from terminal.config import KioskConfig

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "deploy" / "demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BackofficeProcess:
    """`python -m backoffice` on a loopback port, with its own config and database."""

    def __init__(self, workdir: Path, port: int | None = None, demo: bool = True):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.demo = demo
        self.config_path = self.workdir / "backoffice.toml"
        self.log_path = self.workdir / "backoffice.log"
        self._proc: subprocess.Popen | None = None

    def write_config(self) -> None:
        """The demo back office's settings, with its own database and cheap PIN hashing."""
        demo = (DEMO / "backoffice.toml").read_text()
        head = (
            f'database_url = "sqlite:///{self.workdir / "backoffice.sqlite3"}"\n'
            "argon2_time_cost = 1  # the stack is for demos and tests, not for real PINs\n"
            "argon2_memory_kib = 1024\n"
            "argon2_parallelism = 1\n"
        )
        body = re.sub(r"(?m)^database_url\s*=.*$", "", demo)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(head + body)
        tomllib.loads(self.config_path.read_text())  # fail here, not in the child process

    def start(self, timeout: float = 30.0) -> None:
        if not self.config_path.exists():
            self.write_config()
        cmd = [sys.executable, "-m", "backoffice", "--config", str(self.config_path),
               "--host", "127.0.0.1", "--port", str(self.port)]
        if self.demo:
            cmd.append("--demo")
        log = self.log_path.open("ab")
        self._proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"back office exited early; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"back office did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


class DevStack:
    def __init__(self, workdir: Path, vpcd_port: int = 35963, backoffice_port: int | None = None):
        self.workdir = Path(workdir)
        self.rig = PcscdRig(port=vpcd_port, wait=60)  # queue behind another rig (demo, tests)
        self.backoffice = BackofficeProcess(self.workdir / "backoffice", port=backoffice_port)

    def start(self) -> DevStack:
        self.rig.start()
        try:
            self.backoffice.start()
        except Exception:
            self.rig.stop()
            raise
        return self

    def stop(self) -> None:
        self.backoffice.stop()
        self.rig.stop()

    def __enter__(self) -> DevStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def kiosk_config(self, **overrides) -> KioskConfig:
        base = KioskConfig.load(DEMO / "kiosk.toml")
        values = dict(
            backoffice_url=self.backoffice.url,
            data_dir=self.workdir / "kiosk",
            key_file=self.workdir / "kiosk" / "kiosk.key",
            create_key=True,
            reader=self.rig.card_reader,
        )
        values.update(overrides)
        return dataclasses.replace(base, **values)

    def card(self, key: str) -> VirtualCard:
        return VirtualCard.for_demo(demo_card(key), port=self.rig.port)


def display_available() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
