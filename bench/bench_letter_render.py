"""Render the domicile application copy (F4, one page, QR, embedded DejaVu) repeatedly.

    python bench/bench_letter_render.py [renders]

Prints ``BENCH letter_render_ms <median> ms`` (after a warm-up that loads the catalogue and
registers the fonts).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms.application import Application  # noqa: E402
from forms.catalogue import load_catalogue  # noqa: E402
from forms.render import render_application  # noqa: E402
from forms.samples import KEMIREN, sample_application  # noqa: E402

WARMUP = 20


def main(renders: int = 200) -> float:
    village = KEMIREN
    letter = load_catalogue().get("domisili")
    start = datetime(2026, 11, 25, 9, 14, tzinfo=timezone(timedelta(hours=7)))

    def app(i: int) -> Application:
        # A different application each time, as at the kiosk (number, time, QR content).
        return sample_application(
            number=f"KMR01-261125-{i:04d}", created_at=start + timedelta(minutes=i)
        )

    for i in range(WARMUP):
        render_application(app(i), letter, village)
    times = []
    pages = b""
    for i in range(renders):
        a = app(WARMUP + i)
        t0 = time.perf_counter()
        pages = render_application(a, letter, village)
        times.append(time.perf_counter() - t0)
    median = statistics.median(times) * 1000
    print(
        f"# {renders} renders, {len(pages)} bytes; min {min(times) * 1000:.1f} ms, "
        f"p90 {statistics.quantiles(times, n=10)[-1] * 1000:.1f} ms"
    )
    print(f"BENCH letter_render_ms {median:.1f} ms")
    return median


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
