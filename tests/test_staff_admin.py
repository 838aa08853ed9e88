"""The staff accounts page (backoffice/web/staff_admin.py) on SQLite and PostgreSQL: the admin
adds, deactivates, reactivates, unlocks and resets accounts of their own village; never their
own account away, never the village's last admin; every refusal audited."""

from __future__ import annotations

import re
import threading
from html import unescape

import pytest
from sqlalchemy import select

from backoffice.db import StaffSession, StaffUser
from backoffice.demo import DEMO_STAFF_PASSWORD, DEMO_VILLAGE_CODE
from backoffice.web import staff_admin
from backoffice.web.accounts import add_staff
from backoffice.web.permissions import ADMIN
from backoffice.web.texts import TEXTS, text
from tests.test_staff_web import OLEHSARI_OPERATOR, Office, browser_of, make_office, post, sign_in

NEW_PASSWORD = "sawah-hijau-2025"


@pytest.fixture
def office(database_url: str) -> Office:
    return make_office(database_url)


def usernames(html: str) -> list[str]:
    return re.findall(r'<td class="mono">([a-z0-9._-]+)', html)


def refused(office: Office, **where) -> list[tuple[str, str, str]]:
    return [(e.action, e.target, e.reason) for e in office.audit(outcome="refused", **where)]


def user(office: Office, username: str) -> StaffUser:
    with office.sessions() as s:
        return s.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def test_the_admin_lists_and_adds_accounts_of_the_village_only(office):
    b, csrf = browser_of(office, "admin")
    page = b.get("/staff/accounts").text
    assert usernames(page) == ["admin", "kades", "operator", "sekdes"]  # not Olehsari's
    assert OLEHSARI_OPERATOR not in page and 'href="/staff/accounts"' in page

    def add(**form):
        values = {"username": "wati.kemiren", "display_name": "Wati Rahayu", "role": "operator",
                  "password": NEW_PASSWORD, "password_again": NEW_PASSWORD, **form}
        return post(b, "/staff/accounts", csrf, **values)

    r = add(password_again=NEW_PASSWORD + "x")
    assert r.status_code == 422 and text("staff.password_mismatch", "id") in r.text
    assert 'value="wati.kemiren"' in r.text and NEW_PASSWORD not in r.text  # kept; not echoed
    r = add(password="pendek", password_again="pendek")
    assert r.status_code == 422 and "minimal 10 karakter" in r.text
    r = add(username=OLEHSARI_OPERATOR)  # usernames are unique on the whole server
    assert r.status_code == 422 and "sudah dipakai" in r.text
    assert add(role="superuser").status_code == 422
    assert add(username="Wati Kemiren!").status_code == 422
    r = add()
    assert r.status_code == 303 and r.headers["location"] == "/staff/accounts?done=add_staff"
    page = b.get(r.headers["location"]).text
    assert "wati.kemiren" in usernames(page) and text("staff.done.add_staff", "id") in page
    assert sign_in(office.browser(), "wati.kemiren", NEW_PASSWORD).status_code == 303
    assert user(office, "wati.kemiren").village_code == DEMO_VILLAGE_CODE

    admin_id = office.user_id("admin")
    added = office.audit(action="add_staff", outcome="allowed")[-1]
    assert (added.staff_user_id, added.reason) == (admin_id, "web role=operator")
    assert added.target == f"staff:{office.user_id('wati.kemiren')}"
    assert [reason for _, _, reason in refused(office, action="add_staff")] == [
        "password_mismatch", "weak_password", "username_taken", "unknown_role", "bad_username"]


def test_only_the_admin_manages_staff_and_only_in_the_village(office):
    operator, op_csrf = browser_of(office, "operator")
    assert 'href="/staff/accounts"' not in operator.get("/staff/queue").text
    assert operator.get("/staff/accounts").status_code == 403
    kades_id = office.user_id("kades")
    r = post(operator, f"/staff/accounts/{kades_id}/deactivate", op_csrf)
    assert r.status_code == 403 and text("refused.role", "id") in r.text
    assert user(office, "kades").active
    b, csrf = browser_of(office, "admin")
    tini = office.user_id(OLEHSARI_OPERATOR)
    for path in (f"/staff/accounts/{tini}/deactivate", f"/staff/accounts/{tini}/unlock",
                 "/staff/accounts/99999/deactivate", "/staff/accounts/x/reactivate"):
        r = post(b, path, csrf)
        assert r.status_code == 404 and text("refused.staff_not_found", "id") in r.text
    r = post(b, f"/staff/accounts/{tini}/password", csrf, password=NEW_PASSWORD,
             password_again=NEW_PASSWORD)
    assert r.status_code == 404 and user(office, OLEHSARI_OPERATOR).active
    assert post(b, f"/staff/accounts/{kades_id}/deactivate", "forged").status_code == 403
    assert refused(office) == [
        ("staff_accounts", "", "role operator lacks manage_staff"),
        ("deactivate_staff", f"staff:{kades_id}", "role operator lacks manage_staff"),
        ("deactivate_staff", f"staff:{tini}", "other_village"),
        ("unlock_staff", f"staff:{tini}", "other_village"),
        ("deactivate_staff", "staff:99999", "not_found"),
        ("reactivate_staff", "staff:x", "not_found"),
        ("reset_password", f"staff:{tini}", "other_village"),
        ("deactivate_staff", "", "csrf")]


def test_deactivate_and_reactivate_but_never_oneself(office):
    b, csrf = browser_of(office, "admin")
    me = office.user_id("admin")
    page = b.get("/staff/accounts").text
    assert f"/staff/accounts/{me}/deactivate" not in page  # no such button for oneself
    assert text("staff.self_hint", "id") in page
    r = post(b, f"/staff/accounts/{me}/deactivate", csrf)
    assert r.status_code == 409 and text("staff.refused_self", "id") in r.text
    assert user(office, "admin").active
    operator, _ = browser_of(office, "operator")
    op = office.user_id("operator")
    assert post(b, f"/staff/accounts/{op}/deactivate", csrf).status_code == 303
    assert not user(office, "operator").active
    with office.sessions() as s:  # signed out everywhere at once
        assert not s.scalars(select(StaffSession).where(StaffSession.staff_user_id == op)).all()
    assert operator.get("/staff/queue", follow_redirects=False).status_code == 303
    assert sign_in(office.browser(), "operator").status_code == 401
    assert "nonaktif" in b.get("/staff/accounts").text
    assert post(b, f"/staff/accounts/{op}/deactivate", csrf).status_code == 409  # again
    assert post(b, f"/staff/accounts/{op}/reactivate", csrf).status_code == 303
    assert sign_in(office.browser(), "operator").status_code == 303
    assert [(e.action, e.outcome, e.reason) for e in office.audit(target=f"staff:{op}")
            if e.action != "add_staff"] == [
        ("deactivate_staff", "allowed", "role=operator"),
        ("deactivate_staff", "refused", "already_inactive"),
        ("reactivate_staff", "allowed", "role=operator")]
    assert refused(office, target=f"staff:{me}") == [("deactivate_staff", f"staff:{me}", "self")]


def test_the_last_admin_stays_even_when_two_admins_remove_each_other(office):
    with office.sessions() as s, s.begin():
        add_staff(s, DEMO_VILLAGE_CODE, "admin2", "Admin Dua", ADMIN, DEMO_STAFF_PASSWORD,
                  office.app.state.backoffice.hasher, office.clock())
    first, second = office.user_id("admin"), office.user_id("admin2")
    b, csrf = browser_of(office, "admin")
    b2, csrf2 = browser_of(office, "admin2")
    assert post(b, f"/staff/accounts/{second}/deactivate", csrf).status_code == 303
    # admin2's own request arrives just after, from a page loaded before: refused, audited
    with pytest.raises(staff_admin.ActionRefused) as e, office.sessions() as s, s.begin():
        staff_admin.deactivate_account(s, DEMO_VILLAGE_CODE, second, s.get(StaffUser, first))
    assert e.value.reason == "last_admin"  # and the transaction rolled back:
    assert user(office, "admin").active
    assert post(b2, f"/staff/accounts/{first}/deactivate", csrf2).status_code == 303  # signed out
    assert user(office, "admin").active

    # at the very same moment, in two transactions: one of them wins, never both
    assert post(b, f"/staff/accounts/{second}/reactivate", csrf).status_code == 303
    for _ in range(3):
        outcomes = _deactivate_each_other(office, first, second)
        assert sorted(outcomes) == ["deactivated", "last_admin"], outcomes
        with office.sessions() as s, s.begin():
            active = s.scalars(select(StaffUser).where(StaffUser.role == ADMIN,
                                                       StaffUser.village_code ==
                                                       DEMO_VILLAGE_CODE)).all()
            assert sum(a.active for a in active) == 1
            for a in active:
                a.active = True


def _deactivate_each_other(office: Office, a: int, b: int) -> list[str]:
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def run(actor: int, target_id: int) -> None:
        start.wait()
        try:
            with office.sessions() as s, s.begin():
                target = s.get(StaffUser, target_id)
                staff_admin.deactivate_account(s, DEMO_VILLAGE_CODE, actor, target)
            outcomes.append("deactivated")
        except staff_admin.ActionRefused as e:
            outcomes.append(e.reason)

    threads = [threading.Thread(target=run, args=(a, b)), threading.Thread(target=run,
                                                                          args=(b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_unlock_and_reset_a_password(office):
    for _ in range(5):
        sign_in(office.browser(), "operator", "salah-salah-salah")
    assert sign_in(office.browser(), "operator").status_code == 401  # locked
    b, csrf = browser_of(office, "admin")
    op = office.user_id("operator")
    page = b.get("/staff/accounts").text
    assert "terkunci sampai" in page and f"/staff/accounts/{op}/unlock" in page
    assert post(b, f"/staff/accounts/{op}/unlock", csrf).status_code == 303
    operator, _ = browser_of(office, "operator")  # unlocked
    r = post(b, f"/staff/accounts/{op}/unlock", csrf)
    assert r.status_code == 409 and text("staff.refused_not_locked", "id") in r.text

    r = post(b, f"/staff/accounts/{op}/password", csrf, password=NEW_PASSWORD,
             password_again="sawah-hijau-2024")
    assert r.status_code == 422 and text("staff.password_mismatch", "id") in r.text
    assert "<details open>" in r.text  # the form stays open beside its message
    r = post(b, f"/staff/accounts/{op}/password", csrf, password="pendek", password_again="pendek")
    assert r.status_code == 422 and "minimal 10 karakter" in r.text
    me = office.user_id("admin")
    r = post(b, f"/staff/accounts/{me}/password", csrf, password=NEW_PASSWORD,
             password_again=NEW_PASSWORD)
    assert r.status_code == 409 and text("staff.refused_self_password", "id") in r.text
    r = post(b, f"/staff/accounts/{op}/password", csrf, password=NEW_PASSWORD,
             password_again=NEW_PASSWORD)
    assert r.status_code == 303 and r.headers["location"].endswith("done=reset_password")
    assert operator.get("/staff/queue", follow_redirects=False).status_code == 303  # signed out
    assert sign_in(office.browser(), "operator").status_code == 401  # the old password
    assert sign_in(office.browser(), "operator", NEW_PASSWORD).status_code == 303
    reset = office.audit(action="reset_password", outcome="allowed")[-1]
    assert (reset.staff_user_id, reset.target, reset.reason) == (me, f"staff:{op}", "web")
    assert [(e.action, e.outcome, e.reason) for e in office.audit(staff_user_id=me)
            if e.action in ("unlock_staff", "reset_password")] == [
        ("unlock_staff", "allowed", ""), ("unlock_staff", "refused", "not_locked"),
        ("reset_password", "refused", "password_mismatch"),
        ("reset_password", "refused", "weak_password"), ("reset_password", "refused", "self"),
        ("reset_password", "allowed", "web")]


def test_the_accounts_page_in_english(office):
    b, csrf = browser_of(office, "admin")
    post(b, "/staff/language", csrf, lang="en", next="/staff/accounts")
    page = unescape(b.get("/staff/accounts").text)
    for code in ("staff.title", "staff.add", "staff.deactivate", "staff.reset_password",
                 "role.sekdes"):
        assert text(code, "en") in page, code
    r = post(b, f"/staff/accounts/{office.user_id('admin')}/deactivate", csrf)
    assert text("staff.refused_self", "en") in unescape(r.text)
    r = post(b, "/staff/accounts", csrf, username="x", display_name="X", role="operator",
             password=NEW_PASSWORD, password_again=NEW_PASSWORD)
    assert "Username: 2–64" in unescape(r.text)  # the service's own English words


def test_every_notice_of_the_accounts_page_has_a_text():
    for done in staff_admin.DONE:
        assert f"staff.done.{done}" in TEXTS, done
