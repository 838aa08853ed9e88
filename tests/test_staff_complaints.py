"""The complaint pages (backoffice/web/complaints.py) through the real app, SQLite and PostgreSQL.

Complaints arrive through the kiosk API as from a kiosk; only their time of arrival is moved
back (the API stamps the real time), keeping `due_at` = receipt + 4 hours as the API sets it.
The staff pages' clock is fixed and moved by the tests; responses are recorded through the
page, so they carry that clock's time.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from backoffice.db import ComplaintResponse, ComplaintRow
from backoffice.demo import DEMO_VILLAGE_CODE
from backoffice.web import complaints as complaints_module
from backoffice.web.permissions import ADMIN, KADES, OPERATOR, PERMISSIONS, SEKDES, Perm
from backoffice.web.texts import text
from forms.feedback import Complaint
from forms.nik import mask_nik
from tests.test_backoffice import AUTH, OTHER_AUTH, OTHER_VILLAGE, SITI
from tests.test_staff_web import (  # noqa: F401 (office: the fixture)
    AHMAD,
    OLEHSARI_OPERATOR,
    browser_of,
    office,
    post,
)

# 12.00 in the village (Asia/Jakarta, UTC+7) on Wednesday 25 November 2026.
NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
WORDS = "Petugas loket belum datang sampai pukul 9 pagi.\nSaya menunggu satu jam."


@pytest.fixture
def desk(office):  # noqa: F811
    office.clock.now = NOW
    return office


def arrive(village_office, number: str, received_at: datetime, *, resident=SITI,
           phone="081234567890", category="pelayanan_petugas", kiosk="KMR01",
           village=DEMO_VILLAGE_CODE, auth=AUTH) -> str:
    """A complaint through the kiosk API, then dated back to `received_at` (due 4 h later)."""
    c = Complaint(complaint_number=number, village_code=village, kiosk_id=kiosk,
                  created_at=received_at - timedelta(seconds=30), nik=resident.nik,
                  category=category, text=WORDS, phone=phone)
    r = village_office.kiosk.post("/api/v1/complaints", content=c.to_json(), headers={
        **auth, "Content-Type": "application/json", "Idempotency-Key": f'"{uuid.uuid4()}"'})
    assert r.status_code == 201, r.text
    with village_office.sessions() as s, s.begin():
        s.execute(update(ComplaintRow).where(ComplaintRow.complaint_number == number)
                  .values(received_at=received_at, due_at=received_at + timedelta(hours=4)))
    return number


def respond(village_office, number: str, at: datetime, kind: str = "phone",
            words: str = "Sudah ditelepon, petugas loket kini datang pukul 7.30.",
            username: str = "operator"):
    """Sign in at `at` and record a response through the page."""
    village_office.clock.now = at
    b, csrf = browser_of(village_office, username)
    r = post(b, f"/staff/complaints/{number}/respond", csrf, kind=kind, text=words)
    assert r.status_code == 303, r.text
    return r


def listed(html: str) -> list[str]:
    return re.findall(r'href="/staff/complaints/((?!stats")[^"/?]+)"', html)


def row_of(html: str, number: str) -> str:
    return re.search(rf'<tr class="c-\w+">(?:(?!</tr>).)*?/complaints/{number}".*?</tr>',
                     html, re.S).group(0)


# --- the list -------------------------------------------------------------------------------


def test_overdue_first_then_by_deadline_then_answered_newest_first(desk, monkeypatch):
    arrive(desk, "KMR01-261124-P001", NOW - timedelta(days=2))
    arrive(desk, "KMR01-261124-P002", NOW - timedelta(days=1))
    arrive(desk, "KMR01-261125-P003", NOW - timedelta(hours=6))  # 2 h overdue
    arrive(desk, "KMR01-261125-P004", NOW - timedelta(hours=5, minutes=30), resident=AHMAD)
    arrive(desk, "KMR01-261125-P005", NOW - timedelta(hours=1))  # 3 h left
    arrive(desk, "KMR01-261125-P006", NOW - timedelta(hours=3), phone="")  # 1 h left
    arrive(desk, "KMR01-261125-P007", NOW - timedelta(hours=2))
    for number in ("KMR01-261124-P001", "KMR01-261124-P002", "KMR01-261125-P007"):
        respond(desk, number, NOW)
    desk.clock.now = NOW
    b, csrf = browser_of(desk, "operator")
    page = b.get("/staff/complaints").text
    assert listed(page) == [
        "KMR01-261125-P003", "KMR01-261125-P004",  # overdue, the longest overdue first
        "KMR01-261125-P006", "KMR01-261125-P005",  # unanswered, by deadline
        "KMR01-261125-P007", "KMR01-261124-P002", "KMR01-261124-P001",  # answered, newest first
    ]
    overdue = row_of(page, "KMR01-261125-P003")
    assert 'class="c-overdue"' in overdue and "Terlambat 2 jam<" in overdue
    assert "25-11-2026 06.00" in overdue and "25-11-2026 10.00" in overdue  # received, due (WIB)
    assert SITI.name in overdue and mask_nik(SITI.nik) in overdue and SITI.nik not in page
    assert "Terlambat 1 jam 30 menit" in row_of(page, "KMR01-261125-P004")
    assert "Ahmad Ma&#39;ruf" in row_of(page, "KMR01-261125-P004")  # escaped
    assert "Sisa 1 jam<" in row_of(page, "KMR01-261125-P006")
    assert "Sisa 3 jam<" in row_of(page, "KMR01-261125-P005")
    assert "Dijawab dalam 2 jam<" in row_of(page, "KMR01-261125-P007")
    assert "Dijawab terlambat, dalam 1 hari 0 jam" in row_of(page, "KMR01-261124-P002")
    assert "Pelayanan petugas" in overdue and "KMR01" in overdue
    for tab in ("Semua (7)", "Terlambat (2)", "Belum dijawab (4)", "Sudah dijawab (3)"):
        assert tab in page
    assert listed(b.get("/staff/complaints?show=overdue").text) == [
        "KMR01-261125-P003", "KMR01-261125-P004"]
    assert len(listed(b.get("/staff/complaints?show=open").text)) == 4
    assert listed(b.get("/staff/complaints?show=answered").text)[0] == "KMR01-261125-P007"
    # the clock moves on: the 1-hour one becomes overdue and goes up
    desk.clock.advance(minutes=20)
    b.get("/staff/complaints")
    desk.clock.advance(minutes=20)
    b.get("/staff/complaints")
    desk.clock.advance(minutes=21)
    page = b.get("/staff/complaints").text
    assert listed(page)[:3] == ["KMR01-261125-P003", "KMR01-261125-P004", "KMR01-261125-P006"]
    assert "Terlambat 1 menit" in row_of(page, "KMR01-261125-P006")

    # English, one click away; the same order
    post(b, "/staff/language", csrf, lang="en", next="/staff/complaints")
    page = b.get("/staff/complaints").text
    assert text("complaints.title", "en") in page and ">Complaints</a>" in page
    assert "3 h 1 min overdue" in row_of(page, "KMR01-261125-P003")
    assert "Answered in 2 h<" in row_of(page, "KMR01-261125-P007")
    assert "Staff service" in page and "Overdue (3)" in page

    monkeypatch.setattr(complaints_module, "PAGE_SIZE", 3)
    second = b.get("/staff/complaints?page=2").text
    assert listed(second) == ["KMR01-261125-P005", "KMR01-261125-P007", "KMR01-261124-P002"]
    assert "Page 2 of 3" in second


# --- one complaint, and responses -----------------------------------------------------------


def test_a_contact_stops_the_clock_a_note_does_not(desk):
    number = arrive(desk, "KMR01-261125-P010", NOW - timedelta(hours=3))
    b, csrf = browser_of(desk, "operator")
    page = b.get(f"/staff/complaints/{number}").text
    assert "Sisa 1 jam<" in page and "Pelayanan petugas" in page
    assert WORDS in page  # the villager's words, lines kept
    assert SITI.name in page and SITI.nik in page and "Jl. Barong No. 17" in page
    assert "Dusun Krajan, RT 001/RW 002" in page
    assert 'href="tel:081234567890"' in page and "0812-3456-7890" in page
    assert "25-11-2026 09.00" in page and "25-11-2026 13.00" in page  # received, due: WIB
    assert f'action="/staff/complaints/{number}/respond"' in page
    assert text("complaint.no_responses", "id") in page

    # bad input: nothing stored, what was typed stays, refusal audited
    r = post(b, f"/staff/complaints/{number}/respond", csrf, kind="", text="Sudah ditelepon.")
    assert r.status_code == 422 and text("complaint.kind_required", "id") in r.text
    assert "Sudah ditelepon.</textarea>" in r.text
    r = post(b, f"/staff/complaints/{number}/respond", csrf, kind="phone", text="  \n ")
    assert r.status_code == 422 and text("complaint.text_required", "id") in r.text
    r = post(b, f"/staff/complaints/{number}/respond", csrf, kind="phone", text="x" * 1001)
    assert r.status_code == 422 and text("complaint.text_too_long", "id") in r.text

    # an internal note: the clock keeps running
    r = post(b, f"/staff/complaints/{number}/respond", csrf, kind="note",
             text="Ditelepon, tidak diangkat.")
    assert r.headers["location"] == f"/staff/complaints/{number}?done=note#responses"
    page = b.get(f"/staff/complaints/{number}?done=note").text
    assert "Sisa 1 jam<" in page and "Ditelepon, tidak diangkat." in page
    assert text("complaint.done.note", "id") in page

    # two hours later (signed in again): an hour overdue, then answered by phone
    desk.clock.advance(hours=2)
    b, csrf = browser_of(desk, "sekdes")
    assert "Terlambat 1 jam<" in b.get(f"/staff/complaints/{number}").text
    r = post(b, f"/staff/complaints/{number}/respond", csrf, kind="phone",
             text="Sudah ditelepon: petugas loket kini datang pukul 7.30.")
    assert r.headers["location"] == f"/staff/complaints/{number}?done=first#responses"
    page = b.get(f"/staff/complaints/{number}?done=first").text
    assert text("complaint.done.first", "id") in page
    assert "Dijawab terlambat, dalam 5 jam<" in page
    assert "25-11-2026 14.00 (5 jam)" in page  # the first response, and how long it took

    # a day later the clock still says 5 hours; another contact changes nothing
    desk.clock.advance(days=1)
    b, csrf = browser_of(desk, "kades")
    assert post(b, f"/staff/complaints/{number}/respond", csrf, kind="message",
                text="Dikirimi pesan: terima kasih atas laporannya.").status_code == 303
    page = b.get(f"/staff/complaints/{number}").text
    assert "Dijawab terlambat, dalam 5 jam<" in page
    history = page.split('id="responses"')[1]
    assert history.index("Ditelepon, tidak diangkat.") < history.index("pukul 7.30") \
        < history.index("terima kasih")
    assert "Rina Wulandari (Operator)" in history and "Slamet Riyadi (Sekretaris Desa)" in history
    assert "Lewat telepon · <strong>tanggapan pertama</strong>" in history

    with desk.sessions() as s:
        rows = list(s.scalars(select(ComplaintResponse).order_by(ComplaintResponse.id)))
    assert [(r.kind, r.staff_name, r.staff_role, r.at) for r in rows] == [
        ("note", "Rina Wulandari", OPERATOR, NOW),
        ("phone", "Slamet Riyadi", SEKDES, NOW + timedelta(hours=2)),
        ("message", "Mohamad Arifin", KADES, NOW + timedelta(days=1, hours=2)),
    ]
    assert rows[0].staff_user_id == desk.user_id("operator")
    assert [(e.outcome, e.reason, e.target) for e in desk.audit(action="complaint_respond")] == [
        ("refused", "bad_input", number)] * 3 + [
        ("allowed", "note", number), ("allowed", "phone first", number),
        ("allowed", "message", number)]


def test_no_phone_and_a_resident_no_longer_in_the_registry(desk):
    number = arrive(desk, "KMR01-261125-P011", NOW - timedelta(minutes=10), phone="",
                    category="fasilitas_kantor")
    with desk.sessions() as s, s.begin():  # moved away since: no longer in the registry
        s.execute(update(ComplaintRow).where(ComplaintRow.complaint_number == number)
                  .values(resident_nik="3510150101700009"))
    b, _ = browser_of(desk, "operator")
    page = b.get(f"/staff/complaints/{number}").text
    assert text("complaint.not_in_registry", "id") in page and "3510150101700009" in page
    assert "tel:" not in page and text("complaint.no_phone", "id") in page
    assert "Fasilitas kantor desa" in page and "Sisa 3 jam 50 menit" in page
    assert text("complaint.not_in_registry", "id") in b.get("/staff/complaints").text


# --- statistics -----------------------------------------------------------------------------


def stats_rows(html: str) -> dict[str, list[str]]:
    rows = {}
    for label, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', html, re.S):
        rows[label] = [re.sub(r"<[^>]+>", "", c).strip()
                       for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return rows


def test_time_to_first_response_per_month_checked_by_hand(desk):
    october = [  # received (UTC), answered after
        (datetime(2026, 10, 5, 1, 0, tzinfo=UTC), timedelta(hours=1)),
        (datetime(2026, 10, 12, 2, 0, tzinfo=UTC), timedelta(hours=3)),
        (datetime(2026, 10, 20, 3, 0, tzinfo=UTC), timedelta(hours=6)),  # late
    ]
    for i, (at, took) in enumerate(october, start=1):
        arrive(desk, f"KMR01-2610-P{i:03d}", at)
        respond(desk, f"KMR01-2610-P{i:03d}", at + took)
    # 31 October 18.00 UTC is 1 November 01.00 in the village: a November complaint
    arrive(desk, "KMR01-2611-P001", datetime(2026, 10, 31, 18, 0, tzinfo=UTC))
    respond(desk, "KMR01-2611-P001", datetime(2026, 10, 31, 18, 30, tzinfo=UTC))
    arrive(desk, "KMR01-2611-P002", datetime(2026, 11, 24, 0, 0, tzinfo=UTC))  # never answered
    arrive(desk, "KMR01-2611-P003", NOW - timedelta(hours=1))  # still running
    respond(desk, "KMR01-2611-P003", NOW - timedelta(minutes=30), kind="note")  # not an answer
    arrive(desk, "KMR01-2512-P001", datetime(2025, 12, 31, 16, 0, tzinfo=UTC))  # 23.00 WIB
    desk.clock.now = NOW
    b, csrf = browser_of(desk, "admin")  # every role may look
    r = b.get("/staff/complaints/stats")
    assert r.status_code == 200
    rows = stats_rows(r.text)
    # received, answered, median, on time (of the decided), overdue, still running
    assert rows["Oktober"] == ["3", "3", "3 jam", "66,7%", "1", "0"]  # median of 1, 3, 6 h
    assert rows["November"] == ["3", "1", "30 menit", "50,0%", "1", "1"]  # 1 of 2 decided
    assert rows["Januari"] == ["0", "0", "–", "–", "0", "0"]
    assert rows["Setahun"] == ["6", "4", "2 jam", "60,0%", "2", "1"]  # median of 0.5, 1, 3, 6 h
    last_year = stats_rows(b.get("/staff/complaints/stats?year=2025").text)
    assert last_year["Desember"] == ["1", "0", "–", "0,0%", "1", "0"]
    assert b.get("/staff/complaints/stats?year=tahun-ini").status_code == 200
    post(b, "/staff/language", csrf, lang="en", next="/staff/complaints/stats")
    rows = stats_rows(b.get("/staff/complaints/stats").text)
    assert rows["October"] == ["3", "3", "3 h", "66.7%", "1", "0"]
    assert rows["Whole year"][2:4] == ["2 h", "60.0%"]


# --- who may, and where ---------------------------------------------------------------------


def test_another_villages_complaint_is_not_found_and_audited(desk):
    number = arrive(desk, "KMR01-261125-P020", NOW - timedelta(hours=1))
    theirs = arrive(desk, "OLH01-261125-P001", NOW - timedelta(hours=5), kiosk="OLH01",
                    village=OTHER_VILLAGE, auth=OTHER_AUTH)
    b, csrf = browser_of(desk, OLEHSARI_OPERATOR)
    for r in (b.get(f"/staff/complaints/{number}"),
              post(b, f"/staff/complaints/{number}/respond", csrf, kind="phone", text="Halo")):
        assert r.status_code == 404
        assert text("refused.complaint_not_found", "id") in r.text
        assert SITI.name not in r.text and WORDS.split("\n")[0] not in r.text
    assert b.get("/staff/complaints/KMR01-000000-P999").status_code == 404
    assert b.get("/staff/complaints/..%2Fetc").status_code == 404
    page = b.get("/staff/complaints").text
    assert listed(page) == [theirs] and "Semua (1)" in page
    with desk.sessions() as s:
        assert s.scalar(select(ComplaintResponse.id)) is None
    entries = desk.audit(staff_user_id=desk.user_id(OLEHSARI_OPERATOR), outcome="refused")
    assert [(e.action, e.reason, e.target, e.village_code) for e in entries][:3] == [
        ("complaint", "other_village", number, OTHER_VILLAGE),
        ("complaint_respond", "other_village", number, OTHER_VILLAGE),
        ("complaint", "not_found", "KMR01-000000-P999", OTHER_VILLAGE)]
    # Kemiren's statistics do not count Olehsari's complaint
    kemiren, _ = browser_of(desk, "operator")
    assert stats_rows(kemiren.get("/staff/complaints/stats").text)["November"][0] == "1"


def test_roles_csrf_and_sign_in(desk):
    number = arrive(desk, "KMR01-261125-P030", NOW - timedelta(hours=1))
    assert {Perm.COMPLAINTS} <= PERMISSIONS[ADMIN] and Perm.RESPOND not in PERMISSIONS[ADMIN]
    assert all(Perm.RESPOND in PERMISSIONS[r] for r in (OPERATOR, SEKDES, KADES))
    admin_b, admin_csrf = browser_of(desk, "admin")
    page = admin_b.get(f"/staff/complaints/{number}").text
    assert SITI.name in page and "/respond" not in page  # may look; no form
    assert ">Pengaduan</a>" in page
    r = post(admin_b, f"/staff/complaints/{number}/respond", admin_csrf, kind="phone",
             text="Sudah ditelepon.")
    assert r.status_code == 403 and text("refused.role", "id") in r.text
    operator, op_csrf = browser_of(desk, "operator")
    for token in (None, "forged-" + op_csrf[7:]):
        r = post(operator, f"/staff/complaints/{number}/respond", token, kind="phone",
                 text="Sudah ditelepon.")
        assert r.status_code == 403 and text("refused.csrf", "id") in r.text
    anonymous = desk.browser()
    for path in ("/staff/complaints", f"/staff/complaints/{number}", "/staff/complaints/stats"):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    r = anonymous.post(f"/staff/complaints/{number}/respond",
                       data={"csrf": "x", "kind": "phone", "text": "Halo"},
                       follow_redirects=False)
    assert r.status_code == 303
    with desk.sessions() as s:
        assert s.scalar(select(ComplaintResponse.id)) is None
    refused = [(e.action, e.reason, e.target) for e in desk.audit(outcome="refused")]
    assert refused == [("complaint_respond", "role admin lacks respond", number),
                       ("complaint_respond", "csrf", number),
                       ("complaint_respond", "csrf", number)]
    assert not any(WORDS[:20] in (e.reason + e.target) for e in desk.audit())


def test_every_text_the_pages_compose_exists_in_both_languages():
    from backoffice.web.texts import TEXTS

    codes = {f"complaints.state.{s}" for s in ("overdue", "open", "answered", "answered_late")}
    codes |= {f"complaints.show.{s or 'all'}" for s in complaints_module.SHOWS}
    codes |= {f"complaint.kind.{k}" for k in complaints_module.KINDS}
    codes |= {f"complaint.kind_choice.{k}" for k in complaints_module.KINDS}
    codes |= {f"complaint.done.{d}" for d in complaints_module.DONE}
    codes |= {f"month.{m}" for m in range(1, 13)} | {"dur.m", "dur.h", "dur.hm", "dur.dh"}
    codes |= {"complaint.language.id", "complaint.language.en"}
    assert codes - set(TEXTS) == set()
    assert complaints_module.format_duration(timedelta(days=2, hours=3, minutes=59), "en") == \
        "2 d 3 h"
    assert complaints_module.format_duration(timedelta(seconds=59), "id") == "0 menit"
