"""The virtual printer: a private CUPS daemon with a cups-pdf queue and a fault queue.

``with CupsRig() as rig:`` starts ``cupsd -f`` with its own configuration, spool, state, cache
and log folders in a temporary folder under /tmp, listening on a Unix socket in that folder
(``rig.socket``) and on a free loopback port (``rig.port``); a system cupsd, if one runs, is
not touched (it keeps ``/run/cups/cups.sock`` and port 631). Two queues are made with the
real ``lpadmin``:

- ``rig.pdf_queue``: the cups-pdf backend (``printer-driver-cups-pdf``) behind its own PPD, so a
  job goes through the real filter chain and comes out as a PDF in ``rig.pdf_out``.
  cups-pdf reads its settings from ``/etc/cups/cups-pdf-<NAME>.conf`` for the device URI
  ``cups-pdf:/<NAME>`` (the folder is compiled in): the rig writes one such file with a name
  of its own (``Out`` = ``rig.pdf_out``) and removes it when it stops.
- ``rig.fault_queue``: a raw queue on the virtual printer's backend ``devices/cups_backend_fault``
  (``printer-error-policy=stop-printer``). ``rig.set_fault("media-empty-error")`` makes it
  report that printer-state-reason and exit 4 (the scheduler stops the queue and keeps the
  job); ``rig.set_fault("offline-report", wait=True)`` makes it report the reason and wait
  with the job processing; ``rig.set_fault(None)`` "fixes" the printer: the next attempt
  prints the job into ``rig.fault_dir / "job-<id>.out"`` and clears the reasons.

cupsd must run as root here (it changes users for filters and backends; cups-pdf needs root).
``start()`` raises ``RuntimeError`` with the reason when it cannot run, so the tests fail
instead of being skipped (the demo and the tour then run without a printer).
``deploy/dev-packages.sh`` installs what it needs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from devices.rig import pid_alive

CUPSD = "/usr/sbin/cupsd"
SERVER_BIN = Path("/usr/lib/cups")
CUPS_PDF_BACKEND = SERVER_BIN / "backend" / "cups-pdf"
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd")
CUPS_PDF_CONF_DIR = Path("/etc/cups")  # compiled into cups-pdf
FAULT_BACKEND = Path(__file__).with_name("cups_backend_fault")
CONF_PREFIX = "cups-pdf-smartkampung-test-"

# The policy of Debian's stock cupsd.conf: printing open to local users, cancelling for the
# job's owner, queue administration (cupsenable, cupsaccept, lpadmin) for @SYSTEM only.
_POLICY = """
<Location />
  Order allow,deny
  Allow localhost
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    Order deny,allow
  </Limit>
  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes \
Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job \
Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Get-Document>
    AuthType Default
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class \
CUPS-Set-Default CUPS-Get-Devices>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer \
Pause-Printer-After-Current-Job Hold-New-Jobs Release-Held-New-Jobs Deactivate-Printer \
Activate-Printer Restart-Printer Shutdown-Printer Startup-Printer Promote-Job \
Schedule-Job-After Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Cancel-Job CUPS-Authenticate-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""


def missing() -> str | None:
    """Why the rig cannot run here, in one sentence; None when it can."""
    if os.geteuid() != 0:
        return "the CUPS rig must run as root (cupsd changes users; cups-pdf needs root)"
    for path, package in ((CUPSD, "cups-daemon"), (CUPS_PDF_BACKEND, "printer-driver-cups-pdf"),
                          (CUPS_PDF_PPD, "printer-driver-cups-pdf")):
        if not Path(path).exists():
            return f"{path} is missing (deploy/dev-packages.sh installs {package})"
    for tool in ("lpadmin", "cupsenable", "cupsaccept", "lpstat"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (deploy/dev-packages.sh installs cups-client)"
    if not CUPS_PDF_CONF_DIR.is_dir():
        return f"{CUPS_PDF_CONF_DIR} is missing (deploy/dev-packages.sh installs cups)"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _remove_stale_confs() -> None:
    """cups-pdf settings left by a rig whose process died without cleaning up."""
    for conf in CUPS_PDF_CONF_DIR.glob(f"{CONF_PREFIX}*.conf"):
        try:
            pid = int(conf.name[len(CONF_PREFIX):].split("-")[0])
        except ValueError:
            continue
        if not pid_alive(pid):
            conf.unlink(missing_ok=True)


class CupsRig:
    """A private cupsd with a cups-pdf queue and a fault queue (see the module docstring)."""

    pdf_queue = "sk-pdf"
    fault_queue = "sk-fault"

    def __init__(self, start_timeout: float = 10.0):
        self.start_timeout = start_timeout
        self.dir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self._pdf_conf: Path | None = None

    # -- where things are -------------------------------------------------------------------

    @property
    def socket(self) -> Path:
        return self.dir / "run" / "cups.sock"

    @property
    def server(self) -> str:
        """The rig's address as CUPS_SERVER / `devices.printer.Printer(server=…)` take it."""
        return str(self.socket)

    @property
    def tcp_server(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pdf_out(self) -> Path:
        return self.dir / "pdf-out"

    @property
    def fault_dir(self) -> Path:
        return self.dir / "fault-printer"

    @property
    def error_log(self) -> Path:
        return self.dir / "log" / "error_log"

    def env(self) -> dict[str, str]:
        """The environment for a CUPS command-line tool talking to this rig."""
        return {**os.environ, "CUPS_SERVER": self.server, "LC_ALL": "C", "LANG": "C"}

    # -- driving it ---------------------------------------------------------------------------

    def run(self, *cmd: str, check: bool = True,
            timeout: float = 20) -> subprocess.CompletedProcess:
        """A CUPS command (`lpadmin`, `lpstat`, `cupsdisable`, …) against this rig."""
        done = subprocess.run(cmd, env=self.env(), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): "
                               f"{(done.stderr or done.stdout).strip()[-500:]}\n{self.log_tail()}")
        return done

    def set_fault(self, reason: str | None = "media-empty-error", wait: bool = False) -> None:
        """The fault queue's printer reports `reason` (and refuses to print) until `None`.
        `wait`: its backend keeps the job (processing) and waits for the fault to go, as a
        backend does for a printer that is offline; else it fails and cupsd stops the queue."""
        marker = self.fault_dir / "fault"
        if reason is None:
            marker.unlink(missing_ok=True)
        else:
            marker.write_text(f"{reason}{' wait' if wait else ''}\n")

    def fault_attempts(self) -> int:
        """How often the fault backend failed since the last job it printed."""
        try:
            return len((self.fault_dir / "reported-reasons").read_text().splitlines())
        except FileNotFoundError:
            return 0

    def pdf_outputs(self) -> list[Path]:
        return sorted(self.pdf_out.glob("*.pdf"))

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.error_log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no cupsd error log)"
        return "cupsd error_log:\n" + "\n".join(text[-lines:])

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> CupsRig:
        reason = missing()
        if reason:
            raise RuntimeError(f"cannot start the CUPS rig: {reason}")
        _remove_stale_confs()
        # Under /tmp, readable: filters and backends run as `lp` and must reach the spool.
        self.dir = Path(tempfile.mkdtemp(prefix="smartkampung-cups-"))
        try:
            self._configure()
            self._start_cupsd()
            self._add_queues()
        except BaseException:
            self.stop()
            raise
        return self

    def _configure(self) -> None:
        d = self.dir
        d.chmod(0o755)
        for sub in ("etc", "etc/ppd", "etc/ssl", "spool", "spool/tmp", "cache", "run", "log",
                    "bin", "bin/backend", "pdf-out", "pdf-spool", "fault-printer"):
            (d / sub).mkdir(mode=0o755, exist_ok=True)
        # ServerBin: the system's filters and helpers, and a backend folder with only the two
        # backends the rig uses (cupsd runs a backend as root when it is not group/other
        # executable, as cups-pdf is).
        for entry in SERVER_BIN.iterdir():
            if entry.name != "backend":
                (d / "bin" / entry.name).symlink_to(entry)
        (d / "bin" / "backend" / "cups-pdf").symlink_to(CUPS_PDF_BACKEND)
        fault = d / "bin" / "backend" / "skfault"
        shutil.copyfile(FAULT_BACKEND, fault)
        fault.chmod(0o700)
        self.port = _free_port()
        (d / "etc" / "cups-files.conf").write_text(
            f"ServerRoot {d}/etc\n"
            f"RequestRoot {d}/spool\n"
            f"TempDir {d}/spool/tmp\n"
            f"CacheDir {d}/cache\n"
            f"StateDir {d}/run\n"
            f"ServerBin {d}/bin\n"
            "DataDir /usr/share/cups\n"
            "DocumentRoot /usr/share/cups/doc-root\n"
            f"AccessLog {d}/log/access_log\n"
            f"ErrorLog {d}/log/error_log\n"
            f"PageLog {d}/log/page_log\n"
            "SystemGroup root lpadmin\n"
            "User lp\nGroup lp\n"
            "FileDevice No\n"
            "CreateSelfSignedCerts no\n"
        )
        (d / "etc" / "cupsd.conf").write_text(
            "LogLevel warn\n"
            "MaxLogSize 0\n"
            f"Listen {self.socket}\n"
            f"Listen 127.0.0.1:{self.port}\n"
            "Browsing No\n"
            "BrowseLocalProtocols none\n"
            "WebInterface No\n"
            "DefaultAuthType Basic\n"
            "ErrorPolicy stop-printer\n"
            # what the kiosk should use too: no document stays in the spool after printing
            "PreserveJobFiles No\n"
            "PreserveJobHistory Yes\n"
            "JobRetryInterval 1\n"
            + _POLICY
        )
        # cups-pdf: output into our folder, file names "<title>-job_<id>.pdf".
        self.pdf_name = f"{CONF_PREFIX[len('cups-pdf-'):]}{os.getpid()}-{secrets.token_hex(4)}"
        self._pdf_conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{self.pdf_name}.conf"
        self._pdf_conf.write_text(
            f"Out {self.pdf_out}\n"
            f"AnonDirName {self.pdf_out}\n"
            f"Spool {d}/pdf-spool\n"
            f"Log {d}/log\n"
            "LogType 1\n"
            "Grp lpadmin\n"
            "Label 2\n"
            "TitlePref 1\n"
            "UserUMask 0022\n"
        )

    def _start_cupsd(self) -> None:
        d = self.dir
        with open(d / "log" / "cupsd.stderr", "wb") as stderr:
            self.proc = subprocess.Popen(
                [CUPSD, "-f", "-c", f"{d}/etc/cupsd.conf", "-s", f"{d}/etc/cups-files.conf"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                env={**os.environ, "LC_ALL": "C", "LANG": "C"},
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = (d / "log" / "cupsd.stderr").read_text(errors="replace").strip()
                raise RuntimeError(f"cupsd exited with status {self.proc.returncode}: "
                                   f"{err[-500:]}\n{self.log_tail()}")
            if self.socket.exists():
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(0.5)
                    with contextlib.suppress(OSError):
                        s.connect(str(self.socket))
                        return
            time.sleep(0.02)
        raise RuntimeError(f"cupsd did not listen within {self.start_timeout} s\n"
                           f"{self.log_tail()}")

    def _add_queues(self) -> None:
        self.run("lpadmin", "-p", self.pdf_queue, "-E", "-v", f"cups-pdf:/{self.pdf_name}",
                 "-P", str(CUPS_PDF_PPD), "-o", "printer-error-policy=stop-printer")
        self.run("lpadmin", "-p", self.fault_queue, "-E", "-v", f"skfault:{self.fault_dir}",
                 "-o", "printer-error-policy=stop-printer")

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=10)
            self.proc = None
        if self._pdf_conf is not None:
            self._pdf_conf.unlink(missing_ok=True)
            self._pdf_conf = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> CupsRig:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
