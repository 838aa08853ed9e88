"""deploy/: the kiosk's install and upgrade scripts, its systemd unit and its lock-down.

Real here: shellcheck on every script; `systemd-analyze verify` on the unit (with the real
cage binary it starts); install-kiosk.sh into a scratch root (`--root`) with wheels built from
this repository — a real virtual environment, pip, the voice prompts, the translations, the
kiosk user made by the real useradd in the root's own /etc/passwd — run again to see that it
changes nothing; upgrade-kiosk.sh building a second release beside the first, going back, and
pruning.

A stand-in, because it cannot run here: systemd itself (this machine and CI have no init
system to start the kiosk's service under). upgrade-kiosk.sh talks to systemd only through
`systemctl restart --no-block` and `systemctl show`; a stand-in `systemctl` first on PATH
answers them as systemd would for an app that comes up (READY=1, then the watchdog pings
keep it active) or that fails, crash-loops, freezes after READY or never gets ready. The
app's side of READY/WATCHDOG is tested against a real notify socket in test_watchdog.py.
Not exercised: apt, lpadmin on a real printer, the real /etc (--root leaves them out).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from terminal.config import ConfigError, KioskConfig
from terminal.sealing import Sealer

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
INSTALL = DEPLOY / "install-kiosk.sh"
UPGRADE = DEPLOY / "upgrade-kiosk.sh"
UNIT = DEPLOY / "systemd" / "smart-kampung-kiosk.service"
EXAMPLE = DEPLOY / "kiosk" / "kiosk.toml.example"
OLD, NEW = "7.0.0", "7.1.0"  # the two versions the wheels are built as
APP = Path("opt/smart-kampung")
SITE = Path("lib/python3.11/site-packages")


def run(cmd, *, env=None, check=True, timeout=240) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{cmd[0]} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


# --- the wheels and the scratch root ----------------------------------------------------------

def _build_wheel(version: str, tmp: Path) -> Path:
    """A wheel of this working tree (untracked files too), as `version`."""
    src = tmp / f"src-{version}"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "var", "__pycache__", "*.egg-info", ".pytest_cache",
        ".ruff_cache", "node_modules"))
    pyproject = src / "pyproject.toml"
    text, n = re.subn(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject.read_text())
    assert n == 1
    pyproject.write_text(text)
    out = tmp / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-input",
         "--disable-pip-version-check", "-w", out, src])
    return out / f"smart_kampung-{version}-py3-none-any.whl"


class Wheels:
    """The two wheels, built side by side; the second one while the first installs."""

    def __init__(self, tmp: Path, pool: ThreadPoolExecutor):
        self._futures = {v: pool.submit(_build_wheel, v, tmp) for v in (OLD, NEW)}

    def __getitem__(self, version: str) -> Path:
        return self._futures[version].result()


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    with ThreadPoolExecutor(2) as pool:
        yield Wheels(tmp_path_factory.mktemp("wheels"), pool)


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory, wheels):
    """A kiosk installed into a scratch root, and what the installer said. In memory where
    there is room: a release is ~400 MB in ~10 000 files, written a third faster there."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 3 * 2**30 \
            and not os.statvfs(shm).f_flag & os.ST_NOEXEC:
        root = Path(tempfile.mkdtemp(prefix="kiosk-root-", dir=shm))
    else:
        root = tmp_path_factory.mktemp("kiosk-root")
    try:
        yield _install(root, wheels)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _install(root: Path, wheels) -> tuple[Path, str]:
    cups = root / "etc" / "cups"
    cups.mkdir(parents=True)
    # Debian's own cupsd.conf (the cups package, deploy/dev-packages.sh) to edit
    shutil.copy("/etc/cups/cupsd.conf", cups / "cupsd.conf")
    first = run([INSTALL, "--root", root, "--wheel", wheels[OLD]])
    return root, first.stdout


def ids(root: Path, name: str, db: str) -> int:
    for line in (root / "etc" / db).read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return int(fields[2])
    raise AssertionError(f"{name} not in {db}")


def owner(path: Path) -> tuple[int, int, int]:
    st = path.lstat()
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file, folder and link under `root`: mode, owner, size, mtime, link target."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            target = os.readlink(p) if p.is_symlink() else None
            seen[str(p.relative_to(root))] = (st.st_mode, st.st_uid, st.st_gid,
                                               st.st_size, st.st_mtime_ns, target)
    return seen


def filled_config(example: str) -> str:
    """The example with every value the staff must fill in filled (loopback back office)."""
    values = {"id": "KMR09", "url": "http://127.0.0.1:8470", "token": "t" * 32,
              "village_key": "ab" * 32, "code": "35.10.15.2003", "name": "Kemiren",
              "district": "Glagah", "regency": "Kabupaten Banyuwangi", "province": "Jawa Timur",
              "address": "Jl. Barong No. 1", "head_name": "Kepala Desa Kemiren"}
    out = example
    for key, value in values.items():
        out, n = re.subn(rf'(?m)^{key} = ""', f'{key} = "{value}"', out)
        assert n == 1, key
    return out


# --- static checks ------------------------------------------------------------------------------

def test_scripts_pass_shellcheck():
    scripts = sorted(p for p in DEPLOY.rglob("*") if p.is_file() and (
        p.suffix == ".sh" or p.read_bytes().startswith(b"#!/usr/bin/env bash")))
    assert INSTALL in scripts and UPGRADE in scripts
    done = run(["shellcheck", "--external-sources", *scripts], check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_unit_passes_systemd_analyze_verify():
    # verify exits 0 even on "Unknown key …, ignoring": any output is a failure.
    done = run(["systemd-analyze", "verify", UNIT], check=False)
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), \
        done.stdout + done.stderr


def unit_settings(path: Path) -> dict[tuple[str, str], list[str]]:
    settings: dict[tuple[str, str], list[str]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault((section, key.strip()), []).append(value.strip())
    return settings


def test_unit_is_a_watched_kiosk_on_tty1():
    s = unit_settings(UNIT)
    one = {k: v[-1] for k, v in s.items()}
    assert one["Service", "Type"] == "notify"
    assert one["Service", "NotifyAccess"] == "all"  # the app is cage's child, not the main PID
    assert one["Service", "WatchdogSec"] == "30"
    assert one["Service", "Restart"] == "always"
    assert one["Service", "User"] == "kiosk"
    assert one["Service", "TTYPath"] == "/dev/tty1"
    # No logind session: pam_systemd would move cage and the app out of the unit's cgroup and
    # systemd would drop their READY=1 and WATCHDOG=1 (seen on a real boot: make vm-check).
    # seatd hands cage the screen instead.
    assert ("Service", "PAMName") not in one
    assert "seatd.service" in " ".join(s["Unit", "Wants"])
    assert "seatd.service" in " ".join(s["Unit", "After"])
    assert one["Service", "RuntimeDirectory"] == "smart-kampung-kiosk"
    assert one["Unit", "StartLimitIntervalSec"] == "0"  # never gives up
    assert "getty@tty1.service" in one["Unit", "Conflicts"]
    exec_start = one["Service", "ExecStart"].split()
    assert exec_start[0] == "/usr/bin/cage"
    cage_options = exec_start[1:exec_start.index("--")]
    assert "-s" not in cage_options  # cage's -s would allow VT switching
    assert exec_start[exec_start.index("--") + 1:] == [
        "/opt/smart-kampung/current/bin/python", "-m", "ui",
        "--config", "/etc/smart-kampung/kiosk.toml"]
    env = " ".join(s["Service", "Environment"])
    assert "QT_QPA_PLATFORM=wayland" in env and "XKB_DEFAULT_OPTIONS=srvrkeys:none" in env
    assert "LIBSEAT_BACKEND=seatd" in env and "XDG_RUNTIME_DIR=/run/smart-kampung-kiosk" in env
    assert one["Install", "WantedBy"] == "graphical.target"


def test_lockdown_and_log_limits():
    logind = unit_settings(DEPLOY / "systemd" / "logind-kiosk.conf")
    for key, value in {"NAutoVTs": "0", "ReserveVT": "0", "HandlePowerKey": "ignore",
                       "HandleRebootKey": "ignore", "HandleSuspendKey": "ignore"}.items():
        assert logind["Login", key] == [value]
    manager = unit_settings(DEPLOY / "systemd" / "system-kiosk.conf")
    assert manager["Manager", "CtrlAltDelBurstAction"] == ["none"]
    journal = unit_settings(DEPLOY / "systemd" / "journald-kiosk.conf")
    for key in ("SystemMaxUse", "RuntimeMaxUse", "SystemKeepFree"):
        assert re.fullmatch(r"\d+[MG]", journal["Journal", key][0])
    sysctl = (DEPLOY / "kiosk" / "sysctl-kiosk.conf").read_text()
    assert re.search(r"(?m)^kernel\.sysrq = 0$", sysctl)


def test_example_config_is_refused_until_filled_then_loads():
    example = EXAMPLE.read_text()
    with pytest.raises(ConfigError):
        KioskConfig.from_dict(tomllib.loads(example))
    raw = tomllib.loads(filled_config(example))
    cfg = KioskConfig.from_dict(raw)
    assert (cfg.kiosk_id, cfg.data_dir, cfg.key_file) == (
        "KMR09", Path("/var/lib/smart-kampung"), Path("/etc/smart-kampung/kiosk.key"))
    assert cfg.create_key is False  # the installer made the key; a missing one is an error
    # every setting the example names is one the kiosk reads (a typo would be ignored silently)
    config_py = (REPO / "terminal" / "config.py").read_text()
    village_py = (REPO / "forms" / "village.py").read_text()
    for section, values in raw.items():
        for key in values:
            known = f"{key}:" in village_py if section == "village" else f'"{key}"' in config_py
            assert known, f"[{section}] {key} is not a kiosk setting"
    commented = re.findall(r"(?m)^# ?(\w+) = ", example)
    assert "opening_hours" in commented and all(f'"{k}"' in config_py for k in commented)


# --- install into a scratch root --------------------------------------------------------------

def test_install_lays_out_the_kiosk(kiosk, wheels):
    root, said = kiosk
    kiosk_uid, kiosk_gid = ids(root, "kiosk", "passwd"), ids(root, "kiosk", "group")
    passwd = next(line for line in (root / "etc/passwd").read_text().splitlines()
                  if line.startswith("kiosk:"))
    assert passwd.endswith(":/home/kiosk:/usr/sbin/nologin")
    groups = {line.split(":")[0]: line.split(":")[3].split(",")
              for line in (root / "etc/group").read_text().splitlines()}
    for g in ("video", "render", "input", "audio", "lpadmin"):
        assert "kiosk" in groups[g], g

    etc = root / "etc/smart-kampung"
    assert owner(etc) == (0, kiosk_gid, 0o750)
    assert owner(etc / "kiosk.toml") == (0, kiosk_gid, 0o640)
    assert (etc / "kiosk.toml").read_text() == EXAMPLE.read_text()
    key = etc / "kiosk.key"
    assert owner(key) == (kiosk_uid, kiosk_gid, 0o600) and key.stat().st_size == 32
    Sealer.from_key_file(key)  # the app's own check of the key file passes
    assert owner(root / "var/lib/smart-kampung") == (kiosk_uid, kiosk_gid, 0o700)
    assert owner(root / "home/kiosk") == (kiosk_uid, kiosk_gid, 0o700)

    assert os.readlink(root / APP / "current") == f"releases/{OLD}"
    release = root / APP / "releases" / OLD
    marker = dict(line.split("=", 1) for line in
                  (release / ".smart-kampung-release").read_text().splitlines())
    assert marker["version"] == OLD and marker["wheel"] == wheels[OLD].name
    version = run([release / "bin/python", "-I", "-c",
                   "import importlib.metadata as m; print(m.version('smart-kampung'))"])
    assert version.stdout.strip() == OLD
    voice = json.loads((release / SITE / "build/voice/manifest.json").read_text())
    assert voice["prompts"]["id"] and voice["prompts"]["en"]
    assert (release / SITE / "build/i18n/kiosk_en.qm").stat().st_size > 0
    # the code the kiosk runs is root's: nothing in a release is the kiosk's or world-writable
    for dirpath, dirnames, filenames in os.walk(release):
        for name in dirnames + filenames:
            st = Path(dirpath, name).lstat()
            assert st.st_uid == 0 and not (stat.S_ISREG(st.st_mode) and st.st_mode & 0o002), \
                Path(dirpath, name)
    assert owner(root / APP / "bin/upgrade-kiosk.sh")[2] == 0o755

    systemd = root / "etc/systemd"
    assert (systemd / "system/smart-kampung-kiosk.service").read_bytes() == UNIT.read_bytes()
    links = {
        "system/graphical.target.wants/smart-kampung-kiosk.service":
            "/etc/systemd/system/smart-kampung-kiosk.service",
        "system/default.target": "/lib/systemd/system/graphical.target",
        "system/ctrl-alt-del.target": "/dev/null",
        "system/getty@tty1.service": "/dev/null",
        "system/multi-user.target.wants/seatd.service": "/lib/systemd/system/seatd.service",
    }
    for link, target in links.items():
        assert os.readlink(systemd / link) == target, link
    for name in ("logind.conf.d", "journald.conf.d", "system.conf.d"):
        assert (systemd / name / "smart-kampung.conf").is_file()
    assert (root / "etc/sysctl.d/90-smart-kampung.conf").is_file()
    assert not (root / "etc/pam.d/smart-kampung-kiosk").exists()
    cupsd = (root / "etc/cups/cupsd.conf").read_text()
    assert re.findall(r"(?m)^PreserveJobFiles .*$", cupsd) == ["PreserveJobFiles No"]
    assert re.findall(r"(?m)^ErrorPolicy .*$", cupsd) == ["ErrorPolicy stop-printer"]

    assert re.search(r"Done: \d+ change\(s\)", said)
    assert "still to fill in: [kiosk] id" in said


def test_install_again_changes_nothing_and_keeps_the_staffs_files(kiosk, wheels):
    root, _ = kiosk
    config = root / "etc/smart-kampung/kiosk.toml"
    config.write_text(filled_config(EXAMPLE.read_text()))  # the staff filled it in
    key = (root / "etc/smart-kampung/kiosk.key").read_bytes()
    before = snapshot(root)
    again = run([INSTALL, "--root", root, "--wheel", wheels[OLD]])
    assert "changed:" not in again.stdout
    assert "Nothing to change" in again.stdout and "kiosk.toml is complete" in again.stdout
    assert snapshot(root) == before

    # a key made readable by others is put right, never replaced; no --wheel: the release stays
    (root / "etc/smart-kampung/kiosk.key").chmod(0o644)
    fixed = run([INSTALL, "--root", root])
    assert "changed: /etc/smart-kampung/kiosk.key: owner kiosk:kiosk, mode 0600" in fixed.stdout
    assert "Done: 1 change(s)" in fixed.stdout
    assert (root / "etc/smart-kampung/kiosk.key").read_bytes() == key
    assert config.read_text() == filled_config(EXAMPLE.read_text())

    # an earlier install's login session (PAM) for the kiosk is taken away
    pam = root / "etc/pam.d/smart-kampung-kiosk"
    pam.parent.mkdir(parents=True, exist_ok=True)
    pam.write_text("session required pam_systemd.so\n")
    cleaned = run([INSTALL, "--root", root])
    assert "changed: /etc/pam.d/smart-kampung-kiosk: removed" in cleaned.stdout
    assert not pam.exists()


def error_policy(server: str, queue: str) -> str:
    """The queue's printer-error-policy, asked over IPP (lpstat does not show it)."""
    from devices import printer as ipp

    p = ipp.Printer(queue, server)
    try:
        op = (ipp._attr(ipp._TAG_URI, "printer-uri", p.printer_uri)
              + ipp._attr(ipp._TAG_NAME, "requesting-user-name", p.user)
              + ipp._attr(ipp._TAG_KEYWORD, "requested-attributes", "printer-error-policy"))
        response = p._ipp(f"/printers/{queue}", ipp._request(
            ipp._OP_GET_PRINTER_ATTRIBUTES, ipp._next_request_id(), op), "attributes")
        return response.first(ipp._TAG_PRINTER)["printer-error-policy"][0]
    finally:
        p.close()


def test_install_makes_the_printer_queue_on_a_real_cupsd(kiosk):
    from devices.cups_rig import CUPS_PDF_PPD, CupsRig
    from devices.printer import Printer

    root, _ = kiosk
    with CupsRig() as rig:
        env = dict(os.environ, CUPS_SERVER=rig.server)
        queue = ["--printer-queue", "struk", "--printer-uri", f"cups-pdf:/{rig.pdf_name}",
                 "--printer-ppd", CUPS_PDF_PPD]
        made = run([INSTALL, "--root", root, *queue], env=env)
        assert f"changed: printer queue struk on cups-pdf:/{rig.pdf_name}" in made.stdout
        assert error_policy(rig.server, "struk") == "stop-printer"
        printer = Printer("struk", rig.server)
        assert printer.status().ready
        printer.close()
        # someone set Debian's default back by hand: the next run puts it right, quietly
        rig.run("lpadmin", "-p", "struk", "-o", "printer-error-policy=retry-job")
        again = run([INSTALL, "--root", root, *queue], env=env)
        assert "queue struk: already on" in again.stdout and "Nothing to change" in again.stdout
        assert error_policy(rig.server, "struk") == "stop-printer"


# --- upgrades --------------------------------------------------------------------------------

FAKE_SYSTEMCTL = r'''#!PYTHON
"""A stand-in for systemctl: the kiosk unit as systemd would show it (tests/test_deploy.py)."""
import json, os, sys, uuid

here = os.environ["FAKE_SYSTEMCTL_DIR"]
state_file = os.path.join(here, "state.json")
state = json.load(open(state_file)) if os.path.exists(state_file) else {"invocation": ""}
args = sys.argv[1:]
# version=behaviour: failed, crashloop, freeze (READY, then the watchdog restarts it), hang
behaviour = dict(x.split("=") for x in os.environ.get("FAKE_FAILING", "").split(",") if x)
if args[0] == "restart":
    current = os.path.join(os.environ["FAKE_KIOSK_ROOT"], "opt/smart-kampung/current")
    version = os.path.basename(os.readlink(current))
    state = {"invocation": uuid.uuid4().hex, "version": version, "polls": 0}
    with open(os.path.join(here, "restarts"), "a") as f:
        f.write(version + "\n")
elif args[0] == "show":
    state["polls"] = polls = state.get("polls", 0) + 1
    how = behaviour.get(state.get("version", ""), "ok")
    active, sub = "active", "running"
    if how == "failed":
        active, sub = ("activating", "start") if polls < 3 else ("failed", "failed")
    elif how == "crashloop":
        active, sub = "activating", "auto-restart"
        if polls % 3 == 0:
            state["invocation"] = uuid.uuid4().hex
    elif how == "freeze" and polls >= 4:
        active, sub = "activating", "auto-restart"
        state["invocation"] = uuid.uuid4().hex if polls == 4 else state["invocation"]
    elif how == "hang":
        active, sub = "activating", "start"
    print(f"ActiveState={active}\nSubState={sub}\nInvocationID={state['invocation']}")
else:
    sys.exit(f"stand-in systemctl: {args} not expected")
json.dump(state, open(state_file, "w"))
'''


@pytest.fixture
def systemctl(tmp_path, kiosk):
    """Run upgrade-kiosk.sh with the stand-in systemctl; `.restarts()` lists what it started."""
    root, _ = kiosk
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "systemctl"
    fake.write_text(FAKE_SYSTEMCTL.replace("PYTHON", sys.executable))
    fake.chmod(0o755)

    class Systemd:
        def upgrade(self, *args, failing: str = "", expect: int = 0):
            env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}",
                       FAKE_SYSTEMCTL_DIR=str(tmp_path), FAKE_KIOSK_ROOT=str(root),
                       FAKE_FAILING=failing, SMART_KAMPUNG_POLL_S="0.05")
            done = run([UPGRADE, "--root", root, "--timeout", "1", "--settle", "1", *args],
                       env=env, check=False)
            assert done.returncode == expect, done.stdout + done.stderr
            return done

        def restarts(self) -> list[str]:
            f = tmp_path / "restarts"
            return f.read_text().split() if f.exists() else []

    return Systemd()


def current(root: Path) -> str:
    return os.path.basename(os.readlink(root / APP / "current"))


def release_state(root: Path, version: str) -> str:
    return (root / APP / "releases" / version / ".smart-kampung-state").read_text().split()[0]


@pytest.mark.parametrize("how", ["failed", "crashloop", "freeze", "hang"])
def test_upgrade_goes_back_when_the_new_release_does_not_start(kiosk, wheels, systemctl, how):
    root, _ = kiosk
    assert current(root) == OLD
    done = systemctl.upgrade("--wheel", wheels[NEW], failing=f"{NEW}={how}", expect=1)
    assert systemctl.restarts() == [NEW, OLD]  # the new one was tried, then the old one again
    assert current(root) == OLD
    assert f"Release {NEW} did not start: going back to {OLD}" in done.stdout
    assert f"Back on {OLD}" in done.stdout
    assert release_state(root, NEW) == "state=failed-to-start"


def test_upgrade_then_keeps_the_last_releases(kiosk, wheels, systemctl):
    root, _ = kiosk
    releases = root / APP / "releases"
    for n, old in enumerate(("6.0.0", "6.1.0", "6.2.0")):  # older releases, installed earlier
        (releases / old).mkdir()
        (releases / old / ".smart-kampung-release").write_text(
            f"version={old}\ninstalled_at={1000 + n}\n")
    (releases / "6.3.0").mkdir()  # a build that never finished
    done = systemctl.upgrade("--wheel", wheels[NEW], "--keep", "3")
    assert f"release {NEW}: already installed from this wheel" in done.stdout  # built once
    assert f"Upgraded: {OLD} -> {NEW}." in done.stdout
    assert systemctl.restarts() == [NEW] and current(root) == NEW
    assert release_state(root, NEW) == "state=ok"
    # the running one, the one to go back to, and the newest other
    assert sorted(p.name for p in releases.iterdir()) == ["6.2.0", OLD, NEW]
    again = systemctl.upgrade("--wheel", wheels[NEW])
    assert f"{NEW} already runs here: nothing to do." in again.stdout
    assert systemctl.restarts() == [NEW]


def test_upgrade_refuses_before_switching(kiosk, wheels, systemctl, tmp_path):
    root, _ = kiosk
    running = current(root)
    broken = tmp_path / "smart_kampung-7.2.0-py3-none-any.whl"
    broken.write_bytes(b"not a zip")
    done = systemctl.upgrade("--wheel", broken, expect=1)
    assert "not a complete wheel of smart-kampung 7.2.0" in done.stderr
    done = systemctl.upgrade("--wheel", wheels[OLD], "--sha256", "0" * 64, expect=1)
    assert "checksum" in done.stderr

    config = root / "etc/smart-kampung/kiosk.toml"
    good = config.read_text()
    config.write_text(good.replace('language = "id"', 'language = "jv"'))
    try:
        other = OLD if running == NEW else NEW
        done = systemctl.upgrade("--wheel", wheels[other], expect=1)
        assert f"release {other} refuses /etc/smart-kampung/kiosk.toml" in done.stderr
        assert "language must be 'id' or 'en'" in done.stderr
    finally:
        config.write_text(good)
    assert systemctl.restarts() == [] and current(root) == running

    # systemd does not run in a scratch root: the real systemctl is refused there
    env = dict(os.environ, PATH="/usr/sbin:/usr/bin:/sbin:/bin")
    done = run([UPGRADE, "--root", root, "--wheel", wheels[OLD]], env=env, check=False)
    assert done.returncode == 1 and "stand-in systemctl" in done.stderr
