"""Staff accounts, sign-in with a lockout, sessions, and the staff audit log — no HTTP here.

Used by the staff pages (backoffice.web) and the staff command line (backoffice.admin).

- Passwords are argon2id hashes (the back office's hasher, `backoffice.security`).
- Sign-in: the password is checked with argon2 on every attempt, also for an unknown
  username (against a dummy hash) and for a locked or disabled account, so the time taken
  does not tell them apart; the caller shows one message for every failure.
  `StaffPolicy.max_failures` wrong passwords in a row lock the account for
  `StaffPolicy.lockout`; attempts while it is locked are refused and not counted.
- A session is a random token in the browser's cookie; the database keeps its SHA-256 only
  (a stolen database opens no session), with the session's CSRF token, an idle expiry
  pushed on by activity and an absolute expiry.
- Every time is passed in (`now`): the pages inject a clock, so tests need not sleep.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from backoffice.db import AuditEntry, StaffSession, StaffUser, Village
from backoffice.registry import StaffActionError
from backoffice.security import token_hash, tokens_match, verify_pin
from backoffice.web.permissions import ROLES

ALLOWED, REFUSED = "allowed", "refused"
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class StaffPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle: timedelta = timedelta(minutes=30)  # no request for this long: signed out
    lifetime: timedelta = timedelta(hours=12)  # a working day at the most
    touch_every: timedelta = timedelta(minutes=1)  # how often activity is written down


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_RE.fullmatch(name):
        raise StaffActionError(
            "bad_username",
            "Nama pengguna: 2–64 huruf kecil, angka, titik, garis bawah atau tanda hubung, "
            "diawali huruf atau angka (contoh: rina.kemiren).",
            "Username: 2–64 lower-case letters, digits, dots, underscores or hyphens, "
            "starting with a letter or digit (e.g. rina.kemiren).",
        )
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or len(password) > MAX_PASSWORD_LENGTH \
            or not password.strip():
        raise StaffActionError(
            "weak_password",
            f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.",
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
        )


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise StaffActionError(
            "unknown_role",
            f"Peran {role!r} tidak dikenal; pilih salah satu: {', '.join(ROLES)}.",
            f"Unknown role {role!r}; use one of: {', '.join(ROLES)}.",
        )
    return role


def record(
    session: Session,
    action: str,
    outcome: str,
    now: datetime,
    *,
    village_code: str | None = None,
    staff_user_id: int | None = None,
    target: str = "",
    reason: str = "",
) -> None:
    """Append one line to the staff audit log (ids and short codes only)."""
    session.add(AuditEntry(
        at=now, village_code=village_code, staff_user_id=staff_user_id, action=action[:40],
        target=target[:100], outcome=outcome, reason=reason[:200],
    ))  # fmt: skip


def add_staff(
    session: Session,
    village_code: str,
    username: str,
    display_name: str,
    role: str,
    password: str,
    hasher: PasswordHasher,
    now: datetime,
    *,
    by: int | None = None,
) -> StaffUser:
    """A new staff account of `village_code`, audited as done on the command line, or on the
    staff pages by the staff member `by` (their account id)."""
    if session.get(Village, village_code) is None:
        raise StaffActionError(
            "village_unknown",
            f"Desa {village_code} tidak ada di pengaturan kantor ini.",
            f"Village {village_code} is not in this office's settings.",
        )
    name = _check_username(username)
    display_name = display_name.strip()
    if not display_name or len(display_name) > 100:
        raise StaffActionError("bad_name", "Nama tampilan: 1–100 karakter.",
                               "Display name: 1 to 100 characters.")
    _check_role(role)
    check_password(password)
    if find_user(session, name) is not None:
        raise StaffActionError(
            "username_taken",
            "Nama pengguna ini sudah dipakai (nama pengguna berlaku untuk seluruh server).",
            "This username is taken (usernames are unique on the whole server).",
        )
    user = StaffUser(
        village_code=village_code, username=name, display_name=display_name, role=role,
        password_hash=hasher.hash(password), failed_logins=0, locked_until=None, active=True,
        language="id", created_at=now, password_changed_at=now,
    )  # fmt: skip
    session.add(user)
    session.flush()
    record(session, "add_staff", ALLOWED, now, village_code=village_code, staff_user_id=by,
           target=f"staff:{user.id}", reason=f"{'cli' if by is None else 'web'} role={role}")
    return user


def find_user(session: Session, username: str) -> StaffUser | None:
    return session.scalars(
        select(StaffUser).where(StaffUser.username == normalise_username(username))
    ).one_or_none()


def reset_password(
    session: Session, username: str, password: str, hasher: PasswordHasher, now: datetime,
    *, by: int | None = None,
) -> StaffUser:
    """A new password; clears the lockout and ends every open session of the account
    (audited as on the command line, or as done on the staff pages by `by`)."""
    user = find_user(session, username)
    if user is None:
        raise StaffActionError("staff_unknown", "Tidak ada akun staf dengan nama pengguna ini.",
                               "No staff account has this username.")
    check_password(password)
    user.password_hash = hasher.hash(password)
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_until = None
    session.execute(delete(StaffSession).where(StaffSession.staff_user_id == user.id))
    record(session, "reset_password", ALLOWED, now, village_code=user.village_code,
           staff_user_id=by, target=f"staff:{user.id}", reason="cli" if by is None else "web")
    return user


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt. `reason` is for the audit log only: the person
    signing in is told the same thing whatever it is."""

    user: StaffUser | None
    token: str = ""  # the new session's cookie value, when signed in
    reason: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.token)


def sign_in(
    session: Session,
    username: str,
    password: str,
    hasher: PasswordHasher,
    dummy_hash: str,
    policy: StaffPolicy,
    now: datetime,
) -> SignIn:
    """Check a sign-in attempt, count it, open a session when right, audit it either way.
    Call inside a transaction and commit after (the count must be kept when refused)."""
    name = normalise_username(username)
    user = None
    if USERNAME_RE.fullmatch(name) and len(password) <= MAX_PASSWORD_LENGTH:
        user = session.scalars(
            select(StaffUser).where(StaffUser.username == name).with_for_update()
        ).one_or_none()
    if user is None:
        verify_pin(hasher, dummy_hash, password[:MAX_PASSWORD_LENGTH])  # the same time taken
        record(session, "login", REFUSED, now, reason="unknown_user")
        return SignIn(None, reason="unknown_user")
    right = verify_pin(hasher, user.password_hash, password)
    audit = {"village_code": user.village_code, "staff_user_id": user.id}
    if not user.active:
        record(session, "login", REFUSED, now, reason="inactive", **audit)
        return SignIn(user, reason="inactive")
    if user.locked_until is not None and user.locked_until > now:
        record(session, "login", REFUSED, now, reason="locked", **audit)
        return SignIn(user, reason="locked")
    if not right:
        user.failed_logins = (user.failed_logins or 0) + 1
        reason = "wrong_password"
        if user.failed_logins >= policy.max_failures:
            user.locked_until = now + policy.lockout
            user.failed_logins = 0  # after the lock, a fresh count
            reason = "wrong_password_locked"
        record(session, "login", REFUSED, now, reason=reason, **audit)
        return SignIn(user, reason=reason)
    user.failed_logins = 0
    user.locked_until = None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    _purge_expired(session, now)
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(
        token_hash=token_hash(token), staff_user_id=user.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, last_seen_at=now, idle_expires_at=now + policy.idle,
        expires_at=now + policy.lifetime,
    ))  # fmt: skip
    record(session, "login", ALLOWED, now, **audit)
    return SignIn(user, token=token)


def _purge_expired(session: Session, now: datetime) -> None:
    session.execute(
        delete(StaffSession).where(
            or_(StaffSession.expires_at <= now, StaffSession.idle_expires_at <= now)
        )
    )


def find_session(
    session: Session, token: str, policy: StaffPolicy, now: datetime
) -> tuple[StaffSession, StaffUser] | None:
    """The live session of `token` and its account, activity noted; None when there is none
    (never was, signed out, expired — an expired one is deleted — or the account disabled)."""
    if not token or len(token) > 128:
        return None
    found = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.staff_user_id)
        .where(StaffSession.token_hash == token_hash(token))
    ).one_or_none()
    if found is None:
        return None
    row, user = found
    # Looked up by hash; the constant-time comparison is the check (as for kiosk tokens).
    if not tokens_match(row.token_hash, token):
        return None
    if row.expires_at <= now or row.idle_expires_at <= now or not user.active:
        session.delete(row)
        return None
    if now - row.last_seen_at >= policy.touch_every:
        row.last_seen_at = now
        row.idle_expires_at = min(now + policy.idle, row.expires_at)
    return row, user


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))
