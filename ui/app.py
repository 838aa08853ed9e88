"""The kiosk window: header with step indicator, one screen per session state, footer.

`python -m ui --config /etc/smart-kampung/kiosk.toml [--windowed]`
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import socket
import sys
import time

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, Qt, QTimer, Signal
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

from terminal import sdnotify
from terminal.config import ConfigError, KioskConfig
from terminal.kiosk import Kiosk
from terminal.maintenance import StaffAccess, kiosk_status, list_readers, requeue_set_aside
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
from ui.sleep import SleepScreen
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
# Outside the opening hours the session is asked again at the next opening or closing, and at
# least this often: the clock may be set meanwhile (NTP after a boot without a clock battery).
HOURS_RECHECK_S = 30.0
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
            Screen.CLOSED: SleepScreen(session, v),
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
            printing=kiosk.printing, runner=runner, requeue=lambda: requeue_set_aside(kiosk))
        self.maintenance.quit_requested.connect(self._quit)
        self.staff_gesture = StaffGesture(
            self.village, allowed=lambda: (session.screen is Screen.ATTRACT
                                           and self.maintenance.access.enabled))
        self.staff_gesture.opened.connect(
            lambda: self.maintenance.open_panel(self.kiosk.session.language))
        # While the kiosk sleeps (outside the opening hours) the staff may still come in, by five
        # taps anywhere on the black screen (the header is dark there): those are the hours
        # they fill the printer, test it and look at the outbox, with no villager waiting.
        self.sleep_gesture = StaffGesture(
            self.screens[Screen.CLOSED], allowed=lambda: (session.screen is Screen.CLOSED
                                                          and self.maintenance.access.enabled))
        self.sleep_gesture.opened.connect(
            lambda: self.maintenance.open_panel(self.kiosk.session.language))
        self.quitting = False
        self.receipt_timer = QTimer(self)
        self.receipt_timer.setSingleShot(True)
        self.receipt_timer.setInterval(int(kiosk.config.receipt_timeout_s * 1000))
        self.receipt_timer.timeout.connect(session.finish)
        self.hours_timer = QTimer(self)
        self.hours_timer.setSingleShot(True)
        self.hours_timer.setTimerType(Qt.PreciseTimer)  # wake at opening time, not a bit after
        self.hours_timer.timeout.connect(self.check_hours)
        session.subscribe(self.render)
        self.render(session)
        self.check_hours()  # started at night: asleep from the first screen on

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
        self.header.setVisible(session.screen is not Screen.CLOSED)  # nothing bright at night
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


    def check_hours(self) -> None:
        """Open or close for the opening hours now; look again at the next change."""
        wait = self.kiosk.check_hours()
        if wait is None:  # always open
            self.hours_timer.stop()
        else:
            self.hours_timer.start(math.ceil(min(max(wait, 0.05), HOURS_RECHECK_S) * 1000) + 1)

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


class SystemdNotifier(QObject):
    """The app's side of the kiosk's systemd unit (`Type=notify`, `WatchdogSec=`; deploy/):
    READY=1 when the first screen is shown; WATCHDOG=1 every half watchdog period from a timer
    on the GUI thread, so a frozen GUI thread falls silent and systemd restarts the app;
    STATUS= (the screen, the outbox's counts: nothing personal) every minute; STOPPING=1 on
    the way out. Without $NOTIFY_SOCKET it does nothing."""

    STATUS_EVERY_MS = 60_000

    def __init__(self, kiosk: Kiosk, runner: QtRunner, environ=None, parent=None):
        super().__init__(parent)
        self.kiosk, self.runner, self.environ = kiosk, runner, environ
        env = os.environ if environ is None else environ
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        self.watchdog_s = sdnotify.watchdog_period(environ)
        self.ping = QTimer(self)
        self.ping.timeout.connect(self.watchdog)
        if self.watchdog_s:
            self.ping.setInterval(max(1, round(self.watchdog_s * 1000 / 2)))
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(self.STATUS_EVERY_MS)
        self.status_timer.timeout.connect(self.send_status)
        self.ready_sent = False

    def ready(self) -> None:
        if not self.enabled or self.ready_sent:
            return
        self.ready_sent = True
        self._send("READY=1", f"STATUS={self.status()}")
        log.info("systemd: ready%s", f"; watchdog ping every {self.ping.interval()} ms"
                 if self.watchdog_s else "")
        if self.watchdog_s:
            self.watchdog()
            self.ping.start()
        self.status_timer.start()

    def watchdog(self) -> None:
        self._send("WATCHDOG=1")

    def send_status(self) -> None:
        """The outbox is counted off the GUI thread (a busy disk must not freeze the screen)."""
        self.runner.run(self.kiosk.outbox.stats,
                        lambda stats: self._send(f"STATUS={self.status(stats)}"))

    def status(self, outbox=None) -> str:
        session = self.kiosk.session
        words = [f"{session.screen} screen"]
        if session.closed is not None:
            words.append(f"closed until {session.closed.opens_at:%a %H:%M}")
        if outbox is not None:
            words.append(f"outbox {outbox.pending} waiting, {outbox.set_aside} set aside")
        return "; ".join(words)

    def stopping(self) -> None:
        self.ping.stop()
        self.status_timer.stop()
        if self.enabled:
            self._send("STOPPING=1", "STATUS=stopping")

    def _send(self, *assignments: str) -> None:
        sdnotify.notify(*assignments, environ=self.environ)


def quit_on_signals(app: QApplication, window: KioskWindow) -> None:
    """SIGTERM (`systemctl stop`, an upgrade) and SIGINT end the app as the staff's "quit"
    does: STOPPING=1 is said, the card reader and the outbox sender stop in order. Python runs
    signal handlers only between bytecodes, never inside Qt's event loop, so the signal is
    written to a socket (signal.set_wakeup_fd) that the event loop watches."""
    read, write = socket.socketpair()
    read.setblocking(False)
    write.setblocking(False)
    signal.set_wakeup_fd(write.fileno(), warn_on_full_buffer=False)
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: None)  # the wakeup byte does the work
    watcher = QSocketNotifier(read.fileno(), QSocketNotifier.Read, app)

    def woke() -> None:
        try:
            read.recv(64)
        except OSError:
            pass
        log.info("kiosk: asked to stop")
        window._quit()

    watcher.activated.connect(woke)
    app._signal_sockets = (read, write, watcher)  # alive as long as the app


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
    systemd = SystemdNotifier(kiosk, window.runner, parent=window)
    window.first_shown.connect(systemd.ready)
    app.aboutToQuit.connect(systemd.stopping)
    quit_on_signals(app, window)
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
