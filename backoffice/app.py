"""The back office's HTTP API (v1), spoken by the kiosks.

Every error is JSON shaped `{"error": code, "message": {"id": ..., "en": ...}}` (plus extra
keys for some codes). Nothing personal goes into URLs or logs: residents are found by card
fingerprint and NIK in request bodies only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Annotated, Any, Literal

from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import Engine, delete, select, update
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
    ApplicationRow,
    CardBinding,
    IdempotencyRecord,
    IssuedLetterRow,
    Kiosk,
    KioskHeartbeat,
    Pin,
    RegistryVersion,
    ResidentRow,
    Village,
    apply_settings,
    find_resident,
    make_engine,
    make_sessionmaker,
    migrate,
    utcnow,
)
from backoffice.issuing import letter_signing_key
from backoffice.lifecycle import record_event, resident_applications, status_label
from backoffice.registry import (
    PinAttempt,
    merge_pin_events,
    registry_snapshot,
    snapshot_hash,
)
from backoffice.security import make_hasher, token_hash, tokens_match, verify_pin
from backoffice.settings import Settings
from forms.application import Application

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
    # Serialises a submission's writes on SQLite (see _process_submission); a no-op elsewhere.
    write_lock: Any = field(default_factory=contextlib.nullcontext)

    def catalogue(self, load: Callable[[], Any]) -> Any:
        with self._catalogue_lock:
            if self._catalogue is None:
                self._catalogue = load()
            return self._catalogue


def _backoffice(request: Request) -> BackOffice:
    return request.app.state.backoffice


def authenticate(request: Request) -> KioskRef:
    bo = _backoffice(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise kiosk_unauthorized()
    digest = token_hash(token)
    with bo.sessions() as s:
        kiosk = s.scalars(select(Kiosk).where(Kiosk.token_hash == digest)).one_or_none()
        # The lookup is by hash (an index on a secret's SHA-256 leaks nothing useful); the
        # constant-time comparison below is the actual check.
        if kiosk is None or not kiosk.active or not tokens_match(kiosk.token_hash, token):
            raise kiosk_unauthorized()
        return KioskRef(id=kiosk.id, village_code=kiosk.village_code)


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


def _replay_or_conflict(record: IdempotencyRecord, fingerprint: str, stale_after: int) -> Any:
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


def _validate(bo: BackOffice, s: Session, sub: Submission, app: Application) -> None:
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
    if find_resident(s, kiosk.village_code, app.resident.nik) is None:
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
    taken = s.scalar(
        select(ApplicationRow.id).where(ApplicationRow.application_number == app.application_number)
    )
    if taken is not None:
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


def _process_submission(bo: BackOffice, sub: Submission) -> Response:
    try:
        text = sub.application_bytes.decode("utf-8")
        app = Application.from_json(text)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise bad_request() from None
    fingerprint = sub.fingerprint
    stale = bo.settings.idempotency_stale_seconds
    kiosk_id = sub.kiosk.id

    def lookup(s: Session) -> IdempotencyRecord | None:
        return s.scalars(
            select(IdempotencyRecord).where(
                IdempotencyRecord.kiosk_id == kiosk_id, IdempotencyRecord.key == sub.key
            )
        ).one_or_none()

    # 1. A retry? Replay, refuse, or take over an abandoned attempt.
    with bo.sessions() as s:
        record = lookup(s)
        if record is not None:
            verdict = _replay_or_conflict(record, fingerprint, stale)
            if isinstance(verdict, Response):
                return verdict
    def replay_if_stored_meanwhile() -> Response | None:
        # The same request under the same key may have been stored by another worker between
        # step 1 and now (a retry overtaking its lost original): that is a replay, not a
        # number taken by a different application.
        with bo.sessions() as s:
            record = lookup(s)
        if record is not None and record.state == IDEMPOTENCY_COMPLETED:
            verdict = _replay_or_conflict(record, fingerprint, stale)
            if isinstance(verdict, Response):
                return verdict
        return None

    # 2. Validate (nothing is written for a rejected request).
    with bo.sessions() as s:
        try:
            _validate(bo, s, sub, app)
        except ApiError as e:
            if e.code == "application_number_taken" and (late := replay_if_stored_meanwhile()):
                return late
            raise
    # 3 + 4 write. On SQLite, one submission writes at a time in this process: SQLite has a
    # single writer anyway, and its busy handler would otherwise make waiting requests sleep.
    with bo.write_lock:
        # 3. Claim the key: an in-flight record other workers can see.
        with bo.sessions() as s:
            try:
                with s.begin():
                    record = lookup(s)
                    now = utcnow()
                    if record is None:
                        s.add(
                            IdempotencyRecord(
                                kiosk_id=kiosk_id,
                                key=sub.key,
                                fingerprint=fingerprint,
                                state=IDEMPOTENCY_IN_FLIGHT,
                                created_at=now,
                                updated_at=now,
                            )
                        )
                    else:
                        verdict = _replay_or_conflict(record, fingerprint, stale)
                        if isinstance(verdict, Response):
                            return verdict
                        claimed = s.execute(
                            update(IdempotencyRecord)
                            .where(
                                IdempotencyRecord.id == record.id,
                                IdempotencyRecord.state == IDEMPOTENCY_IN_FLIGHT,
                                IdempotencyRecord.updated_at == record.updated_at,
                            )
                            .values(updated_at=now)
                            .execution_options(synchronize_session=False)
                        )
                        if claimed.rowcount != 1:
                            raise _in_flight_race()
            except IntegrityError:
                # Another worker claimed the same key between our lookup and insert.
                with bo.sessions() as s2:
                    record = lookup(s2)
                    if record is None:
                        raise _in_flight_race() from None
                    verdict = _replay_or_conflict(record, fingerprint, stale)
                    if isinstance(verdict, Response):
                        return verdict
                    raise _in_flight_race() from None
        # 4. Store the application and complete the record in one transaction.
        try:
            received_at = utcnow()
            body = json.dumps(
                {
                    "application_number": app.application_number,
                    "status": STATUS_RECEIVED,
                    "received_at": received_at.isoformat(),
                },
                ensure_ascii=False,
            )
            with bo.sessions() as s, s.begin():
                stored = ApplicationRow(
                        application_number=app.application_number,
                        letter=app.letter,
                        village_code=sub.kiosk.village_code,
                        kiosk_id=kiosk_id,
                        resident_nik=app.resident.nik,
                        payload_json=text,
                        pdf=sub.pdf,
                        status=STATUS_RECEIVED,
                        received_at=received_at,
                    )
                s.add(stored)
                s.flush()
                record_event(s, stored, None, STATUS_RECEIVED, f"kiosk {kiosk_id}", "kiosk")
                done = s.execute(
                    update(IdempotencyRecord)
                    .where(
                        IdempotencyRecord.kiosk_id == kiosk_id,
                        IdempotencyRecord.key == sub.key,
                        IdempotencyRecord.state == IDEMPOTENCY_IN_FLIGHT,
                    )
                    .values(
                        state=IDEMPOTENCY_COMPLETED,
                        response_status=201,
                        response_body=body,
                        updated_at=received_at,
                    )
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount != 1:
                    raise _in_flight_race()
        except IntegrityError:
            _release_claim(bo, kiosk_id, sub.key)
            if late := replay_if_stored_meanwhile():
                return late
            raise _number_taken() from None
        except BaseException:
            _release_claim(bo, kiosk_id, sub.key)
            raise
    return Response(content=body, status_code=201, media_type="application/json")


def _in_flight_race() -> ApiError:
    return ApiError(
        409,
        "in_flight",
        "Permohonan ini masih sedang diproses. Silakan tunggu sebentar lalu coba lagi.",
        "This application is still being processed. Please wait a moment and try again.",
    )


def _release_claim(bo: BackOffice, kiosk_id: str, key: str) -> None:
    with bo.sessions() as s, s.begin():
        s.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.kiosk_id == kiosk_id,
                IdempotencyRecord.key == key,
                IdempotencyRecord.state == IDEMPOTENCY_IN_FLIGHT,
            )
        )


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
    offline: OfflineBeat | None = None


def _heartbeat(bo: BackOffice, kiosk: KioskRef, beat: HeartbeatRequest) -> dict:
    status_json = json.dumps(beat.model_dump(mode="json"), sort_keys=True)
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
    return {"received_at": now.isoformat()}


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
    if engine.dialect.name == "sqlite":
        bo.write_lock = threading.Lock()

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
        return await run_in_threadpool(_process_submission, bo, sub)

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
