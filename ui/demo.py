"""`make demo`: the kiosk in a window, the back office behind it, and a panel of demo cards.

Starts pcscd with a virtual reader, the back office (`python -m backoffice`, SQLite under
var/demo/, demo residents), the kiosk window, and a small separate window with a button per demo
card to tap it on the reader or lift it off again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from devices.demo_cards import DEMO_CARDS
from terminal.devstack import ROOT, DevStack, display_available
from ui.app import build

NO_DISPLAY = (
    "There is no screen here to show the kiosk on (no DISPLAY or WAYLAND_DISPLAY); "
    "run `make tour` to get a picture of every screen in build/tour/ instead."
)


class CardPanel(QWidget):
    """One button per demo card: tap it on the virtual reader, or lift it off again."""

    def __init__(self, stack: DevStack):
        super().__init__()
        self.stack = stack
        self.on_reader = None  # (key, VirtualCard) while a card lies on the reader
        self.setWindowTitle("Kartu demo / demo cards")
        lay = QVBoxLayout(self)
        hint = QLabel("Tempelkan satu kartu ke pembaca.\nTap one card on the reader.")
        lay.addWidget(hint)
        self.buttons: dict[str, QPushButton] = {}
        for card in DEMO_CARDS:
            b = QPushButton()
            b.setMinimumHeight(44)
            b.clicked.connect(lambda _=False, k=card.key: self.toggle(k))
            self.buttons[card.key] = b
            lay.addWidget(b)
        # The virtual printer (a private cupsd): receipts go to stack.printer.fault_dir,
        # application copies to stack.printer.pdf_out; paper can run out on purpose.
        self.paper_out = False
        self.paper = QPushButton()
        self.paper.setMinimumHeight(44)
        self.paper.clicked.connect(self.toggle_paper)
        self.paper.setVisible(stack.printer is not None)
        lay.addWidget(self.paper)
        self.refresh()

    def toggle_paper(self) -> None:
        self.paper_out = not self.paper_out
        self.stack.printer.set_fault("media-empty-error" if self.paper_out else None)
        self.refresh()

    def toggle(self, key: str) -> None:
        if self.on_reader:
            _, card = self.on_reader
            card.remove()
            self.on_reader = None
            # pcscd needs to see the reader empty before the next card (it polls every 0.4 s).
            for b in self.buttons.values():
                b.setEnabled(False)
            QTimer.singleShot(900, self.refresh)
            return
        card = self.stack.card(key)
        card.insert()
        self.on_reader = (key, card)
        self.refresh()

    def refresh(self) -> None:
        for card in DEMO_CARDS:
            b = self.buttons[card.key]
            lying = self.on_reader and self.on_reader[0] == card.key
            b.setText(f"Angkat / lift: {card.label}" if lying else f"Tempel / tap: {card.label}")
            b.setEnabled(not self.on_reader or bool(lying))
        self.paper.setText("Printer: isi kertas / refill paper" if self.paper_out
                           else "Printer: kertas habis / out of paper")


def main() -> int:
    if not display_available():
        print(NO_DISPLAY)
        return 2
    app = QApplication(sys.argv[:1])
    stack = DevStack(ROOT / "var" / "demo", printer="optional")
    print("Starting pcscd with a virtual reader and the back office …")
    stack.start()
    try:
        kiosk, window, reader = build(stack.kiosk_config())
        kiosk.start()
        reader.start()
        window.resize(1280, 860)
        window.show()
        panel = CardPanel(stack)
        panel.move(window.x() + window.width() + 16, window.y())
        panel.show()
        print(f"Back office: {stack.backoffice.url} · kiosk data: {kiosk.config.data_dir}")
        print(f"Staff pages: {stack.backoffice.url}/staff/ (demo accounts and their password: "
              f"{stack.backoffice.log_path})")
        if stack.printer is not None:
            print(f"Printer: receipts in {stack.printer.fault_dir}, copies in "
                  f"{stack.printer.pdf_out}")
        code = app.exec()
        if panel.on_reader:
            panel.on_reader[1].remove()
        reader.stop()
        kiosk.stop()
        return code
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
