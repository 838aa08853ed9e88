"""The kiosk fleet page (backoffice/web/fleet.py) on SQLite and PostgreSQL.

Kiosks beat through the real API with the body terminal/heartbeat.py builds; the beats' ages
are then set to known values against the staff pages' fake clock, which the tests move.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from backoffice.db import KioskHeartbeat
from backoffice.demo import DEMO_VILLAGE_CODE
from backoffice.kiosks import add_kiosk, revoke_kiosk
from backoffice.web import fleet as fleet_module
from backoffice.web.texts import TEXTS, text
from devices.printer import PROBLEM_CODES, WARNING_CODES
from terminal.heartbeat import heartbeat_status
from tests.test_backoffice import AUTH, OTHER_AUTH
from tests.test_staff_web import OLEHSARI_OPERATOR, Office, browser_of, make_office

# name → (age of the last beat, what it said); None: never beat
FLEET = {
    "KMR01": (timedelta(seconds=10), dict(outbox_pending=0, outbox_set_aside=0,
                                           oldest_age_s=None, printer_state="ready",
                                           reader_state="ready")),
    "KMR02": (timedelta(minutes=6), dict(outbox_pending=1, outbox_set_aside=0,
                                          oldest_age_s=30.0, printer_state="ready",
                                          reader_state="ready")),
    "KMR03": (timedelta(hours=2), dict(outbox_pending=4, outbox_set_aside=0,
                                        oldest_age_s=7500.0, printer_state="ready",
                                        reader_state="ready")),
    "KMR04": (timedelta(minutes=1), dict(
        outbox_pending=3, outbox_set_aside=1, oldest_age_s=12 * 60 + 5.0, printer_state="error",
        printer_reasons=["paper_out", "toner_low"], reader_state="missing", mode="mobile",
        open_now=False,
        offline={"snapshot_version": 7, "snapshot_age_s": 2 * 3600 + 5 * 60,
                 "pin_events_pending": 2})),
    "KMR05": None,
}


def beat(office: Office, headers: dict, **status) -> None:
    r = office.kiosk.post("/api/v1/heartbeat", headers=headers,
                          json=heartbeat_status(version="1.4.2", **status))
    assert r.status_code == 200, r.text


def set_age(office: Office, kiosk_id: str, age: timedelta) -> None:
    with office.sessions() as s, s.begin():
        s.execute(update(KioskHeartbeat).where(KioskHeartbeat.kiosk_id == kiosk_id)
                  .values(last_heartbeat_at=office.clock() - age))


def make_fleet(office: Office) -> None:
    tokens = {"KMR01": AUTH["Authorization"].split()[1]}
    with office.sessions() as s, s.begin():
        for kiosk_id in [*FLEET, "KMR06"]:
            if kiosk_id != "KMR01":
                tokens[kiosk_id] = add_kiosk(s, kiosk_id, DEMO_VILLAGE_CODE)
    for kiosk_id, spec in FLEET.items():
        if spec is not None:
            beat(office, {"Authorization": f"Bearer {tokens[kiosk_id]}"}, **spec[1])
            set_age(office, kiosk_id, spec[0])
    beat(office, {"Authorization": f"Bearer {tokens['KMR06']}"}, outbox_pending=0,
         outbox_set_aside=0, oldest_age_s=None, printer_state="ready", reader_state="ready")
    with office.sessions() as s, s.begin():
        revoke_kiosk(s, "KMR06")  # revoked: listed last, never flagged
    beat(office, OTHER_AUTH, outbox_pending=9, outbox_set_aside=0, oldest_age_s=1.0,
         printer_state="ready", reader_state="ready")


def rows(html: str) -> list[tuple[str, str]]:
    """(kiosk id, row class) in page order."""
    return [(k, c) for c, k in re.findall(r'<tr class="k-(\w+)" id="kiosk-([^"]+)">', html)]


def row_of(html: str, kiosk_id: str) -> str:
    return unescape(html.split(f'id="kiosk-{kiosk_id}">', 1)[1].split("</tr>", 1)[0])


@pytest.fixture
def office(database_url: str) -> Office:
    return make_office(database_url)


def test_silent_kiosks_are_flagged_at_the_top(office):
    make_fleet(office)
    b, _ = browser_of(office, "operator")
    page = b.get("/staff/kiosks").text
    assert rows(page) == [("KMR03", "silent"), ("KMR02", "silent"), ("KMR05", "never"),
                          ("KMR04", "attention"), ("KMR01", "ok"), ("KMR06", "revoked")]
    assert "OLH01" not in page  # another village's kiosk
    assert "6 kios" in page and "2 tanpa kabar &gt; 5 menit" in page
    assert "Tanpa kabar 2 jam" in row_of(page, "KMR03")
    assert "Tanpa kabar 6 menit" in row_of(page, "KMR02")
    assert "Belum pernah berkabar" in row_of(page, "KMR05")
    tz = ZoneInfo("Asia/Jakarta")  # the settings' timezone (the default)
    seen = (office.clock() - timedelta(hours=2)).astimezone(tz).strftime("%d-%m-%Y %H.%M")
    assert seen in row_of(page, "KMR03") and "2 jam yang lalu" in row_of(page, "KMR03")

    # The threshold, with the clock moved: 5 minutes silent is not yet flagged, a second more is.
    office.clock.advance(minutes=4, seconds=50)  # KMR01's beat is now exactly 5 minutes old
    assert ("KMR01", "ok") in rows(b.get("/staff/kiosks").text)
    office.clock.advance(seconds=1)
    page = b.get("/staff/kiosks").text
    assert rows(page)[:4] == [("KMR03", "silent"), ("KMR02", "silent"), ("KMR04", "silent"),
                              ("KMR01", "silent")]  # the longest silent first
    assert fleet_module.SILENT_AFTER == timedelta(minutes=5)


def test_the_last_heartbeat_in_words(office):
    make_fleet(office)
    b, _ = browser_of(office, "sekdes")
    row = row_of(b.get("/staff/kiosks").text, "KMR04")
    for words in ("1.4.2", "3 menunggu", "terlama 12 menit", "1 disisihkan", "Bermasalah",
                  "kertas habis", "tinta/toner hampir habis", "Tidak terhubung",
                  "Keliling (mobile)", "umur 2 jam 5 menit", "2 percobaan PIN belum terkirim",
                  "printer bermasalah", "pembaca kartu tidak siap",
                  "tidur: di luar jam layanan"):
        assert words in row, words
    assert "paper_out" not in row  # words, not codes
    ok = row_of(b.get("/staff/kiosks").text, "KMR01")
    assert "kosong" in ok and "Siap" in ok and "Di tempat (daring)" in ok
    assert "tidur" not in ok

    detail = unescape(b.get("/staff/kiosks/KMR04").text)
    assert "Kios KMR04" in detail and "kertas habis" in detail and "(paper_out)" in detail
    assert "Versi data luring" in detail and ">7<" in detail
    never = unescape(b.get("/staff/kiosks/KMR05").text)
    assert "Belum pernah berkabar" in never


def test_another_villages_kiosk_is_not_found_and_audited(office):
    make_fleet(office)
    b, _ = browser_of(office, "operator")
    for kiosk_id in ("OLH01", "NOPE"):
        r = b.get(f"/staff/kiosks/{kiosk_id}")
        assert r.status_code == 404 and text("refused.kiosk_not_found", "id") in r.text
    assert [(e.action, e.target, e.reason) for e in office.audit(outcome="refused")] == [
        ("kiosk", "kiosk:OLH01", "other_village"), ("kiosk", "kiosk:NOPE", "not_found")]
    tini, _ = browser_of(office, OLEHSARI_OPERATOR)
    assert rows(tini.get("/staff/kiosks").text) == [("OLH01", "ok")]
    assert tini.get("/staff/kiosks/KMR01").status_code == 404


def test_every_role_sees_the_fleet_in_either_language(office):
    make_fleet(office)
    b, csrf = browser_of(office, "admin")
    assert b.get("/staff/kiosks").status_code == 200  # nothing personal: every role
    b.post("/staff/language", data={"csrf": csrf, "lang": "en", "next": "/staff/kiosks"})
    page = unescape(b.get("/staff/kiosks").text)
    assert text("fleet.title", "en") in page and "Silent for 2 h" in page
    assert "paper out" in page and "ink/toner low" in page and "Never heard from" in page
    assert "2 silent > 5 minutes" in page


def test_times_follow_the_village_time_zone(database_url):
    office = make_office(database_url, timezone="Asia/Jayapura")  # WIT, UTC+9
    make_fleet(office)
    b, _ = browser_of(office, "operator")
    seen = office.clock() - timedelta(seconds=10)
    shown = seen.astimezone(ZoneInfo("Asia/Jayapura")).strftime("%d-%m-%Y %H.%M")
    assert shown in row_of(b.get("/staff/kiosks").text, "KMR01")


def test_every_printer_and_reader_word_has_a_text():
    assert fleet_module.PRINTER_PROBLEMS == PROBLEM_CODES  # as devices/printer.py reports them
    assert fleet_module.PRINTER_WARNINGS == WARNING_CODES
    for prefix, words in (("fleet.problem", PROBLEM_CODES),
                          ("fleet.printer", fleet_module.PRINTER_STATES),
                          ("fleet.reader", fleet_module.READER_STATES),
                          ("fleet.mode", ("online", "mobile"))):
        for word in words:
            assert f"{prefix}.{word}" in TEXTS, (prefix, word)
    source = Path(fleet_module.__file__).read_text()
    for code in set(re.findall(r'"(fleet\.note\.[a-z_]+)"', source)):
        assert code in TEXTS, code
    # the kiosk's printer states (devices.printer.PrinterStatus.state, or "none")
    from devices.printer import PrinterStatus

    states = {PrinterStatus.unavailable("x").state, PrinterStatus.from_ipp(3, []).state,
              PrinterStatus.from_ipp(4, []).state, PrinterStatus.from_ipp(5, []).state,
              PrinterStatus.from_ipp(4, ["media-empty-error"]).state, "none"}
    assert states <= set(fleet_module.PRINTER_STATES)


def test_a_duration_in_words():
    def t(code, **kw):
        return text(code, "id", **kw)

    age = fleet_module.age_words
    assert [age(s, t) for s in (None, 0, 59, 60, 3599, 3600, 3660, 2 * 86400 - 1, 2 * 86400)] == [
        "-", "0 detik", "59 detik", "1 menit", "59 menit", "1 jam", "1 jam 1 menit",
        "47 jam 59 menit", "2 hari"]
