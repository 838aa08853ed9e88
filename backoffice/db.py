"""Storage: SQLAlchemy 2 typed ORM models, the engine, and config upserts.

SQLite is the embedded default (WAL + foreign keys switched on per connection); nothing here
uses SQLite-only SQL, so a `postgresql+psycopg://` URL works the same way. The schema is made
and changed only by the Alembic migrations in `backoffice/migrations/` (`migrate`): a change
to a model here needs a new revision there (`python -m backoffice.migrations revision ...`),
and tests/test_migrations.py fails until the two agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from backoffice.security import token_hash
from backoffice.settings import Settings
from forms.identity import Resident
from forms.status import SEDANG_DIPERIKSA
from forms.village import VillageProfile

STATUS_RECEIVED = SEDANG_DIPERIKSA  # every new application starts "being checked"
IDEMPOTENCY_IN_FLIGHT = "in_flight"
IDEMPOTENCY_COMPLETED = "completed"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints: a later migration can drop or change one by name on both backends.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Village(Base):
    __tablename__ = "villages"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    profile_json: Mapped[str] = mapped_column(Text)
    card_key: Mapped[str] = mapped_column(String(256))  # hex

    @property
    def profile(self) -> VillageProfile:
        return VillageProfile.from_dict(json.loads(self.profile_json))

    @property
    def card_key_bytes(self) -> bytes:
        return bytes.fromhex(self.card_key)


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ResidentRow(Base):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("village_code", "nik"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"))
    nik: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    birth_place: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))  # "L" or "P"
    address: Mapped[str] = mapped_column(String(300))
    dusun: Mapped[str] = mapped_column(String(100))
    rt: Mapped[str] = mapped_column(String(3))
    rw: Mapped[str] = mapped_column(String(3))
    religion: Mapped[str] = mapped_column(String(50))
    marital_status: Mapped[str] = mapped_column(String(50))
    occupation: Mapped[str] = mapped_column(String(100))
    citizenship: Mapped[str] = mapped_column(String(10))
    family_card_number: Mapped[str] = mapped_column(String(16))
    # Registry details the village keeps but no kiosk needs (never sent to one): the education,
    # blood type and place in the family ("hubungan dalam keluarga") columns of the export.
    education: Mapped[str] = mapped_column(String(50), default="", server_default="")
    blood_type: Mapped[str] = mapped_column(String(20), default="", server_default="")
    family_relationship: Mapped[str] = mapped_column(String(50), default="", server_default="")

    def to_resident(self) -> Resident:
        return Resident(
            nik=self.nik,
            name=self.name,
            birth_place=self.birth_place,
            birth_date=self.birth_date,
            sex=self.sex,
            address=self.address,
            dusun=self.dusun,
            rt=self.rt,
            rw=self.rw,
            religion=self.religion,
            marital_status=self.marital_status,
            occupation=self.occupation,
            citizenship=self.citizenship,
            family_card_number=self.family_card_number,
        )

    def update_from(self, resident: Resident) -> None:
        for name, value in vars(resident).items():
            setattr(self, name, value)


@dataclass(frozen=True)
class RegistryDetails:
    """What the registry holds beyond a kiosk's `Resident` (see ResidentRow). None: not given
    (an export without that column), so whatever is stored stays."""

    education: str | None = None
    blood_type: str | None = None
    family_relationship: str | None = None

    def apply_to(self, row: ResidentRow) -> None:
        for name, value in vars(self).items():
            if value is not None:
                setattr(row, name, value)

    def differs_from(self, row: ResidentRow) -> bool:
        return any(v is not None and getattr(row, k) != v for k, v in vars(self).items())


class CardBinding(Base):
    """One e-KTP, known only by its HMAC fingerprint, bound to one resident (and vice versa)."""

    __tablename__ = "card_bindings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), unique=True
    )
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pin(Base):
    __tablename__ = "pins"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    pin_hash: Mapped[str] = mapped_column(String(256))  # argon2id PHC string
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApplicationRow(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_number: Mapped[str] = mapped_column(String(64), unique=True)
    letter: Mapped[str] = mapped_column(String(64))
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    resident_nik: Mapped[str] = mapped_column(String(16), index=True)
    payload_json: Mapped[str] = mapped_column(Text)  # the Application JSON exactly as received
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(32), default=STATUS_RECEIVED)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("kiosk_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 hex of the request
    state: Mapped[str] = mapped_column(String(16), default=IDEMPOTENCY_IN_FLIGHT)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PinReset(Base):
    """When staff last cleared a resident's PIN (set, reset or unlocked it).

    Offline kiosks report PIN attempts late; an attempt or a lock made before this moment was
    cleared by staff in real time and must not come back when it arrives.
    """

    __tablename__ = "pin_resets"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    reset_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PinEvent(Base):
    """One PIN attempt a kiosk made offline and reported later (idempotent by event id)."""

    __tablename__ = "pin_events"
    __table_args__ = (UniqueConstraint("kiosk_id", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    event_id: Mapped[str] = mapped_column(String(36))
    card: Mapped[str] = mapped_column(String(64), index=True)  # keyed HMAC fingerprint
    outcome: Mapped[str] = mapped_column(String(8))  # "wrong" | "right"
    kiosk_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the villager tried (kiosk clock)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    effect: Mapped[str] = mapped_column(String(16))  # what the merge did, for staff audits


class RegistryVersion(Base):
    """The snapshot version per village: bumped whenever the snapshot's content changes."""

    __tablename__ = "registry_versions"

    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KioskHeartbeat(Base):
    """The latest heartbeat of each kiosk (for the staff fleet page); nothing personal.

    Kept beside the `kiosks` row: it changes every 30 s, the kiosk's credentials rarely.
    """

    __tablename__ = "kiosk_heartbeats"

    kiosk_id: Mapped[str] = mapped_column(
        ForeignKey("kiosks.id", ondelete="CASCADE"), primary_key=True
    )
    last_heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_json: Mapped[str] = mapped_column(Text)

    @property
    def status(self) -> dict:
        return json.loads(self.status_json)


class KioskTokenChange(Base):
    """Staff rotated, revoked or added this kiosk's token (backoffice.kiosks): from then on the
    database, not the settings file, holds its credentials, so a restart does not undo it."""

    __tablename__ = "kiosk_token_changes"

    kiosk_id: Mapped[str] = mapped_column(
        ForeignKey("kiosks.id", ondelete="CASCADE"), primary_key=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    change: Mapped[str] = mapped_column(String(16))  # "added" | "rotated" | "revoked"


class ApplicationEvent(Base):
    """The audit log of an application's lifecycle (backoffice.lifecycle): append-only."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_name: Mapped[str] = mapped_column(String(100))  # staff member, or "kiosk KMR01"
    actor_role: Mapped[str] = mapped_column(String(50))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: created
    to_status: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")  # why returned / cancelled


class LetterCounter(Base):
    """The last number given per (village, letter type, year): one row per sequence."""

    __tablename__ = "letter_counters"

    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), primary_key=True)
    letter: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class IssuedLetterRow(Base):
    """A final letter, linked to its application by foreign key (never by matching numbers)."""

    __tablename__ = "issued_letters"
    __table_args__ = (
        UniqueConstraint("village_code", "letter", "year", "sequence"),
        UniqueConstraint("village_code", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"))
    letter: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(128))
    issued: Mapped[date] = mapped_column(Date)
    signer_json: Mapped[str] = mapped_column(Text)  # forms.issued.Signer fields
    token: Mapped[str] = mapped_column(String(512), unique=True)  # forms.verification token
    verification_url: Mapped[str] = mapped_column(String(1024))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    issued_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplaintRow(Base):
    """A villager's complaint (pengaduan) from a kiosk; answered by `due_at` (received + 4 h)."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_number: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    resident_nik: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(32))  # forms.feedback.CATEGORIES
    text: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(16), default="")  # "" when not given
    language: Mapped[str] = mapped_column(String(2), default="id")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # on the kiosk
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SurveyResponse(Base):
    """One villager's SKM answers (PermenPANRB 14/2017), each 1–4; anonymous: no NIK, no name,
    the day only (a time could be matched to the application received just before)."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), unique=True)  # random, from the kiosk
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    letter: Mapped[str] = mapped_column(String(64))
    answered_on: Mapped[date] = mapped_column(Date)
    # the nine elements, as forms.feedback.ELEMENT_CODES names them
    persyaratan: Mapped[int] = mapped_column(Integer)
    prosedur: Mapped[int] = mapped_column(Integer)
    waktu: Mapped[int] = mapped_column(Integer)
    biaya: Mapped[int] = mapped_column(Integer)
    produk: Mapped[int] = mapped_column(Integer)
    kompetensi: Mapped[int] = mapped_column(Integer)
    perilaku: Mapped[int] = mapped_column(Integer)
    pengaduan: Mapped[int] = mapped_column(Integer)
    sarana: Mapped[int] = mapped_column(Integer)


# --- complaint responses (backoffice.web.complaints) ------------------------------------------


class ComplaintResponse(Base):
    """What staff did about a complaint, append-only: a contact with the villager (by phone, in
    person, by message) or an internal note. The first contact stops the complaint's clock (its
    time to first response is min(`at`) over the contact kinds); a note never does ("called,
    no answer" is not an answer). Who is kept by name and role as they were then, like
    ApplicationEvent, and by account id."""

    __tablename__ = "complaint_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))  # backoffice.web.complaints.KINDS
    text: Mapped[str] = mapped_column(Text)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    staff_name: Mapped[str] = mapped_column(String(100))
    staff_role: Mapped[str] = mapped_column(String(16))


# --- staff pages (backoffice.web): accounts, sessions, the staff audit log --------------------


class StaffUser(Base):
    """A member of a village office's staff who signs in to the staff pages (backoffice.web).

    One account belongs to one village and sees only that village. The username is unique on
    the whole server (a district's staff sign in on one page), kept in lower case.
    """

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("villages.code"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # backoffice.web.permissions.ROLES
    password_hash: Mapped[str] = mapped_column(String(256))  # argon2id PHC string
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # since the last success
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(2), default="id")  # "id" | "en"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is kept here."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))  # in every form of this session
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    idle_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # pushed on by activity
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # at the latest, whatever happens


class AuditEntry(Base):
    """What staff did or were refused on the staff pages and the staff command line:
    append-only, ids only (application numbers, staff ids), nothing personal."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None: no village known (a sign-in with an unknown username)
    village_code: Mapped[str | None] = mapped_column(
        ForeignKey("villages.code"), nullable=True, index=True
    )
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id"), nullable=True, index=True
    )
    action: Mapped[str] = mapped_column(String(40))  # e.g. "login", "verify", "print_letter"
    target: Mapped[str] = mapped_column(String(100), default="")  # e.g. an application number
    outcome: Mapped[str] = mapped_column(String(8))  # "allowed" | "refused"
    reason: Mapped[str] = mapped_column(String(200), default="")  # a short code, never data


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`; for SQLite files, the parent folder is created.

    `hide_parameters`: SQL errors and logs never echo bound values (NIKs, names, payloads).
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        db = url.database or ""
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
    finally:
        cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (see backoffice/migrations)."""
    from backoffice.migrations import upgrade

    upgrade(engine)


def apply_settings(session: Session, settings: Settings) -> None:
    """Upsert the villages and kiosks named in the settings file (portable select+write)."""
    for v in settings.villages:
        profile_json = json.dumps(v.profile.to_dict(), ensure_ascii=False, sort_keys=True)
        row = session.get(Village, v.code)
        if row is None:
            session.add(Village(code=v.code, profile_json=profile_json, card_key=v.card_key.hex()))
        else:
            row.profile_json = profile_json
            row.card_key = v.card_key.hex()
    session.flush()
    managed = set(session.scalars(select(KioskTokenChange.kiosk_id)))
    for k in settings.kiosks:
        digest = token_hash(k.token)
        row = session.get(Kiosk, k.id)
        if k.id in managed and row is not None:
            continue  # staff rotated or revoked its token since: the database wins
        if row is None:
            session.add(Kiosk(id=k.id, village_code=k.village, token_hash=digest, active=k.active))
        else:
            row.village_code = k.village
            row.token_hash = digest
            row.active = k.active
    session.flush()


def find_resident(session: Session, village_code: str, nik: str) -> ResidentRow | None:
    return session.scalars(
        select(ResidentRow).where(ResidentRow.village_code == village_code, ResidentRow.nik == nik)
    ).one_or_none()
