"""Card reading on the virtual rig, in chip mode (the mode that reads the most from the card).

- card_to_identity_ms: the virtual e-KTP connects to vpcd → the chip's biodata is in the
  kiosk's session (terminal/), median of the taps. Most of it is pcscd noticing the card: it
  polls its drivers every 400 ms.
- card_processing_ms: the part after PC/SC reported the card: UID read, SAM check, SELECTs,
  READ BINARYs, TLV decoding, handing over to the GUI thread. Target ≤ 150 ms.
- card_apdus: APDUs the card received per identification (GET UID + the chip read).
- sam_apdus: APDUs the SAM received per identification.
- registry_processing_ms: the same part in the default mode (UID only), for comparison.
- reader_recovery_ms: pcscd restarted while the kiosk runs: from pcscd ready again to the
  kiosk's reader ready again, without restarting the kiosk. Target ≤ 2000 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from devices.demo_cards import demo_card  # noqa: E402
from devices.ektp import ektp_type_b_atr  # noqa: E402
from devices.pcsc import CardPresented  # noqa: E402
from devices.virtual_chip import VirtualEktpChip, VirtualSam, sample_biodata  # noqa: E402
from terminal.devstack import DevStack  # noqa: E402
from terminal.session import Screen  # noqa: E402
from ui.driver import running_kiosk  # noqa: E402

TAPS = 30


def measure(stack: DevStack, identity: str, taps: int) -> dict[str, list[float]]:
    siti = demo_card("siti")
    chip = VirtualEktpChip(replace(sample_biodata(), nik=siti.nik))
    sam_hook = VirtualSam()
    sam = sam_hook.insert_card(port=stack.rig.port + 1)
    sam.insert()
    config = stack.kiosk_config(identity=identity, sam_reader=stack.rig.sam_reader)
    out: dict[str, list[float]] = {"total": [], "processing": [], "apdus": [], "sam_apdus": []}
    try:
        with running_kiosk(config) as d:
            detected: list[float] = []
            d.reader.event.connect(
                lambda ev: detected.append(ev.detected_at) if isinstance(ev, CardPresented) else 0
            )
            identified: list[float] = []
            d.session.subscribe(
                lambda s: identified.append(time.monotonic()) if s.screen is Screen.PIN else 0
            )
            d.wait_until(lambda: d.kiosk.reader_ready, what="reader ready")
            for i in range(taps + 3):  # the first taps warm up and are not counted
                detected.clear()
                identified.clear()
                chip.reset_faults()
                sam_hook.reset_faults()
                card = chip.insert_card(ektp_type_b_atr(siti.uid), siti.uid, stack.rig.port)
                t0 = time.monotonic()
                card.insert()
                d.wait_for(Screen.PIN)
                apdus, sam_apdus = chip.apdus, sam_hook.apdus
                if i >= 3:
                    out["total"].append((identified[0] - t0) * 1000)
                    out["processing"].append((identified[0] - detected[0]) * 1000)
                    out["apdus"].append(apdus)
                    out["sam_apdus"].append(sam_apdus)
                card.remove()
                stack.rig.wait_for_card(False)
                d.wait_for(Screen.ATTRACT)
    finally:
        sam.remove()
    return out


def reader_recovery(stack: DevStack, restarts: int = 5) -> list[float]:
    times = []
    with running_kiosk(stack.kiosk_config()) as d:
        d.wait_until(lambda: d.kiosk.reader_ready, what="reader ready")
        for _ in range(restarts):
            stack.rig.stop(release=False)
            d.wait_until(lambda: not d.kiosk.reader_ready, what="reader gone")
            stack.rig.start()
            t0 = time.monotonic()
            d.wait_until(lambda: d.kiosk.reader_ready, timeout=10, what="reader back")
            times.append((time.monotonic() - t0) * 1000)
    return times


def main() -> None:
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive
    with tempfile.TemporaryDirectory() as tmp, DevStack(Path(tmp)) as stack:
        chip = measure(stack, "chip", TAPS)
        registry = measure(stack, "registry", 10)
        recovery = reader_recovery(stack)
    med = statistics.median
    print(f"# {TAPS} taps; processing min {min(chip['processing']):.1f} "
          f"max {max(chip['processing']):.1f} ms")
    print(f"BENCH card_to_identity_ms {med(chip['total']):.1f} ms")
    print(f"BENCH card_processing_ms {med(chip['processing']):.1f} ms")
    print(f"BENCH card_apdus {med(chip['apdus']):.0f} apdus")
    print(f"BENCH sam_apdus {med(chip['sam_apdus']):.0f} apdus")
    print(f"BENCH registry_processing_ms {med(registry['processing']):.1f} ms")
    print(f"BENCH reader_recovery_ms {max(recovery):.1f} ms")  # the worst of the restarts


if __name__ == "__main__":
    main()
