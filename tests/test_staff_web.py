"""The staff web pages (backoffice/web) through the real app, on SQLite and on PostgreSQL.

Applications arrive through the kiosk API, as from a kiosk; staff sign in with a browser-like
client (cookies, forms with their CSRF token). The pages' clock is a fake one the tests move
(lockouts and session expiry without sleeping); everything else is real.
"""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from backoffice import admin
from backoffice.app import create_app
from backoffice.db import (
    ApplicationEvent,
    ApplicationRow,
    AuditEntry,
    IssuedLetterRow,
    StaffSession,
    StaffUser,
)
from backoffice.demo import (
    DEMO_RESIDENTS,
    DEMO_STAFF_PASSWORD,
    DEMO_VILLAGE_CODE,
    seed_demo,
    seed_demo_staff,
)
from backoffice.registry import upsert_resident
from backoffice.web import queue as queue_module
from backoffice.web.accounts import add_staff
from backoffice.web.applications import ACTIONS
from backoffice.web.permissions import ADMIN, KADES, OPERATOR, PERMISSIONS, ROLES, SEKDES, Perm
from backoffice.web.texts import TEXTS, text
from forms.catalogue import load_catalogue, sample_values
from forms.nik import mask_nik
from tests.test_backoffice import (
    DEMO_TOML,
    OTHER_AUTH,
    OTHER_VILLAGE,
    SITI,
    _application,
    _new_key,
    _settings,
    _submit,
)

WEB = Path(__file__).resolve().parent.parent / "backoffice" / "web"
AHMAD = next(r for r in DEMO_RESIDENTS if r.name.startswith("Ahmad"))
SUKARMI = next(r for r in DEMO_RESIDENTS if r.name == "Sukarmi")
OLEHSARI_OPERATOR = "tini.olehsari"


class FakeClock:
    """The staff pages' clock: starts at the real time, moves only when told."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@dataclasses.dataclass
class Office:
    app: object
    clock: FakeClock
    kiosk: TestClient

    @property
    def sessions(self):
        return self.app.state.backoffice.sessions

    def browser(self, **kw) -> TestClient:
        return TestClient(self.app, **kw)

    def submit(self, number: str, resident=SITI, letter: str = "domisili", **kw) -> str:
        headers = kw.pop("headers", None)
        values = kw.pop("values", None) or sample_values(load_catalogue().get(letter))
        app = _application(application_number=number, resident=resident, letter=letter,
                           values=values, **kw)
        resp = _submit(self.kiosk, app, key=_new_key(), headers=headers)
        assert resp.status_code == 201, resp.text
        return number

    def status(self, number: str) -> str:
        with self.sessions() as s:
            return s.scalar(select(ApplicationRow.status)
                            .where(ApplicationRow.application_number == number))

    def audit(self, **where) -> list[AuditEntry]:
        with self.sessions() as s:
            stmt = select(AuditEntry).order_by(AuditEntry.id)
            for k, v in where.items():
                stmt = stmt.where(getattr(AuditEntry, k) == v)
            return list(s.scalars(stmt))

    def user_id(self, username: str) -> int:
        with self.sessions() as s:
            return s.scalar(select(StaffUser.id).where(StaffUser.username == username))


def make_office(database_url: str, **settings) -> Office:
    """The staff pages' test office: the demo village with its residents, cards, PINs and
    staff; Siti registered in Olehsari too, with its operator."""
    app = create_app(_settings(database_url, **settings))
    bo = app.state.backoffice
    clock = FakeClock()
    app.state.staff_web.clock = clock
    with bo.sessions() as s, s.begin():
        seed_demo(s, DEMO_VILLAGE_CODE, hasher=bo.hasher)
        seed_demo_staff(s, DEMO_VILLAGE_CODE, hasher=bo.hasher)
        upsert_resident(s, OTHER_VILLAGE, SITI)  # the same person, registered elsewhere too
        add_staff(s, OTHER_VILLAGE, OLEHSARI_OPERATOR, "Tini", OPERATOR, DEMO_STAFF_PASSWORD,
                  bo.hasher, clock())
    return Office(app, clock, TestClient(app))


@pytest.fixture
def office(database_url: str) -> Office:
    return make_office(database_url)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_STAFF_PASSWORD):
    page = client.get("/staff/login")
    return client.post("/staff/login", follow_redirects=False, data={
        "username": username, "password": password, "csrf": csrf_of(page.text)})


def browser_of(office: Office, username: str, **kw) -> tuple[TestClient, str]:
    """A signed-in browser and its session's CSRF token."""
    b = office.browser(**kw)
    assert sign_in(b, username).status_code == 303
    return b, csrf_of(b.get("/staff/queue").text)


def post(b: TestClient, path: str, csrf: str | None, **data):
    if csrf is not None:
        data["csrf"] = csrf
    return b.post(path, data=data, follow_redirects=False)


# --- sign-in, lockout, sessions ---------------------------------------------------------------


def test_sign_in_says_the_same_for_a_wrong_password_and_an_unknown_user(office):
    b = office.browser()
    wrong = sign_in(b, "operator", "not-the-password")
    unknown = sign_in(b, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    failed = text("login.failed", "id")
    assert failed in wrong.text and failed in unknown.text
    assert "sk_staff" not in b.cookies
    ok = sign_in(b, "OPERATOR ")  # usernames are matched in lower case, trimmed
    assert ok.status_code == 303 and ok.headers["location"] == "/staff/queue"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie
    assert "secure" not in cookie  # plain HTTP (loopback development)
    token = b.cookies["sk_staff"]
    with office.sessions() as s:  # the database keeps only the token's hash
        assert token not in {row.token_hash for row in s.scalars(select(StaffSession))}
    assert b.get("/staff/queue").status_code == 200
    reasons = [(e.outcome, e.reason) for e in office.audit(action="login")]
    assert reasons == [("refused", "wrong_password"), ("refused", "unknown_user"),
                       ("allowed", "")]


def test_five_failures_lock_the_account_for_fifteen_minutes(office):
    b = office.browser()
    for _ in range(5):
        assert sign_in(b, "operator", "wrong-password").status_code == 401
    locked = sign_in(b, "operator")  # the right password, while locked
    assert locked.status_code == 401 and text("login.failed", "id") in locked.text
    office.clock.advance(minutes=14, seconds=59)
    assert sign_in(b, "operator").status_code == 401
    office.clock.advance(seconds=2)
    assert sign_in(b, "operator").status_code == 303
    reasons = [e.reason for e in office.audit(action="login")]
    assert reasons == ["wrong_password"] * 4 + ["wrong_password_locked", "locked", "locked", ""]


def test_sessions_end_when_idle_at_the_end_of_the_day_and_on_sign_out(office):
    b, csrf = browser_of(office, "operator")
    office.clock.advance(minutes=31)
    r = b.get("/staff/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login?expired=1"
    assert text("login.expired", "id") in b.get("/staff/login?expired=1").text

    b, csrf = browser_of(office, "operator")
    for _ in range(35):  # busy all day: 20 minutes between pages keeps it open ...
        office.clock.advance(minutes=20)
        assert b.get("/staff/queue", follow_redirects=False).status_code == 200
    office.clock.advance(minutes=20)  # ... until 12 hours after signing in
    assert b.get("/staff/queue", follow_redirects=False).status_code == 303

    b, csrf = browser_of(office, "operator")
    stolen = b.cookies["sk_staff"]
    r = post(b, "/staff/logout", csrf)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login?bye=1"
    again = office.browser(cookies={"sk_staff": stolen})
    assert again.get("/staff/queue", follow_redirects=False).status_code == 303
    assert [e.outcome for e in office.audit(action="logout")] == ["allowed"]


def test_the_session_cookie_is_secure_over_tls(office):
    b = office.browser(base_url="https://testserver")
    r = sign_in(b, "operator")
    assert r.status_code == 303
    assert "secure" in r.headers["set-cookie"].lower()


# --- bad input: forged forms, other villages, roles -------------------------------------------


def test_a_missing_or_forged_csrf_token_is_refused_and_audited(office):
    number = office.submit("KMR01-261125-0001")
    b, csrf = browser_of(office, "operator")
    for token in (None, "forged-" + csrf[7:]):
        r = post(b, f"/staff/applications/{number}/verify", token)
        assert r.status_code == 403
        assert text("refused.csrf", "id") in r.text
    assert office.status(number) == "sedang_diperiksa"
    refused = office.audit(action="verify")
    assert [(e.outcome, e.reason, e.target) for e in refused] == [("refused", "csrf", number)] * 2
    assert refused[0].staff_user_id == office.user_id("operator")
    # the sign-in form has its own token (a cookie and the form must match)
    login = office.browser()
    login.get("/staff/login")
    r = login.post("/staff/login", data={"username": "operator",
                                         "password": DEMO_STAFF_PASSWORD, "csrf": "forged"})
    assert r.status_code == 403 and "sk_staff" not in login.cookies
    assert office.audit(action="login", reason="csrf")


def test_another_villages_application_is_not_found_and_audited(office):
    number = office.submit("KMR01-261125-0002")
    b, csrf = browser_of(office, OLEHSARI_OPERATOR)
    for r in (b.get(f"/staff/applications/{number}"),
              b.get(f"/staff/applications/{number}/pdf"),
              post(b, f"/staff/applications/{number}/verify", csrf)):
        assert r.status_code == 404
        assert text("refused.not_found", "id") in r.text
        assert "%PDF" not in r.text and SITI.name not in r.text
    assert office.status(number) == "sedang_diperiksa"
    assert b.get("/staff/applications/KMR01-000000-9999").status_code == 404
    entries = office.audit(staff_user_id=office.user_id(OLEHSARI_OPERATOR), outcome="refused")
    assert [(e.action, e.reason, e.village_code) for e in entries] == [
        ("view", "other_village", OTHER_VILLAGE), ("view_pdf", "other_village", OTHER_VILLAGE),
        ("verify", "other_village", OTHER_VILLAGE), ("view", "not_found", OTHER_VILLAGE)]
    # and the queue of Olehsari does not show it
    queue = b.get("/staff/queue").text
    assert number not in queue and "(0)" in queue


def test_an_action_above_the_role_is_refused_and_audited(office):
    number = office.submit("KMR01-261125-0003")
    operator, op_csrf = browser_of(office, "operator")
    page = operator.get(f"/staff/applications/{number}").text
    assert f"/applications/{number}/cancel" not in page  # no button the role may not press
    r = post(operator, f"/staff/applications/{number}/cancel", op_csrf, message="duplikat")
    assert r.status_code == 403 and text("refused.role", "id") in r.text
    assert post(operator, f"/staff/applications/{number}/verify", op_csrf).status_code == 303
    assert post(operator, f"/staff/applications/{number}/issue", op_csrf).status_code == 403
    admin_b, admin_csrf = browser_of(office, "admin")
    assert admin_b.get(f"/staff/applications/{number}").status_code == 200  # may look
    assert post(admin_b, f"/staff/applications/{number}/reopen", admin_csrf).status_code == 403
    assert admin_b.get(f"/staff/applications/{number}/letter").status_code == 403
    assert office.status(number) == "menunggu_tanda_tangan"
    refused = [(e.action, e.reason) for e in office.audit(outcome="refused")]
    assert refused == [("cancel", "role operator lacks cancel"),
                       ("issue", "role operator lacks issue"),
                       ("reopen", "role admin lacks reopen"),
                       ("print_letter", "role admin lacks print")]


def test_the_permission_table_covers_every_role():
    assert set(PERMISSIONS) == set(ROLES)
    assert Perm.ISSUE not in PERMISSIONS[OPERATOR] and Perm.CANCEL not in PERMISSIONS[OPERATOR]
    assert {Perm.ISSUE, Perm.CANCEL} <= PERMISSIONS[SEKDES] <= PERMISSIONS[KADES]
    # the admin keeps the accounts and may look, but processes nothing (other pages add more
    # to look at: complaints, the survey, the fleet)
    processing = {Perm.RETURN, Perm.VERIFY, Perm.REOPEN, Perm.ISSUE, Perm.PRINT, Perm.COLLECT,
                  Perm.CANCEL, Perm.RESPOND}
    assert {Perm.VIEW, Perm.MANAGE_STAFF} <= PERMISSIONS[ADMIN]
    assert not PERMISSIONS[ADMIN] & processing
    assert not any(Perm.MANAGE_STAFF in PERMISSIONS[r] for r in (OPERATOR, SEKDES, KADES))


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_filters_searches_counts_and_pages(office, monkeypatch):
    office.submit("KMR01-261120-0001", SITI)
    office.submit("KMR01-261125-0002", AHMAD, letter="pengantar_skck")
    office.submit("KMR01-261125-0003", SUKARMI)
    office.submit("KMR01-261125-0004", SITI, letter="pengantar_skck")
    office.submit("OLH01-261125-0001", SITI, kiosk_id="OLH01", village_code=OTHER_VILLAGE,
                  headers=OTHER_AUTH)
    b, csrf = browser_of(office, "operator")
    post(b, "/staff/applications/KMR01-261125-0003/verify", csrf)
    with office.sessions() as s, s.begin():  # the first arrived five days ago
        s.execute(update(ApplicationRow)
                  .where(ApplicationRow.application_number == "KMR01-261120-0001")
                  .values(received_at=office.clock() - timedelta(days=5)))

    def numbers(html: str) -> list[str]:
        return re.findall(r'href="/staff/applications/([^"]+)"', html)

    page = b.get("/staff/queue").text
    assert numbers(page) == ["KMR01-261125-0004", "KMR01-261125-0003", "KMR01-261125-0002",
                             "KMR01-261120-0001"]  # newest first, this village only
    assert "Semua (4)" in page and "Sedang diperiksa (3)" in page
    assert "Menunggu tanda tangan (1)" in page and "Siap diambil (0)" in page
    assert SITI.name in page and mask_nik(SITI.nik) in page and SITI.nik not in page
    assert numbers(b.get("/staff/queue?status=menunggu_tanda_tangan").text) == [
        "KMR01-261125-0003"]
    skck = b.get("/staff/queue?letter=pengantar_skck").text
    assert numbers(skck) == ["KMR01-261125-0004", "KMR01-261125-0002"]
    assert "Menunggu tanda tangan (0)" in skck  # counts follow the other filters
    today = office.clock().astimezone(office.app.state.staff_web.tz).date()
    assert numbers(b.get(f"/staff/queue?date_to={today - timedelta(days=1)}").text) == [
        "KMR01-261120-0001"]
    assert len(numbers(b.get(f"/staff/queue?date_from={today}&date_to={today}").text)) == 3
    bad = b.get("/staff/queue?date_from=kemarin&status=nonsense")
    assert bad.status_code == 200 and text("queue.bad_date", "id") in bad.text

    def search(q: str, **more) -> str:
        r = post(b, "/staff/queue", csrf, q=q, **more)
        assert r.status_code == 200
        return r.text

    assert numbers(search("siti")) == ["KMR01-261125-0004", "KMR01-261120-0001"]
    assert numbers(search("AHMAD ma'ruf")) == ["KMR01-261125-0002"]
    assert numbers(search(SUKARMI.nik[-6:])) == ["KMR01-261125-0003"]
    assert numbers(search("261120")) == ["KMR01-261120-0001"]
    assert numbers(search("siti", letter="pengantar_skck")) == ["KMR01-261125-0004"]
    assert numbers(search("%")) == []  # a literal, not a wildcard
    assert post(b, "/staff/queue", "forged", q="siti").status_code == 403

    monkeypatch.setattr(queue_module, "PAGE_SIZE", 3)
    first = b.get("/staff/queue").text
    assert len(numbers(first)) == 3 and "Halaman 1 dari 2" in first
    assert numbers(b.get("/staff/queue?page=2").text) == ["KMR01-261120-0001"]
    # while searching, the pager and the tabs are forms: the term never goes into an address
    searching = search("siti")
    assert 'value="siti"' in searching and "q=siti" not in searching
    monkeypatch.setattr(queue_module, "PAGE_SIZE", 1)
    searching = search("siti")
    assert "Halaman 1 dari 2" in searching and "q=siti" not in searching
    assert numbers(search("siti", page="2")) == ["KMR01-261120-0001"]


# --- the application page and the clerk's path ------------------------------------------------


def test_verify_issue_print_and_hand_over_with_the_history_shown(office):
    number = office.submit("KMR01-261125-0010")
    operator, op_csrf = browser_of(office, "operator")
    kades, kades_csrf = browser_of(office, "kades")

    page = operator.get(f"/staff/applications/{number}").text
    assert SITI.name in page and SITI.nik in page and "Keperluan" in page
    pdf_object = f'data="/staff/applications/{number}/pdf#navpanes=0&amp;view=FitH"'
    assert pdf_object in page  # page-wide, no thumbnails
    pdf = operator.get(f"/staff/applications/{number}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    assert pdf.headers["cache-control"] == "no-store"

    r = post(operator, f"/staff/applications/{number}/verify", op_csrf)
    assert r.headers["location"] == f"/staff/applications/{number}?done=verify"
    again = post(operator, f"/staff/applications/{number}/verify", op_csrf)  # a double click
    assert again.status_code == 409 and "tidak dapat diubah" in again.text
    assert operator.get(f"/staff/applications/{number}/letter").status_code == 404

    page = kades.get(f"/staff/applications/{number}").text
    assert "Mohamad Arifin" in page and f"/applications/{number}/issue" in page
    assert post(kades, f"/staff/applications/{number}/issue", kades_csrf).status_code == 303
    assert office.status(number) == "siap_diambil"

    letter = operator.get(f"/staff/applications/{number}/letter")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert letter.headers["content-disposition"].startswith("inline")
    assert letter.headers["cache-control"] == "no-store"

    collected_at = office.clock().astimezone(office.app.state.staff_web.tz)
    form = {"collector": "representative", "representative": "",
            "collected_at": collected_at.strftime("%Y-%m-%dT%H:%M")}
    r = post(operator, f"/staff/applications/{number}/collected", op_csrf, **form)
    assert r.status_code == 422 and text("collected.name_required", "id") in r.text
    form["representative"] = "Budi Santoso"
    future = dict(form, collected_at=(collected_at + timedelta(hours=2))
                  .strftime("%Y-%m-%dT%H:%M"))
    assert post(operator, f"/staff/applications/{number}/collected", op_csrf,
                **future).status_code == 422
    assert post(operator, f"/staff/applications/{number}/collected", op_csrf,
                **form).status_code == 303
    assert office.status(number) == "sudah_diambil"

    page = operator.get(f"/staff/applications/{number}?done=collected").text
    assert text("done.collected", "id") in page
    with office.sessions() as s:
        issued = s.scalars(select(IssuedLetterRow)).one()
        events = list(s.scalars(select(ApplicationEvent).order_by(ApplicationEvent.id)))
    assert issued.number in page
    assert [(e.to_status, e.actor_name, e.actor_role) for e in events] == [
        ("sedang_diperiksa", "kiosk KMR01", "kiosk"),
        ("menunggu_tanda_tangan", "Rina Wulandari", "operator"),
        ("siap_diambil", "Mohamad Arifin", "kades"),
        ("sudah_diambil", "Rina Wulandari", "operator")]
    assert events[-1].message == ("Diambil oleh wakil: Budi Santoso, "
                                  + collected_at.strftime("%d-%m-%Y %H.%M"))
    history = page.split(text("app.history", "id"))[-1]
    for e in events:
        assert e.actor_name in history
    assert "Budi Santoso" in history and f"Nomor surat {issued.number}" in history
    assert [(e.action, e.outcome) for e in office.audit(target=number)] == [
        ("verify", "allowed"), ("verify", "refused"), ("print_letter", "refused"),
        ("issue", "allowed"), ("print_letter", "allowed"), ("collected", "refused"),
        ("collected", "refused"), ("collected", "allowed")]


def test_return_needs_a_message_and_the_secretary_signs_on_behalf_of_the_head(office):
    returned = office.submit("KMR01-261125-0020")
    signed = office.submit("KMR01-261125-0021", AHMAD)
    b, csrf = browser_of(office, "sekdes")
    r = post(b, f"/staff/applications/{returned}/return", csrf, message="   ")
    assert r.status_code == 422 and "Tuliskan alasan" in r.text
    assert office.status(returned) == "sedang_diperiksa"
    message = "Foto KK tidak terbaca, mohon bawa KK asli."
    assert post(b, f"/staff/applications/{returned}/return", csrf,
                message=message).status_code == 303
    assert office.status(returned) == "dikembalikan"
    assert message in b.get(f"/staff/applications/{returned}").text

    post(b, f"/staff/applications/{signed}/verify", csrf)
    assert post(b, f"/staff/applications/{signed}/issue", csrf).status_code == 303
    with office.sessions() as s:
        signer = s.scalars(select(IssuedLetterRow.signer_json)).one()
    assert '"on_behalf": "a.n."' in signer and "Slamet Riyadi" in signer
    page = b.get(f"/staff/applications/{signed}").text
    assert "a.n. Kepala Desa Kemiren" in page


def test_pages_need_a_signed_in_staff_member(office):
    number = office.submit("KMR01-261125-0030")
    anonymous = office.browser()
    for path in ("/staff/queue", f"/staff/applications/{number}",
                 f"/staff/applications/{number}/pdf", f"/staff/applications/{number}/letter"):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    r = anonymous.post(f"/staff/applications/{number}/verify", data={"csrf": "x"},
                       follow_redirects=False)
    assert r.status_code == 303 and office.status(number) == "sedang_diperiksa"
    assert anonymous.get("/", follow_redirects=False).headers["location"] == "/staff/"
    login = anonymous.get("/staff/login")
    assert "Content-Security-Policy" in login.headers and "frame-ancestors 'none'" in \
        login.headers["Content-Security-Policy"]
    assert anonymous.get("/staff/nowhere").status_code == 404


# --- languages and texts ----------------------------------------------------------------------


def test_english_is_a_switch_away_and_stays_with_the_account(office):
    assert text("login.title", "en") in office.browser().get("/staff/login?lang=en").text
    b, csrf = browser_of(office, "operator")
    assert text("queue.title", "id") in b.get("/staff/queue").text
    r = post(b, "/staff/language", csrf, lang="en", next="/staff/queue?status=siap_diambil")
    assert r.headers["location"] == "/staff/queue?status=siap_diambil"
    page = b.get("/staff/queue").text
    assert text("queue.title", "en") in page and 'lang="en"' in page
    assert "Ready for collection (0)" in page and "Certificate of Domicile" in page
    r = post(b, "/staff/language", csrf, lang="en", next="https://evil.example/")
    assert r.headers["location"] == "/staff/queue"  # never to another site
    again, _ = browser_of(office, "operator")
    assert text("queue.title", "en") in again.get("/staff/queue").text
    # chosen on the sign-in page, it stays after signing in
    chooser = office.browser()
    chooser.get("/staff/login?lang=en")
    assert sign_in(chooser, "sekdes").status_code == 303
    assert text("queue.title", "en") in chooser.get("/staff/queue").text


def test_every_text_has_both_languages_and_every_code_used_exists():
    placeholders = re.compile(r"\{(\w+)\}")
    for code, (id_, en) in TEXTS.items():
        assert id_.strip() and en.strip(), code
        assert set(placeholders.findall(id_)) == set(placeholders.findall(en)), code
    used = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]:
        used |= set(re.findall(r'\bt\(\s*"([a-z_.]*[a-z_])"', path.read_text()))
        used |= set(re.findall(r'"((?:refused|login|queue|collected|action|notfound|error)'
                               r'\.(?!html")[a-z_]+)"', path.read_text()))
    used |= {f"role.{r}" for r in ROLES}
    for a in ACTIONS:
        used |= {f"action.{a.name}", f"action.{a.name}_hint", f"done.{a.name}"}
        if a.message != "none":
            used.add(f"action.{a.name}_message")
    assert used - set(TEXTS) == set()


# --- the staff command line -------------------------------------------------------------------


def test_add_staff_and_reset_password_on_the_command_line(office, tmp_path):
    config = tmp_path / "office.toml"
    url = office.app.state.backoffice.settings.database_url
    body = re.sub(r"(?m)^database_url\s*=.*$", "", DEMO_TOML.read_text())
    config.write_text(f'database_url = "{url}"\nargon2_time_cost = 1\nargon2_memory_kib = 8\n'
                      f"argon2_parallelism = 1\n{body}")

    def run(*args: str, stdin: str = "") -> tuple[int, str]:
        out = io.StringIO()
        code = admin.run(["--config", str(config), *args], stdin=io.StringIO(stdin), stdout=out)
        return code, out.getvalue()

    code, out = run("add-staff", "--username", "Wati.Kemiren", "--name", "Wati",
                    "--role", "operator", stdin="rahasia-sekali\n")
    assert code == 0 and "wati.kemiren" in out
    assert run("add-staff", "--username", "wati.kemiren", "--name", "Wati", "--role",
               "operator", stdin="rahasia-sekali\n")[0] == 1  # taken
    assert run("add-staff", "--username", "pendek", "--name", "P", "--role", "operator",
               stdin="pendek\n")[0] == 1  # too short a password
    b = office.browser()
    assert sign_in(b, "wati.kemiren", "rahasia-sekali").status_code == 303
    for _ in range(5):
        sign_in(office.browser(), "wati.kemiren", "salah-salah")
    assert sign_in(office.browser(), "wati.kemiren", "rahasia-sekali").status_code == 401
    assert run("reset-staff-password", "--username", "wati.kemiren",
               stdin="rahasia-baru-1\n")[0] == 0
    assert b.get("/staff/queue", follow_redirects=False).status_code == 303  # signed out
    assert sign_in(office.browser(), "wati.kemiren", "rahasia-baru-1").status_code == 303
    assert [e.reason for e in office.audit(action="add_staff")][-1] == "cli role=operator"
    assert office.audit(action="reset_password", reason="cli")
