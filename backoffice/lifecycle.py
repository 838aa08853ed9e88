"""An application's lifecycle, in the words clerks know from OpenSID, as a small state machine.

    sedang_diperiksa ──▶ menunggu_tanda_tangan ──(issue_letter)──▶ siap_diambil ──▶ sudah_diambil
        │   ▲                 │
        ▼   │                 └──▶ sedang_diperiksa (back for another look)
    dikembalikan (with a message for the resident)
    any state before siap_diambil ──▶ dibatalkan (with a reason)

*Siap diambil* is reached only by issuing the letter (backoffice.issuing), in the same
transaction that stores it: no application is "ready" without its letter (OpenSID's flaw).
Every change appends one `ApplicationEvent` (who, role, when, from, to, message).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.db import ApplicationEvent, ApplicationRow, utcnow
from forms.status import (  # noqa: F401 - the vocabulary, re-exported for the back office
    DIBATALKAN,
    DIKEMBALIKAN,
    MENUNGGU_TANDA_TANGAN,
    SEDANG_DIPERIKSA,
    SIAP_DIAMBIL,
    STATUS_LABELS,
    SUDAH_DIAMBIL,
    status_label,
)

# from → allowed destinations. SIAP_DIAMBIL only through issuing (see ISSUE_ONLY).
TRANSITIONS: dict[str, frozenset[str]] = {
    SEDANG_DIPERIKSA: frozenset({MENUNGGU_TANDA_TANGAN, DIKEMBALIKAN, DIBATALKAN}),
    DIKEMBALIKAN: frozenset({SEDANG_DIPERIKSA, DIBATALKAN}),
    MENUNGGU_TANDA_TANGAN: frozenset({SIAP_DIAMBIL, SEDANG_DIPERIKSA, DIBATALKAN}),
    SIAP_DIAMBIL: frozenset({SUDAH_DIAMBIL}),
    SUDAH_DIAMBIL: frozenset(),
    DIBATALKAN: frozenset(),
}
ISSUE_ONLY = frozenset({SIAP_DIAMBIL})
NEEDS_MESSAGE = frozenset({DIKEMBALIKAN, DIBATALKAN})


@dataclass(frozen=True)
class Staff:
    """Who acts: a name and a role ("operator", "sekdes", "kades", …)."""

    name: str
    role: str = "operator"

    def __post_init__(self) -> None:
        if not self.name.strip() or not self.role.strip():
            raise ValueError("staff need a name and a role")


class LifecycleError(ValueError):
    """A change the lifecycle does not allow; `code`, `id` and `en` say which and why."""

    def __init__(self, code: str, id_msg: str, en_msg: str) -> None:
        super().__init__(en_msg)
        self.code = code
        self.id = id_msg
        self.en = en_msg


def application_not_found(number: str) -> LifecycleError:
    return LifecycleError(
        "application_not_found",
        f"Permohonan {number} tidak ditemukan.",
        f"Application {number} was not found.",
    )


def check_transition(current: str, to: str, message: str = "", *, issuing: bool = False) -> None:
    """Raise `LifecycleError` unless `current → to` is allowed (with `message` if required)."""
    if to not in STATUS_LABELS:
        raise LifecycleError(
            "unknown_status", f"Status {to!r} tidak dikenal.", f"Unknown status {to!r}."
        )
    if to not in TRANSITIONS.get(current, frozenset()):
        raise LifecycleError(
            "transition_not_allowed",
            f"Permohonan berstatus '{status_label(current)['id']}' tidak dapat diubah menjadi "
            f"'{status_label(to)['id']}'.",
            f"An application that is '{status_label(current)['en']}' cannot become "
            f"'{status_label(to)['en']}'.",
        )
    if to in ISSUE_ONLY and not issuing:
        raise LifecycleError(
            "issue_first",
            "Status 'Siap diambil' hanya dapat dicapai dengan menerbitkan suratnya.",
            "'Ready for collection' is reached only by issuing the letter.",
        )
    if to in NEEDS_MESSAGE and not message.strip():
        raise LifecycleError(
            "message_required",
            "Tuliskan alasan atau pesan untuk penduduk.",
            "Give a reason or a message for the resident.",
        )


def record_event(
    session: Session,
    application: ApplicationRow,
    from_status: str | None,
    to_status: str,
    actor_name: str,
    actor_role: str,
    message: str = "",
) -> ApplicationEvent:
    event = ApplicationEvent(
        application_id=application.id,
        at=utcnow(),
        actor_name=actor_name,
        actor_role=actor_role,
        from_status=from_status,
        to_status=to_status,
        message=message.strip(),
    )
    session.add(event)
    return event


def load_for_update(session: Session, application_number: str) -> ApplicationRow:
    """The application, row-locked on PostgreSQL (SQLite: the transaction's write lock)."""
    row = session.scalars(
        select(ApplicationRow)
        .where(ApplicationRow.application_number == application_number)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise application_not_found(application_number)
    return row


def apply_transition(
    session: Session,
    row: ApplicationRow,
    to: str,
    staff: Staff,
    message: str = "",
    *,
    issuing: bool = False,
) -> ApplicationEvent:
    check_transition(row.status, to, message, issuing=issuing)
    event = record_event(session, row, row.status, to, staff.name, staff.role, message)
    row.status = to
    session.flush()
    return event


def transition(
    session: Session, application_number: str, to: str, staff: Staff, message: str = ""
) -> ApplicationEvent:
    """Move an application to `to` as `staff` did, with a message or reason where required.
    Does not commit; raises `LifecycleError` for a change not allowed."""
    row = load_for_update(session, application_number)
    return apply_transition(session, row, to, staff, message)


def history(session: Session, application_number: str) -> list[ApplicationEvent]:
    """The application's audit log, oldest first."""
    return list(
        session.scalars(
            select(ApplicationEvent)
            .join(ApplicationRow, ApplicationRow.id == ApplicationEvent.application_id)
            .where(ApplicationRow.application_number == application_number)
            .order_by(ApplicationEvent.id)
        )
    )


def resident_applications(session: Session, village_code: str, nik: str) -> list[dict]:
    """A resident's own applications in one village, newest first (for the kiosk)."""
    last_change = (
        select(ApplicationEvent.application_id, func.max(ApplicationEvent.at).label("at"))
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    rows = session.execute(
        select(ApplicationRow, last_change.c.at)
        .outerjoin(last_change, last_change.c.application_id == ApplicationRow.id)
        .where(ApplicationRow.village_code == village_code, ApplicationRow.resident_nik == nik)
        .order_by(ApplicationRow.received_at.desc(), ApplicationRow.id.desc())
    ).all()
    out = []
    for app, changed in rows:
        updated = max(app.received_at, changed) if changed is not None else app.received_at
        message = ""
        if app.status in NEEDS_MESSAGE:  # why it was sent back or cancelled
            message = session.scalar(
                select(ApplicationEvent.message)
                .where(ApplicationEvent.application_id == app.id)
                .order_by(ApplicationEvent.id.desc())
                .limit(1)
            ) or ""
        out.append({
            "application_number": app.application_number,
            "letter": app.letter,
            "status": app.status,
            "status_label": status_label(app.status),
            "received_at": app.received_at.isoformat(),
            "updated_at": updated.isoformat(),
            "message": message,
        })  # fmt: skip
    return out
