"""The staff pages in a real browser: Playwright driving Debian's Chromium
(backoffice.tour.chromium, no browser download) against the back office running as its own
process on a loopback port (terminal/devstack.BackofficeProcess, demo residents and staff).

Applications, a complaint and survey answers arrive as from a kiosk (its API, its token, real
PDFs: backoffice.tour.KioskSide). Then a clerk's day: a wrong password, the queue filtered and
searched, an application opened with its PDF, verified, a forged form refused, the letter signed
and issued by the head of the village (the operator has no such button), printed, handed over
with who and when, the history, English; a complaint answered; the SKM index and its CSV.
Every wait is Playwright's own (auto-waiting locators, `expect`, `wait_for_url`): no sleeps.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

import httpx
import pytest
from playwright.sync_api import expect

from backoffice.tour import (
    AHMAD,
    BAGUS,
    SITI,
    SUKARMI,
    KioskSide,
    OfficeDatabase,
    chromium,
    forge_csrf,
    sign_in,
    sign_out,
    signed_in,
    switch_language,
)
from backoffice.web.texts import text
from forms.nik import mask_nik
from forms.status import status_label

SURVEYS = (  # three villagers' nine answers (forms.feedback.ELEMENT_CODES order)
    ("domisili", (4, 4, 3, 4, 4, 4, 4, 3, 3)),
    ("sktm", (3, 3, 2, 4, 3, 4, 4, 3, 3)),
    ("pengantar_skck", (4, 3, 3, 4, 4, 3, 4, 3, 2)),
)


@dataclass
class Office:
    url: str
    numbers: dict[str, str]
    db: OfficeDatabase


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The back office process with a morning's work from the kiosk: four applications (one
    already verified), a complaint past its four hours, three survey answers."""
    from terminal.devstack import BackofficeProcess

    process = BackofficeProcess(tmp_path_factory.mktemp("staff-browser"))
    process.start()
    db = OfficeDatabase(process.config_path)
    try:
        with KioskSide(process.url, db.village, tz=db.settings.timezone) as kiosk:
            numbers = {
                "siti": kiosk.application(SITI, "domisili"),
                "ahmad": kiosk.application(AHMAD, "pengantar_skck"),
                "sukarmi": kiosk.application(SUKARMI, "sktm"),
                "bagus": kiosk.application(BAGUS, "keterangan_usaha"),
                "complaint": kiosk.complaint(
                    SUKARMI, "fasilitas_kantor",
                    "Kursi di ruang tunggu kantor desa banyak yang rusak.", "081234567890"),
            }
            for letter, scores in SURVEYS:
                kiosk.survey(letter, scores)
        db.move(numbers["ahmad"], ("operator", "verify", ""))
        db.age_complaint(numbers["complaint"], timedelta(hours=5))
        yield Office(process.url, numbers, db)
    finally:
        db.close()
        process.stop()


@pytest.fixture(scope="module")
def context():
    expect.set_options(timeout=20_000)  # a busy 2-core machine: auto-waiting, generously
    try:
        with chromium() as ctx:
            ctx.set_default_timeout(30_000)
            yield ctx
    finally:
        expect.set_options(timeout=5_000)


@pytest.fixture
def page(context):
    context.clear_cookies()
    page = context.new_page()
    yield page
    page.close()


def t(code: str, lang: str = "id", **kw) -> str:
    return text(code, lang, **kw)


def label(status: str, lang: str = "id") -> str:
    return status_label(status)[lang]


def test_a_clerks_day_from_sign_in_to_hand_over(office, page):
    base, n = office.url, office.numbers
    app = f"{base}/staff/applications"

    # A wrong password: one plain message, still on the sign-in page.
    sign_in(page, base, "operator", "bukan-sandinya")
    expect(page.locator("p.error")).to_have_text(t("login.failed"))
    assert page.url.startswith(f"{base}/staff/login")
    signed_in(page, base, "operator")
    expect(page.locator("h1")).to_have_text(t("queue.title"))
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(4)

    # The queue by status (a tab with its count), then searched by name (a POST: the name
    # never goes into an address).
    waiting = page.locator("ul.tabs a[href$='status=menunggu_tanda_tangan']")
    expect(waiting).to_contain_text("(1)")
    waiting.click()
    page.wait_for_url(re.compile(r"status=menunggu_tanda_tangan$"))
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(n["ahmad"])
    page.locator("form.filters a[href$='/staff/queue']").click()  # clear the filters
    page.wait_for_url(f"{base}/staff/queue")
    page.locator("#q").fill("siti")
    page.get_by_role("button", name=t("queue.apply"), exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(SITI.name)
    expect(rows).to_contain_text(mask_nik(SITI.nik))
    assert "siti" not in page.url.lower()

    # Siti's application: its data, and the villager's PDF within this session only.
    rows.get_by_role("link", name=n["siti"]).click()
    page.wait_for_url(f"{app}/{n['siti']}")
    expect(page.locator("h1")).to_contain_text(t("app.title", number=n["siti"]))
    expect(page.locator("h1 .status")).to_have_text(label("sedang_diperiksa"))
    expect(page.locator("table.facts").nth(1)).to_contain_text(SITI.address)
    pdf_href = page.locator(".pdf a[href$='/pdf']").first.get_attribute("href")
    pdf = page.request.get(f"{base}{pdf_href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    assert httpx.get(f"{base}{pdf_href}").status_code == 303  # no session, no PDF

    # Verified; the operator is not offered the signature (only told who may).
    page.locator("#action-verify button").click()
    page.wait_for_url(f"{app}/{n['siti']}?done=verify")
    expect(page.locator("p.notice")).to_have_text(t("done.verify"))
    expect(page.locator("h1 .status")).to_have_text(label("menunggu_tanda_tangan"))
    expect(page.locator("#action-issue")).to_have_count(0)
    expect(page.get_by_role("button", name=t("action.issue"))).to_have_count(0)
    expect(page.locator("section.actions")).to_contain_text(
        f"{t('app.other_roles')} {t('action.issue')}")

    # A forged form (its CSRF value altered, as a page elsewhere would send it): refused with
    # a message, and nothing changed.
    page.goto(f"{app}/{n['sukarmi']}")
    forge_csrf(page)
    with page.expect_response(re.compile(r"/verify$")) as answer:
        page.locator("#action-verify button").click()
    assert answer.value.status == 403
    expect(page.locator("section.message")).to_contain_text(t("refused.csrf"))
    page.goto(f"{app}/{n['sukarmi']}")
    expect(page.locator("h1 .status")).to_have_text(label("sedang_diperiksa"))

    # The head of the village signs and issues the letter, then opens it for printing.
    sign_out(page)
    expect(page.locator("p.notice")).to_have_text(t("login.bye"))
    signed_in(page, base, "kades")
    page.goto(f"{app}/{n['siti']}")
    issue = page.locator("#action-issue")
    expect(issue).to_contain_text("Mohamad Arifin")
    issue.get_by_role("button", name=t("action.issue")).click()
    page.wait_for_url(f"{app}/{n['siti']}?done=issue")
    expect(page.locator("p.notice")).to_have_text(t("done.issue"))
    expect(page.locator("h1 .status")).to_have_text(label("siap_diambil"))
    print_link = page.get_by_role("link", name=t("action.print"))
    with page.expect_popup() as opened:
        print_link.click()
    letter_tab = opened.value
    letter_tab.wait_for_load_state()
    assert letter_tab.url == f"{app}/{n['siti']}/letter"
    letter_tab.close()
    letter = page.request.get(f"{app}/{n['siti']}/letter")
    assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
    assert letter.body().startswith(b"%PDF-")
    letter_number = page.locator("table.facts").first.locator("tr", has_text=t(
        "app.letter_number")).locator("td")
    expect(letter_number).not_to_be_empty()

    # The operator hands it over to a representative, and the history tells the whole story.
    sign_out(page)
    signed_in(page, base, "operator")
    page.goto(f"{app}/{n['siti']}")
    collected = page.locator("#action-collected")
    collected.get_by_label(t("collected.representative"), exact=True).check()
    collected.get_by_label(t("collected.representative_name"), exact=True).fill("Budi Santoso")
    when = datetime.now(office.db.tz)  # it arrived minutes ago: not before, not in the future
    collected.get_by_label(t("collected.at"), exact=True).fill(when.strftime("%Y-%m-%dT%H:%M"))
    collected.get_by_role("button", name=t("action.collected")).click()
    page.wait_for_url(f"{app}/{n['siti']}?done=collected")
    expect(page.locator("p.notice")).to_have_text(t("done.collected"))
    expect(page.locator("h1 .status")).to_have_text(label("sudah_diambil"))
    history = page.locator("table.history tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("kiosk KMR01")
    expect(history.nth(1)).to_contain_text("Rina Wulandari")
    expect(history.nth(2)).to_contain_text("Mohamad Arifin")
    expect(history.nth(3)).to_contain_text(
        f"Diambil oleh wakil: Budi Santoso, {when:%d-%m-%Y %H.%M}")
    expect(page.locator("section.actions")).to_contain_text(t("action.print"))

    # English, one click away; kept with the account (switched back for the other tests).
    switch_language(page, "en")
    expect(page.locator("h1")).to_contain_text(t("app.title", "en", number=n["siti"]))
    expect(page.locator("h1 .status")).to_have_text(label("sudah_diambil", "en"))
    expect(page.locator("table.history")).to_contain_text(label("menunggu_tanda_tangan", "en"))
    switch_language(page, "id")
    expect(page.locator("h1 .status")).to_have_text(label("sudah_diambil"))


def test_a_complaint_past_its_four_hours_is_answered(office, page):
    base, number = office.url, office.numbers["complaint"]
    signed_in(page, base, "operator")
    page.locator("header nav a[href$='/staff/complaints']").click()
    page.wait_for_url(f"{base}/staff/complaints")
    expect(page.locator("h1")).to_have_text(t("complaints.title"))
    overdue = page.locator("ul.tabs a[href*='show=overdue']")
    expect(overdue).to_contain_text("(1)")
    overdue.click()
    page.wait_for_url(re.compile(r"show=overdue"))
    row = page.locator("table.complaints tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_have_class(re.compile(r"\bc-overdue\b"))
    expect(row).to_contain_text(SUKARMI.name)
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"{base}/staff/complaints/{number}")
    expect(page.locator("blockquote.words")).to_contain_text("Kursi di ruang tunggu")
    expect(page.locator("h1 .cstate")).to_have_class(re.compile(r"\bcs-overdue\b"))

    # The clerk phoned Sukarmi: the first contact stops the clock (late, and shown as such).
    form = page.locator("form#respond")
    form.locator("input[name='kind'][value='phone']").check()
    form.locator("#response-text").fill(
        "Sudah ditelepon: kursi diganti minggu ini, Bu Sukarmi berterima kasih.")
    form.get_by_role("button", name=t("complaint.submit")).click()
    page.wait_for_url(re.compile(rf"/complaints/{number}\?done=first"))
    expect(page.locator("p.notice")).to_have_text(t("complaint.done.first"))
    responses = page.locator("#responses + table tbody tr")
    expect(responses).to_have_count(1)
    expect(responses).to_contain_text("Rina Wulandari")
    expect(responses).to_contain_text("kursi diganti minggu ini")
    expect(page.locator("h1 .cstate")).to_have_class(re.compile(r"\bcs-answered_late\b"))
    page.goto(f"{base}/staff/complaints?show=overdue")
    expect(page.locator("ul.tabs a[href*='show=overdue']")).to_contain_text("(0)")


def _ikm() -> str:
    """The index of SURVEYS by PermenPANRB 14/2017: the nine means, weight 1/9 each, × 25,
    rounded half up to two decimals, with a decimal comma."""
    answers = [scores for _, scores in SURVEYS]
    means = [Fraction(sum(col), len(SURVEYS)) for col in zip(*answers, strict=True)]
    exact = sum(means, Fraction(0)) / len(means) * 25
    hundredths = (exact * 100 + Fraction(1, 2)).__floor__()
    return f"{hundredths // 100},{hundredths % 100:02d}"


def test_the_skm_page_shows_the_index_and_exports_the_answers(office, page):
    base = office.url
    signed_in(page, base, "operator")
    page.goto(f"{base}/staff/skm")
    expect(page.locator(".skm-figures")).to_contain_text(_ikm())
    expect(page.get_by_role("link", name=t("skm.export_responses"))).to_have_count(0)
    sign_out(page)

    signed_in(page, base, "sekdes")  # the export is for the people who report it
    page.locator("header nav a[href$='/staff/skm']").click()
    page.wait_for_url(f"{base}/staff/skm")
    respondents, index = page.locator(".skm-figures > div").nth(0), page.locator(
        ".skm-figures > div").nth(1)
    expect(respondents).to_contain_text(t("skm.respondents"))
    expect(respondents.locator(".figure")).to_have_text(str(len(SURVEYS)))
    expect(index).to_contain_text(t("skm.ikm"))
    expect(index.locator(".figure")).to_have_text(_ikm())
    expect(page.locator("table.skm-elements tbody tr")).to_have_count(9)
    expect(page.locator("table.skm-responses tbody tr")).to_have_count(len(SURVEYS))
    with page.expect_download() as got:
        page.get_by_role("link", name=t("skm.export_responses")).click()
    download = got.value
    assert download.suggested_filename.endswith("-jawaban.csv")
    content = download.path().read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    assert table[0][:4] == ["periode", "tanggal", "jenis_surat", "kios"]
    assert sorted(tuple(map(int, r[4:])) for r in table[1:]) == sorted(s for _, s in SURVEYS)
