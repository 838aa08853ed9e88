"""Kiosk hardening and the staff maintenance screen.

The staff PIN rules (terminal/maintenance.py) plainly; the key filter with real key events; the
gesture, PIN pad and state page on the real kiosk window over the real stack (pcscd + vpcd, the
back office on loopback), offscreen.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QPushButton

from backoffice.demo import DEMO_RESIDENTS
from terminal.maintenance import LOCKOUT_S, StaffAccess, hash_pin, main
from terminal.session import Screen
from ui.maintenance import KioskKeyFilter

STAFF_PIN = "246810"  # the demo kiosk's (deploy/demo/kiosk.toml)


@pytest.fixture(scope="module")
def staff_hash():
    return hash_pin("13572468")


def test_staff_pin_right_wrong_lockout_and_release(staff_hash):
    now = [0.0]
    access = StaffAccess(staff_hash, clock=lambda: now[0])
    assert access.check("13572468") == "ok"
    assert [access.check("00000000") for _ in range(3)] == ["wrong", "wrong", "locked"]
    assert access.check("13572468") == "locked"  # even the right PIN, for a while
    now[0] += LOCKOUT_S + 1
    assert access.check("13572468") == "ok"
    assert access.check("12") == "wrong" and access.check("1357246a") == "wrong"
    assert StaffAccess("").check("13572468") == "disabled"


def test_hash_pin_command_line(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("24681357\n"))
    assert main(["hash-pin"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('staff_pin_hash = "$argon2id$')
    assert StaffAccess(line.split('"')[1]).check("24681357") == "ok"
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["hash-pin"]) == 1


@pytest.mark.parametrize("key, mods", [
    (Qt.Key_F4, Qt.AltModifier), (Qt.Key_Tab, Qt.AltModifier), (Qt.Key_Q, Qt.ControlModifier),
    (Qt.Key_W, Qt.ControlModifier), (Qt.Key_Escape, Qt.NoModifier),
])
def test_keys_that_leave_the_app_do_nothing_in_kiosk_mode(qtbot, key, mods):
    field = QLineEdit()
    qtbot.addWidget(field)
    keys = KioskKeyFilter()
    field.installEventFilter(keys)
    assert keys.eventFilter(field, QKeyEvent(QEvent.KeyPress, key, mods)) is True
    assert keys.eventFilter(field, QKeyEvent(QEvent.KeyPress, Qt.Key_A, Qt.NoModifier)) is False
    qtbot.keyClicks(field, "rt 3")  # ordinary typing still reaches the field
    assert field.text() == "rt 3"


def _tap_village_name(window, qtbot, times=5):
    for _ in range(times):
        qtbot.mouseClick(window.village, Qt.LeftButton)


def _type_staff_pin(panel, qtbot, pin: str) -> None:
    keys = {b.property("action"): b for b in panel.findChildren(QPushButton)}
    for digit in pin:
        qtbot.mouseClick(keys[f"staff_pin_{digit}"], Qt.LeftButton)
    qtbot.mouseClick(keys["staff_pin_ok"], Qt.LeftButton)


@pytest.mark.pcsc
def test_the_staff_gesture_pin_and_state_page(stack, kiosk_app, qtbot):
    kiosk, window = kiosk_app
    panel = window.maintenance
    assert kiosk.session.screen is Screen.ATTRACT
    _tap_village_name(window, qtbot, 4)
    assert not panel.isVisible()
    _tap_village_name(window, qtbot, 1)
    assert panel.isVisible() and panel.pages.currentIndex() == 0
    _type_staff_pin(panel, qtbot, "000000")
    assert panel.pages.currentIndex() == 0 and "salah" in panel.prompt.text()
    _type_staff_pin(panel, qtbot, STAFF_PIN)
    assert panel.pages.currentIndex() == 1
    # The state is asked off the GUI thread (CUPS and pcscd may hang): "checking" first.
    assert panel.rows.text() == "Memeriksa…"
    qtbot.waitUntil(lambda: "<table" in panel.rows.text(), timeout=10000)
    shown = panel.rows.text()
    assert kiosk.config.kiosk_id in shown and "Antrean kirim" in shown
    assert "siap" in shown  # the reader the stack runs
    qtbot.mouseClick(panel.test_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: stack.rig.card_reader.split()[0] in panel.reader_result.text(),
                    timeout=10000)
    for r in DEMO_RESIDENTS:  # counts and states only
        assert r.name not in shown and r.nik not in shown
    # The printer (the stack's virtual one): its state, a test page, the waiting receipts.
    assert "Printer" in shown and "Tanda terima belum tercetak" in shown
    stack.printer.set_fault("media-empty-error")
    try:
        qtbot.mouseClick(panel.test_printer_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: "tidak tercetak" in panel.printer_result.text(), timeout=20000)
        assert "kertas habis" in panel.printer_result.text()
        qtbot.waitUntil(lambda: "berhenti" in panel.rows.text()
                        or "bermasalah" in panel.rows.text(), timeout=10000)
    finally:
        stack.printer.set_fault(None)
    qtbot.mouseClick(panel.test_printer_button, Qt.LeftButton)  # fixed: the queue restarts
    qtbot.waitUntil(lambda: panel.printer_result.text() == "Halaman uji tercetak.",
                    timeout=20000)
    qtbot.mouseClick(panel.reprint_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.printer_result.text().endswith("dikirim ke pencetak."),
                    timeout=10000)
    for size in ((1280, 800), (800, 1280)):  # every action's words fit on its button
        window.resize(*size)
        qtbot.wait(50)
        cut = [b.text() for b in (panel.test_button, panel.test_printer_button,
                                  panel.reprint_button, panel.exit_button)
               if b.width() < b.sizeHint().width()]
        assert not cut, f"{size}: {cut}"
    window.resize(1280, 800)
    with qtbot.waitSignal(panel.quit_requested):
        qtbot.mouseClick(panel.exit_button, Qt.LeftButton)
    qtbot.mouseClick(panel.close_button, Qt.LeftButton)
    assert not panel.isVisible() and panel.rows.text() == ""


@pytest.mark.pcsc
def test_no_staff_gesture_during_a_villagers_session(stack, kiosk_app, cards, qtbot):
    kiosk, window = kiosk_app
    cards("siti")
    qtbot.waitUntil(lambda: kiosk.session.screen is Screen.PIN, timeout=8000)
    _tap_village_name(window, qtbot)
    assert not window.maintenance.isVisible()


@pytest.mark.pcsc
def test_a_full_screen_kiosk_window_cannot_be_closed_but_by_staff(stack, kiosk_app, qtbot):
    kiosk, window = kiosk_app
    window.showFullScreen()
    try:
        window.close()
        assert window.isVisible()
    finally:
        window.showNormal()


def test_a_hung_printer_or_reader_service_never_freezes_the_staff_screen(qtbot, staff_hash):
    """The state and the reader list come from CUPS and pcscd, which can hang: the screen says
    "checking", stays responsive, and shows the answer when it comes (no hardware needed: the
    slow answers are stand-ins for a hung cupsd/pcscd, which cannot be made to hang on cue)."""
    import threading

    from PySide6.QtWidgets import QWidget

    from terminal.maintenance import KioskStatus
    from ui.bridge import QtRunner
    from ui.maintenance import MaintenancePanel

    release = threading.Event()

    def slow_status() -> KioskStatus:
        release.wait(10)
        return KioskStatus("kios-uji", ("ACS ACR1252U",), True, True, 0, 0, None, "ready")

    def broken_readers() -> list[str]:
        release.wait(10)
        raise OSError("pcscd gone")

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(1280, 800)
    parent.show()
    panel = MaintenancePanel(parent, StaffAccess(staff_hash), slow_status, broken_readers,
                             runner=QtRunner())
    panel.open_panel("id")
    _type_staff_pin(panel, qtbot, "13572468")
    assert panel.pages.currentIndex() == 1 and panel.rows.text() == "Memeriksa…"
    qtbot.mouseClick(panel.test_button, Qt.LeftButton)  # returns at once, too
    assert panel.reader_result.text() == "Memeriksa…"
    qtbot.wait(200)  # the event loop runs meanwhile; nothing arrived yet
    assert panel.rows.text() == "Memeriksa…"
    release.set()
    qtbot.waitUntil(lambda: "kios-uji" in panel.rows.text(), timeout=5000)
    qtbot.waitUntil(lambda: "OSError" in panel.reader_result.text(), timeout=5000)
    assert "tidak ditemukan" in panel.reader_result.text()
    panel.close_panel()  # an answer arriving after the staff closed the screen is dropped
    panel._show_status(panel._asked, slow_status())
    assert panel.rows.text() == ""

    def broken_status() -> KioskStatus:
        raise OSError("disk gone")

    panel.status = broken_status  # the state itself cannot be read: said, not "checking…"
    panel.open_panel("id")
    _type_staff_pin(panel, qtbot, "13572468")
    qtbot.waitUntil(lambda: panel.rows.text().startswith("Keadaan kios tidak dapat dibaca"),
                    timeout=5000)


@pytest.mark.pcsc
def test_staff_see_what_was_set_aside_and_send_it_again_once_fixed(stack, kiosk_app, qtbot):
    """The back office refuses an application of a resident it does not know (422): it is
    set aside on the kiosk. The staff screen lists its number and the answer (nothing
    personal); the clerk adds the resident at the office, presses "send again", and it is
    delivered."""
    import dataclasses

    from backoffice.db import make_engine, make_sessionmaker
    from backoffice.registry import upsert_resident
    from backoffice.settings import Settings
    from forms.application import Application
    from forms.render import render_application

    kiosk, window = kiosk_app
    newcomer = dataclasses.replace(DEMO_RESIDENTS[0], nik="3510154505990002",
                                   name="Warga Baru Pindahan")
    letter = kiosk.session.catalogue.get("domisili")
    app = Application(
        application_number=kiosk.services.next_application_number(kiosk.services.now()),
        letter="domisili", village_code=kiosk.config.village.code,
        kiosk_id=kiosk.config.kiosk_id, created_at=kiosk.services.now(), resident=newcomer,
        values={"keperluan": "Persyaratan melamar pekerjaan"})
    kiosk.services.enqueue(app, render_application(app, letter, kiosk.config.village))
    qtbot.waitUntil(lambda: kiosk.outbox.stats().set_aside == 1, timeout=20000)

    panel = window.maintenance
    _tap_village_name(window, qtbot)
    _type_staff_pin(panel, qtbot, STAFF_PIN)
    qtbot.waitUntil(lambda: "<table" in panel.rows.text(), timeout=10000)
    shown = panel.rows.text()
    assert f"{app.application_number} (422 resident_unknown)" in shown
    assert newcomer.name not in shown and newcomer.nik not in shown
    assert panel.requeue_button.isVisible()

    settings = Settings.load(stack.backoffice.config_path)
    with make_sessionmaker(make_engine(settings.database_url))() as s, s.begin():
        upsert_resident(s, kiosk.config.village.code, newcomer)  # the clerk's fix
    qtbot.mouseClick(panel.requeue_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.requeue_result.text()
                    == "1 kiriman dikirim ulang ke kantor desa.", timeout=10000)
    qtbot.waitUntil(lambda: (kiosk.outbox.stats().pending, kiosk.outbox.stats().set_aside)
                    == (0, 0), timeout=20000)
    qtbot.waitUntil(lambda: "(422" not in panel.rows.text(), timeout=10000)
    assert not panel.requeue_button.isVisible()
    panel.close_panel()


def test_action_buttons_close_up_when_one_is_hidden_and_make_room_when_shown(qtbot):
    """A kiosk without a printer hides its printer buttons; the set-aside button comes and
    goes: the grid follows by itself, no hole where a hidden button was."""
    from PySide6.QtWidgets import QWidget

    from ui.screens import ReflowGrid

    page = QWidget()
    qtbot.addWidget(page)
    buttons = [QPushButton(name) for name in ("a", "b", "c", "d")]
    buttons[0].hide()  # hidden before the grid is made
    grid = ReflowGrid(buttons, 2, 1, 12)
    page.setLayout(grid)
    page.show()

    def cells():
        return {b.text(): grid.getItemPosition(grid.indexOf(b))[:2]
                for b in buttons if grid.indexOf(b) >= 0}

    assert cells() == {"b": (0, 0), "c": (0, 1), "d": (1, 0)}
    buttons[2].hide()
    assert cells() == {"b": (0, 0), "d": (0, 1)}
    buttons[0].show()
    assert cells() == {"a": (0, 0), "b": (0, 1), "d": (1, 0)}
    grid.fit(800)  # portrait: one column, the same order
    assert cells() == {"a": (0, 0), "b": (1, 0), "d": (2, 0)}
