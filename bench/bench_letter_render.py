"""Render the domicile application copy (F4, one page, QR, embedded DejaVu) repeatedly.

    python bench/bench_letter_render.py [renders]

Prints ``BENCH letter_render_ms <median> ms`` (after a warm-up that loads the catalogue and
registers the fonts).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms.application import Application  # noqa: E402
from forms.catalogue import load_catalogue  # noqa: E402
from forms.identity import Resident  # noqa: E402
from forms.render import render_application  # noqa: E402
from forms.village import VillageProfile  # noqa: E402

WARMUP = 20


def main(renders: int = 200) -> float:
    resident = Resident(
        nik="3510155208580003",
        name="Siti Aminah",
        birth_place="Banyuwangi",
        birth_date=date(1958, 8, 12),
        sex="P",
        address="Jl. Barong No. 12",
        dusun="Krajan",
        rt="003",
        rw="012",
        religion="Islam",
        marital_status="Cerai Mati",
        occupation="Mengurus Rumah Tangga",
        citizenship="WNI",
        family_card_number="3510151204080021",
    )
    village = VillageProfile(
        code="35.10.15.2003",
        name="Kemiren",
        kind="Desa",
        district="Glagah",
        regency="Kabupaten Banyuwangi",
        province="Jawa Timur",
        address="Jl. Barong No. 1, Kemiren, Glagah, Banyuwangi",
        postal_code="68432",
        head_name="H. Suhaimi",
    )
    letter = load_catalogue().get("domisili")
    start = datetime(2026, 11, 25, 9, 14, tzinfo=timezone(timedelta(hours=7)))

    def app(i: int) -> Application:
        # A different application each time, as at the kiosk (number, time, QR content).
        return Application(
            application_number=f"KMR01-261125-{i:04d}",
            letter="domisili",
            village_code=village.code,
            kiosk_id="KMR01",
            created_at=start + timedelta(minutes=i),
            resident=resident,
            values={"keperluan": "Persyaratan melamar pekerjaan"},
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
