"""The staff accounts page, for the village's admin: list the village's accounts, add one,
deactivate and reactivate, reset a password, unlock an account locked by wrong passwords.

Adding and resetting go through backoffice.web.accounts (the same as the command line's
`add-staff` and `reset-staff-password`, which audit them). The rules kept here: an admin does
not deactivate their own account (nor reset its password here: that is for another admin or
the command line, so a browser left signed in cannot be used to take the account over), and
the village never loses its last active admin — also when two admins deactivate each other at
the same moment (see `deactivate_account`).
Every POST ends in one `AuditEntry`, allowed or refused, whose target is `staff:<id>`.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backoffice.db import StaffSession, StaffUser
from backoffice.registry import StaffActionError
from backoffice.web import accounts
from backoffice.web.core import (
    PREFIX,
    Me,
    MeCtx,
    Posted,
    render,
    village_row,
    web_of,
)
from backoffice.web.permissions import ADMIN, ROLES, Perm

router = APIRouter()

Text = Annotated[str, Form()]
DONE = frozenset({"add_staff", "deactivate_staff", "reactivate_staff", "reset_password",
                  "unlock_staff"})


class ActionRefused(Exception):
    """An account action that cannot be done: audited, and said beside its form."""

    def __init__(self, reason: str, message: str = "", status: int = 409,
                 words: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message  # a text code, or
        self.words = words  # {"id": …, "en": …} from a StaffActionError
        self.status = status

    @classmethod
    def of(cls, e: StaffActionError, status: int = 422) -> ActionRefused:
        return cls(e.code, status=status, words={"id": e.id, "en": e.en})

    def say(self, me: MeCtx) -> str:
        return self.words[me.language] if self.words else me.t(self.message)


def target_of(staff_id: int | str) -> str:
    return f"staff:{str(staff_id)[:40]}"


def is_locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


# --- the rules (no HTTP) ----------------------------------------------------------------------


def deactivate_account(session: Session, village_code: str, actor_id: int,
                       target: StaffUser) -> None:
    """Deactivate `target` (signed out everywhere at once); not oneself, not the village's
    last active admin. Raises ActionRefused (the caller's transaction then rolls back).

    Two admins deactivating each other at the same moment must not leave none: on PostgreSQL
    the village's admin rows are locked first (in id order), so the second waits and then
    sees the first's change; on SQLite the write below comes before the check and takes the
    database's one write lock, so the check reads what the other writer committed."""
    if target.id == actor_id:
        raise ActionRefused("self", "staff.refused_self")
    if not target.active:
        raise ActionRefused("already_inactive", "staff.refused_already_inactive")
    admins = (StaffUser.village_code == village_code, StaffUser.role == ADMIN)
    if target.role == ADMIN:
        session.execute(select(StaffUser.id).where(*admins).order_by(StaffUser.id)
                        .with_for_update())
    target.active = False
    session.flush()
    if target.role == ADMIN and not session.scalar(
            select(func.count()).select_from(StaffUser)
            .where(*admins, StaffUser.active.is_(True), StaffUser.id != target.id)):
        raise ActionRefused("last_admin", "staff.refused_last_admin")
    session.execute(delete(StaffSession).where(StaffSession.staff_user_id == target.id))


def reactivate_account(target: StaffUser) -> None:
    if target.active:
        raise ActionRefused("already_active", "staff.refused_already_active")
    target.active = True


def unlock_account(target: StaffUser, now: datetime) -> None:
    if not is_locked(target, now) and not target.failed_logins:
        raise ActionRefused("not_locked", "staff.refused_not_locked")
    target.locked_until = None
    target.failed_logins = 0


def _check_twice(password: str, again: str) -> None:
    if not hmac.compare_digest(password.encode(), again.encode()):
        raise ActionRefused("password_mismatch", "staff.password_mismatch", 422)


# --- the page ---------------------------------------------------------------------------------


def scoped_staff(s: Session, me: MeCtx, staff_id: str, action: str) -> StaffUser:
    """The account `staff_id` of the admin's own village, or a 404 refusal (the audit log
    tells another village's account from one that does not exist)."""
    return village_row(s, me, StaffUser, staff_id, action, "refused.staff_not_found",
                       target_of(staff_id))


def accounts_page(request: Request, me: MeCtx, *, status: int = 200, error: str = "",
                  error_action: str = "", error_target: str = "",
                  form: dict[str, str] | None = None) -> Response:
    me.require(Perm.MANAGE_STAFF, "staff_accounts")
    web = web_of(request)
    now = web.now()
    with web.bo.sessions() as s:
        users = list(s.scalars(select(StaffUser)
                               .where(StaffUser.village_code == me.village_code)
                               .order_by(StaffUser.active.desc(), StaffUser.username)))
    done = request.query_params.get("done", "")
    return render(
        request, "staff_accounts.html", me=me, active="accounts", status=status, users=users,
        locked={u.id for u in users if is_locked(u, now)}, roles=ROLES,
        error=error, error_action=error_action, error_target=error_target,
        form=dict(form or {}), done=done if done in DONE else "",
        min_password=accounts.MIN_PASSWORD_LENGTH,
    )  # fmt: skip


@router.get("/accounts", name="staff_accounts")
def staff_accounts(request: Request, me: Me) -> Response:
    return accounts_page(request, me)


def _refused(request: Request, me: MeCtx, action: str, target: str, e: ActionRefused,
             form: dict[str, str] | None = None) -> Response:
    web_of(request).audit(action, accounts.REFUSED, me=me, target=target, reason=e.reason)
    return accounts_page(request, me, status=e.status, error=e.say(me), error_action=action,
                         error_target=target, form=form)


def _done(action: str) -> Response:
    return RedirectResponse(f"{PREFIX}/accounts?done={action}", status_code=303)


@router.post("/accounts", name="add_staff")
def add_staff(request: Request, me: Posted, username: Text = "", display_name: Text = "",
              role: Text = "", password: Text = "", password_again: Text = "") -> Response:
    """A new account of the admin's village, with the initial password typed twice (the new
    staff member changes nothing here: they sign in with it; an admin can reset it)."""
    me.require(Perm.MANAGE_STAFF, "add_staff", "staff:new")
    web = web_of(request)
    form = {"username": username[:64], "display_name": display_name[:100], "role": role}
    try:
        _check_twice(password, password_again)
        with web.bo.sessions() as s, s.begin():
            accounts.add_staff(s, me.village_code, username, display_name, role, password,
                               web.bo.hasher, web.now(), by=me.user_id)
    except StaffActionError as e:
        return _refused(request, me, "add_staff", "staff:new", ActionRefused.of(e), form)
    except ActionRefused as e:
        return _refused(request, me, "add_staff", "staff:new", e, form)
    return _done("add_staff")


def _act(request: Request, me: MeCtx, staff_id: str, action: str, do: Any) -> Response:
    """Find the account in the village, `do(session, user)` → the audit reason (None: `do`
    audited it itself), in one transaction; a refusal is audited and shown."""
    me.require(Perm.MANAGE_STAFF, action, target_of(staff_id))
    web = web_of(request)
    try:
        with web.bo.sessions() as s, s.begin():
            user = scoped_staff(s, me, staff_id, action)
            reason = do(s, user)
            if reason is not None:
                accounts.record(s, action, accounts.ALLOWED, web.now(),
                                village_code=me.village_code, staff_user_id=me.user_id,
                                target=target_of(user.id), reason=reason)
    except StaffActionError as e:
        return _refused(request, me, action, target_of(staff_id), ActionRefused.of(e))
    except ActionRefused as e:
        return _refused(request, me, action, target_of(staff_id), e)
    return _done(action)


@router.post("/accounts/{staff_id}/deactivate", name="deactivate_staff")
def deactivate(request: Request, staff_id: str, me: Posted) -> Response:
    def do(s: Session, user: StaffUser) -> str:
        deactivate_account(s, me.village_code, me.user_id, user)
        return f"role={user.role}"

    return _act(request, me, staff_id, "deactivate_staff", do)


@router.post("/accounts/{staff_id}/reactivate", name="reactivate_staff")
def reactivate(request: Request, staff_id: str, me: Posted) -> Response:
    def do(s: Session, user: StaffUser) -> str:
        reactivate_account(user)
        return f"role={user.role}"

    return _act(request, me, staff_id, "reactivate_staff", do)


@router.post("/accounts/{staff_id}/unlock", name="unlock_staff")
def unlock(request: Request, staff_id: str, me: Posted) -> Response:
    now = web_of(request).now()

    def do(s: Session, user: StaffUser) -> str:
        unlock_account(user, now)
        return ""

    return _act(request, me, staff_id, "unlock_staff", do)


@router.post("/accounts/{staff_id}/password", name="reset_password")
def reset_password(request: Request, staff_id: str, me: Posted, password: Text = "",
                   password_again: Text = "") -> Response:
    """A new password typed twice: clears a lockout and signs the account out everywhere
    (backoffice.web.accounts.reset_password, which audits it)."""
    web = web_of(request)

    def do(s: Session, user: StaffUser) -> None:
        if user.id == me.user_id:
            raise ActionRefused("self", "staff.refused_self_password")
        _check_twice(password, password_again)
        accounts.reset_password(s, user.username, password, web.bo.hasher, web.now(),
                                by=me.user_id)

    return _act(request, me, staff_id, "reset_password", do)
