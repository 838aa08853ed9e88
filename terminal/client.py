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
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path

import httpx

from forms.identity import Resident

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
        error = body.get("error") if isinstance(body, dict) else None
        if r.status_code == 401 and error == "wrong_pin":
            left = body.get("attempts_left")
            return IdentifyOutcome(IdentifyResult.WRONG_PIN, attempts_left=left)
        if r.status_code == 423:
            return IdentifyOutcome(IdentifyResult.LOCKED)
        if r.status_code == 404 and error == "card_unknown":
            return IdentifyOutcome(IdentifyResult.UNKNOWN_CARD)
        if r.status_code >= 500:
            log.warning("identify: back office answered %s", r.status_code)
            return IdentifyOutcome(IdentifyResult.UNREACHABLE)
        log.warning("identify: back office refused with %s %s", r.status_code, error)
        return IdentifyOutcome(IdentifyResult.REFUSED)

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
        detail = str(r.status_code)
        if 200 <= r.status_code < 300:
            body = _json(r)
            if application_number is not None and (
                not isinstance(body, dict) or body.get("application_number") != application_number
            ):
                return SubmitOutcome(SubmitResult.RETRY, f"{detail} unconfirmed")
            return SubmitOutcome(SubmitResult.DELIVERED, detail)
        if r.status_code in (429, 503):
            return SubmitOutcome(SubmitResult.RETRY, detail, _retry_after(r))
        if r.status_code in (408, 409, 425) or r.status_code >= 500:
            return SubmitOutcome(SubmitResult.RETRY, detail)
        if r.status_code == 401:
            # A kiosk token being rotated is fixed by staff, then sending resumes; the
            # application itself is fine, so it must not be set aside.
            return SubmitOutcome(SubmitResult.RETRY, detail)
        body = _json(r)
        error = body.get("error", "") if isinstance(body, dict) else ""
        # Only a short code goes into the outbox and the heartbeat, never free text.
        error = error if isinstance(error, str) and _ERROR_CODE_RE.fullmatch(error) else ""
        return SubmitOutcome(SubmitResult.SET_ASIDE, f"{detail} {error}".strip())


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
