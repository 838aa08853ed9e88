"""The application queue of one village: filters, search, counts per status, paging.

The resident's name is the one in the application as received (`payload_json`, the kiosk's
JSON), read with the database's own JSON functions: `json_extract` on SQLite, `->>` on
PostgreSQL (the column is text there, cast to JSONB). The search term is matched as a literal
substring (LIKE wildcards escaped), case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, cast, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from backoffice.db import ApplicationRow
from forms.status import STATUS_LABELS

PAGE_SIZE = 25
QUERY_MAX = 100


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""  # "" = every status
    letter: str = ""  # "" = every letter type
    date_from: date | None = None  # received on or after (the office's calendar)
    date_to: date | None = None  # received on or before
    q: str = ""  # a name, part of a NIK, or part of an application number
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    application_number: str
    letter: str
    status: str
    received_at: datetime
    kiosk_id: str
    resident_nik: str
    resident_name: str


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # matching the whole filter
    page: int
    pages: int
    counts: dict[str, int]  # per status, for the filter without its status
    all_statuses: int


def resident_name(dialect: str) -> ColumnElement[str]:
    """The applicant's name inside the stored application JSON, as SQL."""
    if dialect == "postgresql":
        return cast(ApplicationRow.payload_json, JSONB)["resident"]["name"].astext
    return func.json_extract(ApplicationRow.payload_json, "$.resident.name")


def _where(stmt: Select, village_code: str, f: QueueFilter, tz: ZoneInfo, dialect: str,
           *, with_status: bool) -> Select:
    stmt = stmt.where(ApplicationRow.village_code == village_code)
    if with_status and f.status:
        stmt = stmt.where(ApplicationRow.status == f.status)
    if f.letter:
        stmt = stmt.where(ApplicationRow.letter == f.letter)
    if f.date_from is not None:
        stmt = stmt.where(ApplicationRow.received_at >= datetime.combine(f.date_from, time(),
                                                                         tz))
    if f.date_to is not None:
        end = datetime.combine(f.date_to + timedelta(days=1), time(), tz)
        stmt = stmt.where(ApplicationRow.received_at < end)
    q = " ".join(f.q.split())
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit():
            stmt = stmt.where(or_(
                ApplicationRow.resident_nik.contains(digits, autoescape=True),
                ApplicationRow.application_number.contains(digits, autoescape=True),
            ))  # fmt: skip
        else:
            needle = q.lower()
            stmt = stmt.where(or_(
                func.lower(resident_name(dialect)).contains(needle, autoescape=True),
                func.lower(ApplicationRow.application_number).contains(needle, autoescape=True),
            ))  # fmt: skip
    return stmt


def queue_page(session: Session, village_code: str, f: QueueFilter, tz: ZoneInfo,
               page_size: int | None = None) -> QueuePage:
    """One page of the village's applications matching `f`, newest first."""
    page_size = page_size or PAGE_SIZE
    dialect = session.get_bind().dialect.name
    counted = _where(
        select(ApplicationRow.status, func.count()).group_by(ApplicationRow.status),
        village_code, f, tz, dialect, with_status=False,
    )
    counts = {status: 0 for status in STATUS_LABELS}
    for status, n in session.execute(counted):
        counts[status] = counts.get(status, 0) + n
    all_statuses = sum(counts.values())
    total = counts.get(f.status, 0) if f.status else all_statuses
    pages = max(1, -(-total // page_size))
    page = min(max(1, f.page), pages)
    listed = _where(
        select(
            ApplicationRow.application_number, ApplicationRow.letter, ApplicationRow.status,
            ApplicationRow.received_at, ApplicationRow.kiosk_id, ApplicationRow.resident_nik,
            resident_name(dialect).label("resident_name"),
        ),
        village_code, f, tz, dialect, with_status=True,
    ).order_by(ApplicationRow.received_at.desc(), ApplicationRow.id.desc())
    rows = [
        QueueRow(r.application_number, r.letter, r.status, r.received_at, r.kiosk_id,
                 r.resident_nik, r.resident_name or "")
        for r in session.execute(listed.limit(page_size).offset((page - 1) * page_size))
    ]
    return QueuePage(rows, total, page, pages, counts, all_statuses)
