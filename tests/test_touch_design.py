"""Touch-first design rules on every screen, landscape and portrait (issue #7 item 1).

On the real kiosk window (offscreen) over the real stack, each screen a villager meets is shown
at 1280×800 and 800×1280, and checked: the window does not need to grow beyond the screen;
every visible text is at least 24 px (titles at least 36 px); every visible button is at least
60 px both ways, lies inside the window and is wide enough for its words.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from tests.screen_walk import every_screen
from tests.test_review_preview import inside_a_scroll_area

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
        if button.text() and button.width() < button.sizeHint().width():
            found.append(f"{where}: button {name!r} cuts its words {button.text()!r} "
                         f"({button.width()} < {button.sizeHint().width()} px)")
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


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_screen_fits_and_is_big_enough_in_both_orientations(stack, kiosk_app, cards,
                                                                  qtbot, language):
    kiosk, window = kiosk_app
    found = []
    for name in every_screen(window, kiosk.session, cards, qtbot, language):
        found += _check_all_sizes(window, f"{name} ({language})")
    assert not found, "\n" + "\n".join(found)


def _shown_in(scroll, widget) -> bool:
    """`widget` lies wholly inside the scroll area's visible part."""
    top = widget.mapTo(scroll.viewport(), QPoint(0, 0)).y()
    return widget.isVisible() and top >= 0 and top + widget.height() <= scroll.viewport().height()


def test_the_red_text_of_the_field_to_fix_shows_above_the_keyboard(stack, kiosk_app, cards,
                                                                   qtbot):
    from devices.demo_cards import demo_card
    from terminal.session import Screen
    from ui.driver import KioskDriver

    kiosk, window = kiosk_app
    session, d = kiosk.session, KioskDriver(window)
    window.resize(1280, 800)  # landscape: the least room above the docked keyboard
    cards("siti")
    qtbot.waitUntil(lambda: session.screen is Screen.PIN, timeout=8000)
    d.enter_pin(demo_card("siti").pin)
    qtbot.waitUntil(lambda: session.screen is Screen.CHOOSE_LETTER, timeout=8000)
    d.click("complaint_open")
    d.click("complaint_lainnya")
    form = window.stack.currentWidget()
    d.type_into("complaint_text", "Kursi di ruang tunggu banyak yang rusak.")
    d.type_into("complaint_phone", "0812")
    d.click("complaint_next")
    qtbot.waitUntil(lambda: bool(form.phone_error.text()), timeout=3000)
    for name in ("phone_label", "phone", "phone_error"):
        qtbot.waitUntil(lambda n=name: _shown_in(form.scroll, getattr(form, n)), timeout=3000)
