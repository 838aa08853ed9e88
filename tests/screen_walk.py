"""One walk through every screen a villager meets, on the real kiosk window over the real stack.

`every_screen` yields a name at each stop (the window is showing that screen): the touch-design
test measures it there, the translation test reads its texts there.
"""

from __future__ import annotations

from collections.abc import Iterator

from devices.demo_cards import demo_card
from terminal.session import Screen
from ui.driver import KioskDriver


def every_screen(window, session, cards, qtbot, language: str = "id") -> Iterator[str]:
    d = KioskDriver(window)
    session.set_language(language)
    yield "attract"
    card = cards("siti")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=8000)
    yield "pin"
    d.enter_pin("000000")
    qtbot.waitUntil(lambda: session.notice is not None, timeout=8000)
    yield "pin with wrong-PIN notice"
    d.enter_pin(demo_card("siti").pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=8000)
    yield "letter menu"
    d.click("letter_kelahiran")
    yield "birth letter form"
    d.click("back")
    d.click("letter_domisili")
    d.click("fill_next")  # empty: the error texts show
    yield "domicile form with errors"
    d.type_into("keperluan", "Persyaratan melamar pekerjaan")
    d.click("fill_next")
    qtbot.waitUntil(lambda: session.screen is Screen.REVIEW, timeout=8000)
    yield "review"
    d.click("review_confirm")
    qtbot.waitUntil(lambda: session.screen is Screen.RECEIPT, timeout=8000)
    yield "receipt"
    d.click("survey_start")
    yield "survey, first question"
    d.click("survey_answer_3")
    yield "survey, second question"
    for _ in range(8):
        d.click("survey_answer_4")
    yield "survey thanks"
    d.click("survey_done")
    card.remove()  # and back for the status check and a complaint
    qtbot.waitUntil(lambda: not session.card, timeout=8000)
    session.set_language(language)
    cards("siti")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=8000)
    d.enter_pin(demo_card("siti").pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=8000)
    d.click("status_open")
    qtbot.waitUntil(lambda: session.screen is Screen.STATUS and bool(session.requests),
                    timeout=8000)
    yield "status check"
    d.click("back")
    d.click("complaint_open")
    yield "complaint category"
    d.click("complaint_lainnya")
    d.type_into("complaint_phone", "12")
    d.click("complaint_next")  # empty words, a bad number: the error texts show
    yield "complaint form with errors"
    d.type_into("complaint_text", "Kursi di ruang tunggu banyak yang rusak. " * 12)
    d.type_into("complaint_phone", "081234567890")
    d.click("complaint_next")
    yield "complaint review"
    d.click("complaint_confirm")
    yield "complaint sent"
    d.click("complaint_done")
    yield "message after the complaint"
