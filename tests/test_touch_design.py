"""Touch-first design rules on every screen, landscape and portrait (issue #7 item 1).

On the real kiosk window (offscreen) over the real stack, each screen a villager meets is shown
at 1280×800 and 800×1280, and checked: the window does not need to grow beyond the screen;
every visible text is at least 24 px (titles at least 36 px); every visible button is at least
60 px both ways and lies inside the window.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from devices.demo_cards import demo_card
from terminal.session import Screen
from tests.test_review_preview import inside_a_scroll_area
from ui.driver import KioskDriver

pytestmark = pytest.mark.pcsc
SIZES = [(1280, 800), (800, 1280)]
MIN_TEXT_PX, MIN_TITLE_PX, MIN_TARGET_PX = 24, 36, 60
TITLES = {"title", "headline"}


def _px(widget) -> float:
    font = widget.font()
    return font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72


def _problems(window, where: str) -> list[str]:
    found = []
    page = window.stack.currentWidget()
    for part, name in ((page, "the screen"), (window.header, "the header"),
                       (window.footer, "the footer")):
        hint = part.minimumSizeHint()
        if part.isVisible() and (hint.width() > part.width() or hint.height() > part.height()):
            found.append(f"{where}: {name} needs {hint.width()}×{hint.height()}, has "
                         f"{part.width()}×{part.height()}")
    frame = QRect(QPoint(0, 0), window.size())
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text().strip() or label.pixmap():
            continue
        need = MIN_TITLE_PX if label.objectName() in TITLES else MIN_TEXT_PX
        if _px(label) < need:
            found.append(f"{where}: {label.objectName() or 'label'} {label.text()[:30]!r} is "
                         f"{_px(label):.0f} px")
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window):
            continue
        name = button.property("action") or button.text()[:20]
        if min(button.width(), button.height()) < MIN_TARGET_PX:
            found.append(f"{where}: button {name!r} is {button.width()}×{button.height()}")
        box = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        if not frame.contains(box) and not inside_a_scroll_area(button):
            found.append(f"{where}: button {name!r} is outside the window")
    return found


def _check_all_sizes(window, where: str) -> list[str]:
    found = []
    for size in SIZES:
        window.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
        if (window.width(), window.height()) != size:  # the layout refused to shrink
            found.append(f"{where} at {size[0]}×{size[1]}: the window stays "
                         f"{window.width()}×{window.height()}")
        found += _problems(window, f"{where} at {size[0]}×{size[1]}")
    window.resize(1280, 800)
    QApplication.processEvents()
    return found


def test_every_screen_fits_and_is_big_enough_in_both_orientations(stack, kiosk_app, cards,
                                                                  qtbot):
    kiosk, window = kiosk_app
    session = kiosk.session
    d = KioskDriver(window)
    found = []
    for lang in ("id", "en"):
        session.set_language(lang)
        found += _check_all_sizes(window, f"attract/{lang}")
    session.set_language("id")
    card = cards("siti")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=8000)
    found += _check_all_sizes(window, "pin")
    d.enter_pin("000000")
    qtbot.waitUntil(lambda: session.notice is not None, timeout=8000)
    found += _check_all_sizes(window, "pin with wrong-PIN notice")
    d.enter_pin(demo_card("siti").pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=8000)
    found += _check_all_sizes(window, "letter menu")
    d.click("letter_kelahiran")
    found += _check_all_sizes(window, "birth letter form")
    d.click("back")
    d.click("letter_domisili")
    d.click("fill_next")  # empty: the error texts show
    found += _check_all_sizes(window, "domicile form with errors")
    d.type_into("keperluan", "Persyaratan melamar pekerjaan")
    d.click("fill_next")
    qtbot.waitUntil(lambda: session.screen is Screen.REVIEW, timeout=8000)
    found += _check_all_sizes(window, "review")
    d.click("review_confirm")
    qtbot.waitUntil(lambda: session.screen is Screen.RECEIPT, timeout=8000)
    found += _check_all_sizes(window, "receipt")
    d.click("survey_start")
    found += _check_all_sizes(window, "survey, first question")
    d.click("survey_answer_3")
    found += _check_all_sizes(window, "survey, second question")
    for _ in range(8):
        d.click("survey_answer_4")
    found += _check_all_sizes(window, "survey thanks")
    d.click("survey_done")
    card.remove()  # and back for a complaint
    qtbot.waitUntil(lambda: not session.card, timeout=8000)
    cards("siti")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=8000)
    d.enter_pin(demo_card("siti").pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=8000)
    d.click("complaint_open")
    found += _check_all_sizes(window, "complaint category")
    d.click("complaint_lainnya")
    d.type_into("complaint_phone", "12")
    d.click("complaint_next")  # empty words, a bad number: the error texts show
    found += _check_all_sizes(window, "complaint form with errors")
    d.type_into("complaint_text", "Kursi di ruang tunggu banyak yang rusak. " * 12)
    d.type_into("complaint_phone", "081234567890")
    d.click("complaint_next")
    found += _check_all_sizes(window, "complaint review")
    d.click("complaint_confirm")
    found += _check_all_sizes(window, "complaint sent")
    d.click("complaint_done")
    assert not found, "\n" + "\n".join(found)
