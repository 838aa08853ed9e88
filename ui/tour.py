"""`make tour`: one full session on the real stack, offscreen, with a PNG of every screen.

Leaves in build/tour/: NN-<screen>-<lang>.png for each step, application.pdf (the application
copy the kiosk sent) and application-page1.png, receipt.pdf and receipt.png (the slip the
virtual printer got, when CUPS can run here), for people to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from devices.demo_cards import demo_card  # noqa: E402
from devices.pcsc import ReaderAttached, ReaderDetached  # noqa: E402
from terminal.devstack import ROOT, DevStack  # noqa: E402
from terminal.hours import OpeningHours  # noqa: E402
from terminal.session import Screen  # noqa: E402
from ui.driver import KioskDriver, running_kiosk  # noqa: E402


class Tour:
    def __init__(self, out: Path, window, driver: KioskDriver):
        self.out, self.window, self.d = out, window, driver
        self.n = 0

    def shot(self, name: str) -> None:
        QApplication.processEvents()
        self.n += 1
        lang = self.d.session.language
        path = self.out / f"{self.n:02d}-{name}-{lang}.png"
        self.window.grab().save(str(path))
        print(f"tour: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def both(self, name: str) -> None:
        """The screen in landscape (1280×800), then in portrait (800×1280)."""
        self.shot(name)
        self.window.resize(800, 1280)
        for _ in range(3):
            QApplication.processEvents()
        self.shot(f"{name}-portrait")
        self.window.resize(1280, 800)
        QApplication.processEvents()


def _make_ready(stack, number: str) -> None:
    """What the village office does with an application: checks it, signs the letter."""
    from datetime import date

    from backoffice.db import make_engine, make_sessionmaker
    from backoffice.issuing import issue_letter_committed
    from backoffice.lifecycle import MENUNGGU_TANDA_TANGAN, Staff, transition
    from backoffice.settings import Settings
    from forms.issued import Signer

    engine = make_engine(Settings.load(stack.backoffice.config_path).database_url)
    try:
        sessions = make_sessionmaker(engine)
        with sessions() as db, db.begin():
            transition(db, number, MENUNGGU_TANDA_TANGAN, Staff("Rina", "operator"))
        issue_letter_committed(sessions, number, Signer("Mohamad Arifin", "Kepala Desa"),
                               Staff("Budi", "sekdes"), date.today())
    finally:
        engine.dispose()


def villager_walk(t: Tour, d: KioskDriver, stack, config, out: Path, lang: str) -> None:
    """Every screen a villager meets, in one language (portrait shots in Indonesian only)."""
    window, s = d.window, d.session
    first = lang == "id"
    shot = t.both if first else t.shot
    s.set_language(lang)
    if not first:
        shot("attract")

    with stack.card("bank"):
        d.wait_for(Screen.MESSAGE)
        t.shot("message-not-ektp")
    stack.rig.wait_for_card(False)
    d.wait_for(Screen.ATTRACT)

    with stack.card("unregistered"):
        d.wait_for(Screen.PIN)
        d.enter_pin("123456")
        d.wait_for(Screen.MESSAGE, timeout=10)
        t.shot("message-card-unknown")
    stack.rig.wait_for_card(False)

    with stack.card("siti"):
        d.wait_for(Screen.PIN)
        shot("pin")
        d.enter_pin("000000")
        d.wait_until(lambda: s.notice is not None, what="wrong PIN message")
        for digit in "2412":
            d.click(f"pin_{digit}")
        t.shot("pin-wrong")
        for _ in range(4):
            d.click("pin_erase")
        d.enter_pin(demo_card("siti").pin)
        d.wait_for(Screen.CHECKING)
        t.shot("checking")
        d.wait_for(Screen.CHOOSE_LETTER, timeout=10)
        shot("choose-letter")
        d.click("letter_kelahiran")
        d.choose("jenis_kelamin_bayi", "P")
        t.shot("fill-kelahiran")
        d.click("back")
        d.click("letter_domisili")
        shot("fill")
        d.type_into("keperluan", "")
        d.click("fill_next")
        t.shot("fill-missing")
        d.type_into("keperluan", "Persyaratan pengajuan bantuan modal usaha warung")
        window.idle.last -= config.idle_warning_s + 3  # as if untouched for 48 s
        window.idle.check()
        t.shot("idle-warning")
        window.idle.touch()
        d.click("fill_next")
        d.wait_for(Screen.REVIEW)
        d.wait_until(lambda: window.screens[Screen.REVIEW].preview.pages,
                     what="page preview")
        shot("review")
        if first:
            (out / "application.pdf").write_bytes(s.pdf)
        printer = stack.printer
        if printer is not None:  # the receipt printer runs out of paper just now
            printer.set_fault("media-empty-error")
        d.click("review_confirm")
        shot("receipt")
        if printer is not None:
            d.wait_until(lambda: s.receipt.printing == "paper_out", timeout=25,
                         what="the printer's paper-out")
            shot("receipt-paper-out")
            printer.set_fault(None)  # paper back in, while the villager is still there
            d.wait_until(lambda: s.receipt.printing == "printed", timeout=40, what="printing")
        d.wait_until(lambda: s.receipt and s.receipt.delivered, what="delivery")
        number = s.receipt.application_number
        t.shot("receipt-delivered")
        if printer is not None and first:
            printed = sorted(printer.fault_dir.glob("job-*.out"), key=lambda p: p.stat().st_mtime)
            if printed:
                (out / "receipt.pdf").write_bytes(printed[-1].read_bytes())
        # The satisfaction survey (SKM), offered on the receipt: anonymous, nine questions.
        d.click("survey_start")
        shot("survey")
        for score in (4, 3, 4, 4, 3, 4, 4, 2, 3):
            d.click(f"survey_answer_{score}")
        t.shot("survey-thanks")
        d.click("survey_done")
    stack.rig.wait_for_card(False)
    d.wait_for(Screen.ATTRACT)

    # Three wrong PINs lock the card at the village office.
    with stack.card("bagus"):
        d.wait_for(Screen.PIN)
        for _ in range(3):
            if s.screen is Screen.PIN:
                d.enter_pin("000000")
                d.wait_until(lambda: s.notice is not None, timeout=10, what="the PIN answer")
        d.wait_for(Screen.MESSAGE, timeout=10)
        t.shot("message-pin-locked")
    stack.rig.wait_for_card(False)
    d.wait_for(Screen.ATTRACT)

    # The village office signs the letter; Siti comes back to check on it.
    _make_ready(stack, number)
    with stack.card("siti"):
        d.wait_for(Screen.PIN)
        d.enter_pin(demo_card("siti").pin)
        d.wait_for(Screen.CHOOSE_LETTER, timeout=10)
        d.click("status_open")
        d.wait_until(lambda: s.requests, timeout=10, what="the status list")
        shot("status")
        # A complaint (pengaduan), with the 4-hour promise.
        d.click("back")
        d.click("complaint_open")
        shot("complaint-category")
        d.click("complaint_fasilitas_kantor")
        shot("complaint-form")
        d.type_into("complaint_text", "Kursi di ruang tunggu kantor desa banyak yang rusak.")
        d.type_into("complaint_phone", "0812")
        d.click("complaint_next")
        t.shot("complaint-form-errors")
        d.type_into("complaint_phone", "081234567890")
        d.click("complaint_next")
        shot("complaint-review")
        d.click("complaint_confirm")
        shot("complaint-sent")
    d.wait_for(Screen.ATTRACT)
    t.shot("attract-card-removed")

    # The card reader unplugged: the start screen says to tell the staff.
    reader = next(iter(d.kiosk.readers))
    d.kiosk.handle_card_event(ReaderDetached(reader=reader))
    t.shot("attract-reader-missing")
    d.kiosk.handle_card_event(ReaderAttached(reader=reader))


def chip_reading(t: Tour, stack) -> None:
    """A kiosk with a licensed chip reader ([card] identity = "chip") reads the biodata off
    the e-KTP first: its "do not lift the card" screen, in both languages."""
    config = stack.kiosk_config(identity="chip", sam_reader=stack.rig.sam_reader)
    with running_kiosk(config, size=(1280, 800)) as d:
        read = d.kiosk.services.read_chip  # held a moment, as a slow chip is, for the picture
        d.kiosk.services.read_chip = lambda reader: (time.sleep(1.0), read(reader))[1]
        d.wait_until(lambda: d.kiosk.reader_ready, what="reader ready")
        shots, t.window, t.d = (t.window, t.d), d.window, d
        try:
            for lang in ("id", "en"):
                d.session.set_language(lang)
                with stack.card("siti"):
                    d.wait_for(Screen.READING)
                    t.shot("reading-chip")
                    # (the demo card has no virtual chip behind it: the read ends in "card
                    # unreadable"; bench/bench_card.py reads a real virtual chip and SAM)
                    d.wait_until(lambda: d.session.screen is not Screen.READING, timeout=15,
                                 what="the end of the chip read")
                stack.rig.wait_for_card(False)
                d.wait_for(Screen.ATTRACT)
        finally:
            t.window, t.d = shots


def sleeping(t: Tour, d: KioskDriver, stack) -> None:
    """Outside the opening hours ([kiosk] opening_hours): the sleep screen, and what a card
    tapped there is told, in both languages. The kiosk's clock is set to a Tuesday evening
    (not waited for), then given back."""
    kiosk, window, s = d.kiosk, d.window, d.session
    kiosk.hours = OpeningHours.parse("mon-fri 07:00-21:00; sat 08:00-12:00")
    kiosk.clock = lambda: datetime(2026, 11, 24, 21, 30, tzinfo=kiosk.config.tz)
    try:
        for lang in ("id", "en"):
            s.set_language(lang)
            window.check_hours()
            d.wait_for(Screen.CLOSED)
            (t.both if lang == "id" else t.shot)("sleep")
            with stack.card("siti"):
                d.wait_until(lambda: s.notice is not None, what="the closed message")
                t.shot("sleep-card")
            stack.rig.wait_for_card(False)
            d.wait_until(lambda: s.notice is None, what="the message gone with the card")
    finally:
        kiosk.hours, kiosk.clock = kiosk.config.opening_hours, kiosk.services.now
        window.check_hours()
    d.wait_for(Screen.ATTRACT)


def run(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("[0-9][0-9]-*.png"):
        old.unlink()
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive
    with DevStack(ROOT / "build" / "tour-stack", printer="optional") as stack:
        config = stack.kiosk_config(retry_base_s=0.2, retry_cap_s=1.0)
        with running_kiosk(config, size=(1280, 800)) as d:
            kiosk, window, s = d.kiosk, d.window, d.session
            t = Tour(out, window, d)
            # Let the checking screen be seen: the demo link answers faster than a village's fibre.
            identify = kiosk.services.identify
            kiosk.services.identify = lambda card, pin: (time.sleep(0.7), identify(card, pin))[1]
            d.wait_until(lambda: kiosk.reader_ready, what="reader ready")
            t.both("attract")

            # The staff's maintenance screen: five taps on the village name, the staff PIN.
            for _ in range(5):
                QTest.mouseClick(window.village, Qt.LeftButton)
            t.shot("staff-pin")
            for digit in "246810":
                d.click(f"staff_pin_{digit}")
            d.click("staff_pin_ok")
            d.wait_until(lambda: "<table" in window.maintenance.rows.text(), what="staff state")
            t.shot("staff-state")
            d.click("staff_close")

            villager_walk(t, d, stack, config, out, "id")
            villager_walk(t, d, stack, config, out, "en")
            if stack.printer is not None:  # the staff screen with the printer's state
                for _ in range(5):
                    QTest.mouseClick(window.village, Qt.LeftButton)
                for digit in "246810":
                    d.click(f"staff_pin_{digit}")
                d.click("staff_pin_ok")
                d.click("staff_test_printer")
                d.wait_until(lambda: window.maintenance.printer_result.text().endswith("."),
                             timeout=30, what="the printer test")
                t.both("staff-printer-test")
                d.click("staff_close")
            sleeping(t, d, stack)
            s.set_language("id")
        chip_reading(t, stack)  # a second kiosk, once the first one has stopped
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                        str(out / "application.pdf"), str(out / "application-page1")], check=True)
        if (out / "receipt.pdf").exists():  # the slip as the printer got it
            subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile",
                            str(out / "receipt.pdf"), str(out / "receipt")], check=True)
    print(f"tour: {t.n} screenshots and the application PDF are in {out}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    run(Path(argv[0]) if argv else ROOT / "build" / "tour")
    return 0


if __name__ == "__main__":
    sys.exit(main())
