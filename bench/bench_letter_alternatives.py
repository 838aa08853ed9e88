"""The same domicile letter three ways: ReportLab (ours), WeasyPrint (HTML → PDF) and
LibreOffice headless (.docx → PDF, one `soffice --convert-to pdf` call per letter, as a
village clerk's mail-merge script would run it).

    python bench/bench_letter_alternatives.py

Prints ``BENCH letter_vs_weasyprint_x <ratio> x`` and ``BENCH letter_vs_libreoffice_x <ratio> x``
(their median time / ours; targets ≥ 5 and ≥ 30). Each document carries the same content:
letterhead, title, number, body, the identity table, signature block and a QR code (as a
vector path in HTML, as a PNG in the .docx — Writer has no cheaper way to take one).

The comparison tools are installed by `make bench` (deploy/bench-packages.sh; pip extra
`bench`: weasyprint, python-docx). A tool that is missing is reported and no figure printed
for it (exit status 1): a figure is never guessed.
"""

from __future__ import annotations

import html
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms.catalogue import display_value, format_date_id, load_catalogue, prefill  # noqa: E402
from forms.issued import IssuedLetter, village_head  # noqa: E402
from forms.layout import QRFlowable, fill_body, village_placeholders  # noqa: E402
from forms.numbering import format_letter_number  # noqa: E402
from forms.render import render_letter  # noqa: E402
from forms.samples import KEMIREN, sample_application  # noqa: E402
from forms.verification import sign_letter, verification_url  # noqa: E402

DAY = date(2026, 11, 26)


def the_letter():
    letter = load_catalogue().get("domisili")
    app = sample_application()
    number = format_letter_number(code=letter.code, number=7, village_code=KEMIREN.code,
                                  issued=DAY)  # fmt: skip
    token = sign_letter(village_code=KEMIREN.code, letter_number=number, issued=DAY,
                        letter_id=letter.id, nik=app.resident.nik, key=bytes(32))  # fmt: skip
    issued = IssuedLetter(app, number, DAY, village_head(KEMIREN),
                          verification_url("https://kemiren.desa.id/cek", token))  # fmt: skip
    identity = [(f.label.id, v) for f, v in prefill(letter, app.resident)]
    values = dict(village_placeholders(KEMIREN))
    values.update({f.name: v for f, v in prefill(letter, app.resident)})
    values.update({f.name: display_value(f, app.values.get(f.name, ""))
                   for f in letter.input_fields()})  # fmt: skip
    # fill_body gives ReportLab markup (escaped text, <br/>); good as HTML too
    return letter, issued, identity, fill_body(letter, values)


def timed(fn, runs: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


# --------------------------------------------------------------------------- WeasyPrint


def letter_html(letter, issued, identity, body) -> str:
    v = KEMIREN
    qr = QRFlowable(issued.verification_url, 1)
    n = len(qr.matrix)
    rects = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(qr.matrix)
                    for x, dark in enumerate(row) if dark)  # fmt: skip
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>:</td><td>{html.escape(val)}</td></tr>"
                   for k, val in identity)  # fmt: skip
    paras = "".join(f"<p>{p}</p>" for p in body)
    sig = "".join(f"<div>{html.escape(line)}</div>" for line in issued.signer.title_lines())
    return f"""<!doctype html><html lang="id"><head><meta charset="utf-8"><style>
@page {{ size: 215mm 330mm; margin: 12mm 20mm 18mm 25mm; }}
body {{ font-family: "DejaVu Sans"; font-size: 11pt; line-height: 15pt; }}
.kop {{ text-align: center; border-bottom: 3px double black; padding-bottom: 2mm; }}
.kop .v {{ font-size: 18pt; font-weight: bold; line-height: 22pt; }}
.kop .a {{ font-size: 9pt; }}
h1 {{ font-size: 13pt; text-align: center; text-decoration: underline; margin: 5mm 0 0; }}
.no {{ text-align: center; margin-bottom: 4mm; }}
p {{ text-align: justify; text-indent: 12mm; margin: 0 0 2mm; }}
table.id {{ margin-left: 12mm; border-collapse: collapse; }} table.id td {{ padding: 0 3px; }}
.sig {{ display: flex; justify-content: space-between; page-break-inside: avoid;
        margin-top: 6mm; }}
.sig .right {{ width: 78mm; text-align: center; }} .sig .name {{ margin-top: 22mm;
  font-weight: bold; text-decoration: underline; }}
</style></head><body>
<div class="kop"><div>PEMERINTAH {html.escape(v.regency.upper())}</div>
<div>KECAMATAN {html.escape(v.district.upper())}</div>
<div class="v">{html.escape(v.kind.upper())} {html.escape(v.name.upper())}</div>
<div class="a">{html.escape(v.address)} · Kode Pos {html.escape(v.postal_code)}</div></div>
<h1>{html.escape(letter.title.id.upper())}</h1>
<div class="no">Nomor: {html.escape(issued.number)}</div>
{paras[: paras.index("</p>") + 4]}<table class="id">{rows}</table>{paras[paras.index("</p>") + 4:]}
<div class="sig"><div><svg width="32mm" height="32mm" viewBox="-4 -4 {n + 8} {n + 8}">
<path d="{rects}"/></svg></div><div class="right">
<div>{html.escape(v.name)}, {format_date_id(issued.issued)}</div>{sig}
<div class="name">{html.escape(issued.signer.name)}</div></div></div>
</body></html>"""


def bench_weasyprint(doc, runs: int) -> float | None:
    try:
        import weasyprint
    except Exception as e:  # noqa: BLE001 - report any import failure
        print(f"# weasyprint not available ({e}); run `make bench` to install it")
        return None
    print(f"# weasyprint {weasyprint.__version__}")

    def once() -> bytes:
        return weasyprint.HTML(string=letter_html(*doc)).write_pdf()

    return timed(once, runs, warmup=3)


# --------------------------------------------------------------------------- LibreOffice


def letter_docx(letter, issued, identity, body, path: Path) -> None:
    import qrcode
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    v = KEMIREN
    d = Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(215), Mm(330)
    sec.left_margin, sec.right_margin = Mm(25), Mm(20)
    sec.top_margin, sec.bottom_margin = Mm(12), Mm(18)
    style = d.styles["Normal"]
    style.font.name, style.font.size = "DejaVu Sans", Pt(11)

    def para(text: str, size: float = 11, bold: bool = False, center: bool = False):
        p = d.add_paragraph()
        r = p.add_run(text)
        r.font.size, r.bold = Pt(size), bold
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    para(f"PEMERINTAH {v.regency.upper()}", 13, center=True)
    para(f"KECAMATAN {v.district.upper()}", 13, center=True)
    para(f"{v.kind.upper()} {v.name.upper()}", 18, bold=True, center=True)
    para(f"{v.address} · Kode Pos {v.postal_code}", 9, center=True)
    para(letter.title.id.upper(), 13, bold=True, center=True).runs[0].underline = True
    para(f"Nomor: {issued.number}", center=True)
    plain = [html.unescape(p.replace("<br/>", "\n")) for p in body]
    para(plain[0]).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    t = d.add_table(rows=0, cols=3)
    for k, val in identity:
        cells = t.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = k, ":", val
    for p in plain[1:]:
        para(p).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    img = io.BytesIO()
    qrcode.make(issued.verification_url, box_size=4, border=4).save(img)
    img.seek(0)
    sig = d.add_table(rows=1, cols=2).rows[0].cells
    sig[0].paragraphs[0].add_run().add_picture(img, width=Mm(32))
    lines = [f"{v.name}, {format_date_id(issued.issued)}", *issued.signer.title_lines(),
             "", "", "", issued.signer.name]  # fmt: skip
    sig[1].text = "\n".join(lines)
    d.save(path)


def bench_libreoffice(doc, runs: int) -> float | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("# LibreOffice (soffice) not installed; run `make bench` to install it")
        return None
    try:
        import docx  # noqa: F401
    except ImportError:
        print("# python-docx not installed; run `make bench` to install it")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        profile = (t / "profile").as_uri()  # a private profile: no clash with a running Writer
        src = t / "domisili.docx"

        def once() -> None:
            # generating the .docx is part of making the letter, as our render is
            letter_docx(*doc, src)
            subprocess.run(
                [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", str(t), str(src)],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            if not (t / "domisili.pdf").stat().st_size:
                raise RuntimeError("LibreOffice wrote an empty PDF")

        try:
            ms = timed(once, runs, warmup=1)  # the first call also creates the profile
        except (subprocess.SubprocessError, OSError, RuntimeError) as e:
            print(f"# LibreOffice conversion failed: {e}")
            return None
    version = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout
    print(f"# {version.strip()}")
    return ms


def main() -> int:
    doc = the_letter()
    letter, issued = doc[0], doc[1]
    ours = timed(lambda: render_letter(issued, letter, KEMIREN), 100, warmup=10)
    print(f"# ReportLab (ours): {ours:.1f} ms median")
    missing = 0
    weasy = bench_weasyprint(doc, runs=20)
    if weasy is None:
        missing += 1
    else:
        print(f"# WeasyPrint: {weasy:.1f} ms median")
        print(f"BENCH letter_vs_weasyprint_x {weasy / ours:.1f} x")
    lo = bench_libreoffice(doc, runs=7)
    if lo is None:
        missing += 1
    else:
        print(f"# LibreOffice headless: {lo:.0f} ms median")
        print(f"BENCH letter_vs_libreoffice_x {lo / ours:.0f} x")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
