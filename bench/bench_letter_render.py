"""Render every letter type's final letter (F4, QR, embedded DejaVu) repeatedly.

    python bench/bench_letter_render.py [renders]

Prints ``BENCH letter_render_ms_<letter id> <median> ms`` for each letter type,
``BENCH letter_render_ms <median> ms`` for the domicile letter (target ≤ 20 ms), and the
domicile application copy and 80 mm receipt (after a warm-up that loads the catalogue and
registers the fonts). Each render is a different letter, as in the office (number, QR).
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms import catalogue as cat  # noqa: E402
from forms.catalogue import Letter, load_catalogue  # noqa: E402
from forms.issued import IssuedLetter, village_head  # noqa: E402
from forms.numbering import format_letter_number  # noqa: E402
from forms.receipt import render_receipt  # noqa: E402
from forms.render import render_application, render_letter  # noqa: E402
from forms.samples import KEMIREN, sample_application  # noqa: E402
from forms.verification import sign_letter, verification_url  # noqa: E402

WARMUP = 10
KEY = bytes(32)


def values_for(letter: Letter) -> dict[str, str] | None:
    maker = getattr(cat, "sample_values", None)
    if maker is not None:
        return dict(maker(letter))
    if letter.id == "domisili":
        return {"keperluan": "Persyaratan melamar pekerjaan"}
    return None


def issued_letter(letter: Letter, values: dict[str, str], i: int) -> IssuedLetter:
    app = sample_application(number=f"KMR01-261125-{i:04d}", **values)
    app = dataclasses.replace(app, letter=letter.id)
    day = date(2026, 11, 26)
    number = format_letter_number(code=letter.code, number=i + 1, village_code=KEMIREN.code,
                                  issued=day)  # fmt: skip
    token = sign_letter(village_code=KEMIREN.code, letter_number=number, issued=day,
                        letter_id=letter.id, nik=app.resident.nik, key=KEY)  # fmt: skip
    return IssuedLetter(app, number, day, village_head(KEMIREN),
                        verification_url("https://kemiren.desa.id/cek", token))  # fmt: skip


def median_ms(render, renders: int) -> tuple[float, int]:
    for i in range(WARMUP):
        render(i)
    times, size = [], 0
    for i in range(WARMUP, WARMUP + renders):
        t0 = time.perf_counter()
        size = len(render(i))
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, size


def main(renders: int = 100) -> float:
    catalogue = load_catalogue()
    domisili = catalogue.get("domisili")
    result = 0.0
    for letter in catalogue.letters():
        values = values_for(letter)
        if values is None:
            print(f"# {letter.id}: no sample values (forms.catalogue.sample_values missing)")
            continue
        ms, size = median_ms(
            lambda i, lt=letter, v=values: render_letter(issued_letter(lt, v, i), lt, KEMIREN),
            renders,
        )
        print(f"BENCH letter_render_ms_{letter.id} {ms:.1f} ms")
        if letter.id == "domisili":
            result = ms
            print(f"# domisili final letter: {size} bytes")
    print(f"BENCH letter_render_ms {result:.1f} ms")

    values = values_for(domisili) or {}
    ms, _ = median_ms(lambda i: render_application(
        sample_application(number=f"KMR01-261125-{i:04d}", **values), domisili, KEMIREN),
        renders)  # fmt: skip
    print(f"BENCH application_copy_render_ms {ms:.1f} ms")
    ms, _ = median_ms(lambda i: render_receipt(
        sample_application(number=f"KMR01-261125-{i:04d}", **values), domisili, KEMIREN, "80mm",
        date(2026, 11, 27) + timedelta(days=i % 3)), renders)  # fmt: skip
    print(f"BENCH receipt_render_ms {ms:.1f} ms")
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
