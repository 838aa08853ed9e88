"""A virtual PC/SC rig: the real pcscd with vsmartcard's vpcd driver, for tests and ``make demo``.

``PcscdRig.start()`` writes a private reader.conf directory, starts ``pcscd --foreground
--config DIR`` and waits until the virtual reader is visible. vpcd listens on ``port`` (slot
``<name> 00 00``) and ``port + 1`` (slot ``<name> 00 01``, e.g. a SAM); a
:class:`devices.virtual_card.VirtualCard` connecting to the port is a card on that slot.

Only one pcscd can run per machine (fixed socket ``/run/pcscd/pcscd.comm``). Rigs in different
processes (two test sessions, ``make demo``) serialise on an flock held from ``start()`` to
``stop()``; ``PcscdRig(wait=SECONDS)`` queues behind another rig instead of failing at once. A
pcscd this code did not start (system service) makes ``start()`` raise ``RuntimeError``; stop
it first (``PcscdRig.stop_foreign()`` sends SIGTERM to the PID in ``/run/pcscd/pcscd.pid``, or
``systemctl stop pcscd.socket pcscd.service`` on a systemd host). Within one process, share the
running rig through ``PcscdRig.active()``.

Privacy: pcscd at ``info``/``debug`` level logs every card's ATR, which for e-KTP type B contains
the PUPI (the card UID), and ``--apdu`` would log UID responses. The rig therefore runs pcscd at
``error`` level and never passes ``--apdu``; a more verbose ``log_level`` is for a developer's
throwaway log only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from smartcard import scard

PCSCD = "pcscd"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
RUN_DIR = Path("/run/pcscd")
SOCKET_PATH = RUN_DIR / "pcscd.comm"
PID_PATH = RUN_DIR / "pcscd.pid"
LOCK_PATH = RUN_DIR / "smart-kampung-rig.lock"
DEFAULT_PORT = 35963
DEFAULT_READER_NAME = "Smart Kampung Virtual Reader"
_LOG_LEVELS = {"critical": "--critical", "error": "--error", "info": "--info", "debug": "--debug"}


def _socket_alive(path: Path = SOCKET_PATH) -> bool:
    """True if a pcscd answers on the socket (a stale socket file refuses connections)."""
    if not path.exists():
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(0.5)
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def pid_alive(pid: int) -> bool:
    """Is process `pid` running (not gone, not a zombie)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not a running pcscd
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _foreign_pid() -> int | None:
    try:
        pid = int(PID_PATH.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


class PcscdRig:
    """Start and stop a private pcscd with vpcd readers (two slots each).

    ``PcscdRig(port=..., reader_name=...)`` gives one reader; ``PcscdRig(readers=[(name, port),
    ...])`` several (each listens on ``port`` and ``port + 1``: keep ports 2 apart).

    ``unplug(name)`` / ``plug(name)`` simulate a reader pulled out and plugged back. pcscd
    reads reader.conf only at startup: ``pcscd --hotplug`` (SIGUSR1) calls
    HPReCheckSerialReaders(), which is a no-op in the libudev build Debian ships (checked on
    pcsc-lite 1.9.9: the log shows "Received signal: 10" and the reader list does not change).
    So unplug/plug rewrite the reader.conf directory and restart pcscd; a client sees
    ServiceLost then the remaining readers (like a USB hub losing power), not a lone detach.
    """

    _active: PcscdRig | None = None  # the rig this process has running, if any

    @classmethod
    def active(cls) -> PcscdRig | None:
        """The rig started by this process and still running (fixtures can share it)."""
        rig = cls._active
        return rig if rig is not None and rig.running else None

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        reader_name: str = DEFAULT_READER_NAME,
        log_path: str | None = None,
        log_level: str = "error",
        wait: float = 0.0,
        readers: list[tuple[str, int]] | None = None,
    ) -> None:
        if log_level not in _LOG_LEVELS:
            raise ValueError(f"log_level must be one of {sorted(_LOG_LEVELS)}")
        self.readers: list[tuple[str, int]] = list(readers or [(reader_name, port)])
        names = [n for n, _ in self.readers]
        if len(set(names)) != len(names):
            raise ValueError("reader names must differ")
        ports = sorted(p for _, p in self.readers)
        if any(b - a < 2 for a, b in zip(ports, ports[1:], strict=False)):
            raise ValueError("vpcd readers use port and port + 1: keep ports 2 apart")
        self.reader_name, self.port = self.readers[0]
        self._unplugged: set[str] = set()
        self.log_path = log_path
        self.log_level = log_level
        self.wait = wait
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: Path | None = None
        self._log_file: Path | None = None
        self._lock_fd: int | None = None

    # -- names -----------------------------------------------------------------------------

    @property
    def card_reader(self) -> str:
        """The PC/SC name of the (first reader's) card slot (vpcd port ``port``)."""
        return f"{self.reader_name} 00 00"

    @property
    def sam_reader(self) -> str:
        """The PC/SC name of the (first reader's) second slot (vpcd port ``port + 1``)."""
        return f"{self.reader_name} 00 01"

    def slot_names(self, reader_name: str) -> tuple[str, str]:
        """(card slot, SAM slot) PC/SC names of one configured reader."""
        return f"{reader_name} 00 00", f"{reader_name} 00 01"

    def port_of(self, reader_name: str) -> int:
        for name, port in self.readers:
            if name == reader_name:
                return port
        raise KeyError(reader_name)

    def expected_reader_names(self) -> list[str]:
        """The slot names pcscd should offer with the readers currently plugged in."""
        return [s for n, _ in self.readers if n not in self._unplugged for s in self.slot_names(n)]

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- lifecycle -------------------------------------------------------------------------

    @staticmethod
    def foreign_pcscd_running() -> bool:
        return _socket_alive() or _foreign_pid() is not None

    @staticmethod
    def stop_foreign(timeout: float = 3.0) -> bool:
        """SIGTERM the pcscd named in /run/pcscd/pcscd.pid; True if one was stopped.

        Under systemd socket activation it would come back on the next client: stop
        ``pcscd.socket`` and ``pcscd.service`` with systemctl instead.
        """
        pid = _foreign_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return True
            time.sleep(0.05)
        raise RuntimeError(f"pcscd (pid {pid}) did not exit within {timeout} s of SIGTERM")

    def _acquire(self, wait: float) -> None:
        """Take the machine-wide rig lock and make sure no other pcscd runs (waiting ``wait`` s).

        The lock (flock on /run/pcscd/smart-kampung-rig.lock) is held from start() to stop(),
        across restart(), so two test sessions on one machine queue instead of colliding.
        """
        deadline = time.monotonic() + wait
        if self._lock_fd is None:
            RUN_DIR.mkdir(parents=True, exist_ok=True)
            fd = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o644)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        raise RuntimeError(
                            "another PcscdRig (another test session or `make demo`) holds "
                            f"{LOCK_PATH}; only one pcscd can run per machine. Wait for it to "
                            "finish, or pass start(wait=SECONDS) to queue behind it."
                        ) from None
                    time.sleep(0.1)
            self._lock_fd = fd
        while self.foreign_pcscd_running():
            if time.monotonic() >= deadline:
                pid = _foreign_pid()
                self._release()
                raise RuntimeError(
                    "another pcscd is already running"
                    + (f" (pid {pid})" if pid else "")
                    + f" and owns {SOCKET_PATH}; only one pcscd can run per machine. Stop it "
                    "first: PcscdRig.stop_foreign(), or `systemctl stop pcscd.socket "
                    "pcscd.service`, or kill the PID in /run/pcscd/pcscd.pid."
                )
            time.sleep(0.1)

    def _release(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def start(self, timeout: float = 5.0, wait: float | None = None) -> PcscdRig:
        """Start pcscd and wait (``timeout`` s) until the reader is visible.

        ``wait``: seconds to queue behind another rig or pcscd before raising RuntimeError
        (default: the ``wait`` given to the constructor).
        """
        if self.running:
            return self
        self._acquire(self.wait if wait is None else wait)
        try:
            self._spawn()
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        PcscdRig._active = self
        return self

    def _spawn(self) -> None:
        if shutil.which(PCSCD) is None:
            raise RuntimeError("pcscd not found: apt-get install pcscd vsmartcard-vpcd")
        if not Path(VPCD_DRIVER).exists():
            raise RuntimeError(f"{VPCD_DRIVER} not found: apt-get install vsmartcard-vpcd")
        for stale in (SOCKET_PATH, PID_PATH):  # left behind by a killed pcscd
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        self._tmp = Path(tempfile.mkdtemp(prefix="smart-kampung-pcscd-"))
        # pcscd parses *every* file in the config dir: keep the conf dir for reader.conf only.
        conf_dir = self._tmp / "reader.conf.d"
        conf_dir.mkdir()
        self._write_reader_conf(conf_dir)
        self._log_file = Path(self.log_path) if self.log_path else self._tmp / "pcscd.log"
        cmd = [PCSCD, "--foreground", _LOG_LEVELS[self.log_level], "--config", str(conf_dir)]
        with open(self._log_file, "ab") as out:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )

    def _write_reader_conf(self, conf_dir: Path) -> None:
        """One file per plugged-in reader (pcscd parses every file in the directory)."""
        for old in conf_dir.iterdir():
            old.unlink()
        for i, (name, port) in enumerate(self.readers):
            if name in self._unplugged:
                continue
            # vpcd keeps its slots in one static array indexed by slot number, shared by every
            # reader using the same loaded library: a second reader would take over the first
            # one's slots. A copy of the library per extra reader is loaded separately.
            libpath = Path(VPCD_DRIVER)
            if i > 0:
                assert self._tmp is not None
                libpath = self._tmp / f"libifdvpcd-{i}.so"
                if not libpath.exists():
                    shutil.copyfile(VPCD_DRIVER, libpath)
            (conf_dir / ("vpcd" if i == 0 else f"vpcd-{i}")).write_text(
                f'FRIENDLYNAME "{name}"\n'
                f"DEVICENAME /dev/null:0x{port:X}\n"
                f"LIBPATH {libpath}\n"
                f"CHANNELID 0x{port:X}\n"
            )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"pcscd exited with {self._proc.returncode} during startup:\n{self._log_tail()}"
                )
            if SOCKET_PATH.exists() and _socket_alive():
                names = self.reader_names()
                if all(n in names for n in self.expected_reader_names()):
                    return
            time.sleep(0.02)
        raise RuntimeError(f"pcscd not ready within {timeout} s:\n{self._log_tail()}")

    def _log_tail(self, lines: int = 20) -> str:
        try:
            assert self._log_file is not None
            return "\n".join(self._log_file.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AssertionError):
            return "(no log)"

    def stop(self, timeout: float = 5.0, release: bool = True) -> None:
        """SIGTERM pcscd and wait. ``release=False`` keeps the machine-wide rig lock."""
        proc, self._proc = self._proc, None
        if PcscdRig._active is self:
            PcscdRig._active = None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        if release:
            self._release()

    def restart(self, timeout: float = 5.0) -> None:
        """Stop and start pcscd again, keeping the rig lock (virtual cards are removed)."""
        self.stop(release=False)
        self.start(timeout)

    def unplug(self, reader_name: str | None = None, timeout: float = 5.0) -> None:
        """Simulate pulling ``reader_name`` (default: the first reader) out: pcscd restarts
        without it (see the class docstring for why a restart). Cards on it are removed."""
        name = reader_name or self.reader_name
        self.port_of(name)  # KeyError for a reader this rig does not have
        self._unplugged.add(name)
        self.restart(timeout)

    def plug(self, reader_name: str | None = None, timeout: float = 5.0) -> None:
        """Plug ``reader_name`` (default: the first reader) back in: pcscd restarts with it."""
        name = reader_name or self.reader_name
        self.port_of(name)
        self._unplugged.discard(name)
        self.restart(timeout)

    def __enter__(self) -> PcscdRig:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- reader state ----------------------------------------------------------------------

    @staticmethod
    def reader_names() -> list[str]:
        """Reader names pcscd currently offers ([] if none or if pcscd is not running)."""
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            return []
        try:
            hr, readers = scard.SCardListReaders(ctx, [])
            return list(readers) if hr == scard.SCARD_S_SUCCESS else []
        finally:
            scard.SCardReleaseContext(ctx)

    def card_present(self, reader: str | None = None) -> bool:
        reader = reader or self.card_reader
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            return False
        try:
            hr, states = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
            if hr != scard.SCARD_S_SUCCESS:
                return False
            return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
        finally:
            scard.SCardReleaseContext(ctx)

    def wait_for_card(self, present: bool, timeout: float = 3.0, reader: str | None = None) -> None:
        """Poll until the reader (default: the card slot) is present/empty; TimeoutError if not.

        pcscd polls vpcd every ~0.4 s, so insert->present and remove->empty take up to ~0.4 s.
        Wait for "empty" before inserting again: a re-insert within 0.4 s confuses pcscd.
        """
        deadline = time.monotonic() + timeout
        while True:
            if self.card_present(reader) == present:
                return
            if time.monotonic() >= deadline:
                state = "present" if present else "empty"
                raise TimeoutError(f"reader not {state} within {timeout} s")
            time.sleep(0.02)
