"""A day and more at the kiosk: 1 000 scripted villager sessions in one kiosk process.

The real stack (pcscd + vpcd virtual e-KTPs, the back office process on loopback, the kiosk
window offscreen); each session taps a card, types the PIN, applies for a letter, confirms,
waits for the back office's acknowledgement, leaves the receipt and lifts the card. Every
tenth session instead cancels on the review screen, and every tenth lifts the card mid-form:
the paths that wipe a session early must not leak either.

soak_rss_growth_mb: the kiosk process's resident memory after the last session minus after the
first 50 (warm-up: caches, fonts, the first PDF); soak_rss_peak_mb: its high-water mark (VmHWM).
Targets: growth ≤ 10 MB, peak ≤ 200 MB. Also printed: the memory at each tenth of the run, so a
slow leak shows as a slope, and Python's own object count.

Run: `.venv/bin/python bench/bench_kiosk_soak.py [--sessions 1000]`
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
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

WARM_UP = 50


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process, in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def one_session(d, stack, demo, i: int) -> None:
    s = d.session
    card = stack.card(demo.key)
    card.insert()
    d.wait_for(Screen.PIN)
    d.enter_pin(demo.pin)
    d.wait_for(Screen.CHOOSE_LETTER, timeout=15)
    if i % 10 == 3:  # lifts the card mid-form
        d.click("letter_domisili")
        d.type_into("keperluan", "Mengurus beasiswa anak")
        card.remove()
        d.wait_for(Screen.ATTRACT)
    elif i % 10 == 7:  # cancels on the review screen
        d.click("letter_domisili")
        d.type_into("keperluan", "Persyaratan melamar pekerjaan")
        d.click("fill_next")
        d.wait_for(Screen.REVIEW)
        d.click("cancel")
        card.remove()
    else:
        d.apply_for_domicile(f"Persyaratan melamar pekerjaan nomor {i}")
        d.wait_until(lambda: s.receipt.delivered, timeout=15, what="acknowledgement")
        d.click("receipt_done")
        card.remove()
    stack.rig.wait_for_card(False)
    d.wait_for(Screen.ATTRACT)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sessions", type=int, default=1000)
    args = p.parse_args()
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive
    residents = [c for c in DEMO_CARDS if c.pin]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, DevStack(Path(tmp)) as stack:
        # No idle wipes mid-script (a busy machine can be slow); the wipes are exercised above.
        config = dataclasses.replace(stack.kiosk_config(), idle_warning_s=3000,
                                     idle_timeout_s=3600)
        with running_kiosk(config) as d:
            d.wait_until(lambda: d.kiosk.reader_ready, what="reader ready")
            baseline = None
            for i in range(args.sessions):
                one_session(d, stack, residents[i % len(residents)], i)
                if i + 1 == min(WARM_UP, args.sessions):
                    gc.collect()
                    baseline = memory_mb()[0]
                    objects = len(gc.get_objects())
                    print(f"  after {i + 1} sessions (baseline): {baseline:.1f} MB, "
                          f"{objects} Python objects", flush=True)
                elif (i + 1) % max(1, args.sessions // 10) == 0:
                    print(f"  after {i + 1} sessions: {memory_mb()[0]:.1f} MB "
                          f"({time.monotonic() - started:.0f} s)", flush=True)
            gc.collect()
            rss, peak = memory_mb()
            print(f"  after {args.sessions} sessions: {rss:.1f} MB, "
                  f"{len(gc.get_objects())} Python objects; outbox pending "
                  f"{d.kiosk.outbox.pending_count()}", flush=True)
    growth = rss - (baseline if baseline is not None else rss)
    print(f"BENCH soak_rss_growth_mb {growth:.1f} MB")
    print(f"BENCH soak_rss_peak_mb {peak:.1f} MB")
    print(f"BENCH soak_sessions {args.sessions} sessions")
    met = growth <= 10 and peak <= 200
    print(f"targets growth <= 10 MB, peak <= 200 MB: {'met' if met else 'MISSED'} "
          f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
