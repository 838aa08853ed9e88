"""A complaint and a survey, end to end on the real parts: pcscd with a virtual e-KTP, the real
back office process (SQLite), the real kiosk window offscreen with its outbox sender."""

import sqlite3

import pytest

from devices.demo_cards import demo_card
from forms.feedback import ELEMENT_CODES
from terminal.session import Screen
from ui.driver import KioskDriver

pytestmark = pytest.mark.pcsc
WAIT = 8000  # ms; generous for a busy machine, never a speed assertion
WORDS = "Lampu ruang tunggu kantor desa mati sejak minggu lalu."


def office(stack, sql):
    db = sqlite3.connect(stack.backoffice.workdir / "backoffice.sqlite3")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_complaint_and_after_an_application_a_survey_reach_the_back_office(
        stack, kiosk_app, cards, qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    d = KioskDriver(window)
    card = cards("maruf")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=WAIT)
    d.enter_pin(demo_card("maruf").pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=WAIT)
    nik = session.resident.nik
    d.click("complaint_open")
    assert nik in window.screens[Screen.COMPLAINT_CATEGORY].in_name.text()  # said on screen

    d.click("complaint_fasilitas_kantor")
    d.type_into("complaint_text", WORDS)
    d.type_into("complaint_phone", "0812-3456-7890")
    d.click("complaint_next")
    qtbot.waitUntil(lambda: session.screen is Screen.COMPLAINT_REVIEW, timeout=WAIT)
    d.click("complaint_confirm")
    qtbot.waitUntil(lambda: session.screen is Screen.COMPLAINT_SENT, timeout=WAIT)
    number = session.complaint_receipt.complaint_number
    assert not session.holds_personal_data()
    sent = window.screens[Screen.COMPLAINT_SENT]
    assert sent.number.text() == number and "4 jam" in sent.promise.text()
    qtbot.waitUntil(lambda: session.complaint_receipt.delivered, timeout=WAIT)
    d.click("complaint_done")
    assert session.screen is Screen.ATTRACT

    card.remove()  # the villager comes back for a letter
    qtbot.waitUntil(lambda: not kiosk.session.card, timeout=WAIT)
    cards("maruf")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=WAIT)
    d.enter_pin(demo_card("maruf").pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=WAIT)
    d.apply_for_domicile("Persyaratan membuka rekening bank")
    d.answer_survey([4, 3, 3, 4, 2, 3, 4, 1, 3])
    d.click("survey_done")
    assert session.screen is Screen.ATTRACT
    qtbot.waitUntil(lambda: kiosk.outbox.pending_count() == 0, timeout=WAIT)

    rows = office(stack, "SELECT resident_nik, category, text, phone, "
                         "(julianday(due_at) - julianday(received_at)) * 24 "
                         f"FROM complaints WHERE complaint_number = '{number}'")
    ((stored_nik, category, text, phone, hours),) = rows
    assert (stored_nik, category, text, phone) == (nik, "fasilitas_kantor", WORDS,
                                                   "081234567890")
    assert round(hours, 3) == 4
    surveys = office(stack, f"SELECT letter, {', '.join(ELEMENT_CODES)} FROM survey_responses")
    assert ("domisili", 4, 3, 3, 4, 2, 3, 4, 1, 3) in surveys
