"""The registry pages (backoffice/web/registry.py): residents, a resident's page, and the desk
actions — on SQLite and PostgreSQL, through the real app with a browser-like client.

Binding reads a virtual e-KTP on the real pcscd (vpcd reader) through the desk reader code
(backoffice/desk_reader.py → devices.pcsc): those tests are marked `pcsc` and queue for
the machine's one pcscd rig. Nothing is mocked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select, update

from backoffice import desk_reader
from backoffice.db import (
    AuditEntry,
    CardBinding,
    Pin,
    PinEvent,
    ResidentRow,
    Village,
)
from backoffice.demo import DEMO_VILLAGE_CODE
from backoffice.registry import upsert_resident
from backoffice.security import verify_pin
from backoffice.web import registry as registry_module
from backoffice.web.texts import TEXTS, text
from devices.demo_cards import demo_card
from devices.ektp import CardKind, ektp_type_b_atr
from devices.rig import PcscdRig
from devices.virtual_card import VirtualCard
from forms.identity import Resident, card_fingerprint
from forms.nik import mask_nik
from tests.conftest import pcscd_rig
from tests.test_backoffice import AUTH, OTHER_VILLAGE, SITI
from tests.test_staff_web import (
    AHMAD,
    OLEHSARI_OPERATOR,
    Office,
    browser_of,
    make_office,
    post,
)

pcsc = pytest.mark.pcsc


def _joko(n: int = 1, **changes) -> Resident:
    values = dict(
        nik=f"35101501019000{n:02d}", name=f"Joko Susilo {n}", birth_place="Banyuwangi",
        birth_date=SITI.birth_date.replace(year=1990, month=1, day=1), sex="L",
        address="Jl. Kopi 1", dusun="Krajan", rt="003", rw="012", religion="Islam",
        marital_status="Kawin", occupation="Petani", citizenship="WNI",
        family_card_number=f"35101501011500{n:02d}",
    )  # fmt: skip
    values.update(changes)
    return Resident(**values)


@pytest.fixture
def office(database_url: str) -> Office:
    return make_office(database_url)


def rid(office: Office, nik: str, village: str = DEMO_VILLAGE_CODE) -> int:
    with office.sessions() as s:
        return s.scalar(select(ResidentRow.id).where(ResidentRow.nik == nik,
                                                     ResidentRow.village_code == village))


def pin_of(office: Office, nik: str) -> Pin | None:
    with office.sessions() as s:
        return s.get(Pin, rid(office, nik))


def add_residents(office: Office, *residents: Resident) -> None:
    with office.sessions() as s, s.begin():
        for r in residents:
            upsert_resident(s, DEMO_VILLAGE_CODE, r)


def names(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'href="/staff/residents/\d+">([^<]+)</a>', html)]


def audit(office: Office, **where) -> list[tuple[str, str, str, str]]:
    return [(e.action, e.outcome, e.target, e.reason) for e in office.audit(**where)]


# --- the list ---------------------------------------------------------------------------------


def test_residents_search_filters_pages_and_stays_in_the_village(office, monkeypatch):
    add_residents(office, _joko(1), _joko(2), _joko(3, name="Dewi Lestari", sex="P",
                                                     nik="3510154505920003"))
    b, csrf = browser_of(office, "operator")
    page = b.get("/staff/residents").text
    assert names(page) == ["Ahmad Ma'ruf", "Bagus Setiawan", "Dewi Lestari", "Joko Susilo 1",
                           "Joko Susilo 2", "Siti Aminah", "Sukarmi"]  # by name, this village
    assert f'/staff/residents/{rid(office, SITI.nik, OTHER_VILLAGE)}"' not in page
    assert mask_nik(SITI.nik) in page and SITI.nik not in page  # the list masks NIKs
    assert "Semua (7)" in page and "Belum ada e-KTP (3)" in page and "Belum ada PIN (3)" in page
    assert names(b.get("/staff/residents?show=no_card").text) == [
        "Dewi Lestari", "Joko Susilo 1", "Joko Susilo 2"]
    with office.sessions() as s, s.begin():
        s.execute(update(Pin).where(Pin.resident_id == rid(office, AHMAD.nik))
                  .values(locked=True, failed_attempts=3))
    locked = b.get("/staff/residents?show=locked").text
    assert names(locked) == ["Ahmad Ma'ruf"] and "PIN terkunci (1)" in locked
    assert b.get("/staff/residents?show=nonsense&page=x").status_code == 200

    def search(q: str, **more) -> str:
        r = post(b, "/staff/residents", csrf, q=q, **more)
        assert r.status_code == 200
        return r.text

    assert names(search("siti")) == ["Siti Aminah"]
    assert names(search("  JOKO   susilo ")) == ["Joko Susilo 1", "Joko Susilo 2"]
    assert names(search(SITI.nik[-7:])) == ["Siti Aminah"]  # part of a NIK
    assert names(search(SITI.family_card_number)) == ["Siti Aminah"]  # a family card number
    assert names(search("joko", show="no_card")) == ["Joko Susilo 1", "Joko Susilo 2"]
    assert names(search("%")) == [] and names(search("_")) == []  # literals, not wildcards
    assert post(b, "/staff/residents", "forged", q="siti").status_code == 403

    monkeypatch.setattr(registry_module, "PAGE_SIZE", 3)
    first = b.get("/staff/residents").text
    assert names(first) == ["Ahmad Ma'ruf", "Bagus Setiawan", "Dewi Lestari"]
    assert "Halaman 1 dari 3" in first and 'href="/staff/residents?page=2"' in first
    assert names(b.get("/staff/residents?page=3").text) == ["Sukarmi"]
    # While searching, the pager and the filters are forms: the term never goes into an address.
    searching = search("s")
    assert "Halaman 1 dari 2" in searching and 'value="s"' in searching
    assert not re.search(r'href="[^"]*[?&]q=', searching)
    assert names(search("s", page="2")) == ["Joko Susilo 2", "Siti Aminah", "Sukarmi"]
    nik_search = search(SITI.nik)
    assert SITI.nik not in re.findall(r'href="([^"]*)"', nik_search)


def test_a_resident_page_shows_the_registry_card_pin_events_and_applications(office):
    number = office.submit("KMR01-261125-0040", SITI)
    office.submit("OLH01-261125-0041", SITI, kiosk_id="OLH01", village_code=OTHER_VILLAGE,
                  headers={"Authorization": "Bearer test-kiosk-token-OLH01-not-for-production"})
    siti = rid(office, SITI.nik)
    now = office.clock()
    with office.sessions() as s, s.begin():
        row = s.get(ResidentRow, siti)
        row.education, row.blood_type, row.family_relationship = "SLTA", "O", "ISTRI"
        fingerprint = s.scalar(select(CardBinding.fingerprint)
                               .where(CardBinding.resident_id == siti))
        for i, (outcome, effect, age) in enumerate([
            ("wrong", "counted", timedelta(days=2)), ("wrong", "counted", timedelta(days=1)),
            ("right", "reset", timedelta(hours=3)), ("wrong", "counted", timedelta(days=40)),
        ]):
            s.add(PinEvent(kiosk_id="KMR01", event_id=f"ev-{i}", card=fingerprint,
                           outcome=outcome, kiosk_locked=False, at=now - age,
                           received_at=now, effect=effect))
    b, _ = browser_of(office, "operator")
    r = b.get(f"/staff/residents/{siti}")
    assert r.status_code == 200
    page = r.text
    for value in (SITI.nik, SITI.name, SITI.family_card_number, "12-08-1958", "Perempuan",
                  "Jl. Barong No. 17", "001/002", "Mengurus Rumah Tangga", "SLTA", "ISTRI"):
        assert value in page, value
    assert "terikat" in page and "0 dari 3 kali salah" in page
    assert "2 salah, 1 benar, 0 mengunci kartu" in page  # the 40-day-old one is not recent
    assert f'href="/staff/applications/{number}"' in page
    assert "OLH01-261125-0041" not in page  # her application in the other village
    assert "/bind-card" in page and "/unbind-card" in page and "/pin" in page
    assert "/unlock" not in page  # nothing to unlock
    assert audit(office, action="view_resident") == [
        ("view_resident", "allowed", f"resident:{siti}", "")]


def test_another_villages_resident_is_not_found_and_the_admin_sees_no_registry(office):
    siti = rid(office, SITI.nik)
    b, csrf = browser_of(office, OLEHSARI_OPERATOR)
    for r in (b.get(f"/staff/residents/{siti}"), post(b, f"/staff/residents/{siti}/pin", csrf,
                                                      pin="123456", pin_again="123456"),
              post(b, f"/staff/residents/{siti}/unlock", csrf),
              post(b, f"/staff/residents/{siti}/unbind-card", csrf),
              b.get("/staff/residents/99999"), b.get("/staff/residents/abc")):
        assert r.status_code == 404
        assert text("refused.resident_not_found", "id") in r.text and SITI.name not in r.text
    assert pin_of(office, SITI.nik).failed_attempts == 0
    assert names(b.get("/staff/residents").text) == ["Siti Aminah"]  # Olehsari's own Siti
    me = office.user_id(OLEHSARI_OPERATOR)
    assert [(a, reason) for a, _, _, reason in audit(office, staff_user_id=me,
                                                      outcome="refused")] == [
        ("view_resident", "other_village"), ("set_pin", "other_village"),
        ("unlock_pin", "other_village"), ("unbind_card", "other_village"),
        ("view_resident", "not_found"), ("view_resident", "not_found")]

    admin, admin_csrf = browser_of(office, "admin")
    queue = admin.get("/staff/queue").text
    assert 'href="/staff/residents"' not in queue and 'href="/staff/kiosks"' in queue
    assert admin.get("/staff/residents").status_code == 403
    assert admin.get(f"/staff/residents/{siti}").status_code == 403
    r = post(admin, f"/staff/residents/{siti}/pin", admin_csrf, pin="123456", pin_again="123456")
    assert r.status_code == 403 and text("refused.role", "id") in r.text
    assert [(a, reason) for a, _, _, reason in audit(office, staff_user_id=office.user_id(
        "admin"), outcome="refused")] == [("residents", "role admin lacks registry"),
                                          ("view_resident", "role admin lacks registry"),
                                          ("set_pin", "role admin lacks pin")]


# --- PIN, unlock, unbind ----------------------------------------------------------------------


def test_a_new_pin_is_typed_twice_and_never_shown(office):
    siti = rid(office, SITI.nik)
    hasher = office.app.state.backoffice.hasher
    old_hash = pin_of(office, SITI.nik).pin_hash
    b, csrf = browser_of(office, "operator")
    r = post(b, f"/staff/residents/{siti}/pin", csrf, pin="918273", pin_again="918274")
    assert r.status_code == 422 and text("registry.pin_mismatch", "id") in r.text
    assert "918273" not in r.text and "918274" not in r.text
    r = post(b, f"/staff/residents/{siti}/pin", csrf, pin="91827a", pin_again="91827a")
    assert r.status_code == 422 and text("registry.pin_format", "id") in r.text
    assert post(b, f"/staff/residents/{siti}/pin", None, pin="918273",
                pin_again="918273").status_code == 403  # no CSRF token
    assert pin_of(office, SITI.nik).pin_hash == old_hash  # nothing stored
    with office.sessions() as s, s.begin():
        s.execute(update(Pin).where(Pin.resident_id == siti).values(failed_attempts=2))
    r = post(b, f"/staff/residents/{siti}/pin", csrf, pin="918273", pin_again="918273")
    assert r.status_code == 303 and r.headers["location"] == f"/staff/residents/{siti}?done=set_pin"
    pin = pin_of(office, SITI.nik)
    assert pin.pin_hash.startswith("$argon2id$") and verify_pin(hasher, pin.pin_hash, "918273")
    assert pin.failed_attempts == 0 and not pin.locked
    assert text("registry.done.set_pin", "id") in b.get(r.headers["location"]).text
    # a resident with no PIN yet gets one the same way
    add_residents(office, _joko(1))
    joko = rid(office, _joko(1).nik)
    assert post(b, f"/staff/residents/{joko}/pin", csrf, pin="564738",
                pin_again="564738").status_code == 303
    assert verify_pin(hasher, pin_of(office, _joko(1).nik).pin_hash, "564738")
    entries = audit(office, action="set_pin")
    assert [(o, reason) for _, o, _, reason in entries] == [
        ("refused", "pin_mismatch"), ("refused", "pin_format"), ("refused", "csrf"),
        ("allowed", "reset"), ("allowed", "new")]
    with office.sessions() as s:  # no audit line holds a PIN, a NIK or a name
        every = " ".join(f"{e.target} {e.reason}" for e in s.scalars(select(AuditEntry)))
    for secret in ("918273", "918274", "564738", SITI.nik, SITI.name, "Joko"):
        assert secret not in every


def test_three_wrong_pins_lock_the_card_and_staff_unlock_it(office):
    fingerprint = card_fingerprint(demo_card("siti").uid, _village_key(office))
    for _ in range(3):
        r = office.kiosk.post("/api/v1/identify", headers=AUTH,
                              json={"card": fingerprint, "pin": "000000"})
        assert r.status_code in (401, 403, 423), r.text
    assert pin_of(office, SITI.nik).locked
    siti = rid(office, SITI.nik)
    b, csrf = browser_of(office, "operator")
    page = b.get(f"/staff/residents/{siti}").text
    assert "terkunci" in page and f"/staff/residents/{siti}/unlock" in page
    locked_list = b.get("/staff/residents?show=locked").text
    assert names(locked_list) == ["Siti Aminah"]
    r = post(b, f"/staff/residents/{siti}/unlock", csrf)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=unlock_pin")
    pin = pin_of(office, SITI.nik)
    assert not pin.locked and pin.failed_attempts == 0
    ok = office.kiosk.post("/api/v1/identify", headers=AUTH,
                           json={"card": fingerprint, "pin": "241258"})
    assert ok.status_code == 200
    # nothing to unlock: a resident without a PIN
    add_residents(office, _joko(1))
    joko = rid(office, _joko(1).nik)
    r = post(b, f"/staff/residents/{joko}/unlock", csrf)
    assert r.status_code == 409 and text("registry.no_pin", "id") in r.text
    assert audit(office, action="unlock_pin") == [
        ("unlock_pin", "allowed", f"resident:{siti}", "failed=3 locked=yes"),
        ("unlock_pin", "refused", f"resident:{joko}", "no_pin")]


def test_unbind_a_card(office):
    siti = rid(office, SITI.nik)
    b, csrf = browser_of(office, "sekdes")
    r = post(b, f"/staff/residents/{siti}/unbind-card", csrf)
    assert r.status_code == 303
    with office.sessions() as s:
        assert s.scalar(select(CardBinding).where(CardBinding.resident_id == siti)) is None
    page = b.get(r.headers["location"]).text
    assert text("registry.done.unbind_card", "id") in page and "belum ada e-KTP terikat" in page
    again = post(b, f"/staff/residents/{siti}/unbind-card", csrf)
    assert again.status_code == 409 and text("registry.no_card_bound", "id") in again.text
    assert [(o, reason) for _, o, _, reason in audit(office, action="unbind_card")] == [
        ("allowed", ""), ("refused", "no_card_bound")]


def test_the_registry_pages_switch_to_english(office):
    siti = rid(office, SITI.nik)
    b, csrf = browser_of(office, "operator")
    post(b, "/staff/language", csrf, lang="en", next=f"/staff/residents/{siti}")
    page = unescape(b.get(f"/staff/residents/{siti}").text)
    for code in ("registry.identity", "registry.card_and_pin", "registry.bind_button",
                 "registry.set_pin_button", "registry.applications"):
        assert text(code, "en") in page, code
    assert "Female" in page and 'lang="en"' in page
    listing = b.get("/staff/residents").text
    assert "All (4)" in listing and "No e-KTP bound (0)" in listing
    r = post(b, f"/staff/residents/{siti}/pin", csrf, pin="111111", pin_again="222222")
    assert text("registry.pin_mismatch", "en") in r.text


def _village_key(office: Office) -> bytes:
    with office.sessions() as s:
        return s.get(Village, DEMO_VILLAGE_CODE).card_key_bytes


def test_every_desk_reader_outcome_has_words_in_both_languages():
    codes = {v for k, v in vars(desk_reader).items() if k.isupper() and isinstance(v, str)}
    codes -= {desk_reader.NOT_EKTP}
    codes |= {f"not_ektp_{kind.value}" for kind in CardKind if kind is not CardKind.EKTP}
    for code in codes:
        assert f"desk.{code}" in TEXTS, code
    assert desk_reader.DeskReadError("not_ektp", "something_new").text_code == (
        "desk.not_ektp_unknown")


# --- binding a card on the real desk reader (pcscd + vpcd) ------------------------------------


@pytest.fixture(scope="module")
def rig() -> Iterator[PcscdRig]:
    with pcscd_rig() as r:
        yield r


@pcsc
def test_bind_a_card_from_the_desk_reader(office, rig, insert):
    add_residents(office, _joko(1))
    joko = rid(office, _joko(1).nik)
    siti = rid(office, SITI.nik)
    b, csrf = browser_of(office, "operator")
    page = b.get(f"/staff/residents/{joko}").text
    assert rig.card_reader in page  # the page names the desk reader it found

    def bind():
        return post(b, f"/staff/residents/{joko}/bind-card", csrf)

    r = bind()  # nothing on the reader
    assert r.status_code == 409 and text("desk.no_card", "id") in r.text

    bank = insert(VirtualCard.for_demo(demo_card("bank"), port=rig.port))
    rig.wait_for_card(True)
    r = bind()
    assert r.status_code == 409 and text("desk.not_ektp_bank_or_prepaid", "id") in r.text
    bank.remove()
    rig.wait_for_card(False)

    own = insert(VirtualCard.for_demo(demo_card("siti"), port=rig.port))  # Siti's card
    rig.wait_for_card(True)
    r = bind()
    assert r.status_code == 409 and text("desk.card_bound_elsewhere", "id") in r.text
    assert f'href="/staff/residents/{siti}"' in r.text  # to unbind it there, if need be
    # a second e-KTP on the reader's other slot: which one is the resident's?
    uid = bytes.fromhex("4D2F1A0B")
    with VirtualCard(ektp_type_b_atr(uid), uid, port=rig.port + 1):
        rig.wait_for_card(True, reader=rig.sam_reader)
        r = bind()
        assert r.status_code == 409 and text("desk.several_cards", "id") in r.text
    rig.wait_for_card(False, reader=rig.sam_reader)
    own.remove()
    rig.wait_for_card(False)

    card = demo_card("unregistered")
    insert(VirtualCard.for_demo(card, port=rig.port))
    rig.wait_for_card(True)
    r = bind()
    assert r.status_code == 303 and r.headers["location"] == (
        f"/staff/residents/{joko}?done=bind_card")
    with office.sessions() as s:
        bound = s.scalar(select(CardBinding.fingerprint).where(CardBinding.resident_id == joko))
    assert bound == card_fingerprint(card.uid, _village_key(office))  # as the kiosks compute
    again = bind()
    assert again.status_code == 303 and again.headers["location"].endswith("bind_card_same")
    assert text("registry.done.bind_card_same", "id") in b.get(again.headers["location"]).text
    assert audit(office, action="bind_card") == [
        ("bind_card", "refused", f"resident:{joko}", "no_card"),
        ("bind_card", "refused", f"resident:{joko}", "not_ektp:bank_or_prepaid"),
        ("bind_card", "refused", f"resident:{joko}",
         f"card_bound_elsewhere holder=resident:{siti}"),
        ("bind_card", "refused", f"resident:{joko}", "several_cards"),
        ("bind_card", "allowed", f"resident:{joko}", "new"),
        ("bind_card", "allowed", f"resident:{joko}", "unchanged")]



@pcsc
def test_the_desk_reader_unplugged_is_said_so(rig):
    """Once, not per database: the desk reader's USB cable pulled, pcscd offers no reader."""
    rig.unplug()
    try:
        assert desk_reader.reader_names() == []
        with pytest.raises(desk_reader.DeskReadError) as e:
            desk_reader.read_desk_card()
    finally:
        rig.plug()
    refusal = registry_module._desk_error(e.value)
    assert (e.value.code, refusal.status, refusal.message) == (
        "no_reader", 503, "desk.no_reader")
    assert rig.card_reader in desk_reader.reader_names()


@pcsc
def test_the_command_line_binds_only_an_e_ktp_from_the_desk_reader(rig, insert, tmp_path):
    """`admin.py bind-card --reader` keeps the desk reader's rules: a bank card is refused
    with the same sentence as on the registry page; an e-KTP is bound (SQLite: once)."""
    import io
    from contextlib import redirect_stderr

    from backoffice.admin import run
    from tests.test_registry_ops import CSV_GOOD_AND_BAD, _toml

    config = _toml(tmp_path, f"sqlite:///{tmp_path / 'bo.db'}")
    part = rig.card_reader.split()[0]  # matches both the card slot and the empty SAM slot

    def cli(*args):
        out = io.StringIO()
        return run(["--config", str(config), *args], stdout=out), out.getvalue()

    (tmp_path / "penduduk.csv").write_text(CSV_GOOD_AND_BAD, encoding="utf-8")
    assert cli("import-csv", str(tmp_path / "penduduk.csv"))[0] == 0
    joko = "3510150101900001"  # a resident of that file

    bank = insert(VirtualCard.for_demo(demo_card("bank"), port=rig.port))
    rig.wait_for_card(True)
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli("bind-card", "--nik", joko, "--reader", part)[0] == 1
    assert err.getvalue().splitlines() == list(TEXTS["desk.not_ektp_bank_or_prepaid"])
    bank.remove()
    rig.wait_for_card(False)
    card = demo_card("unregistered")
    insert(VirtualCard.for_demo(card, port=rig.port))
    rig.wait_for_card(True)
    assert cli("bind-card", "--nik", joko, "--reader", part)[0] == 0


def test_every_notice_of_the_registry_pages_has_a_text():
    for done in registry_module.DONE:
        assert f"registry.done.{done}" in TEXTS, done
    for show in registry_module.SHOW:
        assert f"registry.show.{show or 'all'}" in TEXTS, show
