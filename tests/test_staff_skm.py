"""The satisfaction-survey page (backoffice/web/satisfaction.py): the IKM arithmetic of
PermenPANRB 14/2017 checked by hand, the grade boundaries, the periods, the chart, the CSV
files, and who may see what — through the real app on SQLite and PostgreSQL, the answers
sent through the kiosk API as a kiosk sends them.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import update

from backoffice.db import ApplicationRow
from backoffice.demo import DEMO_VILLAGE_CODE
from backoffice.web.permissions import ADMIN, KADES, OPERATOR, PERMISSIONS, SEKDES, Perm
from backoffice.web.satisfaction import Period, grade, krejcie_morgan, rounded
from backoffice.web.texts import text
from forms.feedback import ELEMENT_CODES, SurveyAnswers
from tests.test_backoffice import AUTH, OTHER_AUTH, OTHER_VILLAGE
from tests.test_staff_web import (  # noqa: F401 (office: the fixture)
    OLEHSARI_OPERATOR,
    browser_of,
    office,
    post,
)

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # in the second half of 2026
# Three villagers' answers, U1–U9. Summed per element: 10 10 9 12 8 10 12 8 8 = 87.
# Element means: 3.33 3.33 3.00 4.00 2.67 3.33 4.00 2.67 2.67; their mean 87/27 = 3.2222…;
# × 25 = 80.555… → IKM 80.56, grade B (76.61–88.30).
ANSWERS = (
    ("2026-11-20", "domisili", (4, 3, 3, 4, 2, 3, 4, 3, 3)),
    ("2026-11-20", "pengantar_skck", (3, 3, 3, 4, 3, 3, 4, 2, 3)),
    ("2026-10-02", "domisili", (3, 4, 3, 4, 3, 4, 4, 3, 2)),
)


@pytest.fixture
def desk(office):  # noqa: F811
    office.clock.now = NOW
    for day, letter, scores in ANSWERS:
        answer(office, day, letter, scores)
    answer(office, "2026-05-10", "sktm", (1,) * 9)  # the first half of 2026
    answer(office, "2026-11-21", "domisili", (1,) * 9, kiosk="OLH01", village=OTHER_VILLAGE,
           auth=OTHER_AUTH)  # Olehsari's
    return office


def answer(village_office, day: str, letter: str, scores, *, kiosk="KMR01",
           village=DEMO_VILLAGE_CODE, auth=AUTH) -> None:
    sv = SurveyAnswers(survey_id=str(uuid.uuid4()), village_code=village, kiosk_id=kiosk,
                       letter=letter, answered_on=date.fromisoformat(day),
                       answers=dict(zip(ELEMENT_CODES, scores, strict=True)))
    r = village_office.kiosk.post("/api/v1/surveys", content=sv.to_json(), headers={
        **auth, "Content-Type": "application/json", "Idempotency-Key": f'"{uuid.uuid4()}"'})
    assert r.status_code == 201, r.text


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="figure-label">([^<]+)</span><span class="figure">'
                           r"([^<]+)</span>", html))


def element_rows(html: str) -> list[list[str]]:
    """The cells of the element table's body rows, tags dropped."""
    table = html.split('class="queue skm-elements"')[1]
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                  re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


# --- the arithmetic (no database) -----------------------------------------------------------


def test_grades_at_the_regulations_boundaries():
    for value, letter in [("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"),
                          ("76.60", "C"), ("65.00", "C"), ("64.99", "D"), ("25.00", "D")]:
        assert grade(Decimal(value)) == letter, value
    # graded as reported, rounded half up to two decimals: the table's gaps close
    assert rounded(Fraction(17661, 200)) == Decimal("88.31")  # 88.305
    assert rounded(Fraction(15321, 200)) == Decimal("76.61")  # 76.605
    assert rounded(Fraction(12999, 200)) == Decimal("65.00")  # 64.995
    assert rounded(Fraction(87, 27) * 25) == Decimal("80.56")
    assert [krejcie_morgan(n) for n in (0, 3, 10, 50, 100, 500, 1000)] == [
        0, 3, 10, 44, 80, 217, 278]  # Krejcie and Morgan's table


def test_periods():
    q4 = Period.parse("2026-Q4")
    assert (q4.start, q4.end, q4.code) == (date(2026, 10, 1), date(2027, 1, 1), "2026-Q4")
    assert Period.parse("2026-S1").end == date(2026, 7, 1)
    assert Period.parse("2026-12").end == date(2027, 1, 1)
    assert Period.parse("2026").end == date(2027, 1, 1)
    assert [Period.parse(c) for c in ("2026-13", "2026-Q5", "2026-S3", "abc", "1999", "")] == [
        None] * 6
    assert Period.parse("2026-Q1").shifted(-1).code == "2025-Q4"
    assert Period.parse("2026-12").shifted(1).code == "2027-01"
    assert Period.containing("semester", date(2026, 7, 1)).code == "2026-S2"
    assert [Period.parse(c).label("id") for c in ("2026-11", "2026-Q4", "2026-S2", "2026")] == [
        "November 2026", "Triwulan IV 2026", "Semester II 2026", "Tahun 2026"]
    assert Period.parse("2026-S2").label("en") == "Half-year 2 2026"


# --- the page -------------------------------------------------------------------------------


def test_the_index_checked_by_hand_with_its_chart(desk):
    b, _ = browser_of(desk, "operator")
    page = b.get("/staff/skm").text  # the current half-year
    assert "Semester II 2026" in page
    assert figures(page) == {"Responden": "3", "Indeks Kepuasan Masyarakat (IKM)": "80,56",
                             "Mutu pelayanan": "B"}
    assert element_rows(page) == [
        ["U1", "Persyaratan", "3,33", "83,33", "B Baik"],
        ["U2", "Sistem, mekanisme, dan prosedur", "3,33", "83,33", "B Baik"],
        ["U3", "Waktu penyelesaian", "3,00", "75,00", "C Kurang baik"],
        ["U4", "Biaya/tarif", "4,00", "100,00", "A Sangat baik"],
        ["U5", "Produk spesifikasi jenis pelayanan", "2,67", "66,67", "C Kurang baik"],
        ["U6", "Kompetensi pelaksana", "3,33", "83,33", "B Baik"],
        ["U7", "Perilaku pelaksana", "4,00", "100,00", "A Sangat baik"],
        ["U8", "Penanganan pengaduan, saran dan masukan", "2,67", "66,67", "C Kurang baik"],
        ["U9", "Sarana dan prasarana", "2,67", "66,67", "C Kurang baik"],
    ]
    assert "<strong>80,56</strong>" in page and "3,22" in page  # the weighted mean, 1–4
    # the chart: inline SVG, nine bars, its title and description, the numbers as text
    svg = re.search(r"<svg class=\"skm-chart\".*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="skm-chart-title skm-chart-desc"' in svg
    assert len(re.findall(r'<rect class="bar"', svg)) == 9
    assert re.search(r'<title id="skm-chart-title">[^<]*Semester II 2026', svg)
    desc = re.search(r'<desc id="skm-chart-desc">([^<]*)</desc>', svg).group(1)
    assert "U1 Persyaratan: 3,33 · B" in desc and "U5 Produk layanan: 2,67 · C" in desc
    assert "80,56 · B" in desc
    assert 'width="400.0"' in svg and 'width="266.7"' in svg  # 4.00 and 2.67 of 4 on 400 px
    assert svg.count(">4,00 · A</text>") == 2 and "<script" not in page
    # the responses: by day and letter type, never in the order they came
    rows = page.split('class="queue skm-responses"')[1]
    days = re.findall(r"<td>(\d\d-\d\d-2026)</td>", rows)
    assert days == ["02-10-2026", "20-11-2026", "20-11-2026"]
    assert rows.index("Surat Keterangan Domisili") < rows.index("Pengantar SKCK")
    # enough respondents for 3 service users; not for 5
    assert text("skm.too_few", "id", n=3, sample=3, population=3) not in page
    for i in range(5):
        desk.submit(f"KMR01-261125-00{i + 1:02d}")
    with desk.sessions() as s, s.begin():
        s.execute(update(ApplicationRow).values(received_at=NOW - timedelta(days=3)))
    page = b.get("/staff/skm?period=2026-S2").text
    assert text("skm.too_few", "id", n=3, sample=5, population=5) in page


def test_periods_on_the_page_and_nothing_from_another_village(desk):
    b, csrf = browser_of(desk, "kades")
    respondents = {code: figures(b.get(f"/staff/skm?period={code}").text).get("Responden")
                   for code in ("2026-11", "2026-10", "2026-Q4", "2026-Q2", "2026-S1", "2026")}
    assert respondents == {"2026-11": "2", "2026-10": "1", "2026-Q4": "3", "2026-Q2": "1",
                           "2026-S1": "1", "2026": "4"}
    year = b.get("/staff/skm?period=2026").text
    assert figures(year)["Indeks Kepuasan Masyarakat (IKM)"] == "66,67"  # (87+9)/36 × 25
    assert figures(year)["Mutu pelayanan"] == "C"
    assert 'href="/staff/skm?period=2026-Q4"' in year  # the other kinds: holding today
    assert 'href="/staff/skm?period=2025-Q1"' in b.get("/staff/skm?period=2025").text
    assert 'href="/staff/skm?period=2025"' in year and 'href="/staff/skm?period=2027"' in year
    assert '<option value="2026" selected>' in year
    months = b.get("/staff/skm?period=2026-11").text
    assert '<option value="2026-11" selected>' in months and '<option value="2026-05">' in months
    assert 'href="/staff/skm?period=2026-Q4"' in months
    empty = b.get("/staff/skm?period=2025-S1").text
    assert text("skm.none", "id") in empty and "<svg" not in empty
    bad = b.get("/staff/skm?period=semester-dua")
    assert bad.status_code == 200 and text("skm.bad_period", "id") in bad.text
    assert "Semester II 2026" in bad.text
    # Olehsari's staff see Olehsari's one answer, nothing of Kemiren's
    theirs, _ = browser_of(desk, OLEHSARI_OPERATOR)
    page = theirs.get("/staff/skm").text
    assert figures(page) == {"Responden": "1", "Indeks Kepuasan Masyarakat (IKM)": "25,00",
                             "Mutu pelayanan": "D"}
    # English
    post(b, "/staff/language", csrf, lang="en", next="/staff/skm")
    page = b.get("/staff/skm").text
    assert figures(page) == {"Respondents": "3", "Satisfaction index (IKM)": "80.56",
                             "Service grade": "B"}
    assert "Half-year 2 2026" in page and ">Satisfaction survey</a>" in page
    assert "U1 Requirements: 3.33 · B" in page and "Good" in page


# --- the CSV files, and who may have them --------------------------------------------------


def read_csv(r) -> list[list[str]]:
    assert r.content.startswith("\ufeff".encode())  # spreadsheets then read UTF-8
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_csv_files_for_the_report(desk):
    b, _ = browser_of(desk, "sekdes")
    page = b.get("/staff/skm?period=2026-S2").text
    assert 'href="/staff/skm/responses.csv?period=2026-S2"' in page
    r = b.get("/staff/skm/responses.csv?period=2026-S2")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == (
        f'attachment; filename="skm-{DEMO_VILLAGE_CODE}-2026-S2-jawaban.csv"')
    rows = read_csv(r)
    assert rows[0] == ["periode", "tanggal", "jenis_surat", "kios", "U1_persyaratan",
                       "U2_prosedur", "U3_waktu", "U4_biaya", "U5_produk", "U6_kompetensi",
                       "U7_perilaku", "U8_pengaduan", "U9_sarana"]
    assert rows[1:] == [
        ["2026-S2", "2026-10-02", "domisili", "KMR01", *"343434432"],
        ["2026-S2", "2026-11-20", "domisili", "KMR01", *"433423433"],
        ["2026-S2", "2026-11-20", "pengantar_skck", "KMR01", *"333433423"],
    ]
    summary = read_csv(b.get("/staff/skm/summary.csv?period=2026-S2"))
    assert summary[0] == ["periode", "kode", "unsur", "responden", "nrr", "nilai_konversi",
                          "mutu"]
    assert summary[1] == ["2026-S2", "U1", "Persyaratan", "3", "3.3333", "83.33", "B"]
    assert summary[5] == ["2026-S2", "U5", "Produk spesifikasi jenis pelayanan", "3", "2.6667",
                          "66.67", "C"]
    assert summary[10] == ["2026-S2", "IKM", "Indeks Kepuasan Masyarakat (IKM)", "3", "3.2222",
                           "80.56", "B"]
    assert len(summary) == 11
    empty = read_csv(b.get("/staff/skm/summary.csv?period=2025-S1"))
    assert empty[1:] == [["2025-S1", "IKM", "Indeks Kepuasan Masyarakat (IKM)", "0", "", "",
                          ""]]
    exports = [(e.outcome, e.target, e.reason) for e in desk.audit(action="skm_export")]
    assert exports == [("allowed", "2026-S2", "responses"), ("allowed", "2026-S2", "summary"),
                       ("allowed", "2025-S1", "summary")]


def test_who_may_see_and_export(desk):
    assert all(Perm.SKM in PERMISSIONS[r] for r in (OPERATOR, SEKDES, KADES, ADMIN))
    assert [Perm.SKM_EXPORT in PERMISSIONS[r] for r in (OPERATOR, SEKDES, KADES, ADMIN)] == [
        False, True, True, True]
    operator, _ = browser_of(desk, "operator")
    page = operator.get("/staff/skm").text
    assert figures(page)["Responden"] == "3" and "responses.csv" not in page
    for path in ("/staff/skm/responses.csv?period=2026-S2", "/staff/skm/summary.csv"):
        r = operator.get(path)
        assert r.status_code == 403 and text("refused.role", "id") in r.text
        assert "attachment" not in r.headers.get("content-disposition", "")
    admin_b, _ = browser_of(desk, "admin")
    assert admin_b.get("/staff/skm/responses.csv?period=2026-S2").status_code == 200
    theirs, _ = browser_of(desk, OLEHSARI_OPERATOR)
    assert theirs.get("/staff/skm/summary.csv").status_code == 403
    anonymous = desk.browser()
    for path in ("/staff/skm", "/staff/skm/responses.csv"):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    refused = [(e.action, e.reason, e.target) for e in desk.audit(outcome="refused")]
    assert refused == [("skm_export", "role operator lacks skm_export", "2026-S2")] * 3
    allowed = desk.audit(action="skm_export", outcome="allowed")
    assert [(e.staff_user_id, e.target) for e in allowed] == [
        (desk.user_id("admin"), "2026-S2")]


def test_every_text_the_page_composes_exists_in_both_languages():
    from backoffice.web import satisfaction
    from backoffice.web.texts import TEXTS

    codes = {f"skm.grade.{g}" for _, g in satisfaction.GRADES}
    codes |= {f"skm.element.{c}" for c in ELEMENT_CODES} | {f"skm.short.{c}"
                                                           for c in ELEMENT_CODES}
    codes |= {f"skm.kind.{k}" for k in satisfaction.KINDS}
    codes |= {f"skm.period.{k}" for k in satisfaction.KINDS if k != "month"}
    assert codes - set(TEXTS) == set()
