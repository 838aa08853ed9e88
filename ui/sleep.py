"""The sleep screen: outside the opening hours the kiosk shows almost nothing.

cage cannot blank the display (no DPMS), and a bright screen left on all night burns into the
panel, so the kiosk sleeps in the app: a black screen with a few small dim lines — when it
opens, in Indonesian and English (there is no language button here), and the village — that
move to another place every minute, so no pixel is lit for long. A card or a touch is told
"Kios tutup. Buka lagi pukul 07.00." for a moment, brighter, in the middle. The session
decides all of it (terminal/session.py, Screen.CLOSED); this widget only draws it.
"""

from __future__ import annotations

import random
from datetime import datetime

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from forms.village import VillageProfile
from terminal.session import Session
from ui.i18n import LANGUAGES, text
from ui.screens import ScreenWidget, _label

MOVE_EVERY_MS = 60_000
MARGIN = 32
SLEEP_STYLE = """
QWidget#sleep, QWidget#sleep QWidget { background: black; }
QLabel#sleep_hours { color: #6e6e6e; font-size: 28px; }
QLabel#sleep_hours_other { color: #5a5a5a; font-size: 24px; }
QLabel#sleep_village { color: #4c4c4c; font-size: 24px; }
QLabel#sleep_notice { color: #e6e6e6; font-size: 40px; font-weight: bold; }
QLabel#sleep_notice_other { color: #a8a8a8; font-size: 28px; }
"""


def clock_text(t: datetime, language: str) -> str:
    """A time of day as the language writes it: 07.00 in Indonesian, 07:00 in English."""
    return f"{t:%H.%M}" if language == "id" else f"{t:%H:%M}"


def _opening(code: str, t: datetime, language: str) -> str:
    """`code` ("…" / "…_day" variant chosen by the caller) with the time and the day name."""
    return text(code, language, time=clock_text(t, language),
                day=text(f"day_{t.isoweekday()}", language))


class SleepScreen(ScreenWidget):
    def __init__(self, session: Session, village: VillageProfile, rng: random.Random | None = None):
        super().__init__()
        self.session = session
        self.rng = rng or random.Random()
        self.setObjectName("sleep")
        self.setStyleSheet(SLEEP_STYLE)
        self.setAttribute(Qt.WA_StyledBackground, True)  # a plain QWidget paints no background

        # the small dim lines, placed by hand (not in the layout) and moved now and then
        self.plate = QWidget(self)
        self.hours = _label("sleep_hours", wrap=False)
        self.hours_other = _label("sleep_hours_other", wrap=False)
        self.village = _label("sleep_village", wrap=False)
        self.village.setText(f"{village.kind} {village.name}")
        pl = QVBoxLayout(self.plate)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(4)
        for w in (self.hours, self.hours_other, self.village):
            pl.addWidget(w)

        # "closed, open again at …", for a moment after a card or a touch
        self.notice = _label("sleep_notice")
        self.notice_other = _label("sleep_notice_other")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 64, 64, 64)
        lay.addStretch(1)
        for w in (self.notice, self.notice_other):
            w.setAlignment(Qt.AlignCenter)
            lay.addWidget(w)
        lay.addStretch(1)

        self.mover = QTimer(self)
        self.mover.setInterval(MOVE_EVERY_MS)
        self.mover.timeout.connect(self.move_plate)

    def render(self, session: Session) -> None:
        closure = session.closed
        if closure is None:  # shown only while closed; nothing to say otherwise
            return
        first = session.language
        other = next(lang for lang in LANGUAGES if lang != first)
        t = closure.opens_at
        hours = "sleep_hours_day" if closure.say_day else "sleep_hours"
        self.hours.setText(_opening(hours, t, first))
        self.hours_other.setText(_opening(hours, t, other))
        self.plate.adjustSize()
        opens = "closed_opens_on" if closure.say_day else "closed_opens_at"
        telling = session.notice is not None
        if telling:
            self.notice.setText(f"{text(session.notice.code, first)} {_opening(opens, t, first)}")
            self.notice_other.setText(
                f"{text(session.notice.code, other)} {_opening(opens, t, other)}")
        self.notice.setVisible(telling)
        self.notice_other.setVisible(telling)
        self.plate.setVisible(not telling)  # one thing lit at a time
        self._keep_plate_inside()

    def move_plate(self) -> None:
        """Somewhere else on the screen, at random (burn-in: no pixel lit for long)."""
        self.plate.adjustSize()
        room_x = max(0, self.width() - self.plate.width() - 2 * MARGIN)
        room_y = max(0, self.height() - self.plate.height() - 2 * MARGIN)
        self.plate.move(MARGIN + self.rng.randint(0, room_x), MARGIN + self.rng.randint(0, room_y))

    def _keep_plate_inside(self) -> None:
        p = self.plate
        x = min(max(p.x(), 0), max(0, self.width() - p.width()))
        y = min(max(p.y(), 0), max(0, self.height() - p.height()))
        if QPoint(x, y) != p.pos():
            p.move(x, y)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.move_plate()
        self.mover.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self.mover.stop()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._keep_plate_inside()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mousePressEvent(event)
        self.session.tap_while_closed()
