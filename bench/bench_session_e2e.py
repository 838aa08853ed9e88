"""session_e2e_ms: one scripted villager session, from tapping the virtual e-KTP to the back
office's acknowledgement of the application, on the real stack (pcscd + vpcd, the back office
process on loopback, the kiosk window offscreen). Median over the sessions.

Most of the figure is pcscd noticing the card (it polls its drivers every 400 ms); the
`session_after_card_ms` figure is the same session measured from the moment the kiosk shows
the PIN screen, which is what the kiosk itself costs.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from devices.demo_cards import DEMO_CARDS  # noqa: E402
from terminal.devstack import DevStack  # noqa: E402
from terminal.session import Screen  # noqa: E402
from ui.driver import running_kiosk  # noqa: E402

SESSIONS = 15


def main() -> None:
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive
    residents = [c for c in DEMO_CARDS if c.pin]
    total, after_card = [], []
    with tempfile.TemporaryDirectory() as tmp, DevStack(Path(tmp)) as stack:
        with running_kiosk(stack.kiosk_config()) as d:
            s = d.session
            d.wait_until(lambda: d.kiosk.reader_ready, what="reader ready")
            for i in range(SESSIONS + 1):  # the first session warms up and is not counted
                demo = residents[i % len(residents)]
                card = stack.card(demo.key)
                t0 = time.perf_counter()
                card.insert()
                d.wait_for(Screen.PIN)
                t1 = time.perf_counter()
                d.enter_pin(demo.pin)
                d.wait_for(Screen.CHOOSE_LETTER)
                d.apply_for_domicile("Persyaratan melamar pekerjaan")
                d.wait_until(lambda: s.receipt.delivered, what="acknowledgement")
                t2 = time.perf_counter()
                if i:
                    total.append((t2 - t0) * 1000)
                    after_card.append((t2 - t1) * 1000)
                d.click("receipt_done")
                card.remove()
                stack.rig.wait_for_card(False)
                d.wait_for(Screen.ATTRACT)
    print(f"BENCH session_e2e_ms {statistics.median(total):.1f} ms")
    print(f"BENCH session_after_card_ms {statistics.median(after_card):.1f} ms")


if __name__ == "__main__":
    main()
