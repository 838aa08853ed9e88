"""One villager, one letter, end to end, on the real parts.

The real pcscd with a vpcd virtual reader and a virtual e-KTP, the real back office as its own
process on a loopback port with SQLite, and the real kiosk window (offscreen, pytest-qt).
"""

import io
import logging
import sqlite3

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from backoffice.demo import DEMO_RESIDENTS
from devices.demo_cards import demo_card
from forms.identity import card_fingerprint
from terminal.session import Screen
from ui.driver import KioskDriver

pytestmark = pytest.mark.pcsc
WAIT = 8000  # ms; generous for a busy 2-core machine, never a speed assertion


def click(window, action):
    KioskDriver(window).click(action)


def enter_pin(window, pin):
    KioskDriver(window).enter_pin(pin)


def stored_applications(stack):
    db = sqlite3.connect(stack.backoffice.workdir / "backoffice.sqlite3")
    try:
        sql = "SELECT application_number, payload_json, pdf FROM applications"
        return db.execute(sql).fetchall()
    finally:
        db.close()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fill_and_confirm(window, qtbot, session, purpose):
    KioskDriver(window).apply_for_domicile(purpose)


def sign_in(window, qtbot, session, cards, key):
    card = cards(key)
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=WAIT)
    enter_pin(window, demo_card(key).pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=WAIT)
    return card


def test_a_villager_gets_a_domicile_letter_end_to_end(stack, kiosk_app, cards, qtbot, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk, window = kiosk_app
    session = kiosk.session
    before = len(stored_applications(stack))
    assert session.screen is Screen.ATTRACT
    sign_in(window, qtbot, session, cards, "maruf")
    assert session.resident.name == "Ahmad Ma'ruf"
    fill_and_confirm(window, qtbot, session, "Persyaratan melamar pekerjaan di Surabaya")
    number = session.receipt.application_number
    assert not session.holds_personal_data()  # stored in the outbox: the session forgets
    qtbot.waitUntil(lambda: session.receipt.delivered, timeout=WAIT)
    assert kiosk.outbox.pending_count() == 0

    rows = stored_applications(stack)
    assert len(rows) == before + 1
    (stored_number, payload, pdf), = [r for r in rows if r[0] == number]
    text = pdf_text(pdf)
    assert "3510151701850002" in text and "Ahmad Ma'ruf" in text
    assert "Persyaratan melamar pekerjaan di Surabaya" in payload

    click(window, "receipt_done")
    assert session.screen is Screen.ATTRACT
    assert not session.holds_personal_data() and session.receipt is None
    for w in window.findChildren(QPlainTextEdit):
        assert w.toPlainText() == ""

    # Nothing personal in any log line: the kiosk's records and the back office's log file.
    card = demo_card("maruf")
    secrets = ["3510151701850002", "Ahmad Ma", "Surabaya", card.uid.hex(), card.uid.hex().upper(),
               card_fingerprint(card.uid, kiosk.config.village_key)]
    lines = [r.getMessage() for r in caplog.records]
    lines += stack.backoffice.log_path.read_text().splitlines()
    assert lines, "expected some log lines to check"
    leaks = [(s, line) for line in lines for s in secrets if s in line]
    assert leaks == []


def test_a_wrong_pin_gets_a_clear_message_and_another_try(stack, kiosk_app, cards, qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    cards("siti")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=WAIT)
    enter_pin(window, "999999")
    qtbot.waitUntil(lambda: session.notice is not None, timeout=WAIT)
    assert session.notice.code == "wrong_pin"
    shown = window.screens[Screen.PIN].notice.text()
    assert shown.startswith("PIN salah") and "2" in shown
    session.set_language("en")
    assert window.screens[Screen.PIN].notice.text().startswith("Wrong PIN")
    enter_pin(window, demo_card("siti").pin)  # the right PIN also resets the counter
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=WAIT)


def test_pulling_the_card_mid_session_returns_to_attract_and_wipes(stack, kiosk_app, cards,
                                                                   qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    card = sign_in(window, qtbot, session, cards, "sukarmi")
    click(window, "letter_domisili")
    window.findChild(QPlainTextEdit, "field_keperluan").setPlainText("Mengurus pensiun janda")
    card.remove()  # the villager lifts the card
    qtbot.waitUntil(lambda: session.screen is Screen.ATTRACT, timeout=WAIT)
    assert session.notice.code == "card_removed"
    assert not session.holds_personal_data()
    assert window.findChild(QPlainTextEdit, "field_keperluan") is None
    assert kiosk.outbox.pending_count() == 0


def test_a_card_that_is_not_an_ektp_is_refused_politely(stack, kiosk_app, cards, qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    cards("bank")
    qtbot.waitUntil(lambda: session.screen is Screen.MESSAGE, timeout=WAIT)
    assert window.screens[Screen.MESSAGE].message.text().startswith("Kartu ini bukan e-KTP")


def test_an_unregistered_ektp_is_sent_to_the_village_office(stack, kiosk_app, cards, qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    cards("unregistered")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=WAIT)
    enter_pin(window, "123456")
    qtbot.waitUntil(lambda: session.screen is Screen.MESSAGE, timeout=WAIT)
    assert session.notice.code == "card_unknown"
    assert "daftar di kantor desa" in window.screens[Screen.MESSAGE].message.text()


def test_back_office_down_at_submit_keeps_the_application_and_delivers_it_once(
    stack, kiosk_app, cards, qtbot
):
    kiosk, window = kiosk_app
    session = kiosk.session
    sign_in(window, qtbot, session, cards, "bagus")
    before = len(stored_applications(stack))
    stack.backoffice.stop()
    try:
        fill_and_confirm(window, qtbot, session, "Mendaftar kuliah")
        number = session.receipt.application_number
        assert window.screens[Screen.RECEIPT].status.text().startswith("Permohonan tersimpan")
        qtbot.wait(1500)  # the sender tries, fails, and keeps it
        assert kiosk.outbox.pending_count() == 1
        assert not session.receipt.delivered
    finally:
        stack.backoffice.start()
    qtbot.waitUntil(lambda: kiosk.outbox.pending_count() == 0, timeout=WAIT * 2)
    rows = [r for r in stored_applications(stack) if r[0] == number]
    assert len(rows) == 1 and len(stored_applications(stack)) == before + 1
    assert "3510152106010004" in pdf_text(rows[0][2])


def test_a_pcscd_restart_shows_reader_missing_and_recovers_by_itself(stack, kiosk_app, cards,
                                                                      qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    attract = window.screens[Screen.ATTRACT]
    stack.rig.stop(release=False)  # pcscd dies (the rig keeps its lock: nobody else starts one)
    qtbot.waitUntil(lambda: not kiosk.reader_ready, timeout=WAIT)
    assert attract.notice.text().startswith("Pembaca kartu tidak terhubung")
    stack.rig.start()
    # The kiosk recovers by itself, without a restart (how fast: bench reader_recovery_ms).
    qtbot.waitUntil(lambda: kiosk.reader_ready, timeout=WAIT)
    assert not attract.notice.text().startswith("Pembaca kartu tidak terhubung")
    cards("siti")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=WAIT)


def test_chip_mode_takes_the_identity_from_the_chip_through_the_sam_reader(stack, qtbot):
    """A licensed reader's mode: the reference adapter reads the chip (slot 00 00) after finding
    the SAM (slot 00 01); the PIN is still checked by the back office, and the chip's data is
    what the letter shows."""
    from dataclasses import replace

    from devices.ektp import ektp_type_b_atr
    from devices.virtual_chip import VirtualEktpChip, VirtualSam, sample_biodata
    from ui.driver import running_kiosk

    siti = demo_card("siti")
    chip = VirtualEktpChip(replace(sample_biodata(), nik=siti.nik, name="SITI AMINAH"))
    config = stack.kiosk_config(identity="chip", sam_reader=stack.rig.sam_reader)
    sam = VirtualSam().insert_card(port=stack.rig.port + 1)
    sam.insert()
    try:
        with running_kiosk(config) as d:
            qtbot.waitUntil(lambda: d.kiosk.reader_ready, timeout=WAIT)
            card = chip.insert_card(ektp_type_b_atr(siti.uid), siti.uid, stack.rig.port)
            card.insert()
            try:
                d.wait_for(Screen.PIN)
                assert d.session.chip is not None and d.session.chip.name == "SITI AMINAH"
                d.enter_pin(siti.pin)
                d.wait_for(Screen.CHOOSE_LETTER)
                assert d.session.resident.name == "SITI AMINAH"
                d.apply_for_domicile("Mengurus pensiun")
                d.wait_until(lambda: d.session.receipt.delivered)
                number = d.session.receipt.application_number
            finally:
                card.remove()
            stack.rig.wait_for_card(False)
    finally:
        sam.remove()
    (row,) = [r for r in stored_applications(stack) if r[0] == number]
    assert "SITI AMINAH" in pdf_text(row[2])


def test_a_birth_letter_uses_every_field_type_on_screen_and_arrives(stack, kiosk_app, cards,
                                                                     qtbot):
    from forms.catalogue import sample_values

    kiosk, window = kiosk_app
    session = kiosk.session
    d = KioskDriver(window)
    sign_in(window, qtbot, session, cards, "bagus")
    letter = session.catalogue.get("kelahiran")
    assert {f.type for f in letter.input_fields()} >= {"text", "date", "time", "number", "choice"}
    values = sample_values(letter, today=kiosk.services.now().date())
    choices = {f.name for f in letter.input_fields() if f.type == "choice"}
    d.click("letter_kelahiran")
    d.fill({**values, "tanggal_lahir": "31-02-2025"}, choices)  # a date that does not exist
    d.click("fill_next")
    assert session.screen is Screen.FILL and set(session.field_errors) == {"tanggal_lahir"}
    assert window.screens[Screen.FILL].inputs["tanggal_lahir"].error.text()
    d.type_into("tanggal_lahir", values["tanggal_lahir"])
    d.click("fill_next")
    assert session.screen is Screen.REVIEW, session.field_errors
    d.click("review_confirm")
    d.wait_until(lambda: session.receipt.delivered)
    (row,) = [r for r in stored_applications(stack) if r[0] == session.receipt.application_number]
    text = pdf_text(row[2])
    assert values["nama_bayi"] in text and "3510152106010004" in text


def test_a_villager_can_apply_while_the_link_is_down(stack, kiosk_app, cards, qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    qtbot.waitUntil(lambda: kiosk.offline.has_snapshot, timeout=WAIT)  # synced at start
    before = len(stored_applications(stack))
    stack.backoffice.stop()
    try:
        card = cards("sukarmi")
        qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=WAIT)
        enter_pin(window, "000000")  # a wrong PIN is counted offline too
        qtbot.waitUntil(lambda: session.notice is not None, timeout=WAIT)
        assert session.notice.code == "wrong_pin"
        enter_pin(window, demo_card("sukarmi").pin)
        qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=WAIT)
        assert session.resident.name == "Sukarmi"
        fill_and_confirm(window, qtbot, session, "Mengurus bantuan lansia")
        number = session.receipt.application_number
        assert not session.receipt.delivered and kiosk.outbox.pending_count() == 1
        card.remove()
    finally:
        stack.backoffice.start()
    qtbot.waitUntil(lambda: kiosk.outbox.pending_count() == 0, timeout=WAIT * 3)
    assert [r[0] for r in stored_applications(stack)].count(number) == 1
    assert len(stored_applications(stack)) == before + 1


def _shown_texts(window) -> list[str]:
    """Every text any widget of the kiosk window holds, hidden ones included."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

    texts = [w.text() for w in window.findChildren(QLabel)]
    texts += [w.text() for w in window.findChildren(QAbstractButton)]
    texts += [w.text() for w in window.findChildren(QLineEdit)]
    texts += [w.toPlainText() for w in window.findChildren(QPlainTextEdit)]
    texts += [w.placeholderText() for w in window.findChildren(QLineEdit)]
    return texts + [window.windowTitle()]


@pytest.mark.parametrize("wipe", ["card_removed", "idle", "cancel", "receipt_done"])
def test_after_every_wipe_no_widget_holds_anything_of_the_resident(stack, kiosk_app, cards,
                                                                   qtbot, wipe):
    kiosk, window = kiosk_app
    session = kiosk.session
    maruf = next(r for r in DEMO_RESIDENTS if r.name == "Ahmad Ma'ruf")
    purpose = "Persyaratan pindah kerja ke Jember"
    secrets = [maruf.name, maruf.nik, maruf.address, maruf.family_card_number, purpose,
               maruf.nik[:6] + "**"]
    card = sign_in(window, qtbot, session, cards, "maruf")
    d = KioskDriver(window)
    if wipe == "receipt_done":
        d.apply_for_domicile(purpose)
        qtbot.waitUntil(lambda: session.receipt.delivered, timeout=WAIT)
        assert not any(maruf.name in t for t in _shown_texts(window))  # confirmed: forgotten
    else:
        click(window, "letter_domisili")
        d.type_into("keperluan", purpose)
        d.click("fill_next")
        qtbot.waitUntil(lambda: session.screen is Screen.REVIEW, timeout=WAIT)
        shown = _shown_texts(window)
        assert any(maruf.name in t for t in shown) and any(purpose in t for t in shown)
    if wipe == "card_removed":
        card.remove()
        qtbot.waitUntil(lambda: session.screen is Screen.ATTRACT, timeout=WAIT)
    elif wipe == "idle":
        window.idle.last -= kiosk.config.idle_timeout_s + 1
        window.idle.check()
    elif wipe == "cancel":
        click(window, "cancel")
    else:
        click(window, "receipt_done")
    assert session.screen in (Screen.ATTRACT, Screen.MESSAGE)  # "cancelled" is a message
    assert not session.holds_personal_data()
    leaks = [(s, t) for t in _shown_texts(window) for s in secrets if s in t]
    assert leaks == []


def test_idle_warns_with_a_countdown_a_touch_carries_on_then_idle_wipes(stack, kiosk_app,
                                                                        cards, qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    now = [1000.0]
    window.idle.clock = lambda: now[0]
    window.idle.last = now[0]
    sign_in(window, qtbot, session, cards, "sukarmi")
    click(window, "letter_domisili")
    KioskDriver(window).type_into("keperluan", "Mengurus pensiun")
    now[0] += kiosk.config.idle_warning_s - 1
    window.idle.check()
    assert not window.idle_warning.isVisible()
    now[0] += 2  # 46 s untouched (demo config): warned, 14 s to go
    window.idle.check()
    assert window.idle_warning.isVisible()
    left = int(kiosk.config.idle_timeout_s - kiosk.config.idle_warning_s - 1)
    assert window.idle_warning.seconds.text() == str(left)
    assert f"{left} detik" in window.idle_warning.body.text()
    qtbot.mouseClick(window.idle_warning.carry_on, Qt.LeftButton)  # "Saya masih di sini"
    assert not window.idle_warning.isVisible()
    assert session.screen is Screen.FILL and session.holds_personal_data()
    session.set_language("en")  # (a change of the session counts as activity too)
    now[0] += kiosk.config.idle_timeout_s - 1
    window.idle.check()  # untouched again: warned again, in English, then wiped
    assert window.idle_warning.isVisible()
    assert "1 seconds" in window.idle_warning.body.text()
    now[0] += 2
    window.idle.check()
    assert session.screen is Screen.ATTRACT and not session.holds_personal_data()
    assert not window.idle_warning.isVisible()


def test_no_idle_warning_where_nothing_can_be_lost(stack, kiosk_app, qtbot):
    kiosk, window = kiosk_app
    assert kiosk.session.screen is Screen.ATTRACT
    window.idle.last -= kiosk.config.idle_warning_s + 1
    window.idle.check()
    assert not window.idle_warning.isVisible()
