"""The satisfaction survey (Survei Kepuasan Masyarakat, SKM) per period: the responses, the
nine element means, the index (IKM) with its grade, a bar chart, and CSV files.

The arithmetic is PermenPANRB 14/2017's (Lampiran, "Pengolahan Data"): each element's value
is the mean of its answers (nilai rata-rata, NRR, 1–4); the index is the weighted sum of the
nine means, each weight 1/9, times 25 (to a 25–100 scale). Computed exactly (fractions) and
rounded half up to two decimals only at the end; many spreadsheets use a weight of 0.111
instead and come out a hair lower (4.00 everywhere gives 99.90 there, 100.00 here).

The grade (mutu pelayanan) converts the index by the regulation's table (Nilai Interval
Konversi): 25.00–64.99 D (tidak baik), 65.00–76.60 C (kurang baik), 76.61–88.30 B (baik),
88.31–100.00 A (sangat baik). Checked against the table as reproduced by public SKM reports
(e-smile.tubaba.go.id/main/skm/laporan/online; BPPP Tegal's 2024 report, fliphtml5.com/reidny/
aaer, which misprints C's upper end as 76,66). The table's gaps (64.99 → 65.00 …) close because
the index is graded as reported, rounded to two decimals.

How many respondents make a meaningful sample: the regulation points to Krejcie and Morgan's
table (population → sample, 95 % confidence, 5 % margin); the population here is the number
of applications the village received in the period. Fewer respondents than that → a note.

Periods are by `answered_on` (the day only is stored: the survey is anonymous): a month, a
quarter, a half-year (the survey is run every six months, Banyuwangi's practice) or a year.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.db import ApplicationRow, SurveyResponse
from backoffice.web import accounts
from backoffice.web.complaints import format_decimal
from backoffice.web.core import Me, MeCtx, render, web_of
from backoffice.web.permissions import Perm
from backoffice.web.texts import text
from forms.feedback import ELEMENT_CODES

router = APIRouter()

PAGE_SIZE = 100
KINDS = ("month", "quarter", "semester", "year")
_PART = {"month": 12, "quarter": 4, "semester": 2, "year": 1}  # parts per year
_MONTHS = {"month": 1, "quarter": 3, "semester": 6, "year": 12}  # months per part
_ROMAN = ("", "I", "II", "III", "IV")
# (lowest index, grade), highest first: PermenPANRB 14/2017, see the module's docstring.
GRADES: tuple[tuple[Decimal, str], ...] = (
    (Decimal("88.31"), "A"), (Decimal("76.61"), "B"), (Decimal("65.00"), "C"),
    (Decimal("25.00"), "D"),
)


# --- periods --------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # KINDS
    part: int  # 1-based: the month, quarter or half; 1 for a year

    @property
    def code(self) -> str:
        """"2026-11", "2026-Q4", "2026-S2", "2026": in addresses and file names."""
        if self.kind == "month":
            return f"{self.year}-{self.part:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.part}"
        if self.kind == "semester":
            return f"{self.year}-S{self.part}"
        return str(self.year)

    @property
    def start(self) -> date:
        return date(self.year, (self.part - 1) * _MONTHS[self.kind] + 1, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        month0 = self.part * _MONTHS[self.kind]  # months since the year began
        return date(self.year + month0 // 12, month0 % 12 + 1, 1)

    def label(self, lang: str) -> str:
        if self.kind == "month":
            return f"{text(f'month.{self.part}', lang)} {self.year}"
        n = _ROMAN[self.part] if lang == "id" else str(self.part)
        return text(f"skm.period.{self.kind}", lang, n=n, year=self.year)

    def shifted(self, steps: int) -> Period:
        index = self.year * _PART[self.kind] + self.part - 1 + steps
        return Period(index // _PART[self.kind], self.kind, index % _PART[self.kind] + 1)

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        return cls(day.year, kind, (day.month - 1) // _MONTHS[kind] + 1)

    @classmethod
    def parse(cls, code: str) -> Period | None:
        m = re.fullmatch(r"(\d{4})(?:-(?:(\d{2})|Q([1-4])|S([12])))?", code.strip())
        if not m or not 2000 <= int(m[1]) <= 2100:
            return None
        year = int(m[1])
        if m[2]:
            return cls(year, "month", int(m[2])) if 1 <= int(m[2]) <= 12 else None
        if m[3]:
            return cls(year, "quarter", int(m[3]))
        if m[4]:
            return cls(year, "semester", int(m[4]))
        return cls(year, "year", 1)


# --- the arithmetic -------------------------------------------------------------------------


def rounded(value: Fraction, places: int = 2) -> Decimal:
    """Rounded half up to `places` decimals (two: as the regulation's tables print them)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def grade(index: Decimal) -> str:
    """The grade (A–D) of an index 25–100 rounded to two decimals."""
    for lowest, letter in GRADES:
        if index >= lowest:
            return letter
    return "D"  # below 25 cannot happen with answers 1–4


def krejcie_morgan(population: int) -> int:
    """The sample Krejcie and Morgan's table gives for `population` (χ² = 3.841 for one
    degree of freedom at 95 %, P = 0.5, d = 0.05): 10 → 10, 100 → 80, 500 → 217."""
    if population <= 0:
        return 0
    chi2, p, d = 3.841, 0.5, 0.05
    return round(chi2 * population * p * (1 - p) / (d * d * (population - 1)
                                                      + chi2 * p * (1 - p)))


@dataclass(frozen=True)
class ElementResult:
    number: int  # 1–9: U1 … U9
    code: str  # forms.feedback.ELEMENT_CODES
    mean: Fraction  # NRR, 1–4

    @property
    def mean_2(self) -> Decimal:
        return rounded(self.mean)

    @property
    def converted(self) -> Decimal:
        """The element's own value on the index scale (NRR × 25), two decimals."""
        return rounded(self.mean * 25)

    @property
    def grade(self) -> str:
        return grade(self.converted)


@dataclass(frozen=True)
class Summary:
    period: Period
    respondents: int
    elements: list[ElementResult]  # empty without respondents
    population: int  # applications received in the period
    sample: int  # the respondents Krejcie and Morgan ask for

    @property
    def index_exact(self) -> Fraction | None:
        if not self.elements:
            return None
        return sum((e.mean for e in self.elements), Fraction(0)) / len(self.elements) * 25

    @property
    def index(self) -> Decimal | None:
        exact = self.index_exact
        return rounded(exact) if exact is not None else None

    @property
    def grade(self) -> str | None:
        return grade(self.index) if self.index is not None else None

    @property
    def weighted_mean(self) -> Decimal | None:
        """The nine means' weighted sum (each 1/9), 1–4, two decimals."""
        exact = self.index_exact
        return rounded(exact / 25) if exact is not None else None

    @property
    def too_few(self) -> bool:
        return 0 < self.respondents < self.sample


def _in_period(stmt, village_code: str, period: Period):
    return stmt.where(SurveyResponse.village_code == village_code,
                      SurveyResponse.answered_on >= period.start,
                      SurveyResponse.answered_on < period.end)


def summary(s: Session, village_code: str, period: Period, tz) -> Summary:
    element_columns = [getattr(SurveyResponse, code) for code in ELEMENT_CODES]
    row = s.execute(_in_period(
        select(func.count(), *[func.sum(c) for c in element_columns]), village_code, period,
    )).one()
    respondents = row[0]
    elements = [] if not respondents else [
        ElementResult(i, code, Fraction(int(total), respondents))
        for i, (code, total) in enumerate(zip(ELEMENT_CODES, row[1:], strict=True), start=1)
    ]
    population = s.scalar(select(func.count()).select_from(ApplicationRow).where(
        ApplicationRow.village_code == village_code,
        ApplicationRow.received_at >= datetime.combine(period.start, time(), tz),
        ApplicationRow.received_at < datetime.combine(period.end, time(), tz)))
    population = max(population, respondents)
    return Summary(period, respondents, elements, population, krejcie_morgan(population))


def responses(s: Session, village_code: str, period: Period, *, limit: int | None = None,
              offset: int = 0) -> list[SurveyResponse]:
    """The period's responses ordered by day, letter type, kiosk and answers — never by
    arrival, so a row's place tells nothing about who came when."""
    stmt = _in_period(select(SurveyResponse), village_code, period).order_by(
        SurveyResponse.answered_on, SurveyResponse.letter, SurveyResponse.kiosk_id,
        *[getattr(SurveyResponse, code) for code in ELEMENT_CODES], SurveyResponse.id)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return list(s.scalars(stmt))


def first_answer_day(s: Session, village_code: str) -> date | None:
    return s.scalar(select(func.min(SurveyResponse.answered_on))
                    .where(SurveyResponse.village_code == village_code))


# --- the chart ------------------------------------------------------------------------------

# Bar colours per grade (and the grade letter as text beside each bar: colour is never the
# only cue). Presentation attributes, not style="": the pages' CSP allows no inline style.
GRADE_FILL = {"A": "#116329", "B": "#0b5cad", "C": "#9a6700", "D": "#a40e26"}


def chart(summary_: Summary, lang: str) -> dict[str, Any]:
    """The geometry of a horizontal bar chart of the nine means on a 0–4 scale (the
    template draws it as inline SVG)."""
    left, width, row_h, top = 150, 400, 34, 28
    scale = width / 4
    bars = []
    for i, e in enumerate(summary_.elements):
        y = top + i * row_h
        bars.append({
            "element": e, "y": y, "w": round(float(e.mean) * scale, 1),
            "label": f"U{e.number} {text(f'skm.short.{e.code}', lang)}",
            "value": f"{format_decimal(e.mean_2, 2, lang)} · {e.grade}",
            "fill": GRADE_FILL[e.grade],
        })
    return {"left": left, "width": width, "row_h": row_h, "bar_h": 22, "top": top,
            "height": top + len(bars) * row_h + 8, "total_w": left + width + 80,
            "ticks": [{"x": round(left + n * scale, 1), "n": n} for n in range(5)],
            "bars": bars}


# --- pages ----------------------------------------------------------------------------------


def _period(request: Request, web) -> tuple[Period, bool]:
    """The requested period (default: the current half-year), and whether the request named
    one that could not be read."""
    today = web.now().astimezone(web.tz).date()
    code = request.query_params.get("period", "")
    period = Period.parse(code) if code else None
    return period or Period.containing("semester", today), bool(code) and period is None


def _period_choices(first: date | None, current: Period, today: date) -> list[Period]:
    """Every period of the current kind from the first answer (or a year back) to today's,
    newest first (at most 120)."""
    year_back = date(today.year - 1, today.month, 1)
    start = Period.containing(current.kind, min(first or today, year_back, current.start))
    last = max(Period.containing(current.kind, today), current)
    choices, p = [], last
    while p >= start and len(choices) < 120:
        choices.append(p)
        p = p.shifted(-1)
    return choices if current in choices else [*choices, current]


@router.get("/skm", name="skm")
def skm(request: Request, me: Me) -> Response:
    me.require(Perm.SKM, "skm")
    web = web_of(request)
    period, bad_period = _period(request, web)
    try:
        page = max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    today = web.now().astimezone(web.tz).date()
    with web.bo.sessions() as s:
        result = summary(s, me.village_code, period, web.tz)
        pages = max(1, -(-result.respondents // PAGE_SIZE))
        page = min(page, pages)
        rows = responses(s, me.village_code, period, limit=PAGE_SIZE,
                         offset=(page - 1) * PAGE_SIZE)
        first = first_answer_day(s, me.village_code)
    lang = me.language
    # another kind of period: the one holding today when this period does, else its start
    anchor = today if period.start <= today < period.end else period.start
    return render(
        request, "skm.html", me=me, active="skm", period=period, bad_period=bad_period,
        summary=result, rows=rows, page=page, pages=pages, element_codes=ELEMENT_CODES,
        chart=chart(result, lang), kinds=KINDS,
        kind_periods={k: Period.containing(k, anchor) for k in KINDS},
        choices=_period_choices(first, period, today),
        can_export=me.can(Perm.SKM_EXPORT), letter_title=_letter_titles(request),
        decimal=lambda v, places=2: format_decimal(v, places, lang),
        period_label=lambda p: p.label(lang),
    )  # fmt: skip


def _letter_titles(request: Request):
    from forms.catalogue import load_catalogue

    catalogue = web_of(request).bo.catalogue(load_catalogue)

    def title(letter_id: str) -> dict[str, str]:
        try:
            t = catalogue.get(letter_id).title
            return {"id": t.id, "en": t.en}
        except KeyError:
            return {"id": letter_id, "en": letter_id}

    return title


def _csv(rows: list[list[Any]], filename: str) -> Response:
    """UTF-8 with a byte-order mark (spreadsheets then read the accents right), as a file."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return Response(out.getvalue().encode(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })  # fmt: skip


def _export(request: Request, me: MeCtx, which: str) -> tuple[Any, Period]:
    web = web_of(request)
    period, _ = _period(request, web)
    me.require(Perm.SKM_EXPORT, "skm_export", period.code)
    web.audit("skm_export", accounts.ALLOWED, me=me, target=period.code, reason=which)
    return web, period


def _element_headers() -> list[str]:
    return [f"U{i}_{code}" for i, code in enumerate(ELEMENT_CODES, start=1)]


@router.get("/skm/responses.csv", name="skm_responses_csv")
def skm_responses_csv(request: Request, me: Me) -> Response:
    """One row per response: the period, the day, the letter type, the kiosk and the nine
    answers. Nothing personal (there is nothing personal to give), and no survey id."""
    web, period = _export(request, me, "responses")
    with web.bo.sessions() as s:
        found = responses(s, me.village_code, period)
    rows: list[list[Any]] = [["periode", "tanggal", "jenis_surat", "kios", *_element_headers()]]
    rows += [[period.code, r.answered_on.isoformat(), r.letter, r.kiosk_id,
              *[getattr(r, code) for code in ELEMENT_CODES]] for r in found]
    return _csv(rows, f"skm-{me.village_code}-{period.code}-jawaban.csv")


@router.get("/skm/summary.csv", name="skm_summary_csv")
def skm_summary_csv(request: Request, me: Me) -> Response:
    """The period's result: one row per element (U1–U9) and one for the index (IKM)."""
    web, period = _export(request, me, "summary")
    with web.bo.sessions() as s:
        result = summary(s, me.village_code, period, web.tz)
    rows: list[list[Any]] = [["periode", "kode", "unsur", "responden", "nrr", "nilai_konversi",
                              "mutu"]]
    for e in result.elements:
        rows.append([period.code, f"U{e.number}", text(f"skm.element.{e.code}", "id"),
                     result.respondents, f"{rounded(e.mean, 4):f}", f"{e.converted:f}",
                     e.grade])
    if result.index is not None:
        rows.append([period.code, "IKM", text("skm.ikm", "id"), result.respondents,
                     f"{rounded(result.index_exact / 25, 4):f}", f"{result.index:f}",
                     result.grade])
    else:
        rows.append([period.code, "IKM", text("skm.ikm", "id"), 0, "", "", ""])
    return _csv(rows, f"skm-{me.village_code}-{period.code}-ringkasan.csv")
