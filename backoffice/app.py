"""The back office's HTTP API (v1), spoken by the kiosks.

Every error is JSON shaped `{"error": code, "message": {"id": ..., "en": ...}}` (plus extra
keys for some codes). Nothing personal goes into URLs or logs: residents are found by card
fingerprint and NIK in request bodies only.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import (
    Connection,
    Engine,
    Row,
    bindparam,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from backoffice import __version__
from backoffice.db import (
    IDEMPOTENCY_COMPLETED,
    IDEMPOTENCY_IN_FLIGHT,
    STATUS_RECEIVED,
    ApplicationEvent,
    ApplicationRow,
    CardBinding,
    ComplaintRow,
    IdempotencyRecord,
    IssuedLetterRow,
    Kiosk,
    KioskHeartbeat,
    Pin,
    RegistryVersion,
    ResidentRow,
    SurveyResponse,
    Village,
    apply_settings,
    find_resident,
    make_engine,
    make_sessionmaker,
    migrate,
    utcnow,
)
from backoffice.issuing import letter_signing_key
from backoffice.lifecycle import resident_applications, status_label
from backoffice.registry import (
    PinAttempt,
    merge_pin_events,
    registry_snapshot,
    snapshot_hash,
)
from backoffice.security import make_hasher, token_hash, tokens_match, verify_pin
from backoffice.settings import Settings
from forms.application import Application
from forms.feedback import (
    ELEMENT_CODES,
    NUMBER_RE,
    RESPONSE_HOURS,
    TEXT_MAX,
    clean_complaint_text,
    clean_phone,
    survey_problem,
    validate_complaint,
)

log = logging.getLogger(__name__)

API = "/api/v1"
FALLBACK_LETTERS = frozenset({"domisili"})  # accepted while forms/catalogue.py is missing
APPLICATION_NUMBER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
IDEMPOTENCY_KEY_MAX = 255


# --- errors -------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, code: str, id_msg: str, en_msg: str, **extra: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.id_msg = id_msg
        self.en_msg = en_msg
        self.extra = extra
        self.headers: dict[str, str] = {}

    def body(self) -> dict:
        return {"error": self.code, "message": {"id": self.id_msg, "en": self.en_msg}, **self.extra}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers or None)


def kiosk_unauthorized() -> ApiError:
    err = ApiError(
        401,
        "kiosk_unauthorized",
        "Kios ini tidak dikenali oleh kantor desa. Hubungi petugas desa.",
        "This kiosk is not recognised by the village office. Please contact the village staff.",
    )
    err.headers["WWW-Authenticate"] = "Bearer"
    return err


def bad_request() -> ApiError:
    return ApiError(
        422,
        "bad_request",
        "Permintaan tidak dapat dibaca. Silakan coba lagi.",
        "The request could not be read. Please try again.",
    )


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "too_large",
        "Kiriman terlalu besar untuk diterima kantor desa.",
        "The upload is too large for the village office to accept.",
        max_bytes=limit,
    )


def pin_locked() -> ApiError:
    return ApiError(
        423,
        "pin_locked",
        "PIN Anda terkunci karena salah dimasukkan beberapa kali. "
        "Silakan datang ke kantor desa untuk membukanya.",
        "Your PIN is locked after several wrong attempts. "
        "Please visit the village office to unlock it.",
    )


# --- request plumbing ---------------------------------------------------------------------


@dataclass(frozen=True)
class KioskRef:
    id: str
    village_code: str


@dataclass
class BackOffice:
    """Everything a request handler needs, kept on `app.state.backoffice`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    hasher: PasswordHasher
    dummy_pin_hash: str
    _catalogue: Any = None
    _catalogue_lock: threading.Lock = field(default_factory=threading.Lock)
    group_commit: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self.group_commit = GroupCommit(self)

    async def read(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a short database read for a request handler.

        On SQLite, right here on the event loop: an indexed read is a few microseconds of
        library code, while a worker thread must win the GIL back from the busy event loop
        after each of its SQLite calls (up to 5 ms each under load). A server database
        answers over a socket: there, a worker thread.
        """
        if self.engine.dialect.name == "sqlite":
            return fn(*args)
        return await run_in_threadpool(fn, *args)

    def catalogue(self, load: Callable[[], Any]) -> Any:
        with self._catalogue_lock:
            if self._catalogue is None:
                self._catalogue = load()
            return self._catalogue


# The statements of every submission, built once: the engine caches their compiled form, and
# nothing is rebuilt per request (the ORM's per-statement work was most of a submission's CPU).
_KIOSK_BY_TOKEN = select(Kiosk.id, Kiosk.village_code, Kiosk.token_hash, Kiosk.active).where(
    Kiosk.token_hash == bindparam("digest")
)
_IDEMPOTENCY_RECORD = select(*IdempotencyRecord.__table__.columns).where(
    IdempotencyRecord.kiosk_id == bindparam("kiosk_id"), IdempotencyRecord.key == bindparam("key")
)
_RESIDENT_ID = select(ResidentRow.id).where(
    ResidentRow.village_code == bindparam("village_code"), ResidentRow.nik == bindparam("nik")
)
_APPLICATION_ID = select(ApplicationRow.id).where(
    ApplicationRow.application_number == bindparam("number")
)
_INSERT_RECORD = insert(IdempotencyRecord.__table__)
_INSERT_APPLICATION = insert(ApplicationRow.__table__)
# Each new application's first audit row (what backoffice.lifecycle's `record_event` writes),
# for a whole batch in one statement.
_INSERT_FIRST_EVENTS = insert(ApplicationEvent.__table__).from_select(
    ["application_id", "at", "actor_name", "actor_role", "from_status", "to_status", "message"],
    select(
        ApplicationRow.id,
        ApplicationRow.received_at,
        literal("kiosk ") + ApplicationRow.kiosk_id,
        literal("kiosk"),
        null(),
        ApplicationRow.status,
        literal(""),
    ).where(ApplicationRow.application_number.in_(bindparam("numbers", expanding=True))),
)


def _backoffice(request: Request) -> BackOffice:
    return request.app.state.backoffice


async def authenticate(request: Request) -> KioskRef:
    bo = _backoffice(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise kiosk_unauthorized()
    kiosk = await bo.read(_kiosk_by_token, bo, token)
    # The lookup is by hash (an index on a secret's SHA-256 leaks nothing useful); the
    # constant-time comparison below is the actual check.
    if kiosk is None or not kiosk.active or not tokens_match(kiosk.token_hash, token):
        raise kiosk_unauthorized()
    return KioskRef(id=kiosk.id, village_code=kiosk.village_code)


def _kiosk_by_token(bo: BackOffice, token: str) -> Row | None:
    with bo.engine.connect() as conn:
        return conn.execute(_KIOSK_BY_TOKEN, {"digest": token_hash(token)}).one_or_none()


AuthKiosk = Annotated[KioskRef, Depends(authenticate)]


def parse_idempotency_key(raw: str | None) -> str:
    """The Idempotency-Key header: an RFC 8941 sf-string (`"<uuid>"`); bare tokens accepted."""
    if raw is None or not raw.strip():
        raise ApiError(
            400,
            "idempotency_key_missing",
            "Permintaan ini tidak membawa kunci pengiriman (Idempotency-Key).",
            "The request carries no Idempotency-Key header.",
        )
    raw = raw.strip()
    key: str | None = raw
    if raw.startswith('"'):
        key = _unquote_sf_string(raw)
    if (
        key is None
        or not key
        or len(key) > IDEMPOTENCY_KEY_MAX
        or any(not (0x20 <= ord(c) <= 0x7E) for c in key)
    ):
        raise ApiError(
            400,
            "idempotency_key_invalid",
            "Kunci pengiriman (Idempotency-Key) tidak sah.",
            "The Idempotency-Key header is not valid.",
        )
    return key


def _unquote_sf_string(raw: str) -> str | None:
    if len(raw) < 2 or not raw.endswith('"'):
        return None
    out: list[str] = []
    chars = iter(raw[1:-1])
    for c in chars:
        if c == "\\":
            nxt = next(chars, None)
            if nxt not in ('"', "\\"):
                return None
            out.append(nxt)
        elif c == '"':
            return None
        else:
            out.append(c)
    return "".join(out)


class _BodyTooLarge(Exception):
    pass


async def _read_form(request: Request, limit: int) -> FormData:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise too_large(limit)
        except ValueError:
            raise bad_request() from None
    content_type = request.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != "multipart/form-data":
        raise bad_request()

    async def limited() -> AsyncIterator[bytes]:
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise _BodyTooLarge
            yield chunk

    parser = MultiPartParser(
        request.headers, limited(), max_files=2, max_fields=2, max_part_size=limit
    )
    try:
        return await parser.parse()
    except _BodyTooLarge:
        raise too_large(limit) from None
    except (MultiPartException, UnicodeDecodeError, ValueError, KeyError):
        raise bad_request() from None


async def _part_bytes(part: str | UploadFile | None) -> bytes | None:
    if part is None:
        return None
    if isinstance(part, UploadFile):
        return await part.read()
    return part.encode("utf-8")


# --- submissions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    kiosk: KioskRef
    key: str
    application_bytes: bytes
    pdf: bytes

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        # Length-prefixed so that no shift of bytes between the two parts collides.
        h.update(len(self.application_bytes).to_bytes(8, "big"))
        h.update(self.application_bytes)
        h.update(self.pdf)
        return h.hexdigest()


def _replay_or_conflict(record: Row, fingerprint: str, stale_after: int) -> Any:
    """What an existing idempotency record means for a new request under the same key.

    Returns a Response to send, the string "take_over" for an abandoned in-flight record,
    or raises the appropriate ApiError.
    """
    if record.fingerprint != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "Kunci pengiriman ini sudah dipakai untuk permohonan lain.",
            "This Idempotency-Key was already used for a different request.",
        )
    if record.state == IDEMPOTENCY_COMPLETED and record.response_status is not None:
        return Response(
            content=record.response_body or "",
            status_code=record.response_status,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    if utcnow() - record.updated_at > timedelta(seconds=stale_after):
        return "take_over"
    raise ApiError(
        409,
        "in_flight",
        "Permohonan ini masih sedang diproses. Silakan tunggu sebentar lalu coba lagi.",
        "This application is still being processed. Please wait a moment and try again.",
    )


def _validate(bo: BackOffice, db: Connection, sub: Submission, app: Application) -> None:
    kiosk = sub.kiosk
    if app.kiosk_id != kiosk.id:
        raise ApiError(
            403,
            "wrong_kiosk",
            "Permohonan ini dibuat oleh kios lain.",
            "This application was made by a different kiosk.",
        )
    if app.village_code != kiosk.village_code:
        raise ApiError(
            403,
            "wrong_village",
            "Permohonan ini ditujukan ke desa lain.",
            "This application is addressed to a different village.",
        )
    if not APPLICATION_NUMBER_RE.fullmatch(app.application_number):
        raise bad_request()
    _check_letter(bo, app)
    resident = db.execute(_RESIDENT_ID, {"village_code": kiosk.village_code,
                                         "nik": app.resident.nik}).first()
    if resident is None:
        raise ApiError(
            422,
            "resident_unknown",
            "Penduduk dengan NIK ini tidak terdaftar di desa ini.",
            "No resident with this NIK is registered in this village.",
        )
    if not sub.pdf.startswith(b"%PDF-"):
        raise ApiError(
            422,
            "not_pdf",
            "Lampiran permohonan bukan berkas PDF.",
            "The attached application copy is not a PDF file.",
        )
    if db.execute(_APPLICATION_ID, {"number": app.application_number}).first() is not None:
        raise _number_taken()


def _number_taken() -> ApiError:
    return ApiError(
        422,
        "application_number_taken",
        "Nomor permohonan ini sudah dipakai.",
        "This application number is already in use.",
    )


def _unknown_letter() -> ApiError:
    return ApiError(
        422,
        "unknown_letter",
        "Jenis surat ini tidak tersedia di kantor desa.",
        "This letter type is not available at the village office.",
    )


def _load_catalogue_early(bo: BackOffice) -> None:
    """A broken letter file should stop the back office at startup, not fail a submission."""
    try:
        from forms.catalogue import load_catalogue
    except ModuleNotFoundError as exc:
        if exc.name != "forms.catalogue":
            raise
        return
    bo.catalogue(load_catalogue)


def _check_letter(bo: BackOffice, app: Application) -> None:
    try:
        from forms.catalogue import load_catalogue, validate
    except ModuleNotFoundError as exc:
        if exc.name != "forms.catalogue":
            raise
        if app.letter not in FALLBACK_LETTERS:
            raise _unknown_letter() from None
        return
    catalogue = bo.catalogue(load_catalogue)
    try:
        letter = catalogue.get(app.letter)
    except KeyError:
        raise _unknown_letter() from None
    # Ranges like "not after today" are measured from the day the villager applied: an
    # application that waited overnight in a kiosk's outbox must not turn invalid.
    problems = validate(letter, dict(app.values), today=app.created_at.date())
    if problems:
        raise ApiError(
            422,
            "invalid_fields",
            "Beberapa isian belum benar. Silakan periksa kembali.",
            "Some fields are not filled in correctly. Please check them again.",
            fields={
                str(name): {"id": str(msg.get("id", "")), "en": str(msg.get("en", ""))}
                for name, msg in problems.items()
            },
        )


def _idempotency_record(db: Connection, kiosk_id: str, key: str) -> Row | None:
    return db.execute(_IDEMPOTENCY_RECORD, {"kiosk_id": kiosk_id, "key": key}).one_or_none()


def _replay_if_stored(
    db: Connection, sub: Submission, fingerprint: str, stale: int
) -> Response | None:
    """The stored reply when this very request (same key, same bytes) is stored already.

    Between a request's replay check and its write, its own retry may have been stored (a
    retry overtaking its lost original): that is a replay, not a number taken by another
    application — or the kiosk would set a delivered application aside."""
    record = _idempotency_record(db, sub.kiosk.id, sub.key)
    if record is not None and record.state == IDEMPOTENCY_COMPLETED:
        verdict = _replay_or_conflict(record, fingerprint, stale)
        if isinstance(verdict, Response):
            return verdict
    return None


@dataclass(eq=False)
class CheckedSubmission:
    """A submission that passed every check and waits for the writer (GroupCommit)."""

    sub: Submission
    app: Application
    text: str
    fingerprint: str
    take_over: datetime | None  # `updated_at` of an abandoned in-flight record to claim
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future | None = None


def _check_submission(bo: BackOffice, sub: Submission) -> Response | CheckedSubmission:
    """Everything before the write: a replay, a refusal, or a submission ready to store."""
    try:
        text = sub.application_bytes.decode("utf-8")
        app = Application.from_json(text)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise bad_request() from None
    fingerprint = sub.fingerprint
    stale = bo.settings.idempotency_stale_seconds
    take_over = None
    with bo.engine.connect() as db:
        # 1. A retry? Replay, refuse, or take over an abandoned attempt.
        record = _idempotency_record(db, sub.kiosk.id, sub.key)
        if record is not None:
            verdict = _replay_or_conflict(record, fingerprint, stale)
            if isinstance(verdict, Response):
                return verdict
            take_over = record.updated_at
        # 2. Validate (nothing is written for a rejected request).
        try:
            _validate(bo, db, sub, app)
        except ApiError as e:
            if e.code == "application_number_taken" and (
                late := _replay_if_stored(db, sub, fingerprint, stale)
            ):
                return late
            raise
    return CheckedSubmission(sub, app, text, fingerprint, take_over)


class GroupCommit:
    """Stores checked submissions: one writer thread per process, one commit per batch.

    Each commit is an fsync (SQLite `synchronous=FULL`, PostgreSQL `fsync=on`), and SQLite has
    one writer at a time anyway: the submissions that arrive while a batch is being written
    wait and share the next transaction, so the commit rate, not the submission rate, meets
    the disk. Nobody waits for a timer. A reply is given only after its batch is committed (a
    kiosk deletes its copy on a 201). A key or number taken meanwhile makes the batch go one
    savepoint per submission, any other failure one transaction per submission: either way a
    refusal or an error is its own submission's only.
    """

    MAX_BATCH = 64
    IDLE_EXIT_S = 5.0  # the thread ends when idle (tests build many apps); `store` restarts it

    def __init__(self, bo: BackOffice) -> None:
        self.bo = bo
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._waiting: list[CheckedSubmission] = []
        self._in_flight: set[tuple[str, str]] = set()
        self._thread: threading.Thread | None = None
        self._file_lock: int | None = None  # see _between_processes

    async def store(self, item: CheckedSubmission) -> Response:
        loop = asyncio.get_running_loop()
        item.loop, item.future = loop, loop.create_future()
        ident = (item.sub.kiosk.id, item.sub.key)
        with self._lock:
            # The same key already on its way to the database in this process: the IETF
            # Idempotency-Key answer to a concurrent duplicate is 409. (Across worker
            # processes the duplicate waits on the key's unique index and gets the replay.)
            if ident in self._in_flight:
                raise _in_flight_race()
            self._in_flight.add(ident)
            self._waiting.append(item)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="backoffice-group-commit", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        return await item.future

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._waiting:
                    if not self._wake.wait(self.IDLE_EXIT_S) and not self._waiting:
                        self._thread = None
                        return
                batch = self._waiting[: self.MAX_BATCH]
                del self._waiting[: self.MAX_BATCH]
            try:
                outcomes = self._write(batch)
            except Exception:  # never leave a kiosk waiting for an answer
                log.exception("storing %d submissions failed", len(batch))
                outcomes = [_internal_error() for _ in batch]
            with self._lock:
                for item in batch:
                    self._in_flight.discard((item.sub.kiosk.id, item.sub.key))
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for item, outcome in zip(batch, outcomes, strict=True):
                by_loop.setdefault(item.loop, []).append((item.future, outcome))
            for loop, settled in by_loop.items():
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits
                    loop.call_soon_threadsafe(_settle, settled)

    def _write(self, batch: list[CheckedSubmission]) -> list[Response | ApiError]:
        try:
            return self._transaction(batch)
        except Exception:
            if len(batch) == 1:
                log.exception("storing a submission failed")
                return [_internal_error()]
            # The transaction itself failed (the commit, the connection, an error SQLite
            # ends the transaction for): nothing of it is stored. Each on its own, so that
            # only what fails again is refused.
            log.warning("a batch of %d submissions failed; storing them one by one", len(batch))
        return [self._write([item])[0] for item in batch]

    @contextlib.contextmanager
    def _between_processes(self) -> Iterator[None]:
        """On an SQLite file, one writer among the worker processes, handed over by the kernel.

        SQLite's own lock would do for correctness, but a writer that finds it taken polls
        with sleeps of 1 to 100 ms (its busy handler): the other process's batches starve.
        """
        engine = self.bo.engine
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        if not database or database == ":memory:" or database.startswith("file:"):
            yield
            return
        if self._file_lock is None:
            self._file_lock = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._file_lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._file_lock, fcntl.LOCK_UN)

    def _transaction(self, batch: list[CheckedSubmission]) -> list[Response | ApiError]:
        stale = self.bo.settings.idempotency_stale_seconds
        with self._between_processes(), self.bo.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # The write lock now, before any read: a deferred transaction could fail to
                # upgrade (SQLITE_BUSY, no wait) against another worker process's writer.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            received_at = utcnow()
            outcomes: list[Response | ApiError] | None = None
            if all(item.take_over is None for item in batch):
                try:
                    with conn.begin_nested():
                        outcomes = _store_together(conn, batch, received_at)
                except IntegrityError:
                    outcomes = None  # a key or number taken meanwhile: find whose, one by one
            if outcomes is None:
                outcomes = []
                for item in batch:
                    try:
                        with conn.begin_nested():
                            outcomes.append(_store_one(conn, item, received_at))
                    except IntegrityError as exc:
                        outcomes.append(_after_conflict(conn, item, stale, exc))
                    except ApiError as exc:
                        outcomes.append(exc)
            conn.commit()
        return outcomes


def _settle(settled: list[tuple[asyncio.Future, Response | ApiError]]) -> None:
    for future, outcome in settled:
        if future.done():  # the request was cancelled (the kiosk went away)
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


def _reply(item: CheckedSubmission, received_at: datetime) -> str:
    return json.dumps(
        {
            "application_number": item.app.application_number,
            "status": STATUS_RECEIVED,
            "received_at": received_at.isoformat(),
        },
        ensure_ascii=False,
    )


def _application_row(item: CheckedSubmission, received_at: datetime) -> dict:
    sub, app = item.sub, item.app
    return {
        "application_number": app.application_number,
        "letter": app.letter,
        "village_code": sub.kiosk.village_code,
        "kiosk_id": sub.kiosk.id,
        "resident_nik": app.resident.nik,
        "payload_json": item.text,
        "pdf": sub.pdf,
        "status": STATUS_RECEIVED,
        "received_at": received_at,
    }


def _record_row(item: CheckedSubmission, received_at: datetime, body: str) -> dict:
    return {
        "kiosk_id": item.sub.kiosk.id, "key": item.sub.key, "fingerprint": item.fingerprint,
        "state": IDEMPOTENCY_COMPLETED, "response_status": 201, "response_body": body,
        "created_at": received_at, "updated_at": received_at,
    }


def _created(body: str) -> Response:
    return Response(content=body, status_code=201, media_type="application/json")


def _store_together(
    conn: Connection, batch: list[CheckedSubmission], received_at: datetime
) -> list[Response | ApiError]:
    """The usual case: new keys, free numbers. Three statements for the whole batch: few
    SQLite calls, and each one lets the busy event loop take the GIL from this thread."""
    bodies = [_reply(item, received_at) for item in batch]
    conn.execute(_INSERT_RECORD, [
        _record_row(item, received_at, body) for item, body in zip(batch, bodies, strict=True)
    ])
    conn.execute(_INSERT_APPLICATION, [_application_row(item, received_at) for item in batch])
    conn.execute(_INSERT_FIRST_EVENTS,
                 {"numbers": [item.app.application_number for item in batch]})
    return [_created(body) for body in bodies]


def _store_one(conn: Connection, item: CheckedSubmission, received_at: datetime) -> Response:
    """One submission, taking over an abandoned in-flight record if there is one."""
    sub = item.sub
    body = _reply(item, received_at)
    if item.take_over is None:
        conn.execute(_INSERT_RECORD, _record_row(item, received_at, body))
    else:
        # Compare-and-set: only if the abandoned record is still as it was seen.
        claimed = conn.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.kiosk_id == sub.kiosk.id,
                IdempotencyRecord.key == sub.key,
                IdempotencyRecord.state == IDEMPOTENCY_IN_FLIGHT,
                IdempotencyRecord.updated_at == item.take_over,
            )
            .values(state=IDEMPOTENCY_COMPLETED, response_status=201, response_body=body,
                    updated_at=received_at)
        )
        if claimed.rowcount != 1:
            raise _in_flight_race()
    conn.execute(_INSERT_APPLICATION, _application_row(item, received_at))
    conn.execute(_INSERT_FIRST_EVENTS, {"numbers": [item.app.application_number]})
    return _created(body)


def _after_conflict(
    conn: Connection, item: CheckedSubmission, stale: int, exc: IntegrityError
) -> Response | ApiError:
    """A unique key hit while storing (its savepoint is rolled back): what was there first."""
    sub = item.sub
    record = _idempotency_record(conn, sub.kiosk.id, sub.key)
    try:
        if record is not None:
            # Stored under the same key by another worker process meanwhile.
            verdict = _replay_or_conflict(record, item.fingerprint, stale)
            if isinstance(verdict, Response):
                return verdict
            return _in_flight_race()  # an abandoned record: the kiosk's retry takes it over
    except ApiError as refusal:
        return refusal
    if conn.execute(_APPLICATION_ID, {"number": item.app.application_number}).first():
        return _number_taken()
    raise exc


def _in_flight_race() -> ApiError:
    return ApiError(
        409,
        "in_flight",
        "Permohonan ini masih sedang diproses. Silakan tunggu sebentar lalu coba lagi.",
        "This application is still being processed. Please wait a moment and try again.",
    )


# --- complaints and surveys ---------------------------------------------------------------
# Small JSON items from the kiosk's outbox, under the same Idempotency-Key rules and records as
# applications (`_replay_or_conflict`): the same key and body replay the first answer, another
# body under the key is refused. Few and small, so each is stored in its own transaction.


class ComplaintIn(BaseModel):
    """forms.feedback.Complaint as the kiosk sends it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal[1] = Field(alias="schema")
    complaint_number: Annotated[str, Field(max_length=64)]
    village_code: Annotated[str, Field(max_length=32)]
    kiosk_id: Annotated[str, Field(max_length=32)]
    created_at: AwareDatetime
    nik: Annotated[str, Field(pattern=r"^[0-9]{16}$")]
    category: Annotated[str, Field(max_length=32)]
    text: Annotated[str, Field(max_length=4 * TEXT_MAX)]  # checked exactly by validate_complaint
    phone: Annotated[str, Field(max_length=32)] = ""
    language: Literal["id", "en"] = "id"


class SurveyIn(BaseModel):
    """forms.feedback.SurveyAnswers as the kiosk sends it: nothing personal."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal[1] = Field(alias="schema")
    survey_id: Annotated[str, Field(max_length=64)]
    village_code: Annotated[str, Field(max_length=32)]
    kiosk_id: Annotated[str, Field(max_length=32)]
    letter: Annotated[str, Field(max_length=64)]
    answered_on: date
    answers: Annotated[dict[str, int], Field(max_length=len(ELEMENT_CODES))]


def _body_fingerprint(body: BaseModel) -> str:
    data = body.model_dump(mode="json", by_alias=True)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _from_this_kiosk(kiosk: KioskRef, kiosk_id: str, village_code: str, number: str) -> None:
    if kiosk_id != kiosk.id:
        raise ApiError(403, "wrong_kiosk", "Kiriman ini dibuat oleh kios lain.",
                       "This was made by a different kiosk.")
    if village_code != kiosk.village_code:
        raise ApiError(403, "wrong_village", "Kiriman ini ditujukan ke desa lain.",
                       "This is addressed to a different village.")
    if not NUMBER_RE.fullmatch(number):
        raise bad_request()


def _store_once(
    bo: BackOffice,
    kiosk: KioskRef,
    key: str,
    fingerprint: str,
    table: Any,
    check: Callable[[Connection], None],
    row: Callable[[datetime], dict],
    reply: Callable[[datetime], dict],
) -> Response:
    """Check, then store one row and its idempotency record together (or nothing); a retry
    under the same key gets the first answer again."""
    stale = bo.settings.idempotency_stale_seconds
    try:
        with bo.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # see GroupCommit._transaction
            record = _idempotency_record(conn, kiosk.id, key)
            if record is not None:
                verdict = _replay_or_conflict(record, fingerprint, stale)
                if isinstance(verdict, Response):
                    return verdict
                raise _in_flight_race()
            check(conn)
            received_at = utcnow()
            body = json.dumps(reply(received_at), ensure_ascii=False)
            conn.execute(_INSERT_RECORD, {
                "kiosk_id": kiosk.id, "key": key, "fingerprint": fingerprint,
                "state": IDEMPOTENCY_COMPLETED, "response_status": 201, "response_body": body,
                "created_at": received_at, "updated_at": received_at,
            })
            conn.execute(insert(table.__table__), row(received_at))
            conn.commit()
            return _created(body)
    except IntegrityError:
        # Stored meanwhile under the same key (a retry overtaking its original), or the
        # number is another item's: the transaction is rolled back, nothing half-stored.
        with bo.engine.connect() as conn:
            record = _idempotency_record(conn, kiosk.id, key)
        if record is not None:
            verdict = _replay_or_conflict(record, fingerprint, stale)
            if isinstance(verdict, Response):
                return verdict
        raise ApiError(422, "number_taken", "Nomor ini sudah dipakai.",
                       "This number is already in use.") from None


def _store_complaint(bo: BackOffice, kiosk: KioskRef, key: str, c: ComplaintIn) -> Response:
    _from_this_kiosk(kiosk, c.kiosk_id, c.village_code, c.complaint_number)
    problems = validate_complaint(c.category, c.text, c.phone)
    if problems:
        raise ApiError(422, "invalid_fields",
                       "Beberapa isian pengaduan belum benar.",
                       "Some parts of the complaint are not filled in correctly.",
                       fields=problems)

    def check(conn: Connection) -> None:
        resident = conn.execute(_RESIDENT_ID, {"village_code": kiosk.village_code,
                                               "nik": c.nik}).first()
        if resident is None:
            raise ApiError(422, "resident_unknown",
                           "Penduduk dengan NIK ini tidak terdaftar di desa ini.",
                           "No resident with this NIK is registered in this village.")

    def row(received_at: datetime) -> dict:
        return {
            "complaint_number": c.complaint_number, "kiosk_id": kiosk.id,
            "village_code": kiosk.village_code, "resident_nik": c.nik, "category": c.category,
            "text": clean_complaint_text(c.text), "phone": clean_phone(c.phone),
            "language": c.language, "created_at": c.created_at, "received_at": received_at,
            "due_at": received_at + timedelta(hours=RESPONSE_HOURS),
        }

    def reply(received_at: datetime) -> dict:
        due = received_at + timedelta(hours=RESPONSE_HOURS)
        return {"complaint_number": c.complaint_number, "received_at": received_at.isoformat(),
                "due_at": due.isoformat()}

    return _store_once(bo, kiosk, key, _body_fingerprint(c), ComplaintRow, check, row, reply)


def _store_survey(bo: BackOffice, kiosk: KioskRef, key: str, sv: SurveyIn) -> Response:
    _from_this_kiosk(kiosk, sv.kiosk_id, sv.village_code, sv.survey_id)
    problem = survey_problem(sv.answers)
    if problem:
        raise ApiError(422, "invalid_answers", "Jawaban survei tidak lengkap atau tidak sah.",
                       f"The survey answers are not valid: {problem}.")
    from forms.catalogue import load_catalogue

    if sv.letter not in bo.catalogue(load_catalogue):
        raise _unknown_letter()

    def row(received_at: datetime) -> dict:
        return {"survey_id": sv.survey_id, "kiosk_id": kiosk.id,
                "village_code": kiosk.village_code, "letter": sv.letter,
                "answered_on": sv.answered_on, **sv.answers}

    def reply(received_at: datetime) -> dict:
        return {"survey_id": sv.survey_id, "received_at": received_at.isoformat()}

    return _store_once(bo, kiosk, key, _body_fingerprint(sv), SurveyResponse,
                       lambda conn: None, row, reply)


# --- identification -----------------------------------------------------------------------


class IdentifyRequest(BaseModel):
    card: str
    pin: str


CARD_RE = re.compile(r"[0-9a-fA-F]{64}")
PIN_RE = re.compile(r"[0-9]{6}")


def _identify(bo: BackOffice, kiosk: KioskRef, card: str, pin: str) -> dict:
    max_attempts = bo.settings.pin_max_attempts
    outcome: dict | ApiError
    with bo.sessions() as s, s.begin():
        found = s.execute(
            select(ResidentRow, Pin)
            .join(CardBinding, CardBinding.resident_id == ResidentRow.id)
            .outerjoin(Pin, Pin.resident_id == ResidentRow.id)
            .where(
                CardBinding.fingerprint == card,
                ResidentRow.village_code == kiosk.village_code,
            )
        ).one_or_none()
        if found is None or found[1] is None:
            verify_pin(bo.hasher, bo.dummy_pin_hash, pin)  # same work as for a known card
            if found is None:
                outcome = ApiError(
                    404,
                    "card_unknown",
                    "Kartu ini belum terdaftar. Silakan daftar di kantor desa.",
                    "This card is not registered yet. Please register at the village office.",
                )
            else:
                outcome = ApiError(
                    403,
                    "pin_not_set",
                    "PIN Anda belum dibuat. Silakan datang ke kantor desa.",
                    "You have no PIN yet. Please visit the village office.",
                )
        else:
            resident, pin_row = found
            if pin_row.locked:
                outcome = pin_locked()
            elif verify_pin(bo.hasher, pin_row.pin_hash, pin):
                if pin_row.failed_attempts:
                    pin_row.failed_attempts = 0
                    pin_row.updated_at = utcnow()
                if bo.hasher.check_needs_rehash(pin_row.pin_hash):
                    pin_row.pin_hash = bo.hasher.hash(pin)
                    pin_row.updated_at = utcnow()
                outcome = {"resident": resident.to_resident().to_dict()}
            else:
                outcome = _count_wrong_pin(s, pin_row.resident_id, max_attempts)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def _count_wrong_pin(s: Session, resident_id: int, max_attempts: int) -> ApiError:
    # An atomic increment in SQL, so that concurrent wrong guesses all count.
    s.execute(
        update(Pin)
        .where(Pin.resident_id == resident_id)
        .values(failed_attempts=Pin.failed_attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    failed = s.scalar(select(Pin.failed_attempts).where(Pin.resident_id == resident_id)) or 0
    if failed >= max_attempts:
        s.execute(
            update(Pin)
            .where(Pin.resident_id == resident_id)
            .values(locked=True)
            .execution_options(synchronize_session=False)
        )
        return pin_locked()
    left = max_attempts - failed
    return ApiError(
        401,
        "wrong_pin",
        f"PIN salah. Sisa kesempatan: {left} kali.",
        f"Wrong PIN. Attempts left: {left}.",
        attempts_left=left,
    )


# --- offline kiosks: registry snapshot, late PIN attempts, heartbeat ----------------------

PIN_EVENTS_MAX = 1000  # per request; a kiosk sends a long offline day in several batches
TOKEN_RE = r"^[a-z0-9][a-z0-9_.+-]{0,39}$"  # printer/reader states: short machine words only


def _snapshot_version(bo: BackOffice, village_code: str, content_hash: str) -> int:
    """The village's snapshot version: +1 whenever a snapshot with new content is served.

    Computed from the content (no write path has to remember to bump it): a staff edit, a
    binding, a PIN failure all change the hash. Concurrent requests race with a compare-and-set.
    """
    for _ in range(5):
        try:
            with bo.sessions() as s, s.begin():
                row = s.get(RegistryVersion, village_code)
                if row is None:
                    s.add(
                        RegistryVersion(
                            village_code=village_code,
                            version=1,
                            content_hash=content_hash,
                            changed_at=utcnow(),
                        )
                    )
                    return 1
                if row.content_hash == content_hash:
                    return row.version
                bumped = s.execute(
                    update(RegistryVersion)
                    .where(
                        RegistryVersion.village_code == village_code,
                        RegistryVersion.version == row.version,
                    )
                    .values(version=row.version + 1, content_hash=content_hash,
                            changed_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                if bumped.rowcount == 1:
                    return row.version + 1
        except IntegrityError:
            pass  # another request inserted the first row: read it again
    raise _internal_error()


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def _registry_snapshot(bo: BackOffice, kiosk: KioskRef, if_none_match: str | None) -> Response:
    with bo.sessions() as s:
        snapshot = registry_snapshot(s, kiosk.village_code, bo.settings.pin_max_attempts)
    digest = snapshot_hash(snapshot)
    # The ETag names the content, so 304 means "exactly what you have"; the full read and hash
    # happen anyway (a village registry is small), but nothing personal crosses the link.
    etag = f'"{digest[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-store"}
    if _etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    version = _snapshot_version(bo, kiosk.village_code, digest)
    body = {
        "version": version,
        "generated_at": utcnow().isoformat(),
        **snapshot,
    }
    return JSONResponse(body, headers=headers)


class PinEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    card: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]
    outcome: Literal["wrong", "right"]
    at: AwareDatetime
    locked: bool = False  # the kiosk locked the card locally with this attempt


class PinEventsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: Annotated[list[PinEventIn], Field(max_length=PIN_EVENTS_MAX)]


def _pin_events(bo: BackOffice, kiosk: KioskRef, body: PinEventsRequest) -> dict:
    attempts = [
        PinAttempt(
            event_id=str(ev.event_id),
            card=ev.card.lower(),
            outcome=ev.outcome,
            at=ev.at.astimezone(UTC),
            kiosk_locked=ev.locked,
        )
        for ev in body.events
    ]
    for _ in range(3):
        try:
            with bo.sessions() as s, s.begin():
                result = merge_pin_events(
                    s, kiosk.village_code, kiosk.id, attempts, bo.settings.pin_max_attempts
                )
            break
        except IntegrityError:
            continue  # the same events stored by a concurrent request: now duplicates
    else:
        raise _busy()
    return {
        "applied": result.applied,
        "duplicates": result.duplicates,
        "pin_max_attempts": bo.settings.pin_max_attempts,
        "cards": result.cards,
    }


def _busy() -> ApiError:
    return ApiError(
        409,
        "busy",
        "Kantor desa sedang sibuk. Silakan coba lagi sebentar lagi.",
        "The village office is busy. Please try again in a moment.",
    )


Word = Annotated[str, Field(pattern=TOKEN_RE)]


class PrinterBeat(BaseModel):
    model_config = ConfigDict(extra="ignore")

    state: Word
    reasons: Annotated[list[Word], Field(max_length=16)] = []


class ReaderBeat(BaseModel):
    model_config = ConfigDict(extra="ignore")

    state: Word


class OfflineBeat(BaseModel):
    model_config = ConfigDict(extra="ignore")

    snapshot_version: Annotated[int, Field(ge=0)] | None = None
    snapshot_age_s: Annotated[float, Field(ge=0)] | None = None
    pin_events_pending: Annotated[int, Field(ge=0)] = 0


class HeartbeatRequest(BaseModel):
    """What a kiosk reports every 30 s. Unknown keys are dropped and every string is a short
    machine word, so nothing personal can be stored through this door."""

    model_config = ConfigDict(extra="ignore")

    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}$")]
    outbox_pending: Annotated[int, Field(ge=0)]
    outbox_set_aside: Annotated[int, Field(ge=0)] = 0
    oldest_age_s: Annotated[float, Field(ge=0)] | None = None
    printer: PrinterBeat
    reader: ReaderBeat
    mode: Literal["online", "mobile"] = "online"
    hours: Literal["open", "closed"] = "open"  # "closed": asleep outside its opening hours
    offline: OfflineBeat | None = None
    # A question, not a state (not stored): "my highest numbers of this day?" (`yymmdd`),
    # asked once after the kiosk starts.
    number_day: Annotated[str, Field(pattern=r"^[0-9]{6}$")] | None = None


_SEQUENCE = re.compile(r"(P?)([0-9]{1,6})")


def _last_numbers(bo: BackOffice, kiosk_id: str, day: str) -> dict[str, int]:
    """The highest application and complaint numbers of `day` the kiosk has delivered: a
    reinstalled kiosk numbers on above them instead of handing them out again."""
    prefix = f"{kiosk_id}-{day}-"
    last = {"application": 0, "complaint": 0}
    with bo.sessions() as s:
        numbers = [*s.scalars(select(ApplicationRow.application_number).where(
            ApplicationRow.kiosk_id == kiosk_id,
            ApplicationRow.application_number.startswith(prefix, autoescape=True))),
                   *s.scalars(select(ComplaintRow.complaint_number).where(
            ComplaintRow.kiosk_id == kiosk_id,
            ComplaintRow.complaint_number.startswith(prefix, autoescape=True)))]
    for number in numbers:
        m = _SEQUENCE.fullmatch(number.removeprefix(prefix))
        if m:
            kind = "complaint" if m.group(1) else "application"
            last[kind] = max(last[kind], int(m.group(2)))
    return last


def _heartbeat(bo: BackOffice, kiosk: KioskRef, beat: HeartbeatRequest) -> dict:
    status_json = json.dumps(beat.model_dump(mode="json", exclude={"number_day"}),
                             sort_keys=True)
    now = utcnow()
    for _ in range(3):
        try:
            with bo.sessions() as s, s.begin():
                row = s.get(KioskHeartbeat, kiosk.id)
                if row is None:
                    s.add(KioskHeartbeat(kiosk_id=kiosk.id, last_heartbeat_at=now,
                                         status_json=status_json))
                else:
                    row.last_heartbeat_at = now
                    row.status_json = status_json
            break
        except IntegrityError:
            continue
    else:
        raise _busy()
    answer: dict = {"received_at": now.isoformat()}
    if beat.number_day is not None:
        answer["number_day"] = beat.number_day
        answer["last_numbers"] = _last_numbers(bo, kiosk.id, beat.number_day)
    return answer


# --- the application ----------------------------------------------------------------------


def create_app(
    settings: Settings, *, engine: Engine | None = None, hasher: PasswordHasher | None = None
) -> FastAPI:
    """Build the API. Creates missing tables and upserts the configured villages and kiosks."""
    engine = engine or make_engine(settings.database_url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as s, s.begin():
        apply_settings(s, settings)
    hasher = hasher or make_hasher(settings)
    bo = BackOffice(
        settings=settings,
        engine=engine,
        sessions=sessions,
        hasher=hasher,
        dummy_pin_hash=hasher.hash("000000"),
    )

    app = FastAPI(
        title="Smart Kampung back office",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{API}/openapi.json",
    )
    app.state.backoffice = bo
    # The kiosk API's bearer scheme, multipart upload and Idempotency-Key in the OpenAPI.
    from backoffice.openapi import install as install_openapi

    install_openapi(app)
    _load_catalogue_early(bo)
    _install_error_handlers(app)

    # --- staff web pages (backoffice/web): mounted under /staff/; "/" leads there ----------
    from backoffice.web.site import install as install_staff_pages

    app.state.staff_web = install_staff_pages(app, bo)

    @app.get("/", include_in_schema=False)
    def office_home() -> RedirectResponse:
        return RedirectResponse("/staff/", status_code=303)

    # --- the kiosk API ------------------------------------------------------------------------

    @app.get(f"{API}/health")
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    @app.post(f"{API}/identify")
    def identify(body: IdentifyRequest, kiosk: AuthKiosk) -> dict:
        if not CARD_RE.fullmatch(body.card) or not PIN_RE.fullmatch(body.pin):
            raise bad_request()
        return _identify(bo, kiosk, body.card.lower(), body.pin)

    @app.post(f"{API}/status")
    def resident_status(body: IdentifyRequest, kiosk: AuthKiosk) -> dict:
        """The villager's own applications (card + PIN, the same checks and lock as identify)."""
        if not CARD_RE.fullmatch(body.card) or not PIN_RE.fullmatch(body.pin):
            raise bad_request()
        nik = _identify(bo, kiosk, body.card.lower(), body.pin)["resident"]["nik"]
        with bo.sessions() as s:
            return {"applications": resident_applications(s, kiosk.village_code, nik)}

    @app.get("/v/{token}", response_class=HTMLResponse, include_in_schema=False)
    def verify_letter(token: str) -> HTMLResponse:
        return _verification_page(bo, token)

    @app.get(f"{API}/registry/snapshot")
    def snapshot(request: Request, kiosk: AuthKiosk) -> Response:
        return _registry_snapshot(bo, kiosk, request.headers.get("if-none-match"))

    @app.post(f"{API}/registry/pin-events")
    def pin_events(body: PinEventsRequest, kiosk: AuthKiosk) -> dict:
        return _pin_events(bo, kiosk, body)

    @app.post(f"{API}/heartbeat")
    def heartbeat(body: HeartbeatRequest, kiosk: AuthKiosk) -> dict:
        return _heartbeat(bo, kiosk, body)

    @app.post(f"{API}/applications", status_code=201)
    async def submit_application(request: Request, kiosk: AuthKiosk) -> Response:
        key = parse_idempotency_key(request.headers.get("idempotency-key"))
        limit = bo.settings.max_body_bytes
        form = await _read_form(request, limit)
        try:
            application_bytes = await _part_bytes(form.get("application"))
            pdf_part = form.get("pdf")
            pdf = await _part_bytes(pdf_part) if isinstance(pdf_part, UploadFile) else None
        finally:
            await form.close()
        if application_bytes is None or pdf is None:
            raise bad_request()
        sub = Submission(kiosk=kiosk, key=key, application_bytes=application_bytes, pdf=pdf)
        checked = await bo.read(_check_submission, bo, sub)
        if isinstance(checked, Response):
            return checked
        return await bo.group_commit.store(checked)

    @app.post(f"{API}/complaints", status_code=201)
    def submit_complaint(body: ComplaintIn, kiosk: AuthKiosk,
                         idempotency_key: Annotated[str | None, Header()] = None) -> Response:
        """A villager's complaint (forms.feedback.Complaint), answered within 4 hours."""
        return _store_complaint(bo, kiosk, parse_idempotency_key(idempotency_key), body)

    @app.post(f"{API}/surveys", status_code=201)
    def submit_survey(body: SurveyIn, kiosk: AuthKiosk,
                      idempotency_key: Annotated[str | None, Header()] = None) -> Response:
        """One anonymous SKM survey (forms.feedback.SurveyAnswers)."""
        return _store_survey(bo, kiosk, parse_idempotency_key(idempotency_key), body)

    @app.get(f"{API}/applications/{{application_number}}")
    def application_status(application_number: str, kiosk: AuthKiosk) -> dict:
        with bo.sessions() as s:
            row = s.scalars(
                select(ApplicationRow).where(
                    ApplicationRow.application_number == application_number,
                    ApplicationRow.village_code == kiosk.village_code,
                )
            ).one_or_none()
            if row is None:
                raise ApiError(
                    404,
                    "application_not_found",
                    "Permohonan dengan nomor ini tidak ditemukan.",
                    "No application with this number was found.",
                )
            return {
                "application_number": row.application_number,
                "letter": row.letter,
                "kiosk_id": row.kiosk_id,
                "status": row.status,
                "received_at": row.received_at.isoformat(),
            }

    return app


# --- public verification page of an issued letter -----------------------------------------

_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;
line-height:1.5}} .ok{{color:#0a6b2d}} .bad{{color:#a40000}} th{{text-align:left;
padding-right:1em;vertical-align:top}} .en{{color:#555;font-size:.9em}}</style>
</head><body>
{body}
</body></html>
"""


def _unverifiable(status: int) -> HTMLResponse:
    body = (
        '<h1 class="bad">Surat tidak dapat diverifikasi</h1>'
        '<p class="en">This letter cannot be verified</p>'
        "<p>Kode QR ini tidak dikeluarkan oleh kantor desa, telah diubah, atau suratnya tidak "
        "ada dalam arsip desa. Jangan menerima surat ini sebelum memeriksanya ke kantor desa."
        '</p><p class="en">This QR code was not issued by the village office, was altered, or '
        "the letter is not in the village's records. Do not accept this letter before checking "
        "with the village office.</p>"
    )
    return HTMLResponse(
        _PAGE.format(title="Surat tidak dapat diverifikasi", body=body),
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _token_village(token: str) -> str | None:
    """The village code a token claims (unverified: it only picks the key to check with)."""
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        n = raw[1]
        return raw[2 : 2 + n].decode("utf-8")
    except (binascii.Error, ValueError, IndexError, UnicodeDecodeError):
        return None


def _verification_page(bo: BackOffice, token: str) -> HTMLResponse:
    from html import escape

    from forms.nik import mask_nik
    from forms.verification import InvalidToken, verify_token

    if len(token) > 1024:
        return _unverifiable(400)
    village_code = _token_village(token)
    with bo.sessions() as s:
        village = s.get(Village, village_code) if village_code else None
        if village is None:
            return _unverifiable(400)
        try:
            verified = verify_token(token, letter_signing_key(village.card_key_bytes))
        except InvalidToken:
            return _unverifiable(400)
        found = s.execute(
            select(IssuedLetterRow, ApplicationRow)
            .join(ApplicationRow, ApplicationRow.id == IssuedLetterRow.application_id)
            .where(IssuedLetterRow.token == token)
        ).one_or_none()
        if found is None:
            return _unverifiable(404)
        issued, application = found
        if (
            verified.village_code != issued.village_code
            or verified.letter_number != issued.number
            or verified.issued != issued.issued
            or verified.letter_id != issued.letter
        ):
            return _unverifiable(400)
        resident = find_resident(s, issued.village_code, application.resident_nik)
        name = resident.name if resident is not None else "-"
        signer = json.loads(issued.signer_json)
        profile = village.profile
    try:
        from forms.catalogue import load_catalogue

        letter = bo.catalogue(load_catalogue).get(issued.letter)
        title = f"{escape(letter.title.id)} <span class=en>({escape(letter.title.en)})</span>"
    except (ModuleNotFoundError, KeyError):
        title = escape(issued.letter)
    label = status_label(application.status)
    signer_line = escape(signer.get("name", ""))
    if signer.get("title"):
        signer_line += f", {escape(signer['title'])}"
    if signer.get("on_behalf"):
        principal = escape(signer.get("principal_title", ""))
        signer_line += f" ({escape(signer['on_behalf'])} {principal})"
    rows = [
        ("Nomor surat", "Letter number", escape(issued.number)),
        ("Tanggal", "Date", escape(issued.issued.strftime("%d-%m-%Y"))),
        ("Jenis surat", "Letter type", title),
        ("Pemohon", "Applicant",
         f"{escape(name)} (NIK {escape(mask_nik(application.resident_nik))})"),
        ("Penanda tangan", "Signed by", signer_line),
        ("Status", "Status",
         f"{escape(label['id'])} <span class=en>({escape(label['en'])})</span>"),
    ]
    table = "".join(
        f"<tr><th>{i}<br><span class=en>{e}</span></th><td>{v}</td></tr>" for i, e, v in rows
    )
    body = (
        '<h1 class="ok">Surat ini sah</h1><p class="en">This letter is genuine</p>'
        f"<p>Diterbitkan oleh {escape(profile.kind)} {escape(profile.name)}, "
        f"{escape(profile.regency)}.</p><table>{table}</table>"
    )
    return HTMLResponse(
        _PAGE.format(title=f"Verifikasi surat {escape(issued.number)}", body=body),
        headers={"Cache-Control": "no-store"},
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return bad_request().response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            err = ApiError(
                404, "not_found", "Alamat ini tidak ada.", "There is nothing at this address."
            )
        elif exc.status_code == 405:
            err = ApiError(
                405,
                "method_not_allowed",
                "Cara permintaan ini tidak didukung.",
                "This request method is not supported here.",
            )
        elif 400 <= exc.status_code < 500:
            err = bad_request()
            err.status = exc.status_code
        else:
            err = _internal_error()
        return JSONResponse(err.body(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal_error().response()


def _internal_error() -> ApiError:
    return ApiError(
        500,
        "internal_error",
        "Terjadi gangguan di kantor desa. Silakan coba lagi nanti.",
        "Something went wrong at the village office. Please try again later.",
    )
