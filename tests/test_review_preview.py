"""The review screen shows the application's PDF pages as pictures (offscreen, pytest-qt).

The session runs on test_session's in-memory services (no back office is needed to reach the
review) inside the real kiosk window; the PDF is the one forms/ renders, and PDFium rasterises
it for real, on the window's worker thread.
"""

import dataclasses
import io
from types import SimpleNamespace

import pypdf
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from forms.samples import SITI
from terminal.client import IdentifyOutcome, IdentifyResult
from terminal.config import KioskConfig
from terminal.devstack import DEMO
from terminal.session import Screen
from tests.test_session import HeldRunner, Services, make_session, to_review
from ui.app import KioskWindow
from ui.bridge import QtRunner
from ui.i18n import notice_text, text
from ui.preview import rasterise
from ui.screens import ReviewScreen
from ui.style import STYLESHEET

WAIT = 8000  # ms; generous for a busy 2-core machine, never a speed assertion
SIZES = {"landscape": (1280, 800), "portrait": (800, 1280)}
# An address this long takes the application copy onto a second page.
LONG_ADDRESS = dataclasses.replace(SITI, address=" ".join(["Jl. Perkebunan Kopi Blok"] * 14))


def new_session(resident=SITI, runner=None, room=True):
    services = Services()
    services.outcome = IdentifyOutcome(IdentifyResult.OK, resident)
    services.room = room  # False: the kiosk's disk is full, and the review says so
    return make_session(services, runner)


@pytest.fixture
def kiosk_window(qtbot):
    """make(size, resident, room): the real kiosk window on the review screen of `resident`."""

    def make(size=SIZES["landscape"], resident=SITI, room=True):
        session = new_session(resident, room=room)
        kiosk = SimpleNamespace(  # the window's view of terminal.kiosk.Kiosk: always open
            session=session, config=KioskConfig.load(DEMO / "kiosk.toml"), reader_ready=True,
            printing=None, check_hours=lambda: None)
        window = KioskWindow(kiosk, QtRunner())
        window.voice.set_muted(True)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        to_review(session)
        review = window.screens[Screen.REVIEW]
        qtbot.waitUntil(lambda: bool(review.preview.pages), timeout=WAIT)
        return window, review, session

    return make


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height))
            for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def ink(image: QImage, step: int = 2) -> tuple[int, int, int]:
    """(dark pixels, red pixels, pixels looked at), on a grid of every `step`th pixel."""
    dark = red = seen = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            seen += 1
            dark += c.lightness() < 100
            red += c.red() > 120 and c.green() < 80 and c.blue() < 80
    return dark, red, seen


def fully_inside(w: QWidget, window: QWidget) -> bool:
    top_left = w.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, w.size()))


def inside_a_scroll_area(w: QWidget) -> bool:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QScrollArea):
            return True
        p = p.parentWidget()
    return False


def test_the_review_shows_the_application_page_sharp_and_as_printed(kiosk_window):
    window, review, session = kiosk_window()
    preview = review.preview
    (page_w, page_h), = pdf_page_sizes(session.pdf)
    pm = preview.page.pixmap()
    assert not pm.isNull() and len(preview.pages) == 1
    # As wide as the space shown, in device pixels: drawn 1:1, never an upscaled thumbnail.
    dpr = review.devicePixelRatioF()
    assert pm.devicePixelRatio() == dpr
    assert pm.width() == round(preview.page_width() * dpr)
    assert preview.page.width() == preview.page_width()
    assert abs(pm.height() - pm.width() * page_h / page_w) <= 1  # the F4 page's shape
    # The pixels are the letter: a white sheet with black text and the red PERMOHONAN stamp.
    image = pm.toImage()
    dark, red, seen = ink(image)
    assert 0.005 < dark / seen < 0.2, (dark, seen)
    assert red > 20
    assert ink(image.copy(0, 0, image.width(), image.height() // 40))[0] == 0  # the top margin
    # The same page as PDFium gives for the session's PDF at that width.
    assert image == rasterise(session.pdf, pm.width())[0].convertToFormat(image.format())
    assert not preview.turner.isVisible()  # one page: nothing to turn


def test_a_two_page_application_turns_its_pages_with_big_buttons(kiosk_window, qtbot):
    window, review, session = kiosk_window(resident=LONG_ADDRESS)
    preview = review.preview
    assert len(pdf_page_sizes(session.pdf)) == 2
    qtbot.waitUntil(lambda: len(preview.pages) == 2, timeout=WAIT)
    first, second = preview.pages
    assert first.toImage() != second.toImage()
    assert preview.turner.isVisible()
    assert preview.count.text() == text("review_page_of", "id", page=1, pages=2)
    assert not preview.previous.isEnabled() and preview.next.isEnabled()
    for b in (preview.previous, preview.next):
        assert b.height() >= 60 and b.width() >= 60 and fully_inside(b, window)
        assert b.font().pixelSize() >= 24
    assert preview.count.font().pixelSize() >= 24

    qtbot.mouseClick(preview.next, Qt.LeftButton)
    assert preview.page.pixmap().cacheKey() == second.cacheKey()
    assert preview.count.text() == "Halaman 2 dari 2"
    assert preview.previous.isEnabled() and not preview.next.isEnabled()
    assert preview.scroll.verticalScrollBar().value() == 0  # the new page from its top

    qtbot.mouseClick(preview.previous, Qt.LeftButton)
    assert preview.page.pixmap().cacheKey() == first.cacheKey()
    assert preview.count.text() == "Halaman 1 dari 2"

    session.set_language("en")
    assert preview.count.text() == "Page 1 of 2" and preview.next.text() == "Next ▶"


@pytest.mark.parametrize("leave", ["card_removed", "cancel", "idle_timeout", "confirm"])
def test_no_page_image_outlives_the_session(kiosk_window, leave):
    window, review, session = kiosk_window(resident=LONG_ADDRESS)
    getattr(session, leave)()
    assert not session.holds_personal_data()
    preview = review.preview
    assert preview.pages == [] and preview.page.pixmap().isNull()
    assert not preview.turner.isVisible()
    assert [w for w in review.findChildren(QLabel) if not w.pixmap().isNull()] == []
    assert review.table.rows == [] and review.table.grid.count() == 0


class Host(QWidget):
    """The review screen alone, styled as the kiosk, on a runner the test holds."""

    def __init__(self, session, runner, size=(1280, 620), clears=True):
        super().__init__()
        self.clears = clears
        self.setStyleSheet(STYLESHEET)
        self.review = ReviewScreen(session, runner)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.review)
        self.resize(*size)
        session.subscribe(self.render)

    def render(self, session):  # as ui.app.KioskWindow does for the review screen
        if self.clears and not session.holds_personal_data():
            self.review.clear()
        if session.screen is Screen.REVIEW:
            self.review.render(session)


def review_on_held_runner(qtbot, clears=True):
    runner = HeldRunner()
    session = new_session(runner=None)
    host = Host(session, runner, clears=clears)
    qtbot.addWidget(host)
    host.show()
    to_review(session)
    qtbot.waitUntil(lambda: bool(runner.pending), timeout=WAIT)  # asked, not yet rasterised
    return host.review, session, runner


@pytest.mark.parametrize("clears", [True, False], ids=["window-clears", "generation-only"])
def test_a_page_image_arriving_after_the_villager_left_is_dropped(qtbot, clears):
    review, session, runner = review_on_held_runner(qtbot, clears)
    session.card_removed()  # the card is lifted while PDFium is still at work
    runner.release()
    assert review.preview.pages == [] and review.preview.page.pixmap().isNull()


def test_a_page_image_of_an_older_pdf_is_dropped(qtbot):
    review, session, runner = review_on_held_runner(qtbot)
    late = list(runner.pending)
    runner.pending.clear()
    session.back()  # to the form, and back with another purpose: a new PDF, same villager
    session.submit_fields({"keperluan": "Persyaratan pendaftaran sekolah anak"})
    qtbot.waitUntil(lambda: bool(runner.pending), timeout=WAIT)
    runner.release()  # the new PDF's pages first ...
    shown = review.preview.page.pixmap().toImage()
    for work, done in late:  # ... then the old PDF's, late
        done(work())
    assert review.preview.page.pixmap().toImage() == shown
    width = review.preview.pages[0].width()
    assert shown == QPixmap.fromImage(rasterise(session.pdf, width)[0]).toImage()


def test_rasterise_makes_pages_as_wide_as_asked():
    session = new_session(LONG_ADDRESS)
    to_review(session)
    pages = rasterise(session.pdf, 300)
    (w, h), _ = pdf_page_sizes(session.pdf)
    assert [p.width() for p in pages] == [300, 300]
    assert all(abs(p.height() - 300 * h / w) <= 1 for p in pages)


@pytest.mark.parametrize("shape", SIZES)
@pytest.mark.parametrize("resident", [SITI, LONG_ADDRESS], ids=["one-page", "two-pages"])
def test_page_and_send_button_fit_the_screen(kiosk_window, shape, resident):
    window, review, session = kiosk_window(SIZES[shape], resident)
    preview = review.preview
    # KIRIM and its hint in full view, never inside something that scrolls.
    for w in (review.confirm, review.hint, review.title):
        assert w.isVisible() and fully_inside(w, window) and not inside_a_scroll_area(w)
    assert review.confirm.height() >= 60 and review.confirm.isEnabled()
    assert fully_inside(preview.scroll, window)
    if len(preview.pages) > 1:
        assert fully_inside(preview.turner, window)
    # The page as wide as its place allows (minus the desk's margins and the scroll bar).
    assert preview.page_width() >= 560
    assert preview.page.width() <= preview.scroll.viewport().width()
    page = preview.mapTo(window, QPoint(0, 0))
    details = review.details.mapTo(window, QPoint(0, 0))
    if shape == "landscape":  # beside the details
        assert page.x() + preview.width() <= details.x()
    else:  # above them
        assert page.y() + preview.height() <= details.y()
    # The details' rows never need a sideways scroll.
    table = review.table_scroll
    assert table.widget().width() <= table.viewport().width()


@pytest.mark.parametrize("shape", SIZES)
def test_a_long_notice_keeps_the_page_hint_and_button_in_view(kiosk_window, shape):
    window, review, session = kiosk_window(SIZES[shape], LONG_ADDRESS, room=False)
    assert session.notice.code == "disk_full"
    assert review.notice.text() == notice_text(session.notice, "id")
    for w in (review.notice, review.hint, review.confirm, review.preview.turner):
        assert w.isVisible() and fully_inside(w, window) and not inside_a_scroll_area(w)
    assert not review.confirm.isEnabled()
    assert review.preview.scroll.viewport().height() >= 200  # still a good piece of the page


def test_a_closed_window_leaves_no_idle_timer_behind(kiosk_window):
    """The idle watcher (and so its timer) is the window's child and dies with it: a watcher
    left behind would wipe the session and redraw widgets already deleted (seen once in a
    full run, as errors in a later test)."""
    window, _, _ = kiosk_window()
    assert window.idle.parent() is window and window.idle.tick.parent() is window.idle
