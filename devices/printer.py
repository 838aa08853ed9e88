"""The kiosk's printer: a CUPS queue, driven over IPP (and CUPS's own tools for queue admin).

``Printer(queue, server=None)``; ``print_pdf(pdf, title) -> PrintJob``; ``job_state(job)``,
``wait(job, timeout)``, ``status() -> PrinterStatus``, ``resume()``, ``cancel(job)``.

What comes back is machine words only — `JobState` values and *problem codes* from
`PROBLEM_CODES` — never sentences: the kiosk's text catalogue turns a code into Indonesian or
English, and the heartbeat sends the codes as they are.

- **Talking to cupsd.** Jobs and states go over IPP/1.1 (RFC 8011) on HTTP, with our own small
  encoder (no compiled dependency), to ``server``: a Unix socket path (``/run/cups/cups.sock``)
  or ``host[:port]`` (default port 631), like ``CUPS_SERVER``. Re-enabling a stopped queue
  (``resume()``) is an operator operation that cupsd authenticates; it runs ``cupsenable`` and
  ``cupsaccept``, which authenticate as the calling user the way CUPS does locally (peer
  credentials on the socket, or the local certificate). The kiosk's user must therefore be
  in cupsd's ``SystemGroup`` (``lpadmin`` on Debian) for ``resume()``.
- **Never hangs.** Every IPP call has connect/read timeouts (``timeout``, default 5 s) and every
  tool a wall-clock limit. An unreachable, hung or missing cupsd makes `status()` report
  ``printer_missing`` (it never raises) and the other calls raise `PrinterUnavailable`.
- **Threads.** Every method may be called from any thread, concurrently; nothing is cached
  between calls except the HTTP client (thread-safe, one connection per request).
- **Privacy.** Nothing is logged but queue names, job ids, states, sizes and reason keywords:
  never a document's content, never its title (give receipt numbers as titles anyway; the
  title must look like one, see `print_pdf`).
- **"Completed"** is CUPS's word: the backend handed every byte to the printer. A real printer
  that runs out of paper afterwards is only seen through `status()`.

With ``printer-error-policy=stop-printer`` (the queue setting the kiosk needs), a printer fault
stops the queue and keeps the job: `job_state` says ``STOPPED``, `status()` names the fault;
once it is fixed, `resume()` re-enables the queue and the kept jobs print.
"""

from __future__ import annotations

import enum
import getpass
import itertools
import logging
import os
import re
import shutil
import struct
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

DEFAULT_SOCKET = "/run/cups/cups.sock"
DEFAULT_PORT = 631

# -- problem codes ---------------------------------------------------------------------------------

PAPER_OUT = "paper_out"
PAPER_JAM = "paper_jam"
COVER_OPEN = "cover_open"
TONER_LOW = "toner_low"
TONER_OUT = "toner_out"
OFFLINE = "offline"
PRINTER_MISSING = "printer_missing"
OTHER = "other"

#: Every problem code `PrinterStatus.problems` can hold, in the order they are reported.
PROBLEM_CODES = (PRINTER_MISSING, OFFLINE, PAPER_OUT, PAPER_JAM, COVER_OPEN, TONER_OUT,
                 TONER_LOW, OTHER)

#: Codes that leave the printer usable (a warning for the staff, not for the villager).
WARNING_CODES = frozenset({TONER_LOW})

# printer-state-reasons keywords (RFC 8011 §5.4.12, PWG 5100.9, CUPS), without their
# -error/-warning/-report suffix, that name a problem.
_REASON_CODES = {
    "media-empty": PAPER_OUT,
    "media-needed": PAPER_OUT,
    "input-tray-missing": PAPER_OUT,
    "media-jam": PAPER_JAM,
    "input-tray-media-jam": PAPER_JAM,
    "output-tray-media-jam": PAPER_JAM,
    "cover-open": COVER_OPEN,
    "door-open": COVER_OPEN,
    "interlock-open": COVER_OPEN,
    "toner-low": TONER_LOW,
    "marker-supply-low": TONER_LOW,
    "toner-empty": TONER_OUT,
    "marker-supply-empty": TONER_OUT,
    "offline": OFFLINE,
    "shutdown": OFFLINE,
    "timed-out": OFFLINE,
    # CUPS: the queue's filter chain is missing or refused; every job would fail
    "cups-missing-filter": OTHER,
    "cups-insecure-filter": OTHER,
}

# Reasons that are states, progress or harmless notes, not problems (`paused` is the queue
# being stopped, reported as `PrinterStatus.stopped`).
_NOT_PROBLEMS = frozenset({
    "none", "paused", "moving-to-paused", "connecting-to-device", "stopping", "stopped-partly",
    "printer-restarted", "printer-shutdown", "spool-area-full",  # spool: cupsd keeps queueing
    "media-low", "marker-waste-almost-full", "developer-low", "opc-near-eol",
    "cups-waiting-for-job-completed", "cups-remote-pending", "cups-remote-pending-held",
    "cups-remote-processing", "cups-remote-stopped", "cups-remote-canceled",
    "cups-remote-aborted", "cups-remote-completed", "cups-remote-idle",
    "deactivated",
})

# Reasons that keep new jobs from printing though the queue is neither stopped nor faulty.
_NOT_READY = frozenset({"hold-new-jobs"})

_SUFFIXES = ("-error", "-warning", "-report")


def reason_severity(reason: str) -> str:
    """``error``, ``warning`` or ``report``; a keyword without a suffix counts as an error
    (RFC 8011 §5.4.12)."""
    for suffix in _SUFFIXES:
        if reason.endswith(suffix):
            return suffix[1:]
    return "error"


def problem_codes(reasons: Iterable[str]) -> tuple[str, ...]:
    """Problem codes for raw printer-state-reasons keywords, each once, in `PROBLEM_CODES` order.

    Known faults map whatever their suffix (``toner-low-warning`` and ``toner-low-report`` are
    both ``toner_low``); an unknown keyword is ``other`` only when it is an error (an unknown
    ``-warning`` or ``-report`` is left out); ``none``, ``paused`` and other states are never
    problems.
    """
    found = set()
    for raw in reasons:
        reason = str(raw).strip().lower()
        if not reason or reason in _NOT_PROBLEMS:
            continue
        base = reason
        for suffix in _SUFFIXES:
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        if base in _REASON_CODES:
            found.add(_REASON_CODES[base])
        elif base in _NOT_PROBLEMS or base.startswith("cups-remote-"):
            continue
        elif reason_severity(reason) == "error":
            found.add(OTHER)
    return tuple(code for code in PROBLEM_CODES if code in found)


# -- results ---------------------------------------------------------------------------------------

_PRINTER_PROCESSING, _PRINTER_STOPPED = 4, 5  # IPP printer-state (3 is idle)


class JobState(enum.Enum):
    """Where a print job is. ``STOPPED``: it waits for a fault to be fixed (the queue is
    stopped, or the printer stopped it); ``HELD``: it waits to be released."""

    PENDING = "pending"
    HELD = "held"
    PROCESSING = "processing"
    STOPPED = "stopped"
    COMPLETED = "completed"
    ABORTED = "aborted"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.COMPLETED, JobState.ABORTED, JobState.CANCELLED)

    @property
    def blocked(self) -> bool:
        """It will not go on by itself: a fault to fix, or a hold to release."""
        return self in (JobState.STOPPED, JobState.HELD)


@dataclass(frozen=True)
class PrintJob:
    queue: str
    id: int


@dataclass(frozen=True)
class PrinterStatus:
    """A queue's state for the villager's screen, the maintenance screen and the heartbeat.

    `ready`: a job sent now would go straight to the printer (the queue exists, accepts jobs,
    is not stopped or holding new jobs, and no fault holds up the jobs it has). `problems`: codes
    from `PROBLEM_CODES`, never empty when not ready; when ready, only warnings
    (``toner_low``). `reasons`: the raw printer-state-reasons keywords, ``none`` left out
    (for staff and logs). `detail`: why the printer is missing (``unreachable``,
    ``timeout``, ``not-found``, ``error``), else ``""``.

    CUPS learns a printer's state only while a backend runs a job, and a reason stays until
    a backend clears it: on an enabled queue with no job printing or waiting, a fault reason
    is what went wrong last time (e.g. before the job was cancelled), not news. It stays in
    `reasons` but does not make the printer "not ready": the next job either prints (and
    clears it) or stops the queue again.
    """

    ready: bool
    problems: tuple[str, ...]
    stopped: bool = False
    accepting: bool = True
    processing: bool = False
    jobs_waiting: int = 0
    reasons: tuple[str, ...] = ()
    detail: str = ""

    @classmethod
    def from_ipp(cls, printer_state: int, reasons: Iterable[str], accepting: bool = True,
                 jobs_waiting: int = 0) -> PrinterStatus:
        """From a queue's IPP attributes: printer-state (3 idle, 4 processing, 5 stopped),
        printer-state-reasons, printer-is-accepting-jobs, queued-job-count."""
        reasons = tuple(str(r) for r in reasons if r and str(r) != "none")
        stopped = printer_state == _PRINTER_STOPPED
        processing = printer_state == _PRINTER_PROCESSING
        problems = problem_codes(reasons)
        blocking = [c for c in problems if c not in WARNING_CODES]
        holding = any(r in _NOT_READY for r in reasons)
        # A fault reason is news while a job is printing or waiting (an enabled queue that is
        # idle with jobs waiting holds them, e.g. for a retry after the fault).
        current = processing or jobs_waiting > 0
        ready = accepting and not stopped and not holding and not (current and blocking)
        if ready:  # idle and empty: a fault reason is left over from the last job
            problems = tuple(c for c in problems if c in WARNING_CODES)
        elif not blocking:  # stopped or rejecting jobs with no fault reported
            problems = tuple(c for c in PROBLEM_CODES if c in {*problems, OTHER})
        return cls(ready=ready, problems=problems, stopped=stopped, accepting=accepting,
                   processing=processing, jobs_waiting=int(jobs_waiting), reasons=reasons)

    @classmethod
    def unavailable(cls, detail: str) -> PrinterStatus:
        """No such queue, or no cupsd answering."""
        return cls(ready=False, problems=(PRINTER_MISSING,), accepting=False, detail=detail)

    @property
    def missing(self) -> bool:
        return PRINTER_MISSING in self.problems

    @property
    def jobs_held(self) -> bool:
        """Jobs wait in the queue for a fault to be fixed (and, when `stopped`, for
        `Printer.resume()`)."""
        return self.jobs_waiting > 0 and (self.stopped or not self.ready)

    @property
    def state(self) -> str:
        """One word for the heartbeat: ``missing``, ``stopped``, ``error``, ``printing``,
        ``ready``."""
        if self.missing:
            return "missing"
        if self.stopped or not self.accepting:
            return "stopped"
        if not self.ready:
            return "error"
        return "printing" if self.processing else "ready"


# -- errors ----------------------------------------------------------------------------------------


class PrinterError(Exception):
    """A print operation failed. `code` is a problem code (or ``other``); the message is for
    logs and staff, and holds no personal data."""

    code = OTHER

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class PrinterUnavailable(PrinterError):
    """cupsd cannot be reached, does not answer in time, or the queue does not exist.
    `detail`: ``unreachable``, ``timeout`` or ``not-found``."""

    code = PRINTER_MISSING

    def __init__(self, message: str, detail: str = "unreachable"):
        super().__init__(message)
        self.detail = detail


class JobRefused(PrinterError):
    """cupsd refused the job (the queue rejects jobs, the document or an option is refused)."""


class JobNotFound(PrinterError):
    """cupsd does not know this job (a wrong id, or its history was purged)."""


# -- IPP encoding ----------------------------------------------------------------------------------

_OP_PRINT_JOB = 0x0002
_OP_CANCEL_JOB = 0x0008
_OP_GET_JOB_ATTRIBUTES = 0x0009
_OP_GET_PRINTER_ATTRIBUTES = 0x000B

_TAG_OPERATION = 0x01
_TAG_JOB = 0x02
_TAG_END = 0x03
_TAG_PRINTER = 0x04
_TAG_INTEGER = 0x21
_TAG_BOOLEAN = 0x22
_TAG_ENUM = 0x23
_TAG_BEG_COLLECTION = 0x34
_TAG_END_COLLECTION = 0x37
_TAG_NAME = 0x42
_TAG_KEYWORD = 0x44
_TAG_URI = 0x45
_TAG_CHARSET = 0x47
_TAG_LANGUAGE = 0x48
_TAG_MIME = 0x49
_TAG_MEMBER_NAME = 0x4A
_TEXT_TAGS = frozenset(range(0x41, 0x50)) - {_TAG_MEMBER_NAME}

_STATUS_NAMES = {
    0x0400: "client-error-bad-request",
    0x0401: "client-error-forbidden",
    0x0402: "client-error-not-authenticated",
    0x0403: "client-error-not-authorized",
    0x0404: "client-error-not-possible",
    0x0406: "client-error-not-found",
    0x0407: "client-error-gone",
    0x0408: "client-error-request-entity-too-large",
    0x040A: "client-error-document-format-not-supported",
    0x040B: "client-error-attributes-or-values-not-supported",
    0x0500: "server-error-internal-error",
    0x0501: "server-error-operation-not-supported",
    0x0506: "server-error-not-accepting-jobs",
    0x0507: "server-error-busy",
}

_JOB_STATES = {
    3: JobState.PENDING,
    4: JobState.HELD,
    5: JobState.PROCESSING,
    6: JobState.STOPPED,
    7: JobState.CANCELLED,
    8: JobState.ABORTED,
    9: JobState.COMPLETED,
}


def _attr(tag: int, name: str, *values: str | int | bool) -> bytes:
    out = bytearray()
    for i, value in enumerate(values):
        if tag in (_TAG_INTEGER, _TAG_ENUM):
            data = struct.pack(">i", int(value))
        elif tag == _TAG_BOOLEAN:
            data = b"\x01" if value else b"\x00"
        else:
            data = str(value).encode("utf-8")
        key = name.encode("ascii") if i == 0 else b""
        out += struct.pack(">BH", tag, len(key)) + key + struct.pack(">H", len(data)) + data
    return bytes(out)


def _request(operation: int, request_id: int, operation_attrs: bytes,
             job_attrs: bytes = b"") -> bytes:
    body = struct.pack(">BBHI", 1, 1, operation, request_id) + bytes([_TAG_OPERATION])
    body += _attr(_TAG_CHARSET, "attributes-charset", "utf-8")
    body += _attr(_TAG_LANGUAGE, "attributes-natural-language", "en")
    body += operation_attrs
    if job_attrs:
        body += bytes([_TAG_JOB]) + job_attrs
    return body + bytes([_TAG_END])


@dataclass
class _Response:
    status: int
    groups: list[tuple[int, dict[str, list]]] = field(default_factory=list)

    def first(self, group_tag: int) -> dict[str, list]:
        for tag, attrs in self.groups:
            if tag == group_tag:
                return attrs
        return {}


def _decode_value(tag: int, data: bytes):
    if tag in (_TAG_INTEGER, _TAG_ENUM) and len(data) == 4:
        return struct.unpack(">i", data)[0]
    if tag == _TAG_BOOLEAN and len(data) == 1:
        return data != b"\x00"
    if tag in _TEXT_TAGS:
        return data.decode("utf-8", errors="replace")
    return data  # dateTime, resolution, range, octetString, out-of-band: kept raw


def _parse_response(data: bytes) -> _Response:
    if len(data) < 9:
        raise PrinterError("cupsd sent a short IPP response")
    status = struct.unpack(">H", data[2:4])[0]
    response = _Response(status)
    attrs: dict[str, list] | None = None
    name = ""
    depth = 0  # inside a collection: its members are skipped (never asked for here)
    pos = 8
    try:
        while pos < len(data):
            tag = data[pos]
            pos += 1
            if tag == _TAG_END:
                break
            if tag < 0x10:  # a new attribute group
                attrs = {}
                response.groups.append((tag, attrs))
                continue
            (name_len,) = struct.unpack(">H", data[pos:pos + 2])
            key = data[pos + 2:pos + 2 + name_len].decode("utf-8", errors="replace")
            pos += 2 + name_len
            (value_len,) = struct.unpack(">H", data[pos:pos + 2])
            value = data[pos + 2:pos + 2 + value_len]
            if len(value) != value_len:
                raise PrinterError("cupsd sent a truncated IPP response")
            pos += 2 + value_len
            if tag == _TAG_BEG_COLLECTION:
                depth += 1
                if depth == 1 and key and attrs is not None:
                    name = key
                    attrs.setdefault(name, []).append(None)
                continue
            if tag == _TAG_END_COLLECTION:
                depth = max(0, depth - 1)
                continue
            if depth or attrs is None:
                continue
            if key:
                name = key
                attrs[name] = []
            attrs.setdefault(name, []).append(_decode_value(tag, value))
    except struct.error as e:
        raise PrinterError("cupsd sent a malformed IPP response") from e
    return response


# -- the printer -----------------------------------------------------------------------------------

_TITLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+:/-]{0,63}$")
_MEDIA = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_QUEUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,126}$")
_request_ids = itertools.count(1)
_request_ids_lock = threading.Lock()


def _next_request_id() -> int:
    with _request_ids_lock:
        return next(_request_ids) % 0x7FFFFFFF or 1


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid without a name (containers)
        return "kiosk"


def default_server() -> str:
    """Where cupsd is when no server is given: ``CUPS_SERVER``, else the local socket when it
    exists, else ``localhost:631``."""
    env = os.environ.get("CUPS_SERVER", "").strip()
    if env:
        return env
    return DEFAULT_SOCKET if Path(DEFAULT_SOCKET).exists() else f"localhost:{DEFAULT_PORT}"


class Printer:
    """One CUPS queue (see the module docstring).

    `server`: a Unix socket path or ``host[:port]`` (``[v6addr]:port``), as ``CUPS_SERVER``
    takes it; `None` is `default_server()`. `timeout`: seconds for connecting to and hearing
    from cupsd in each call. `user`: the requesting user name for jobs (default: this
    process's user; `cancel` is allowed for that user's own jobs).
    """

    def __init__(self, queue: str, server: str | None = None, *, timeout: float = 5.0,
                 user: str | None = None):
        if not _QUEUE.match(queue or ""):
            raise ValueError("a CUPS queue name is letters, digits, '_', '.', '-'")
        self.queue = queue
        self.server = (server or default_server()).split("/version=")[0]
        self.timeout = float(timeout)
        self.user = user or _user_name()
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        if self.server.startswith("/"):
            self._base_url = "http://localhost"
            self._uds: str | None = self.server
        else:
            m = re.match(r"^(\[[^\]]+\]|[^:]+)(?::(\d+))?$", self.server)
            if not m:
                raise ValueError("server is a socket path or host[:port]")
            host, port = m.group(1), int(m.group(2) or DEFAULT_PORT)
            self._base_url = f"http://{host}:{port}"
            self._uds = None
        self.printer_uri = f"ipp://localhost/printers/{queue}"

    def __repr__(self) -> str:
        return f"Printer({self.queue!r}, server={self.server!r})"

    # -- public API ------------------------------------------------------------------------

    def print_pdf(self, pdf: bytes, title: str, copies: int = 1,
                  media: str | None = None) -> PrintJob:
        """Queue a PDF; return its job at once (follow it with `job_state` or `wait`).

        `title` names the job in the queue and on the printer's panel: a receipt number or
        another machine id (letters, digits and ``. _ + : / -``, at most 64 characters; no
        spaces, so no names). `media`: a PWG media name, e.g. ``iso_a4_210x297mm`` or, for F4,
        ``om_folio_210x330mm``. Raises `PrinterUnavailable` (cupsd or the queue missing),
        `JobRefused` (the queue rejects jobs, or refuses the document or an option),
        `PrinterError`.
        """
        if not isinstance(pdf, bytes | bytearray) or not bytes(pdf[:5]) == b"%PDF-":
            raise ValueError("print_pdf takes the bytes of a PDF document")
        if not isinstance(title, str) or not _TITLE.match(title):
            raise ValueError("the job title must be a receipt number (letters, digits, "
                             "._+:/-, at most 64 characters)")
        if not isinstance(copies, int) or not 1 <= copies <= 99:
            raise ValueError("copies must be 1-99")
        if media is not None and not _MEDIA.match(media):
            raise ValueError("media must be a PWG media name such as iso_a4_210x297mm")
        op = (_attr(_TAG_URI, "printer-uri", self.printer_uri)
              + _attr(_TAG_NAME, "requesting-user-name", self.user)
              + _attr(_TAG_NAME, "job-name", title)
              + _attr(_TAG_MIME, "document-format", "application/pdf"))
        job_attrs = _attr(_TAG_INTEGER, "copies", copies)
        if media:
            job_attrs += _attr(_TAG_KEYWORD, "media", media)
        body = _request(_OP_PRINT_JOB, _next_request_id(), op, job_attrs) + bytes(pdf)
        response = self._ipp(f"/printers/{self.queue}", body, "Print-Job")
        self._check(response, "Print-Job", refused=JobRefused)
        ids = response.first(_TAG_JOB).get("job-id") or []
        if not ids or not isinstance(ids[0], int):
            raise PrinterError("cupsd accepted the job but sent no job id")
        job = PrintJob(self.queue, ids[0])
        log.info("printer %s: job %d queued (%d bytes, %d cop%s)", self.queue, job.id,
                 len(pdf), copies, "y" if copies == 1 else "ies")
        return job

    def job_state(self, job: PrintJob | int) -> JobState:
        """The job's state now. Raises `JobNotFound`, `PrinterUnavailable`, `PrinterError`."""
        job_id = job.id if isinstance(job, PrintJob) else int(job)
        op = (_attr(_TAG_URI, "printer-uri", self.printer_uri)
              + _attr(_TAG_INTEGER, "job-id", job_id)
              + _attr(_TAG_NAME, "requesting-user-name", self.user)
              + _attr(_TAG_KEYWORD, "requested-attributes", "job-state"))
        response = self._ipp("/jobs/", _request(_OP_GET_JOB_ATTRIBUTES, _next_request_id(), op),
                             "Get-Job-Attributes")
        if response.status in (0x0406, 0x0407):
            raise JobNotFound(f"printer {self.queue}: job {job_id} is not known to cupsd")
        self._check(response, "Get-Job-Attributes", missing_is_queue=False)
        attrs = response.first(_TAG_JOB)
        raw = (attrs.get("job-state") or [None])[0]
        state = _JOB_STATES.get(raw)
        if state is None:
            raise PrinterError(f"cupsd sent an unknown job-state {raw!r}")
        # A pending job in a stopped queue waits for the fault to be fixed, whether the queue
        # stopped on this job (its job-state-reasons then say printer-stopped) or before it
        # (a fault on an earlier job, or the staff): the printer's state decides.
        if state is JobState.PENDING and self.status().stopped:
            return JobState.STOPPED
        return state

    def wait(self, job: PrintJob | int, timeout: float, *, poll_s: float = 0.2,
             until_blocked: bool = True, fault_grace_s: float = 2.0) -> JobState:
        """Follow the job until it is finished or `timeout` seconds passed, and return the
        state it was last seen in. Raises as `job_state` does.

        With `until_blocked`, return as soon as the job cannot go on by itself
        (`JobState.blocked`: a stopped queue, a hold), and also when it is ``PROCESSING`` on
        a printer that has reported a fault (offline, paper jam…) for `fault_grace_s`
        seconds: the backend goes on by itself once the fault is fixed; `status()` says
        which. (The grace period lets a backend clear a reason left over from the last job.)
        """
        deadline = time.monotonic() + max(0.0, timeout)
        last = None
        fault_since = None
        while True:
            state = self.job_state(job)
            if state is not last:
                log.debug("printer %s: job %s %s", self.queue,
                          job.id if isinstance(job, PrintJob) else job, state.value)
                last = state
            if state.finished or (until_blocked and state.blocked):
                return state
            if until_blocked and state is JobState.PROCESSING and not self.status().ready:
                now = time.monotonic()
                fault_since = now if fault_since is None else fault_since
                if now - fault_since >= fault_grace_s:
                    return state
            else:
                fault_since = None
            left = deadline - time.monotonic()
            if left <= 0:
                return state
            time.sleep(min(poll_s, left))

    def status(self) -> PrinterStatus:
        """The queue's state now. Never raises: a cupsd that is down, hung or without this
        queue is ``printer_missing`` (with `detail`)."""
        op = (_attr(_TAG_URI, "printer-uri", self.printer_uri)
              + _attr(_TAG_NAME, "requesting-user-name", self.user)
              + _attr(_TAG_KEYWORD, "requested-attributes", "printer-state",
                      "printer-state-reasons", "printer-is-accepting-jobs", "queued-job-count"))
        try:
            response = self._ipp(f"/printers/{self.queue}",
                                 _request(_OP_GET_PRINTER_ATTRIBUTES, _next_request_id(), op),
                                 "Get-Printer-Attributes")
        except PrinterUnavailable as e:
            return PrinterStatus.unavailable(e.detail)
        except PrinterError as e:
            log.warning("%s", e)
            return PrinterStatus.unavailable("error")
        if response.status in (0x0406, 0x0407):
            return PrinterStatus.unavailable("not-found")
        if response.status >= 0x0400:
            log.warning("printer %s: Get-Printer-Attributes: %s", self.queue,
                        _status_name(response.status))
            return PrinterStatus.unavailable("error")
        attrs = response.first(_TAG_PRINTER)
        return PrinterStatus.from_ipp(
            printer_state=(attrs.get("printer-state") or [0])[0],
            reasons=attrs.get("printer-state-reasons") or (),
            accepting=bool((attrs.get("printer-is-accepting-jobs") or [True])[0]),
            jobs_waiting=(attrs.get("queued-job-count") or [0])[0] or 0,
        )

    def resume(self) -> None:
        """After the fault is fixed: re-enable the stopped queue and let it accept jobs again,
        so the jobs it kept print. Runs ``cupsenable`` and ``cupsaccept`` (the caller must be
        in cupsd's SystemGroup). Harmless on a queue that is not stopped. Raises
        `PrinterUnavailable` or `PrinterError`."""
        status = self.status()
        if status.missing:
            raise PrinterUnavailable(f"printer {self.queue}: resume: the printer is missing "
                                     f"({status.detail})", status.detail)
        # `cupsenable --release` alone would only end a `cupsdisable --hold` and leave a
        # stopped queue stopped (CUPS 2.4): it is a second, separate step.
        self._tool("cupsenable", self.queue)
        self._tool("cupsaccept", self.queue)
        if any(r in _NOT_READY for r in status.reasons):
            self._tool("cupsenable", "--release", self.queue)
        log.info("printer %s: resumed", self.queue)

    def cancel(self, job: PrintJob | int) -> None:
        """Cancel a job that has not finished (one already finished is left as it is).
        Raises `JobNotFound`, `PrinterUnavailable`, `PrinterError`."""
        job_id = job.id if isinstance(job, PrintJob) else int(job)
        op = (_attr(_TAG_URI, "printer-uri", self.printer_uri)
              + _attr(_TAG_INTEGER, "job-id", job_id)
              + _attr(_TAG_NAME, "requesting-user-name", self.user))
        response = self._ipp("/jobs/", _request(_OP_CANCEL_JOB, _next_request_id(), op),
                             "Cancel-Job")
        if response.status in (0x0406, 0x0407):
            raise JobNotFound(f"printer {self.queue}: job {job_id} is not known to cupsd")
        if response.status == 0x0404 and self.job_state(job_id).finished:
            return  # finished meanwhile
        if response.status in (0x0401, 0x0402, 0x0403):
            # Not this user's job, or the server wants authentication: CUPS's own tool
            # authenticates locally.
            self._tool("cancel", f"{self.queue}-{job_id}")
        else:
            self._check(response, "Cancel-Job", missing_is_queue=False)
        log.info("printer %s: job %d cancelled", self.queue, job_id)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- plumbing -------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                transport = httpx.HTTPTransport(
                    uds=self._uds, retries=0,
                    limits=httpx.Limits(max_connections=8, max_keepalive_connections=0))
                self._client = httpx.Client(
                    transport=transport, base_url=self._base_url, trust_env=False,
                    timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 3.0)))
            return self._client

    def _ipp(self, path: str, body: bytes, what: str) -> _Response:
        try:
            reply = self._http().post(path, content=body,
                                      headers={"Content-Type": "application/ipp"})
        except httpx.TimeoutException as e:
            raise _unavailable(self, what, "timeout") from e
        except httpx.HTTPError as e:
            raise _unavailable(self, what, "unreachable") from e
        except OSError as e:
            raise _unavailable(self, what, "unreachable") from e
        if reply.status_code in (401, 403):  # cupsd wants authentication: as IPP would say
            return _Response(0x0402 if reply.status_code == 401 else 0x0401)
        if reply.status_code != 200:
            raise PrinterError(f"printer {self.queue}: {what}: HTTP {reply.status_code}")
        return _parse_response(reply.content)

    def _check(self, response: _Response, what: str, refused: type[PrinterError] = PrinterError,
               missing_is_queue: bool = True) -> None:
        status = response.status
        if status < 0x0100:
            return
        name = _status_name(status)
        if status in (0x0406, 0x0407) and missing_is_queue:
            raise PrinterUnavailable(f"printer {self.queue}: no such queue ({what}: {name})",
                                     "not-found")
        if status in (0x0506, 0x040A, 0x040B, 0x0408, 0x0404):
            raise refused(f"printer {self.queue}: {what} refused: {name}")
        raise PrinterError(f"printer {self.queue}: {what} failed: {name}")

    def _tool(self, *cmd: str, timeout: float | None = None) -> None:
        exe = shutil.which(cmd[0])
        if exe is None:
            raise PrinterError(f"{cmd[0]} is not installed (cups-client / cups-bsd)")
        env = {**os.environ, "CUPS_SERVER": self.server, "LC_ALL": "C", "LANG": "C"}
        limit = timeout if timeout is not None else max(10.0, 2 * self.timeout)
        try:
            done = subprocess.run([exe, *cmd[1:]], env=env, capture_output=True, text=True,
                                  timeout=limit, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise _unavailable(self, cmd[0], "timeout") from e
        if done.returncode != 0:
            message = (done.stderr or done.stdout).strip().splitlines()
            text = message[-1][:200] if message else f"exit status {done.returncode}"
            what = f"printer {self.queue}: {cmd[0]} failed: {text}"
            low = text.lower()
            # LC_ALL=C: CUPS's own English words
            if "not-found" in low or "does not exist" in low:
                raise PrinterUnavailable(what, "not-found")
            if any(w in low for w in ("service-unavailable", "unable to connect", "refused")):
                raise PrinterUnavailable(what, "unreachable")
            if any(w in low for w in ("forbidden", "not-authorized", "authentication")):
                raise PrinterError(f"{what} (queue administration needs cupsd's SystemGroup, "
                                   "lpadmin on Debian)")
            raise PrinterError(what)


def _status_name(status: int) -> str:
    return _STATUS_NAMES.get(status, f"IPP status 0x{status:04x}")


def _unavailable(printer: Printer, what: str, detail: str) -> PrinterUnavailable:
    return PrinterUnavailable(
        f"printer {printer.queue}: {what}: cupsd at {printer.server} "
        f"{'did not answer in time' if detail == 'timeout' else 'is unreachable'}", detail)
