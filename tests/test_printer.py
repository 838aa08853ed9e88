"""The printer (devices/printer.py) against a real cupsd that the test run starts itself.

No mocks: the receipt goes through the real scheduler, filters and the cups-pdf backend and the
PDF that comes out is read back; the paper-out printer is a real CUPS backend
(devices/cups_backend_fault) that reports ``media-empty-error`` and exits 4, so cupsd itself
stops the queue and keeps the job. Only the reason-to-code table is tested without cupsd.
A cupsd that cannot start fails these tests (it never skips them): run as root after
``deploy/dev-packages.sh``.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import subprocess
import threading
import time

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from devices.cups_rig import CupsRig
from devices.printer import (
    PROBLEM_CODES,
    JobNotFound,
    JobRefused,
    JobState,
    Printer,
    PrinterStatus,
    PrinterUnavailable,
    problem_codes,
)

RECEIPT = "DESA01-260105-0042"


def receipt_pdf(number: str = RECEIPT, pages: int = 1) -> bytes:
    """A small application copy with its receipt number, rendered by ReportLab."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(number)
    for page in range(pages):
        c.setFont("Helvetica-Bold", 16)
        c.drawString(72, 760, "Smart Kampung - tanda terima")
        c.setFont("Helvetica", 12)
        c.drawString(72, 730, f"Nomor permohonan: {number}")
        c.drawString(72, 710, f"Halaman {page + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def cups():
    with CupsRig() as rig:
        yield rig


@pytest.fixture
def pdf_printer(cups):
    printer = Printer(cups.pdf_queue, cups.server)
    yield printer
    printer.close()


@pytest.fixture
def fault_printer(cups):
    """The fault queue; left fixed, enabled, empty and without fault reasons after each test
    (a reason stays until the backend clears it in a job that prints)."""
    printer = Printer(cups.fault_queue, cups.server)
    yield printer
    cups.set_fault(None)
    cups.run("cancel", "-a", cups.fault_queue, check=False)
    printer.resume()
    if printer.status().reasons:
        assert printer.wait(printer.print_pdf(receipt_pdf(), "CLEAR"), 20) is JobState.COMPLETED
    assert printer.status().reasons == ()
    printer.close()


# -- printer-state-reasons → problem codes (no cupsd) ----------------------------------------------

@pytest.mark.parametrize(("reasons", "codes"), [
    ([], ()),
    (["none"], ()),
    (["paused"], ()),
    (["media-empty-error"], ("paper_out",)),
    (["media-empty"], ("paper_out",)),
    (["media-empty-warning"], ("paper_out",)),
    (["media-needed-error"], ("paper_out",)),
    (["media-empty-error", "paused"], ("paper_out",)),
    (["media-jam-error"], ("paper_jam",)),
    (["cover-open-error"], ("cover_open",)),
    (["door-open-error"], ("cover_open",)),
    (["interlock-open-warning"], ("cover_open",)),
    (["toner-low-warning"], ("toner_low",)),
    (["toner-low-report"], ("toner_low",)),
    (["marker-supply-low-warning"], ("toner_low",)),
    (["toner-empty-error"], ("toner_out",)),
    (["marker-supply-empty-error"], ("toner_out",)),
    (["offline-report"], ("offline",)),
    (["offline"], ("offline",)),
    (["timed-out"], ("offline",)),
    (["shutdown"], ("offline",)),
    (["connecting-to-device"], ()),
    (["moving-to-paused"], ()),
    (["media-low-report"], ()),
    (["cups-waiting-for-job-completed"], ()),
    (["cups-remote-pending"], ()),
    (["fuser-over-temp-error"], ("other",)),
    (["cups-missing-filter-warning"], ("other",)),
    (["spaceship-error"], ("other",)),
    (["spaceship"], ("other",)),  # no suffix: an error (RFC 8011 5.4.12)
    (["spaceship-warning"], ()),
    (["spaceship-report"], ()),
    ([" Media-Jam-Error "], ("paper_jam",)),
    (["toner-low-warning", "media-jam-error", "media-empty-error", "offline-report"],
     ("offline", "paper_out", "paper_jam", "toner_low")),
    (["media-jam-error", "media-jam-warning"], ("paper_jam",)),
])
def test_reasons_map_to_problem_codes(reasons, codes):
    assert problem_codes(reasons) == codes
    assert set(codes) <= set(PROBLEM_CODES)


@pytest.mark.parametrize(
    ("state", "reasons", "accepting", "waiting", "ready", "problems", "word"), [
        (3, ["none"], True, 0, True, (), "ready"),
        (4, [], True, 1, True, (), "printing"),
        (3, ["toner-low-warning"], True, 0, True, ("toner_low",), "ready"),
        (5, ["paused"], True, 0, False, ("other",), "stopped"),
        (5, ["media-empty-error", "paused"], True, 1, False, ("paper_out",), "stopped"),
        (5, ["toner-low-warning", "paused"], True, 1, False, ("toner_low", "other"), "stopped"),
        (4, ["media-jam-error"], True, 1, False, ("paper_jam",), "error"),
        (4, ["offline-report", "connecting-to-device"], True, 1, False, ("offline",), "error"),
        # idle with a job waiting (held for a retry-job policy's retry): the fault is news
        (3, ["media-empty-error"], True, 1, False, ("paper_out",), "error"),
        # idle, nothing waiting: the reason is left over from the last job
        (3, ["media-jam-error"], True, 0, True, (), "ready"),
        (3, ["media-jam-error", "toner-low-report"], True, 0, True, ("toner_low",), "ready"),
        (3, ["none"], False, 0, False, ("other",), "stopped"),
        (3, ["hold-new-jobs"], True, 1, False, ("other",), "error"),
    ])
def test_status_from_ipp(state, reasons, accepting, waiting, ready, problems, word):
    status = PrinterStatus.from_ipp(state, reasons, accepting, jobs_waiting=waiting)
    assert (status.ready, status.problems, status.state) == (ready, problems, word)
    assert "none" not in status.reasons
    assert status.jobs_held == (waiting > 0 and not ready)
    missing = PrinterStatus.unavailable("unreachable")
    assert (missing.ready, missing.problems, missing.state) == (False, ("printer_missing",),
                                                                "missing")


# -- the cups-pdf queue: the PDF that comes out ----------------------------------------------------

def test_receipt_is_printed_and_the_pdf_that_comes_out_holds_it(cups, pdf_printer, caplog):
    caplog.set_level(logging.DEBUG)
    assert pdf_printer.status().ready
    job = pdf_printer.print_pdf(receipt_pdf(pages=2), RECEIPT)
    assert job.queue == cups.pdf_queue and job.id > 0
    assert pdf_printer.wait(job, timeout=30) is JobState.COMPLETED
    assert pdf_printer.job_state(job) is JobState.COMPLETED

    out = [p for p in cups.pdf_outputs() if p.name.endswith(f"-job_{job.id}.pdf")]
    assert len(out) == 1, cups.pdf_outputs()
    assert out[0].read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", str(out[0]), "-"], capture_output=True,
                          text=True, check=True, timeout=30).stdout
    assert f"Nomor permohonan: {RECEIPT}" in text
    assert "Halaman 2" in text
    info = subprocess.run(["pdfinfo", str(out[0])], capture_output=True, text=True,
                          check=True, timeout=30).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)

    status = pdf_printer.status()
    assert status.ready and status.problems == () and status.jobs_waiting == 0
    # Nothing of the document, and not even its title, is logged.
    logged = "\n".join(r.getMessage() for r in caplog.records
                       if r.name.startswith("devices"))
    assert f"job {job.id}" in logged
    assert RECEIPT not in logged and "Nomor" not in logged


def test_f4_media_reaches_the_printer(cups, pdf_printer):
    job = pdf_printer.print_pdf(receipt_pdf("DESA01-260105-0043"), "DESA01-260105-0043",
                                media="om_folio_210x330mm")
    assert pdf_printer.wait(job, timeout=30) is JobState.COMPLETED
    (out,) = [p for p in cups.pdf_outputs() if p.name.endswith(f"-job_{job.id}.pdf")]
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True, timeout=30).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - 595.3) < 2 and abs(height - 935.4) < 2  # 210 x 330 mm


def test_tcp_address_works_too(cups):
    printer = Printer(cups.pdf_queue, cups.tcp_server)
    try:
        assert printer.status().ready
        job = printer.print_pdf(receipt_pdf(), RECEIPT)
        assert printer.wait(job, timeout=30) is JobState.COMPLETED
    finally:
        printer.close()


def test_calls_from_many_threads_at_once(pdf_printer):
    results, errors = [], []

    def work(i):
        try:
            job = pdf_printer.print_pdf(receipt_pdf(f"DESA01-260105-{i:04}"),
                                        f"DESA01-260105-{i:04}")
            assert pdf_printer.status().problems == ()
            results.append(pdf_printer.wait(job, timeout=60))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert errors == []
    assert results == [JobState.COMPLETED] * 6


# -- faults: paper out, held jobs, resume ----------------------------------------------------------

def test_paper_out_keeps_the_job_until_fixed_and_resumed(cups, fault_printer):
    cups.set_fault("media-empty-error")
    pdf = receipt_pdf()
    job = fault_printer.print_pdf(pdf, RECEIPT)
    started = time.monotonic()
    assert fault_printer.wait(job, timeout=20) is JobState.STOPPED
    assert time.monotonic() - started < 10  # wait() returns once the job is stuck

    status = fault_printer.status()
    assert not status.ready
    assert status.problems == ("paper_out",)
    assert status.stopped and status.jobs_held and status.jobs_waiting == 1
    assert status.state == "stopped"
    assert {"media-empty-error", "paused"} <= set(status.reasons)

    # Resumed before the paper is back: the printer fails again, the job is still kept.
    assert cups.fault_attempts() == 1
    fault_printer.resume()
    deadline = time.monotonic() + 20
    while cups.fault_attempts() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cups.fault_attempts() == 2
    assert fault_printer.wait(job, timeout=20) is JobState.STOPPED
    assert fault_printer.status().problems == ("paper_out",)
    assert not (cups.fault_dir / f"job-{job.id}.out").exists()

    cups.set_fault(None)  # paper refilled
    assert fault_printer.job_state(job) is JobState.STOPPED  # CUPS waits for the staff
    fault_printer.resume()
    assert fault_printer.wait(job, timeout=20) is JobState.COMPLETED
    assert (cups.fault_dir / f"job-{job.id}.out").read_bytes() == pdf
    status = fault_printer.status()
    assert status.ready and status.problems == () and not status.stopped
    assert status.jobs_waiting == 0 and not status.jobs_held


@pytest.mark.parametrize(("reason", "code"), [
    ("media-jam-error", "paper_jam"),
    ("cover-open-error", "cover_open"),
    ("toner-empty-error", "toner_out"),
    ("fuser-over-temp-error", "other"),
])
def test_other_faults_reported_by_a_real_backend(cups, fault_printer, reason, code):
    cups.set_fault(reason)
    job = fault_printer.print_pdf(receipt_pdf(), RECEIPT)
    assert fault_printer.wait(job, timeout=20) is JobState.STOPPED
    status = fault_printer.status()
    assert status.problems == (code,) and status.stopped and not status.ready
    fault_printer.cancel(job)
    assert fault_printer.job_state(job) is JobState.CANCELLED


def test_offline_printer_while_the_job_is_processing(cups, fault_printer):
    """cupsd drops offline-report when a backend gives up, so "offline" is seen while a backend
    waits for the printer with the job processing (as CUPS's usb/socket backends do)."""
    cups.set_fault("offline-report", wait=True)
    job = fault_printer.print_pdf(receipt_pdf(), RECEIPT)
    assert fault_printer.wait(job, timeout=20) is JobState.PROCESSING
    status = fault_printer.status()
    assert status.processing and not status.stopped and not status.ready
    assert status.problems == ("offline",) and status.state == "error"
    cups.set_fault(None)  # the printer is switched on: no resume() needed
    assert fault_printer.wait(job, timeout=20) is JobState.COMPLETED
    assert fault_printer.status().ready and fault_printer.status().reasons == ()


def test_a_fault_left_from_a_cancelled_job_does_not_block_the_next(cups, fault_printer):
    cups.set_fault("media-jam-error")
    job = fault_printer.print_pdf(receipt_pdf(), RECEIPT)
    assert fault_printer.wait(job, timeout=20) is JobState.STOPPED
    fault_printer.cancel(job)  # e.g. the staff cancel it at the maintenance screen
    cups.set_fault(None)
    fault_printer.resume()
    status = fault_printer.status()
    # CUPS keeps the reason until a backend clears it; the queue itself is ready.
    assert "media-jam-error" in status.reasons
    assert status.ready and status.problems == () and status.state == "ready"
    job = fault_printer.print_pdf(receipt_pdf(), RECEIPT)
    assert fault_printer.wait(job, timeout=20) is JobState.COMPLETED
    assert fault_printer.status().reasons == ()


def test_a_queue_stopped_by_staff_is_reported_and_resumes(cups, pdf_printer):
    cups.run("cupsdisable", cups.pdf_queue)
    try:
        status = pdf_printer.status()
        assert status.stopped and not status.ready
        assert status.problems == ("other",) and status.reasons == ("paused",)
        job = pdf_printer.print_pdf(receipt_pdf(), RECEIPT)
        assert pdf_printer.wait(job, timeout=5) is JobState.STOPPED
        assert pdf_printer.status().jobs_held
    finally:
        pdf_printer.resume()
    assert pdf_printer.wait(job, timeout=30) is JobState.COMPLETED


def test_a_queue_rejecting_jobs_refuses_the_print(cups, pdf_printer):
    cups.run("cupsreject", cups.pdf_queue)
    try:
        status = pdf_printer.status()
        assert not status.accepting and not status.ready and status.problems == ("other",)
        with pytest.raises(JobRefused):
            pdf_printer.print_pdf(receipt_pdf(), RECEIPT)
    finally:
        pdf_printer.resume()
    assert pdf_printer.status().ready


def test_held_job_is_reported_as_held(cups, fault_printer, tmp_path):
    path = tmp_path / "held.pdf"
    path.write_bytes(receipt_pdf())
    out = cups.run("lp", "-d", cups.fault_queue, "-H", "indefinite", "-t", RECEIPT,
                   str(path)).stdout
    job_id = int(re.search(rf"{cups.fault_queue}-(\d+)", out).group(1))
    assert fault_printer.wait(job_id, timeout=5) is JobState.HELD
    assert fault_printer.status().ready  # the printer itself is fine
    fault_printer.cancel(job_id)
    assert fault_printer.job_state(job_id) is JobState.CANCELLED


def test_cancel(cups, fault_printer):
    cups.set_fault("media-empty-error")
    job = fault_printer.print_pdf(receipt_pdf(), RECEIPT)
    assert fault_printer.wait(job, timeout=20) is JobState.STOPPED
    fault_printer.cancel(job)
    assert fault_printer.job_state(job) is JobState.CANCELLED
    fault_printer.cancel(job)  # already finished: nothing to do
    with pytest.raises(JobNotFound):
        fault_printer.cancel(987654)

    # Another user's job: cupsd refuses the IPP request, and CUPS's `cancel` tool, which
    # authenticates as this process's user (root, an operator), cancels it.
    owner = Printer(cups.fault_queue, cups.server, user="kiosk-a")
    stranger = Printer(cups.fault_queue, cups.server, user="kiosk-b")
    job = owner.print_pdf(receipt_pdf(), RECEIPT)
    assert fault_printer.wait(job, timeout=20) is JobState.STOPPED
    stranger.cancel(job)
    assert fault_printer.job_state(job) is JobState.CANCELLED
    owner.close()
    stranger.close()
    with pytest.raises(JobNotFound):
        fault_printer.job_state(987654)


# -- cupsd missing, down, hung; bad input ----------------------------------------------------------

def test_unknown_queue_is_printer_missing(cups):
    printer = Printer("no-such-queue", cups.server)
    status = printer.status()
    assert status.problems == ("printer_missing",) and status.detail == "not-found"
    with pytest.raises(PrinterUnavailable) as e:
        printer.print_pdf(receipt_pdf(), RECEIPT)
    assert e.value.code == "printer_missing"
    with pytest.raises(PrinterUnavailable):
        printer.resume()


@pytest.mark.parametrize("where", ["socket", "port"])
def test_no_cupsd_is_printer_missing_at_once(tmp_path, where):
    if where == "socket":
        server = str(tmp_path / "no-cupsd.sock")
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            server = f"127.0.0.1:{s.getsockname()[1]}"  # closed when the block ends
    printer = Printer("sk-pdf", server)
    started = time.monotonic()
    status = printer.status()
    assert status.problems == ("printer_missing",) and status.detail == "unreachable"
    assert status.state == "missing" and not status.ready
    for call in (lambda: printer.print_pdf(receipt_pdf(), RECEIPT),
                 lambda: printer.job_state(1), lambda: printer.wait(1, 10),
                 lambda: printer.cancel(1), printer.resume):
        with pytest.raises(PrinterUnavailable) as e:
            call()
        assert e.value.code == "printer_missing"
    assert time.monotonic() - started < 10


def test_hung_cupsd_times_out(tmp_path):
    """A cupsd that accepts connections and never answers (stuck) costs `timeout`, no more."""
    path = tmp_path / "hung.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        printer = Printer("sk-pdf", str(path), timeout=0.5)
        started = time.monotonic()
        status = printer.status()
        assert status.problems == ("printer_missing",) and status.detail == "timeout"
        with pytest.raises(PrinterUnavailable) as e:
            printer.print_pdf(receipt_pdf(), RECEIPT)
        assert e.value.detail == "timeout"
        assert time.monotonic() - started < 4
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()


def test_cupsd_going_away_is_noticed():
    with CupsRig() as rig:
        printer = Printer(rig.pdf_queue, rig.server)
        assert printer.status().ready
        rig.stop()
        started = time.monotonic()
        assert printer.status().problems == ("printer_missing",)
        with pytest.raises(PrinterUnavailable):
            printer.print_pdf(receipt_pdf(), RECEIPT)
        assert time.monotonic() - started < 5


@pytest.mark.parametrize(("args", "kwargs"), [
    ((b"not a pdf", RECEIPT), {}),
    ((receipt_pdf(), "Budi Santoso"), {}),  # spaces: no names as titles
    ((receipt_pdf(), ""), {}),
    ((receipt_pdf(), "x" * 65), {}),
    ((receipt_pdf(), RECEIPT), {"copies": 0}),
    ((receipt_pdf(), RECEIPT), {"copies": 100}),
    ((receipt_pdf(), RECEIPT), {"media": "A4; rm -rf"}),
])
def test_bad_arguments_are_refused_before_cupsd(args, kwargs):
    printer = Printer("sk-pdf", "/nonexistent/cups.sock")
    with pytest.raises(ValueError):
        printer.print_pdf(*args, **kwargs)


def test_bad_queue_name_refused():
    with pytest.raises(ValueError):
        Printer("../etc", "/nonexistent/cups.sock")
