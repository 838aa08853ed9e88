"""Printing the villager's receipt slip and application copy, and what to do when it fails.

No Qt. `ReceiptPrinting` renders the receipt (forms.receipt) and sends it, and the application
copy where the kiosk has a second (A4/F4) queue, to CUPS through `devices.printer`. It runs on
the session's worker threads and answers with a `PrintOutcome`: printed, or the printer's
problem codes (paper_out, paper_jam, …) for the receipt screen to put into words.

Privacy rule: a job that cannot print while the villager stands at the kiosk is cancelled when
they leave (`abandon`). Otherwise the application copy, with their name and NIK, would come out
later into the hands of whoever stands there when the staff refill the paper. The villager keeps
the number and QR code on the screen; the application itself is safe in the outbox, whatever
the printer does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from devices.printer import (
    OTHER,
    WARNING_CODES,
    JobState,
    Printer,
    PrinterError,
    PrinterStatus,
    PrintJob,
)
from forms.application import Application
from forms.catalogue import Letter
from forms.receipt import render_printer_test, render_receipt
from forms.village import VillageProfile

log = logging.getLogger(__name__)

RESUME_EVERY_S = 10.0  # while a villager waits on a printer fault
UNPRINTED_KEPT = 20  # receipt slips kept for the staff to print later (oldest dropped)


@dataclass(frozen=True)
class PrintOutcome:
    """`printed`: every document came out. Else `problem`: one code for the villager."""

    printed: bool
    problem: str = ""

    @classmethod
    def failed(cls, status: PrinterStatus) -> PrintOutcome:
        faults = [p for p in status.problems if p not in WARNING_CODES]
        return cls(False, faults[0] if faults else OTHER)


class ReceiptPrinting:
    """The kiosk's receipt queue (and optional copy queue), one villager's jobs at a time."""

    def __init__(self, receipt_printer: Printer, copy_printer: Printer | None,
                 village: VillageProfile, paper: str = "80mm", wait_s: float = 20.0,
                 fix_wait_s: float = 120.0):
        self.receipt_printer = receipt_printer
        self.copy_printer = copy_printer
        self._village = village
        self._paper = paper
        self._wait_s = wait_s
        self._fix_wait_s = fix_wait_s
        self.prints_copy = copy_printer is not None
        self._lock = threading.Lock()
        self._jobs: dict[str, list[tuple[Printer, PrintJob]]] = {}  # by receipt key
        # Receipt slips that did not come out (no name, no NIK on them: see forms.receipt),
        # for the staff to print from the maintenance screen and keep for the pickup.
        self._receipts: dict[str, tuple[str, bytes]] = {}  # key → (number, receipt PDF)
        self.unprinted: deque[tuple[str, bytes]] = deque(maxlen=UNPRINTED_KEPT)

    def print_receipt(self, key: str, application: Application, letter: Letter,
                      pdf: bytes) -> PrintOutcome:
        """Render and send the receipt (and the copy), then follow them (worker thread)."""
        receipt = render_receipt(application, letter, self._village, self._paper)
        with self._lock:
            self._receipts[key] = (application.application_number, receipt)
        documents = [(self.receipt_printer, receipt)]
        if self.copy_printer is not None:
            documents.append((self.copy_printer, pdf))
        for printer, _ in documents:
            self._restart(printer)  # stopped on the last villager's fault, since fixed?
        title = application.application_number  # never a name: titles show in CUPS's lists
        jobs, refused = [], None
        for printer, document in documents:
            try:
                jobs.append((printer, printer.print_pdf(document, title)))
            except PrinterError as e:
                log.warning("printing: document not sent to %s (%s)", printer.queue,
                            e.code or type(e).__name__)
                refused = refused or printer
        self._keep(key, jobs)
        outcome = self.follow(key)
        if refused is not None:  # what was sent may have come out; this one never will
            self.abandon(key)
            return PrintOutcome.failed(refused.status())
        return outcome

    def follow(self, key: str, until_printed: bool = False) -> PrintOutcome:
        """Wait for the jobs of `key` (worker thread): until printed or stuck on a fault; or,
        `until_printed`, through a fault the staff may fix while the villager waits (up to
        `fix_wait_s`): the stopped queue is restarted every RESUME_EVERY_S, so refilled paper
        is enough, nobody has to touch the kiosk."""
        with self._lock:
            jobs = self._jobs.get(key)
            if not jobs:  # nothing (more) to follow: refused, or abandoned
                return PrintOutcome.failed(self.receipt_printer.status())
            jobs = list(jobs)
        for printer, job in jobs:
            deadline = time.monotonic() + (self._fix_wait_s if until_printed else 0)
            try:
                state = printer.wait(job, self._wait_s)
                while (until_printed and not state.finished
                       and time.monotonic() < deadline):
                    self._restart(printer)
                    state = printer.wait(job, min(RESUME_EVERY_S, deadline - time.monotonic()),
                                         until_blocked=False)
            except PrinterError as e:
                log.warning("printing: job %s not followed (%s)", job.id, e.code)
                return PrintOutcome.failed(printer.status())
            if state is not JobState.COMPLETED:
                if state.finished:  # aborted or cancelled by someone: it will not come out
                    log.warning("printing: job %s %s", job.id, state.value)
                    return PrintOutcome(False, OTHER)
                return PrintOutcome.failed(printer.status())
        with self._lock:
            self._jobs.pop(key, None)
            self._receipts.pop(key, None)
        return PrintOutcome(True)

    @staticmethod
    def _restart(printer: Printer) -> None:
        """A queue CUPS stopped on a fault starts again (if the fault remains, CUPS stops it
        again and says why)."""
        status = printer.status()
        if status.stopped and not status.missing:
            try:
                printer.resume()
            except PrinterError as e:
                log.warning("printing: %s not restarted (%s)", printer.queue, e.code)

    def abandon(self, key: str) -> None:
        """The villager left: cancel what has not printed, so nobody else gets it."""
        with self._lock:
            jobs = self._jobs.pop(key, [])
            receipt = self._receipts.pop(key, None)
        for printer, job in jobs:
            try:
                if not printer.job_state(job).finished:
                    printer.cancel(job)
                    log.info("printing: job %s cancelled (the villager has left)", job.id)
            except PrinterError as e:
                log.warning("printing: job %s could not be cancelled (%s)", job.id, e.code)
        if receipt is not None:
            with self._lock:
                self.unprinted.append(receipt)

    def _keep(self, key: str, jobs: list[tuple[Printer, PrintJob]]) -> None:
        with self._lock:
            self._jobs[key] = jobs

    def reprint_unprinted(self) -> int:
        """The staff's "print the receipts that did not come out" (worker thread): how many
        were sent; those the printer refuses stay for the next try."""
        sent = 0
        while True:
            with self._lock:
                if not self.unprinted:
                    return sent
                number, receipt = self.unprinted.popleft()
            try:
                self.receipt_printer.print_pdf(receipt, number)
            except PrinterError:
                with self._lock:
                    self.unprinted.appendleft((number, receipt))
                return sent
            sent += 1

    def test_page(self) -> PrintOutcome:
        """The staff's printer test: one small page, followed like a receipt."""
        key = "test-page"
        self._restart(self.receipt_printer)  # the staff test after fixing a fault
        try:
            job = self.receipt_printer.print_pdf(
                render_printer_test(self._village, datetime.now()), "test-page")
        except PrinterError:
            return PrintOutcome.failed(self.receipt_printer.status())
        self._keep(key, [(self.receipt_printer, job)])
        outcome = self.follow(key)
        if not outcome.printed:
            self.abandon(key)
        return outcome

    def status(self) -> PrinterStatus:
        """The receipt printer's state (the heartbeat and the staff screen)."""
        return self.receipt_printer.status()

    def close(self) -> None:
        for printer in (self.receipt_printer, self.copy_printer):
            if printer is not None:
                printer.close()
