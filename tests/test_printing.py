"""The receipt and the application copy printed for the villager, on a real cupsd (issue #7
item 9, issue #9 item 1): the session's receipt screen while it prints, when the printer is out
of paper (said, followed, printed when the paper is back), and when the villager leaves first
(cancelled, never printed for the next person; the slip kept for the staff).

Real parts: devices/cups_rig.py's private cupsd with a cups-pdf queue and a queue whose test
backend reports a fault; the real session and ReportLab receipt. The back office is a stand-in
(tests/test_feedback_session.py's Services): printing never talks to it.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time

import pytest

from devices.cups_rig import CupsRig
from devices.ektp import ektp_type_b_atr
from devices.printer import Printer
from forms.catalogue import load_catalogue
from forms.samples import KEMIREN
from terminal.printing import ReceiptPrinting
from terminal.session import Screen, Session
from tests.test_feedback_session import KEY, UID, Services


class ThreadRunner:
    """Work on threads, answers handed back on the test's thread (as QtRunner does)."""

    def __init__(self):
        self.answers: queue.Queue = queue.Queue()

    def run(self, work, done):
        threading.Thread(target=lambda: self.answers.put((done, work())), daemon=True).start()

    def until(self, condition, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            assert left > 0, "timed out"
            try:
                done, result = self.answers.get(timeout=left)
            except queue.Empty:
                continue
            done(result)


@pytest.fixture(scope="module")
def cups():
    with CupsRig() as rig:
        yield rig


@pytest.fixture
def fixed(cups):
    yield
    cups.set_fault(None)
    cups.run("cancel", "-a", cups.fault_queue, check=False)
    cups.run("cupsenable", cups.fault_queue, check=False)


def kiosk(printing: ReceiptPrinting | None) -> tuple[Session, ThreadRunner]:
    runner = ThreadRunner()
    s = Session(kiosk_id="KMR01", village=KEMIREN, village_key=KEY, catalogue=load_catalogue(),
                services=Services(), runner=runner, printer=printing)
    return s, runner


def apply(s: Session, runner: ThreadRunner) -> str:
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    runner.until(lambda: s.screen is Screen.CHOOSE_LETTER)
    s.choose_letter("domisili")
    s.submit_fields({"keperluan": "Persyaratan melamar pekerjaan"})
    runner.until(lambda: s.screen is Screen.REVIEW and s.pdf is not None)
    s.confirm()
    assert s.screen is Screen.RECEIPT and not s.holds_personal_data()
    return s.receipt.application_number


def applied_out_of_paper(cups):
    """A villager's application confirmed while the receipt printer is out of paper."""
    cups.set_fault("media-empty-error")
    printing = ReceiptPrinting(Printer(cups.fault_queue, cups.server), None, KEMIREN,
                               wait_s=10, fix_wait_s=60)
    s, runner = kiosk(printing)
    return printing, s, runner, apply(s, runner)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_receipt_and_the_copy_come_out_and_the_screen_says_so(cups):
    printing = ReceiptPrinting(Printer(cups.pdf_queue, cups.server),
                               Printer(cups.pdf_queue, cups.server), KEMIREN)
    before = set(cups.pdf_outputs())
    s, runner = kiosk(printing)
    number = apply(s, runner)
    assert s.receipt.printing == "printing" and s.prints_copy
    runner.until(lambda: s.receipt.printing != "printing")
    assert s.receipt.printing == "printed" and s.notice is None
    deadline = time.monotonic() + 10
    while len(set(cups.pdf_outputs()) - before) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    texts = [pdf_text(p) for p in sorted(set(cups.pdf_outputs()) - before)]
    assert len(texts) == 2 and all(number in t for t in texts)
    assert any("Bawa saat mengambil surat" in t for t in texts)  # the receipt slip
    assert any("Persyaratan melamar pekerjaan" in t for t in texts)  # the application copy
    assert not printing.unprinted
    printing.close()


def test_out_of_paper_is_said_and_the_receipt_prints_when_the_paper_is_back(cups, fixed):
    printing, s, runner, number = applied_out_of_paper(cups)
    runner.until(lambda: s.receipt.printing != "printing")
    assert s.receipt.printing == "paper_out" and s.notice.code == "printer_paper_out"
    assert s.screen is Screen.RECEIPT and s.receipt.application_number == number
    cups.set_fault(None)  # the staff put paper in; nobody touches the kiosk
    runner.until(lambda: s.receipt.printing == "printed", timeout=40)
    assert s.notice is None
    out = list(cups.fault_dir.glob("job-*.out"))
    assert out and any(number in pdf_text(p) for p in out)
    assert not printing.unprinted
    printing.close()


def test_a_villager_who_leaves_first_gets_nothing_printed_after_them(cups, fixed):
    printing, s, runner, number = applied_out_of_paper(cups)
    runner.until(lambda: s.receipt.printing == "paper_out")
    s.finish()  # "Selesai": the villager photographed the QR code and went
    assert s.screen is Screen.ATTRACT and s.receipt is None
    runner.until(lambda: bool(printing.unprinted), timeout=70)  # the follow-up ends too
    jobs = subprocess.run(["lpstat", "-h", cups.server, "-o", cups.fault_queue],
                          capture_output=True, text=True, env=cups.env()).stdout
    assert jobs.strip() == ""  # cancelled: refilled paper will not print it for someone else
    assert [n for n, _ in printing.unprinted] == [number]
    cups.set_fault(None)
    assert printing.test_page().printed  # the staff test restarts the queue after the fix
    assert printing.reprint_unprinted() == 1 and not printing.unprinted  # the slip, for pickup
    printing.close()


def test_a_kiosk_whose_cupsd_is_gone_says_the_printer_cannot_be_used(tmp_path):
    printing = ReceiptPrinting(Printer("struk", str(tmp_path / "no-cupsd.sock")), None,
                               KEMIREN)
    s, runner = kiosk(printing)
    apply(s, runner)
    started = time.monotonic()
    runner.until(lambda: s.receipt.printing != "printing")
    assert time.monotonic() - started < 10
    assert s.receipt.printing == "printer_missing" and s.notice.code == "printer_unavailable"
    s.finish()
    runner.until(lambda: len(printing.unprinted) == 1)
    printing.close()


def test_without_a_printer_the_receipt_is_on_screen_only():
    s, runner = kiosk(None)
    apply(s, runner)
    assert s.receipt.printing == "" and s.notice is None and not s.prints_copy


# --- on the kiosk's screen ------------------------------------------------------------------


@pytest.mark.pcsc
def test_the_receipt_screen_says_what_the_printer_did(stack, kiosk_app, cards, qtbot):
    from devices.demo_cards import demo_card
    from ui.driver import KioskDriver

    kiosk, window = kiosk_app
    session, printer = kiosk.session, stack.printer
    d = KioskDriver(window)
    screen = window.stack.currentWidget

    def apply_on_screen(language: str) -> None:
        session.set_language(language)
        cards("siti")
        qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=8000)
        d.enter_pin(demo_card("siti").pin)
        qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=8000)
        d.click("letter_domisili")
        d.type_into("keperluan", "Persyaratan melamar pekerjaan")
        d.click("fill_next")
        qtbot.waitUntil(lambda: session.screen is Screen.REVIEW, timeout=8000)
        d.click("review_confirm")
        qtbot.waitUntil(lambda: session.screen is Screen.RECEIPT, timeout=8000)

    try:
        printer.set_fault("media-empty-error")
        apply_on_screen("en")
        qtbot.waitUntil(lambda: session.receipt.printing == "paper_out", timeout=20000)
        receipt = screen()
        assert receipt.notice.isVisible() and "out of paper" in receipt.notice.text()
        assert "Photograph this QR code" in receipt.notice.text() and not receipt.hint.isVisible()
        assert receipt.qr.pixmap() is not None and not receipt.qr.pixmap().isNull()
        printer.set_fault(None)  # paper back in: it prints while the villager is still there
        qtbot.waitUntil(lambda: session.receipt.printing == "printed", timeout=30000)
        assert not receipt.notice.isVisible() and receipt.hint.isVisible()
        assert receipt.paper.text() == ("Take your receipt and your copy of the application "
                                        "from the printer.")
        d.click("receipt_done")
        qtbot.waitUntil(lambda: session.screen is not Screen.RECEIPT, timeout=8000)
    finally:
        printer.set_fault(None)
        printer.run("cancel", "-a", printer.fault_queue, check=False)
        printer.run("cupsenable", printer.fault_queue, check=False)


# --- configuration --------------------------------------------------------------------------


def _config(**printer):
    import tomllib

    from terminal.config import KioskConfig
    from terminal.devstack import DEMO

    raw = tomllib.loads((DEMO / "kiosk.toml").read_text())
    raw["printer"] = printer
    return KioskConfig.from_dict(raw, base_dir=DEMO)


def test_the_printer_section_of_kiosk_toml():
    from terminal.config import ConfigError
    from terminal.kiosk import make_printing

    assert make_printing(_config()) is None  # no queue: the receipt is on screen only
    c = _config(queue="struk", copy_queue="salinan", server="/run/cups/cups.sock", paper="A6")
    assert (c.printer_queue, c.copy_queue, c.printer_server, c.receipt_paper) == (
        "struk", "salinan", "/run/cups/cups.sock", "A6")
    printing = make_printing(c)
    assert printing.prints_copy and printing.copy_printer.queue == "salinan"
    printing.close()
    with pytest.raises(ConfigError, match="paper must be one of"):
        _config(queue="struk", paper="A4")
    with pytest.raises(ConfigError, match="copy_queue needs a receipt queue"):
        _config(copy_queue="salinan")
