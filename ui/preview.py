"""The application PDF as page images, for the villager to look at before confirming.

PDFium (pypdfium2) rasterises the pages on a worker thread: an F4 page as wide as the review
screen shows it (~650 px) takes ~10 ms on a 2-core kiosk (up to ~20), at a device pixel ratio
of 2 ~30 ms (up to ~80), more while the kiosk is busy sending: enough for a tap to feel ignored
if the GUI thread did it. PDFium is not thread-safe,
not even across documents, so every call into it holds one lock, and everything it allocated is
closed inside that lock rather than left to the garbage collector on whichever thread.
The images come back through the runner (on the GUI thread) tagged with the session
generation and a ticket of their own: one that arrives after the villager has gone, or after a
newer request, is dropped.
"""

from __future__ import annotations

import logging
import threading

import pypdfium2 as pdfium
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from terminal.session import Runner, Screen, Session
from ui.bridge import QtRunner
from ui.i18n import text
from ui.style import NAVY

log = logging.getLogger(__name__)

_PDFIUM = threading.Lock()
PAGE_MARGIN = 12  # grey around the paper, so a white page reads as a sheet

PREVIEW_STYLE = f"""
QScrollArea#review_pages, QWidget#review_desk {{ background: #6b7380; border: none; }}
QLabel#review_page {{ background: white; }}
QScrollArea#review_pages QScrollBar:vertical {{ width: 36px; background: #d9dde3; }}
QScrollArea#review_pages QScrollBar::handle:vertical {{ background: {NAVY}; min-height: 80px;
    border-radius: 8px; margin: 4px; }}
QLabel#review_page_count {{ font-size: 24px; font-weight: bold; color: {NAVY}; }}
QPushButton#page_turn {{ font-size: 24px; padding: 8px 16px; }}
QPushButton#page_turn:disabled {{ color: #9aa3ad; border-color: #c5cbd2; }}
"""


def rasterise(pdf: bytes, width_px: int) -> list[QImage]:
    """Every page of `pdf`, `width_px` device pixels wide (each keeps its page's shape).

    Safe on any thread: QImage (unlike QPixmap) may be made off the GUI thread."""
    images = []
    with _PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        try:
            for i in range(len(doc)):
                page = doc[i]
                try:
                    bitmap = page.render(
                        scale=width_px / page.get_width(),
                        may_draw_forms=False,
                        prefer_bgrx=True,  # BGRx in memory is QImage's RGB32 (little-endian)
                        fill_color=(255, 255, 255, 255),
                    )
                    try:
                        image = QImage(bitmap.buffer, bitmap.width, bitmap.height,
                                       bitmap.stride, QImage.Format_RGB32)
                        images.append(image.copy())  # its own pixels, not PDFium's buffer
                    finally:
                        bitmap.close()
                finally:
                    page.close()
        finally:
            doc.close()
    return images


def _page_button(action: str) -> QPushButton:
    b = QPushButton()  # as ui.screens._button makes them (that module imports this one)
    b.setObjectName("page_turn")
    b.setProperty("action", action)
    b.setFocusPolicy(Qt.NoFocus)
    return b


class PagePreview(QWidget):
    """The page images of the session's PDF, as wide as the space allows, one page at a time.

    A page taller than the space scrolls (a finger drag or the wide scroll bar); an application
    of more pages has big previous/next buttons with "Halaman 1 dari 2" between them.
    """

    def __init__(self, session: Session, runner: Runner | None = None):
        super().__init__()
        self.setStyleSheet(PREVIEW_STYLE)
        self.session = session
        self.runner = runner if runner is not None else QtRunner()
        self.pages: list[QPixmap] = []
        self.index = 0
        self._pdf: bytes | None = None  # the session's own PDF object, never a copy
        self._ticket = 0  # the request whose images are wanted; any other is late
        self._asked: tuple[int, int] | None = None  # (ticket, device pixels wide) asked for

        self.page = QLabel()
        self.page.setObjectName("review_page")
        self.page.setAlignment(Qt.AlignTop | Qt.AlignHCenter)
        desk = QWidget()
        desk.setObjectName("review_desk")
        dl = QVBoxLayout(desk)
        dl.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        dl.addWidget(self.page, 0, Qt.AlignTop | Qt.AlignHCenter)
        dl.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("review_pages")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(desk)
        self.scroll.setFocusPolicy(Qt.NoFocus)
        # Always there, so the page's width never depends on its height (no render loop).
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.scroll.viewport(), QScroller.LeftMouseButtonGesture)
        self.scroll.viewport().installEventFilter(self)

        self.previous = _page_button("review_page_previous")
        self.next = _page_button("review_page_next")
        self.count = QLabel()
        self.count.setObjectName("review_page_count")
        self.count.setAlignment(Qt.AlignCenter)
        self.previous.clicked.connect(lambda: self.show_page(self.index - 1))
        self.next.clicked.connect(lambda: self.show_page(self.index + 1))
        self.turner = QWidget()
        tl = QHBoxLayout(self.turner)
        tl.setContentsMargins(0, 8, 0, 0)
        tl.addWidget(self.previous)
        tl.addWidget(self.count, 1)
        tl.addWidget(self.next)
        self.turner.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.turner)

        self._soon = QTimer(self)  # after the layout has given the pages their width
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self._request)

    # -- what the screen asks -------------------------------------------------------------

    def render(self, session: Session) -> None:
        lang = session.language
        self.previous.setText(text("review_page_previous", lang))
        self.next.setText(text("review_page_next", lang))
        if session.pdf is not self._pdf:  # a new application (or back from the form, changed)
            self._forget()
            self._pdf = session.pdf
        self._show_count()
        self._soon.start()

    def clear(self) -> None:
        """Forget the PDF and every image of it; an image still on its way is dropped."""
        self._forget()
        self._pdf = None

    def show_page(self, index: int) -> None:
        if not self.pages:
            return
        self.index = max(0, min(index, len(self.pages) - 1))
        self.page.setPixmap(self.pages[self.index])
        self.scroll.verticalScrollBar().setValue(0)  # a new page starts at its top
        self._show_count()

    def page_width(self) -> int:
        """How wide a page is shown, in logical pixels: the width of the scroll area's view."""
        return self.scroll.viewport().width() - 2 * PAGE_MARGIN

    # -- rasterising ----------------------------------------------------------------------

    def _forget(self) -> None:
        self._ticket += 1
        self._asked = None
        self.pages = []
        self.index = 0
        self.page.clear()
        self.page.setFixedSize(0, 0)
        self._show_count()

    def _show_count(self) -> None:
        many = len(self.pages) > 1
        self.turner.setVisible(many)
        if many:
            lang = self.session.language
            self.count.setText(text("review_page_of", lang, page=self.index + 1,
                                    pages=len(self.pages)))
            self.previous.setEnabled(self.index > 0)
            self.next.setEnabled(self.index < len(self.pages) - 1)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Resize:
            self._soon.start()  # e.g. the kiosk turned to portrait: sharp at the new width
        return False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._soon.start()

    def _request(self) -> None:
        pdf, width = self._pdf, self.page_width()
        if pdf is None or not self.isVisible() or width < 50:
            return  # nothing to show, or not laid out yet: asked again when it is
        dpr = self.devicePixelRatioF()
        width_px = round(width * dpr)
        if self._asked == (self._ticket, width_px):
            return  # already shown at this size, or on its way
        self._ticket += 1
        self._asked = (self._ticket, width_px)
        ticket, generation = self._ticket, self.session.generation
        self.runner.run(
            lambda: rasterise(pdf, width_px),
            lambda images: self._rendered(ticket, generation, dpr, images),
        )

    def _rendered(self, ticket: int, generation: int, dpr: float, images: list[QImage]) -> None:
        s = self.session
        if ticket != self._ticket or generation != s.generation or s.screen is not Screen.REVIEW:
            log.debug("review: late page images dropped")
            return
        pages = []
        for image in images:
            pm = QPixmap.fromImage(image)
            pm.setDevicePixelRatio(dpr)  # device pixels 1:1 on the screen: sharp, not scaled
            pages.append(pm)
        self.pages = pages
        if pages:
            size = pages[0].deviceIndependentSize().toSize()
            self.page.setFixedSize(size)
        self.show_page(self.index)
