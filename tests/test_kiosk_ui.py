"""Checks of the kiosk's screens that need no card reader (offscreen)."""

from PySide6.QtGui import QFont, QFontMetrics

from forms.catalogue import ICONS, load_catalogue
from ui.screens import LETTER_SYMBOLS


def test_every_letter_icon_has_a_symbol_the_font_can_draw(qapp):
    metrics = QFontMetrics(QFont("DejaVu Sans", 24))
    assert set(ICONS) <= set(LETTER_SYMBOLS), set(ICONS) - set(LETTER_SYMBOLS)
    for name, symbol in LETTER_SYMBOLS.items():
        assert metrics.inFontUcs4(ord(symbol)), f"{name}: {symbol!r} would show as a box"
    assert all(letter.icon in LETTER_SYMBOLS for letter in load_catalogue().letters())
