"""The kiosk window: header with step indicator, one screen per session state, footer.

`python -m ui --config /etc/smart-kampung/kiosk.toml [--windowed]`
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from terminal.config import ConfigError, KioskConfig
from terminal.kiosk import Kiosk
from terminal.maintenance import StaffAccess, kiosk_status, list_readers
from terminal.session import COMPLAINT_SCREENS, Screen, Session
from ui.bridge import CardReaderBridge, QtRunner
from ui.i18n import text, translator
from ui.maintenance import KioskKeyFilter, MaintenancePanel, StaffGesture
from ui.screens import (
    AttractScreen,
    ChooseLetterScreen,
    ComplaintCategoryScreen,
    ComplaintFormScreen,
    ComplaintReviewScreen,
    ComplaintSentScreen,
    FillScreen,
    MessageScreen,
    PinScreen,
    ReceiptScreen,
    ReviewScreen,
    StatusScreen,
    SurveyScreen,
    SurveyThanksScreen,
    WaitingScreen,
    _button,
)
from ui.style import STYLESHEET
from ui.voice import VoiceGuide, VoiceToggle

log = logging.getLogger(__name__)

STEPS = {
    Screen.READING: 1,
    Screen.PIN: 1,
    Screen.CHECKING: 1,
    Screen.CHOOSE_LETTER: 2,
    Screen.FILL: 3,
    Screen.REVIEW: 4,
    Screen.RECEIPT: 5,
}
# Screens where the villager is in the middle of something: idling there brings a warning
# before the wipe. Elsewhere (attract, waiting, messages, receipt) idling quietly resets.
# (The survey is anonymous: idling there quietly ends it.)
WARN_ON_IDLE = {Screen.PIN, Screen.CHOOSE_LETTER, Screen.FILL, Screen.REVIEW, Screen.STATUS,
                Screen.COMPLAINT_CATEGORY, Screen.COMPLAINT_FORM, Screen.COMPLAINT_REVIEW}
# Screens that end by themselves after receipt_timeout_s (the villager has what they came for).
TIMED_OUT = {Screen.RECEIPT, Screen.COMPLAINT_SENT, Screen.SURVEY_THANKS}
USER_ACTIVITY = {
    QEvent.MouseButtonPress,
    QEvent.TouchBegin,
    QEvent.KeyPress,
    QEvent.Wheel,
}


class IdleWatcher(QObject):
    """Time since the last touch, click or key anywhere in the app (or screen change).

    From `warn_after` seconds on it emits `warning(seconds_left)` about every second; at
    `wipe_after` it calls `on_idle` once; the next activity after a warning emits `resumed`.
    Measured on the monotonic clock (injectable for tests), so a busy event loop cannot
    stretch the villager's time.
    """

    warning = Signal(int)
    resumed = Signal()

    def __init__(self, warn_after: float, wipe_after: float, on_idle, clock=time.monotonic,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.warn_after, self.wipe_after = warn_after, wipe_after
        self.on_idle = on_idle
        self.clock = clock
        self.last = clock()
        self.warned = False
        self.tick = QTimer(self)
        self.tick.setInterval(250)
        self.tick.timeout.connect(self.check)
        self.tick.start()

    def touch(self) -> None:
        self.last = self.clock()
        if self.warned:
            self.warned = False
            self.resumed.emit()

    def check(self) -> None:
        idle = self.clock() - self.last
        if idle >= self.wipe_after:
            self.touch()
            self.on_idle()
        elif idle >= self.warn_after:
            self.warned = True
            self.warning.emit(math.ceil(self.wipe_after - idle))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in USER_ACTIVITY:
            self.touch()
        return False


class IdleWarning(QWidget):
    """"Still there?" over the whole window, with the seconds left; any touch carries on."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("idleWarning")
        self.setAttribute(Qt.WA_StyledBackground, True)
        card = QWidget(self)
        card.setObjectName("idleCard")
        card.setAttribute(Qt.WA_StyledBackground, True)
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setAlignment(Qt.AlignCenter)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignCenter)
        self.seconds = QLabel()
        self.seconds.setObjectName("countdown")
        self.seconds.setAlignment(Qt.AlignCenter)
        self.carry_on = _button("idle_continue", "primary")
        cl = QVBoxLayout(card)
        cl.setContentsMargins(48, 40, 48, 40)
        cl.setSpacing(24)
        for w in (self.title, self.seconds, self.body, self.carry_on):
            cl.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 64, 64, 64)
        lay.addStretch(1)
        lay.addWidget(card)
        lay.addStretch(1)
        self.hide()

    def show_seconds(self, seconds: int, lang: str) -> None:
        self.title.setText(text("idle_title", lang))
        self.seconds.setText(str(seconds))
        self.body.setText(text("idle_warning", lang, seconds=seconds))
        self.carry_on.setText(text("idle_continue", lang))
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()


class KioskWindow(QWidget):
    # The first time the window has painted a screen: "ready" for systemd and the cold-start
    # benchmark (process start → attract screen shown).
    first_shown = Signal()

    def __init__(self, kiosk: Kiosk, runner: QtRunner):
        super().__init__()
        self._painted = False
        self.kiosk = kiosk
        self.runner = runner
        session = kiosk.session
        self.setWindowTitle("Smart Kampung")
        self.setStyleSheet(STYLESHEET)

        self.voice = VoiceGuide(parent=self)
        self.header = header = QWidget()
        header.setObjectName("header")
        self.village = QLabel()
        self.step = QLabel()
        self.village.setWordWrap(True)  # two lines in portrait rather than a wider window
        hl = QHBoxLayout(header)
        hl.setContentsMargins(32, 8, 32, 8)
        hl.addWidget(self.village, 1)
        hl.addWidget(self.step)
        hl.addWidget(VoiceToggle(self.voice))
        v = kiosk.config.village
        self.village.setText(f"{v.kind} {v.name} · {v.district} · {v.regency}")

        self.screens = {
            Screen.ATTRACT: AttractScreen(session),
            Screen.PIN: PinScreen(session),
            Screen.READING: WaitingScreen(session, "reading_card"),
            Screen.CHECKING: WaitingScreen(session, "checking"),
            Screen.CHOOSE_LETTER: ChooseLetterScreen(session),
            Screen.FILL: FillScreen(session),
            Screen.REVIEW: ReviewScreen(session),
            Screen.RECEIPT: ReceiptScreen(session, v.code),
            Screen.MESSAGE: MessageScreen(session),
            Screen.STATUS: StatusScreen(session),
            Screen.COMPLAINT_CATEGORY: ComplaintCategoryScreen(session),
            Screen.COMPLAINT_FORM: ComplaintFormScreen(session),
            Screen.COMPLAINT_REVIEW: ComplaintReviewScreen(session),
            Screen.COMPLAINT_SENT: ComplaintSentScreen(session),
            Screen.SURVEY: SurveyScreen(session),
            Screen.SURVEY_THANKS: SurveyThanksScreen(session),
        }
        self.stack = QStackedWidget()
        for w in self.screens.values():
            self.stack.addWidget(w)

        footer = QWidget()
        fl = QHBoxLayout(footer)
        fl.setContentsMargins(32, 8, 32, 16)
        self.back: QPushButton = _button("back")
        self.cancel: QPushButton = _button("cancel", "danger")
        self.back.clicked.connect(session.back)
        self.cancel.clicked.connect(session.cancel)
        fl.addWidget(self.back)
        fl.addStretch(1)
        fl.addWidget(self.cancel)
        self.footer = footer

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        # The screen's size is the window's size: pages adapt to it (the PIN pad goes beside or
        # under its words), so no hidden page's minimum may force the window beyond the screen.
        lay.setSizeConstraint(QLayout.SetNoConstraint)
        lay.addWidget(header)
        lay.addWidget(self.stack, 1)
        lay.addWidget(footer)

        # A child of the window: its timer dies with it (a watcher outliving a closed window
        # would wipe a session and redraw widgets that are gone).
        self.idle = IdleWatcher(kiosk.config.idle_warning_s, kiosk.config.idle_timeout_s,
                                session.idle_timeout, parent=self)
        self.idle_warning = IdleWarning(self)
        self.idle.warning.connect(self._warn_idle)
        self.idle.resumed.connect(self.idle_warning.hide)
        self.idle.resumed.connect(lambda: self.voice.idle_resumed())
        self.idle_warning.carry_on.clicked.connect(self.idle.touch)
        self.maintenance = MaintenancePanel(
            self, StaffAccess(kiosk.config.staff_pin_hash),
            status=lambda: kiosk_status(kiosk), test_reader=list_readers,
            printing=kiosk.printing, runner=runner)
        self.maintenance.quit_requested.connect(self._quit)
        self.staff_gesture = StaffGesture(
            self.village, allowed=lambda: (session.screen is Screen.ATTRACT
                                           and self.maintenance.access.enabled))
        self.staff_gesture.opened.connect(
            lambda: self.maintenance.open_panel(self.kiosk.session.language))
        self.quitting = False
        self.receipt_timer = QTimer(self)
        self.receipt_timer.setSingleShot(True)
        self.receipt_timer.setInterval(int(kiosk.config.receipt_timeout_s * 1000))
        self.receipt_timer.timeout.connect(session.finish)
        session.subscribe(self.render)
        self.render(session)

    def render(self, session: Session) -> None:
        lang = session.language
        if not session.holds_personal_data():
            for w in self.screens.values():
                w.clear()
        self.screens[Screen.ATTRACT].reader_ready = self.kiosk.reader_ready
        screen = self.screens[session.screen]
        screen.render(session)
        self.stack.setCurrentWidget(screen)
        step = STEPS.get(session.screen)
        self.step.setText(text("step", lang, step=step, total=5) if step else "")
        in_session = session.screen in (Screen.PIN, Screen.CHOOSE_LETTER, Screen.FILL,
                                        Screen.REVIEW, *COMPLAINT_SCREENS)
        # (STATUS and SURVEY have their own buttons at the bottom)
        self.footer.setVisible(in_session)
        self.back.setVisible(session.screen in (Screen.FILL, Screen.REVIEW, *COMPLAINT_SCREENS))
        self.back.setText(text("back", lang))
        self.cancel.setText(text("cancel", lang))
        self.idle.touch()  # every screen change counts as activity
        self.voice.speak_for(session, reader_ready=self.kiosk.reader_ready)
        if session.screen in TIMED_OUT:
            if not self.receipt_timer.isActive():
                self.receipt_timer.start()
        else:
            self.receipt_timer.stop()


    def _warn_idle(self, seconds_left: int) -> None:
        """Warn only where there is something of the villager's to lose."""
        if self.kiosk.session.screen in WARN_ON_IDLE:
            if not self.idle_warning.isVisible():
                self.voice.warn_idle()
            self.idle_warning.show_seconds(seconds_left, self.kiosk.session.language)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_shown.emit)  # after this paint has finished

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.idle_warning.setGeometry(self.rect())
        self.maintenance.setGeometry(self.rect())

    def _quit(self) -> None:
        """Staff chose "quit" on the maintenance screen (the only way out in kiosk mode)."""
        self.quitting = True
        QApplication.instance().quit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # In kiosk mode only staff may close the window; windowed (development) it closes.
        if self.isFullScreen() and not self.quitting:
            event.ignore()
            return
        super().closeEvent(event)


def build(config: KioskConfig) -> tuple[Kiosk, KioskWindow, CardReaderBridge]:
    """Create the kiosk, its window and its card reader (not started)."""
    runner = QtRunner()
    kiosk = Kiosk(config, runner,
                  on_delivered=lambda key: runner.later(kiosk.session.application_delivered, key))
    window = KioskWindow(kiosk, runner)
    QApplication.instance().installEventFilter(window.idle)
    reader = CardReaderBridge(config.reader, config.sam_reader)
    reader.event.connect(kiosk.handle_card_event)
    return kiosk, window, reader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Smart Kampung kiosk")
    parser.add_argument("--config", default="/etc/smart-kampung/kiosk.toml")
    parser.add_argument("--windowed", action="store_true", help="a window, for development")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = KioskConfig.load(args.config)
    except ConfigError as e:
        print(f"Kiosk configuration problem: {e}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    kiosk, window, reader = build(config)
    window.first_shown.connect(lambda: log.info("kiosk: %s screen shown", kiosk.session.screen))
    # The English catalogue is loaded (compiled after an upgrade) before anyone asks for it.
    window.first_shown.connect(lambda: translator("en"))
    if os.environ.get("SMART_KAMPUNG_EXIT_WHEN_SHOWN"):  # bench/bench_kiosk_ui.py cold start
        window.first_shown.connect(lambda: (print(f"shown {time.time():.6f}", flush=True),
                                            app.quit()))
    kiosk.start()
    reader.start()
    if args.windowed:
        window.resize(1280, 800)
        window.show()
    else:
        app.installEventFilter(KioskKeyFilter(app))
        window.setWindowFlags(Qt.FramelessWindowHint)
        window.showFullScreen()
    try:
        return app.exec()
    finally:
        reader.stop()
        kiosk.stop()
