"""Boots the kiosk VM that deploy/vm/build-image.sh made and checks it on real systemd and cage.

    python3 deploy/vm/boot_check.py build/vm --broken-wheel smart_kampung-X-py3-none-any.whl

(`make vm-check` runs build-image.sh, then this; deploy/README.md, "Checking an install on a
real boot (VM)".) The VM: qemu-system-x86_64 with KVM, 2 vCPUs, 3 GiB, the image's own kernel,
a virtio GPU with no window (-display none), qemu's user network. Driven through the QEMU guest
agent (commands inside, a virtio serial port) and QMP (screenshots, keys), never a login.

Checks, each PASS/FAIL with its evidence in WORKDIR/report.txt:
  1. smart-kampung-kiosk.service reaches active (running) after boot: the app's READY=1 went
     through cage to systemd (Type=notify, NotifyAccess=all); cage and the app in the
     service's own cgroup (seatd, no logind session).
  2. A screenshot of the screen (WORKDIR/kiosk.png): the kiosk's screen, full screen.
  3. Watchdog: the app's python process stopped (SIGSTOP) → "Watchdog timeout" within
     WatchdogSec, the service restarted and active again with a new main PID.
  4. Lock-down: ctrl-alt-del.target and getty@tty1 masked, kernel.sysrq = 0, logind's settings,
     persistent journal; Ctrl+Alt+F2 (kiosk-ctrl-alt-f2.png), Ctrl+Alt+Del and Alt+SysRq+B
     sent as keys change nothing.
  5. After `systemctl reboot` the service is active again (and the journal kept the last boot).
  6. upgrade-kiosk.sh with a deliberately broken wheel goes back; the old version stays active.

Not part of `make test`: a first run downloads Debian (~1 GB) and the app's packages from PyPI
and takes 15-25 minutes; it needs root and /dev/kvm. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shlex
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

UNIT = "smart-kampung-kiosk.service"
WATCHDOG_S = 30
SLOW = 1  # the waits for booting and starting, times this: 3 under TCG


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def say(message: str) -> None:
    print(f"[boot-check {stamp()}] {message}", flush=True)


# --- QMP and the guest agent ------------------------------------------------------------------

class Qmp:
    """QEMU's machine protocol on a unix socket: screendump, send-key."""

    def __init__(self, path: Path):
        deadline = time.monotonic() + 20
        while True:  # the socket's file appears a moment before qemu listens on it
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(30)
            try:
                self.sock.connect(str(path))
                break
            except (ConnectionRefusedError, FileNotFoundError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.file = self.sock.makefile("rwb")
        self._read()  # the greeting
        self.execute("qmp_capabilities")

    def _read(self) -> dict:
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("QMP closed")
            message = json.loads(line)
            if "event" not in message:
                return message

    def execute(self, command: str, **arguments) -> object:
        self.file.write(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        self.file.flush()
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"QMP {command}: {answer['error']}")
        return answer.get("return")

    def keys(self, *names: str) -> None:
        """Press `names` together and let go (as the monitor's `sendkey ctrl-alt-f2`)."""
        self.execute("send-key", keys=[{"type": "qcode", "data": n} for n in names],
                     **{"hold-time": 200})


class Agent:
    """The QEMU guest agent in the VM (qemu-guest-agent): runs commands, returns their output.
    The host end of its socket stays open across guest reboots; every call first syncs."""

    def __init__(self, path: Path):
        self.path = path
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.sync_id = int(time.time())

    def _connect(self) -> None:
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(str(self.path))
            self.buffer = b""

    def _send(self, message: dict) -> None:
        self.sock.sendall(json.dumps(message).encode() + b"\n")

    def _receive(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("guest agent: no answer")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("guest agent socket closed")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        line = line.replace(b"\xff", b"").strip()
        return json.loads(line) if line else {}

    def sync(self, timeout: float = 3) -> None:
        self._connect()
        self.sync_id += 1
        self.sock.sendall(b"\xff")
        self._send({"execute": "guest-sync-delimited", "arguments": {"id": self.sync_id}})
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = self._receive(max(0.1, deadline - time.monotonic()))
            except json.JSONDecodeError:
                continue
            if answer.get("return") == self.sync_id:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("guest agent: no sync")

    def call(self, command: str, timeout: float = 10, **arguments) -> object:
        self.sync()
        self._send({"execute": command, "arguments": arguments})
        answer = self._receive(timeout)
        if "error" in answer:
            raise RuntimeError(f"guest agent {command}: {answer['error']}")
        return answer.get("return")

    def alive(self) -> bool:
        try:
            self.call("guest-ping", timeout=3)
            return True
        except (OSError, TimeoutError, RuntimeError, ValueError):
            return False

    def run(self, command: str, timeout: float = 60) -> tuple[int, str]:
        """`command` by /bin/sh in the VM as root; (exit status, stdout and stderr)."""
        pid = self.call("guest-exec", path="/bin/sh", arg=[
            "-c", "export PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 SYSTEMD_PAGER= "
                  f"SYSTEMD_COLORS=0; exec 2>&1; {command}"],
            **{"capture-output": True})["pid"]
        deadline = time.monotonic() + timeout
        while True:
            status = self.call("guest-exec-status", pid=pid)
            if status.get("exited"):
                out = base64.b64decode(status.get("out-data", "")).decode(errors="replace")
                return status.get("exitcode", -1), out
            if time.monotonic() > deadline:
                raise TimeoutError(f"in the VM, still running after {timeout} s: {command}")
            time.sleep(0.5)

    def out(self, command: str, timeout: float = 60) -> str:
        return self.run(command, timeout)[1].strip()


# --- screenshots --------------------------------------------------------------------------------

def ppm_to_png(ppm: Path, png: Path) -> tuple[int, int, int]:
    """QEMU's screendump (binary PPM, P6) as a PNG; returns width, height and how many distinct
    colours it has (a black or one-colour screen has 1)."""
    data = ppm.read_bytes()
    fields = re.match(rb"P6\s+(?:#.*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not fields:
        raise ValueError(f"{ppm}: not a binary PPM")
    width, height, maxval = (int(x) for x in fields.groups())
    if maxval != 255:
        raise ValueError(f"{ppm}: {maxval} levels, expected 255")
    pixels = data[fields.end():fields.end() + width * height * 3]
    stride = width * 3
    raw = b"".join(b"\0" + pixels[y * stride:(y + 1) * stride] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    png.write_bytes(b"\x89PNG\r\n\x1a\n"
                    + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    colours = len({pixels[i:i + 3] for i in range(0, len(pixels), 3 * 7)})
    return width, height, colours


# --- the report ---------------------------------------------------------------------------------

class Report:
    def __init__(self, path: Path):
        self.path = path
        self.results: list[tuple[str, str]] = []
        self.lines: list[str] = [f"Smart Kampung kiosk: boot check in a VM ({time.ctime()})", ""]
        self.flush()

    def section(self, title: str) -> None:
        self.lines += ["", "=" * 100, title, "=" * 100]
        say(title)

    def evidence(self, label: str, text: str) -> None:
        self.lines.append(f"--- {label}")
        self.lines += ["    " + line for line in text.rstrip().splitlines()] or ["    (nothing)"]
        self.flush()

    def note(self, text: str) -> None:
        self.lines.append(text)
        self.flush()

    def result(self, name: str, ok: bool | None, why: str = "") -> bool:
        verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[ok]
        self.results.append((verdict, name + (f" ({why})" if why else "")))
        self.lines.append(f">>> {verdict}: {name}" + (f" — {why}" if why else ""))
        say(f"{verdict}: {name}" + (f" — {why}" if why else ""))
        self.flush()
        return bool(ok)

    def flush(self) -> None:
        summary = ["Summary:"] + [f"  {v}  {n}" for v, n in self.results] + [""]
        self.path.write_text("\n".join(self.lines[:2] + summary + self.lines[2:]) + "\n")


# --- the VM -------------------------------------------------------------------------------------

def choose_accel(wanted: str) -> tuple[str, str]:
    """(accelerator, why). KVM unless this machine's /dev/kvm is PVM (kvm_pvm: the
    paravirtual KVM some cloud VMs offer for nesting without hardware virtualisation), which
    runs only kernels built as PVM guests: Debian's kernel stops right after "Probing EDD"
    there. Then qemu's own emulator (TCG): several times slower, the same VM."""
    if wanted != "auto":
        return wanted, "asked for"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg", "no usable /dev/kvm"
    if Path("/sys/module/kvm_pvm").exists():
        return "tcg", "/dev/kvm is PVM (kvm_pvm), which cannot boot Debian's stock kernel"
    return "kvm", "/dev/kvm"


class Vm:
    def __init__(self, work: Path, memory_mb: int, cpus: int, accel: str):
        self.work = work
        self.accel = accel
        cpu = "host,-arch-capabilities" if accel == "kvm" else "max"
        self.qmp_path, self.qga_path = work / "qmp.sock", work / "qga.sock"
        for p in (self.qmp_path, self.qga_path):
            p.unlink(missing_ok=True)
        command = [
            # KVM: the host's CPU, less IA32_ARCH_CAPABILITIES (a nested KVM may refuse that
            # MSR, and qemu then aborts: "failed to set MSR 0x10a")
            "qemu-system-x86_64", "-machine", f"q35,accel={accel}",
            "-cpu", os.environ.get("VM_CPU", cpu),
            "-smp", str(cpus), "-m", str(memory_mb), "-name", "smart-kampung-kiosk-vm",
            "-kernel", str(work / "vmlinuz"), "-initrd", str(work / "initrd.img"),
            "-append", "root=/dev/vda rw loglevel=4 systemd.show_status=1 console=tty0 "
                       "console=ttyS0",
            "-drive", f"file={work / 'image.raw'},format=raw,if=virtio,cache=unsafe",
            # the screen: one virtio GPU (DRM/KMS for cage; not also the default VGA card: two
            # GPUs make wlroots try PRIME between them), shown nowhere; the PS/2 keyboard of
            # the q35 machine and a virtio tablet are the input devices libinput finds
            "-vga", "none", "-device", "virtio-gpu-pci,xres=1280,yres=800", "-display", "none",
            "-device", "virtio-tablet-pci",
            "-nic", "user,model=virtio-net-pci",
            "-chardev", f"socket,id=qga0,path={self.qga_path},server=on,wait=off",
            "-device", "virtio-serial-pci",
            "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
            "-serial", f"file:{work / 'console.log'}",
        ]
        (work / "qemu-command.txt").write_text(shlex.join(command) + "\n")
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                        stdout=open(work / "qemu.log", "wb"),
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not (self.qmp_path.exists() and self.qga_path.exists()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("qemu did not start: " + (work / "qemu.log").read_text())
            time.sleep(0.2)
        self.qmp = Qmp(self.qmp_path)
        self.agent = Agent(self.qga_path)
        self.shot = 0

    def wait_agent(self, timeout: float) -> float:
        start = time.monotonic()
        while not self.agent.alive():
            if self.process.poll() is not None:
                raise RuntimeError("qemu exited; see console.log")
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"no guest agent after {timeout} s (console.log)")
            time.sleep(2)
        return time.monotonic() - start

    def screenshot(self, name: str) -> tuple[Path, int, int, int]:
        ppm = self.work / f"{name}.ppm"
        ppm.unlink(missing_ok=True)
        self.qmp.execute("screendump", filename=str(ppm))
        png = self.work / f"{name}.png"
        width, height, colours = ppm_to_png(ppm, png)
        ppm.unlink()
        return png, width, height, colours

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.qmp.execute("quit")
            except (OSError, RuntimeError):
                pass
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def unit_state(agent: Agent) -> dict[str, str]:
    text = agent.out(f"systemctl show {UNIT} -p ActiveState,SubState,MainPID,InvocationID,"
                     "NRestarts,StatusText,ExecMainStartTimestamp")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def wait_active(agent: Agent, timeout: float, not_invocation: str = "") -> tuple[bool, dict, float]:
    start = time.monotonic()
    while True:
        state = unit_state(agent)
        if (state.get("ActiveState"), state.get("SubState")) == ("active", "running") \
                and state.get("InvocationID") != not_invocation:
            return True, state, time.monotonic() - start
        if time.monotonic() - start > timeout:
            return False, state, time.monotonic() - start
        time.sleep(2)


def app_pid(agent: Agent, main_pid: str) -> str:
    """The app: cage's child running `python -m ui` (cage is the unit's main process)."""
    return agent.out(f"pgrep -P {main_pid} -f -- '-m ui --config' | head -n 1")


# --- the checks ---------------------------------------------------------------------------------

def check_boot(vm: Vm, report: Report) -> bool:
    report.section("1. After boot the kiosk service is active (running): READY=1 through cage")
    took = vm.wait_agent(240 * SLOW)
    report.note(f"guest agent up {took:.0f} s after qemu started")
    # systemd itself gives up on a start after TimeoutStartSec=180
    ok, state, waited = wait_active(vm.agent, 240)
    a = vm.agent
    report.evidence("uname -a; systemd --version | head -1", a.out(
        "uname -a; systemctl --version | head -n 1"))
    report.evidence(f"systemctl show {UNIT} (the settings that matter)", a.out(
        f"systemctl show {UNIT} -p Type,NotifyAccess,WatchdogUSec,Restart,ActiveState,SubState,"
        "Result,MainPID,NRestarts,StatusText,ExecMainStartTimestamp,InvocationID"))
    report.evidence(f"systemctl status {UNIT}", a.out(
        f"systemctl status --no-pager --lines=0 {UNIT}"))
    report.evidence("systemctl is-system-running; failed units", a.out(
        "systemctl is-system-running; systemctl --failed --no-legend --no-pager"))
    main = state.get("MainPID", "0")
    pid = app_pid(a, main) if main != "0" else ""
    report.evidence("the processes: cage (MainPID) and the app, its child", a.out(
        f"ps -o pid,ppid,user,stat,etime,args --forest -g $(ps -o sid= -p {main} | tr -d ' ')"
        if main != "0" else "true"))
    report.evidence("cgroups: the service's, and where cage and the app run (NotifyAccess=all "
                    "takes messages only from the service's own cgroup)", a.out(
        f"systemctl show -p ControlGroup {UNIT}; for p in {main} {pid or main}; do "
        "echo \"$p: $(cat /proc/$p/cgroup)\"; done"))
    report.evidence("the app's log in the journal (systemd, kiosk, cage lines)", a.out(
        f"journalctl -b -u {UNIT} --no-pager -o short-monotonic | grep -Ei "
        "'systemd|ready|screen|watchdog|cage|error|warn|Started|Starting' | tail -n 30"))
    report.evidence("seatd: it hands cage the screen (no logind session for the kiosk)", a.out(
        "systemctl show -p ActiveState -p SubState seatd.service; "
        "loginctl list-sessions --no-legend"))
    report.evidence("the notify environment the app got (names only)", a.out(
        f"tr '\\0' '\\n' </proc/{pid}/environ | grep -E '^(NOTIFY_SOCKET|WATCHDOG_USEC|"
        "WATCHDOG_PID|WAYLAND_DISPLAY|XDG_SESSION_TYPE|QT_QPA_PLATFORM)='" if pid else "true"))
    why = f"active (running) {waited:.0f} s after the agent came up, MainPID {main}, app PID " \
          f"{pid or '?'}" if ok else f"not active after {waited:.0f} s: {state}"
    return report.result("kiosk service active (running) after boot", ok and bool(pid), why)


def check_screen(vm: Vm, report: Report, name: str, title: str) -> bool:
    report.section(title)
    time.sleep(3)
    png, width, height, colours = vm.screenshot(name)
    report.evidence("screendump", f"{png} ({width}x{height}, {colours} distinct colours "
                    "in a sample of the pixels)")
    return report.result(f"screenshot {png.name}", colours > 8,
                         f"{width}x{height}, {colours} colours" + (
                             "" if colours > 8 else ": blank screen"))


def check_watchdog(vm: Vm, report: Report) -> bool:
    report.section(f"3. Watchdog: the app stopped with SIGSTOP is restarted (WatchdogSec="
                   f"{WATCHDOG_S})")
    a = vm.agent
    before = unit_state(a)
    pid = app_pid(a, before.get("MainPID", "0"))
    if not pid:
        return report.result("watchdog", False, "no app process to stop")
    report.evidence("before", "\n".join(f"{k}={v}" for k, v in before.items())
                    + f"\napp PID {pid}")
    stopped_at = float(a.out(f"kill -STOP {pid} && date +%s.%N"))
    report.note(f"kill -STOP {pid} at {time.strftime('%H:%M:%S', time.gmtime(stopped_at))} UTC")
    ok, after, waited = wait_active(a, WATCHDOG_S + 150 * SLOW, before.get("InvocationID", ""))
    report.evidence("after", "\n".join(f"{k}={v}" for k, v in after.items())
                    + f"\n(active again {waited:.0f} s after the SIGSTOP)")
    lines = a.out(f"journalctl -b -u {UNIT} --no-pager -o short-unix --since @{int(stopped_at)} "
                  "| grep -Ei 'watchdog|Main process exited|Failed with|Scheduled restart|"
                  "Started|Stopped|ready|dumped core|signal' | head -n 20")
    report.evidence("journal since the SIGSTOP", lines)
    timeout_at = next((float(line.split()[0]) for line in lines.splitlines()
                       if "Watchdog timeout" in line), None)
    new_pid = after.get("MainPID")
    if timeout_at is None:
        return report.result("watchdog restarts a frozen app", False,
                             'no "Watchdog timeout" in the journal')
    delay = timeout_at - stopped_at
    good = ok and new_pid != before.get("MainPID") and delay <= WATCHDOG_S + 2
    return report.result("watchdog restarts a frozen app", good,
                         f"Watchdog timeout {delay:.1f} s after the SIGSTOP; active again with "
                         f"MainPID {new_pid} (was {before.get('MainPID')}), "
                         f"{waited:.0f} s after the SIGSTOP")


def check_lockdown(vm: Vm, report: Report) -> bool:
    report.section("4. Lock-down as installed")
    a = vm.agent
    all_ok = True
    checks = {
        "ctrl-alt-del.target masked": ("systemctl is-enabled ctrl-alt-del.target", "masked"),
        "getty@tty1 masked": ("systemctl is-enabled getty@tty1.service", "masked"),
        "CtrlAltDelBurstAction=none": ("systemctl show -p CtrlAltDelBurstAction --value",
                                       "none"),
        "kernel.sysrq = 0": ("sysctl -n kernel.sysrq", "0"),
        "journal persistent (/var/log/journal/<machine-id>)":
            ("test -d /var/log/journal/$(cat /etc/machine-id) && echo yes; "
             "journalctl --disk-usage", "yes"),
    }
    for name, (command, want) in checks.items():
        got = a.out(command)
        report.evidence(command, got)
        all_ok &= report.result(name, got.splitlines()[0:1] == [want] if got else False,
                                f"{got.splitlines()[0] if got else '(nothing)'}")
    want = {"NAutoVTs": "u 0", "HandlePowerKey": 's "ignore"', "HandlePowerKeyLongPress":
            's "ignore"', "HandleRebootKey": 's "ignore"', "HandleSuspendKey": 's "ignore"',
            "HandleHibernateKey": 's "ignore"'}
    got = {k: a.out("busctl get-property org.freedesktop.login1 /org/freedesktop/login1 "
                    f"org.freedesktop.login1.Manager {k}") for k in want}
    report.evidence("logind's settings as running (busctl get-property …login1.Manager)",
                    "\n".join(f"{k} {v}" for k, v in got.items()))
    report.evidence("gettys running", a.out("systemctl list-units --no-legend --no-pager "
                                            "'getty@*' 'autovt@*' 'serial-getty@*'"))
    all_ok &= report.result("logind: NAutoVTs=0, power/reboot/suspend/hibernate keys ignored",
                            got == want, "" if got == want else f"got {got}")

    before = unit_state(a)
    boot_id = a.out("cat /proc/sys/kernel/random/boot_id")
    vt = a.out("cat /sys/class/tty/tty0/active")
    vm.qmp.keys("ctrl", "alt", "f2")
    time.sleep(3)
    vt_after = a.out("cat /sys/class/tty/tty0/active")
    report.evidence("active VT before and after sendkey ctrl-alt-f2", f"{vt} -> {vt_after}")
    all_ok &= report.result("Ctrl+Alt+F2 does not switch the VT", vt == vt_after == "tty1",
                            f"{vt} -> {vt_after}")
    all_ok &= check_screen(vm, report, "kiosk-ctrl-alt-f2",
                           "4b. The screen after Ctrl+Alt+F2: still the kiosk")

    for keys, label in ((("ctrl", "alt", "delete"), "Ctrl+Alt+Del"),
                        (("alt", "sysrq", "b"), "Alt+SysRq+B (reboot at once, if SysRq worked)")):
        vm.qmp.keys(*keys)
        time.sleep(8)
        alive = vm.agent.alive() or (time.sleep(20) or vm.agent.alive())
        same_boot = alive and a.out("cat /proc/sys/kernel/random/boot_id") == boot_id
        now = unit_state(a) if same_boot else {}
        same_app = now.get("InvocationID") == before.get("InvocationID") \
            and now.get("ActiveState") == before.get("ActiveState")
        report.evidence(f"after sendkey {'-'.join(keys)}",
                        f"same boot: {same_boot}; the same start of the service: {same_app}")
        all_ok &= report.result(f"{label} does nothing", same_boot and same_app)
        if not same_boot:
            vm.wait_agent(240 * SLOW)
            wait_active(a, 240 * SLOW)
    return all_ok


def check_reboot(vm: Vm, report: Report) -> bool:
    report.section("5. After `systemctl reboot` the kiosk comes back")
    a = vm.agent
    boot_id = a.out("cat /proc/sys/kernel/random/boot_id")
    try:
        a.call("guest-exec", path="/bin/systemctl", arg=["reboot"])
    except (OSError, TimeoutError, RuntimeError):
        pass
    start = time.monotonic()
    time.sleep(10)
    new_boot = boot_id
    while new_boot == boot_id and time.monotonic() - start < 300 * SLOW:
        try:
            vm.wait_agent(300 * SLOW)
            new_boot = a.out("cat /proc/sys/kernel/random/boot_id", timeout=10)
        except (OSError, TimeoutError, RuntimeError):
            pass
        time.sleep(3)
    if new_boot == boot_id:
        return report.result("service active after a reboot", False, "the VM did not reboot")
    ok, state, waited = wait_active(a, 240 * SLOW)
    report.evidence("journalctl --list-boots (persistent journal)",
                    a.out("journalctl --list-boots --no-pager | tail -n 5"))
    report.evidence(f"systemctl show {UNIT}", "\n".join(f"{k}={v}" for k, v in state.items()))
    report.evidence("journal of this boot", a.out(
        f"journalctl -b -u {UNIT} --no-pager -o short-monotonic | grep -Ei "
        "'Started|ready|screen shown' | head -n 5"))
    return report.result("service active (running) after a reboot", ok,
                         f"{time.monotonic() - start:.0f} s after `systemctl reboot`")


def check_upgrade(vm: Vm, report: Report, broken: str) -> bool:
    report.section(f"6. upgrade-kiosk.sh with a broken wheel ({broken}) goes back")
    a = vm.agent
    before = a.out("readlink /opt/smart-kampung/current")
    rc, out = a.run(f"/opt/smart-kampung/bin/upgrade-kiosk.sh --wheel /root/{broken}",
                    timeout=1500 * SLOW)
    report.evidence(f"upgrade-kiosk.sh --wheel /root/{broken} (exit status {rc})", out)
    after = a.out("readlink /opt/smart-kampung/current")
    ok, state, _ = wait_active(a, 120 * SLOW)
    report.evidence("current before / after", f"{before} / {after}")
    report.evidence("releases and their state", a.out(
        "for d in /opt/smart-kampung/releases/*/; do echo \"$d: $(tr '\\n' ' ' "
        "<$d.smart-kampung-state 2>/dev/null)\"; done"))
    report.evidence("journalctl -t smart-kampung-upgrade",
                    a.out("journalctl -b -t smart-kampung-upgrade --no-pager | tail -n 10"))
    report.evidence(f"systemctl show {UNIT}", "\n".join(f"{k}={v}" for k, v in state.items()))
    report.evidence("the app's PID and the release it runs", a.out(
        f"pid=$(pgrep -P {state.get('MainPID', 0)} -f -- '-m ui --config' | head -n 1); "
        "echo pid $pid; readlink -f /proc/$pid/cwd /proc/$pid/exe; "
        "tr '\\0' ' ' </proc/$pid/cmdline; echo"))
    good = rc == 1 and after == before and ok
    return report.result("broken upgrade rolled back, the old version active", good,
                         f"exit {rc}, current {before} -> {after}, service "
                         f"{state.get('ActiveState')}/{state.get('SubState')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--broken-wheel", help="its file name in the VM's /root (check 6)")
    parser.add_argument("--memory", type=int, default=3072, help="MiB (default 3072)")
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--skip-reboot", action="store_true")
    parser.add_argument("--accel", choices=("auto", "kvm", "tcg"),
                        default=os.environ.get("VM_ACCEL", "auto"),
                        help="kvm, or tcg (qemu's emulator); auto: kvm when it can boot Debian")
    args = parser.parse_args()
    work = args.workdir.resolve()
    accel, why = choose_accel(args.accel)
    global SLOW
    SLOW = 1 if accel == "kvm" else 3
    report = Report(work / "report.txt")
    report.note(f"qemu accelerator: {accel} ({why})")
    say(f"accelerator {accel}: {why}")
    started = time.monotonic()
    vm = Vm(work, args.memory, args.cpus, accel)
    try:
        active = check_boot(vm, report)
        # the screen and the lock-down are worth seeing even when systemd never got READY=1
        check_screen(vm, report, "kiosk", "2. The screen after boot (kiosk.png)")
        if active:
            check_watchdog(vm, report)
            check_screen(vm, report, "kiosk-after-watchdog",
                         "3b. The screen after the watchdog restart")
        else:
            report.result("watchdog restarts a frozen app", None, "the service is not active")
        check_lockdown(vm, report)
        if args.skip_reboot:
            report.result("service active after a reboot", None, "--skip-reboot")
        elif active:
            check_reboot(vm, report)
        else:
            report.result("service active after a reboot", None, "not active after boot")
        if not args.broken_wheel:
            report.result("broken upgrade rolled back", None, "no --broken-wheel")
        elif active:
            check_upgrade(vm, report, args.broken_wheel)
        else:
            report.result("broken upgrade rolled back", None, "not active after boot")
    except Exception as e:  # noqa: BLE001 - the report says what stopped the check
        report.result("the check ran to its end", False, f"{type(e).__name__}: {e}")
    finally:
        try:
            report.evidence("the kiosk's journal, last 40 lines", vm.agent.out(
                f"journalctl -u {UNIT} --no-pager -o short-monotonic -n 40", timeout=20))
        except Exception as e:  # noqa: BLE001
            report.note(f"(no final journal: {e})")
        vm.stop()
    report.note(f"\nThe whole boot check took {time.monotonic() - started:.0f} s.")
    failed = [n for v, n in report.results if v == "FAIL"]
    say(f"report: {report.path} ({len(failed)} failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
