"""The kiosk's HTTP client for the village back office.

Every outcome is classified here, once, into what the kiosk does next; callers never look at
status codes. Nothing personal goes into log lines.
"""

from __future__ import annotations

import logging
import re
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path

import httpx

from forms.identity import Resident
from forms.status import DIKEMBALIKAN, SIAP_DIAMBIL

log = logging.getLogger(__name__)


class IdentifyResult(StrEnum):
    OK = "ok"
    WRONG_PIN = "wrong_pin"
    LOCKED = "pin_locked"
    UNKNOWN_CARD = "card_unknown"
    UNREACHABLE = "office_unreachable"
    REFUSED = "office_refused"


@dataclass(frozen=True)
class IdentifyOutcome:
    result: IdentifyResult
    resident: Resident | None = None
    attempts_left: int | None = None


# The back office's status words (backoffice/lifecycle.py) the kiosk treats specially.
STATUS_READY = SIAP_DIAMBIL
STATUS_RETURNED = DIKEMBALIKAN


@dataclass(frozen=True)
class RequestStatus:
    """One of the villager's applications as the back office sees it now."""

    application_number: str
    letter: str  # a letter id of forms/letters
    status: str  # the back office's status word, e.g. STATUS_READY
    label_id: str  # the status in the villager's words, as the back office names it
    label_en: str
    message: str  # the clerk's message (sent back, cancelled); shown verbatim, never logged
    received_at: datetime
    updated_at: datetime

    @property
    def ready(self) -> bool:
        return self.status == STATUS_READY

    @property
    def returned(self) -> bool:
        return self.status == STATUS_RETURNED

    def label(self, language: str = "id") -> str:
        return self.label_en if language == "en" else self.label_id

    @classmethod
    def from_dict(cls, d: dict) -> RequestStatus:
        label = d.get("status_label") or {}
        status = str(d["status"])
        received = _aware(d["received_at"])
        return cls(
            application_number=str(d["application_number"]),
            letter=str(d["letter"]),
            status=status,
            label_id=str(label.get("id") or status),
            label_en=str(label.get("en") or label.get("id") or status),
            message=str(d.get("message") or ""),
            received_at=received,
            updated_at=_aware(d["updated_at"]) if d.get("updated_at") else received,
        )


@dataclass(frozen=True)
class StatusOutcome:
    """The villager's applications, newest first, or why not (the same refusals as identify:
    the back office checks the card and the PIN again, with the same attempt counter)."""

    result: IdentifyResult
    requests: tuple[RequestStatus, ...] = ()
    attempts_left: int | None = None


def _aware(value) -> datetime:
    when = datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise ValueError("a time without its zone")
    return when


class SubmitResult(StrEnum):
    DELIVERED = "delivered"  # stored by the back office (first time or a replay)
    RETRY = "retry"  # not stored yet for a reason that time can fix
    SET_ASIDE = "set_aside"  # refused for good: a person must look at it


@dataclass(frozen=True)
class SubmitOutcome:
    result: SubmitResult
    detail: str  # status code or error class, for the outbox and the heartbeat; never personal
    retry_after_s: float | None = None  # the back office's Retry-After (429/503), in seconds


_ERROR_CODE_RE = re.compile(r"[a-z0-9_]{1,40}")


def tls_context(ca_file: str | Path | None = None) -> ssl.SSLContext:
    """How every kiosk client checks the back office's certificate; verification is never off.

    With `ca_file` (the district's own CA, PEM), only certificates it signed are trusted;
    without, the system trust store (a public certificate). Host names are always checked.
    """
    if ca_file is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=str(ca_file))


def backoffice_http(
    base_url: str, token: str, timeout_s: float, ca_file: str | Path | None = None
) -> httpx.Client:
    """An HTTP client for the back office: this kiosk's token, its CA, short connect timeout.
    Every kiosk part that talks to the back office uses one of these."""
    return httpx.Client(
        base_url=base_url,
        verify=tls_context(ca_file),
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
        # One kept-alive connection serves a whole outbox drain: a TCP + TLS handshake per
        # application would cost more than the back office's own work.
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
    )


class BackofficeClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_s: float = 10.0,
        ca_file: str | Path | None = None,
    ):
        self._http = backoffice_http(base_url, token, timeout_s, ca_file)

    def close(self) -> None:
        self._http.close()

    def identify(self, card_fingerprint: str, pin: str) -> IdentifyOutcome:
        try:
            r = self._http.post("/api/v1/identify", json={"card": card_fingerprint, "pin": pin})
        except httpx.HTTPError as e:
            log.warning("identify: back office unreachable (%s)", type(e).__name__)
            return IdentifyOutcome(IdentifyResult.UNREACHABLE)
        body = _json(r)
        if r.status_code == 200:
            try:
                return IdentifyOutcome(IdentifyResult.OK, Resident.from_dict(body["resident"]))
            except (KeyError, TypeError, ValueError):
                log.error("identify: back office sent a resident record the kiosk cannot read")
                return IdentifyOutcome(IdentifyResult.REFUSED)
        result, left = _refusal("identify", r, body)
        return IdentifyOutcome(result, attempts_left=left)

    def status(self, card_fingerprint: str, pin: str) -> StatusOutcome:
        """The villager's own applications and their status (card + PIN, checked again)."""
        try:
            r = self._http.post("/api/v1/status", json={"card": card_fingerprint, "pin": pin})
        except httpx.HTTPError as e:
            log.warning("status: back office unreachable (%s)", type(e).__name__)
            return StatusOutcome(IdentifyResult.UNREACHABLE)
        body = _json(r)
        if r.status_code == 200:
            try:
                requests = tuple(RequestStatus.from_dict(a) for a in body["applications"])
            except (KeyError, TypeError, ValueError, AttributeError):
                log.error("status: back office sent a list the kiosk cannot read")
                return StatusOutcome(IdentifyResult.REFUSED)
            return StatusOutcome(IdentifyResult.OK, requests)
        result, left = _refusal("status", r, body)
        return StatusOutcome(result, attempts_left=left)

    def submit(
        self,
        idempotency_key: str,
        application_json: str,
        pdf: bytes,
        application_number: str | None = None,
    ) -> SubmitOutcome:
        """POST one application; DELIVERED only when the back office confirms it stored it.

        With `application_number`, a 2xx whose body does not name that number (a captive
        portal, a misrouted proxy) is not taken as delivered.
        """
        try:
            r = self._http.post(
                "/api/v1/applications",
                headers={"Idempotency-Key": f'"{idempotency_key}"'},
                files={
                    "application": (None, application_json.encode(), "application/json"),
                    "pdf": ("application.pdf", pdf, "application/pdf"),
                },
            )
        except httpx.HTTPError as e:
            return SubmitOutcome(SubmitResult.RETRY, type(e).__name__)
        return _submit_outcome(r, "application_number", application_number)

    def submit_feedback(self, kind: str, idempotency_key: str, payload_json: str,
                        number: str) -> SubmitOutcome:
        """POST one complaint or survey (forms.feedback) as JSON; classified like `submit`."""
        path, number_field = FEEDBACK_ENDPOINTS[kind]
        try:
            r = self._http.post(
                path, content=payload_json.encode(),
                headers={"Idempotency-Key": f'"{idempotency_key}"',
                         "Content-Type": "application/json"},
            )
        except httpx.HTTPError as e:
            return SubmitOutcome(SubmitResult.RETRY, type(e).__name__)
        return _submit_outcome(r, number_field, number)


# Where each outbox kind besides applications goes, and the reply's field naming the item.
FEEDBACK_ENDPOINTS = {
    "complaint": ("/api/v1/complaints", "complaint_number"),
    "survey": ("/api/v1/surveys", "survey_id"),
}


def _submit_outcome(r: httpx.Response, number_field: str, number: str | None) -> SubmitOutcome:
    """What the back office's answer to a submission means for the outbox.

    With `number`, a 2xx whose body does not name that number (a captive portal, a misrouted
    proxy) is not taken as delivered."""
    detail = str(r.status_code)
    if 200 <= r.status_code < 300:
        body = _json(r)
        if number is not None and (
            not isinstance(body, dict) or body.get(number_field) != number
        ):
            return SubmitOutcome(SubmitResult.RETRY, f"{detail} unconfirmed")
        return SubmitOutcome(SubmitResult.DELIVERED, detail)
    if r.status_code in (429, 503):
        return SubmitOutcome(SubmitResult.RETRY, detail, _retry_after(r))
    if r.status_code in (408, 409, 425) or r.status_code >= 500:
        return SubmitOutcome(SubmitResult.RETRY, detail)
    if r.status_code == 401:
        # A kiosk token being rotated is fixed by staff, then sending resumes; the
        # item itself is fine, so it must not be set aside.
        return SubmitOutcome(SubmitResult.RETRY, detail)
    body = _json(r)
    error = body.get("error", "") if isinstance(body, dict) else ""
    # Only a short code goes into the outbox and the heartbeat, never free text.
    error = error if isinstance(error, str) and _ERROR_CODE_RE.fullmatch(error) else ""
    return SubmitOutcome(SubmitResult.SET_ASIDE, f"{detail} {error}".strip())


def _refusal(what: str, r: httpx.Response, body) -> tuple[IdentifyResult, int | None]:
    """Why the back office did not accept a card + PIN (identify and status alike)."""
    error = body.get("error") if isinstance(body, dict) else None
    if r.status_code == 401 and error == "wrong_pin":
        return IdentifyResult.WRONG_PIN, body.get("attempts_left")
    if r.status_code == 423:
        return IdentifyResult.LOCKED, None
    if r.status_code == 404 and error == "card_unknown":
        return IdentifyResult.UNKNOWN_CARD, None
    if r.status_code >= 500:
        log.warning("%s: back office answered %s", what, r.status_code)
        return IdentifyResult.UNREACHABLE, None
    code = error if isinstance(error, str) and _ERROR_CODE_RE.fullmatch(error) else ""
    log.warning("%s: back office refused with %s %s", what, r.status_code, code)
    return IdentifyResult.REFUSED, None


def _retry_after(r: httpx.Response) -> float | None:
    """`Retry-After` as seconds from now (delta-seconds or an HTTP-date, RFC 9110 10.2.3)."""
    value = r.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _json(r: httpx.Response):
    try:
        return r.json()
    except ValueError:
        return {}
