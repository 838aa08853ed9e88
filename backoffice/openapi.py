"""The kiosk API's OpenAPI description: what FastAPI derives, plus what it cannot see.

The kiosk token is checked by a plain dependency and the application upload is read by hand
(size limit before parsing), so FastAPI's generated document lacks the bearer scheme, the
multipart body, the Idempotency-Key header and the refusals. `install(app)` fills them in.
"""

from __future__ import annotations

import copy
from typing import Any

API = "/api/v1"
PUBLIC = {f"{API}/health", f"{API}/openapi.json"}

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "short machine code, e.g. too_large"},
        "message": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "en": {"type": "string"}},
        },
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
    }


REFUSALS = {
    "401": _error("No valid kiosk token (Authorization: Bearer <token>)"),
    "422": _error("The request could not be read"),
}

APPLICATION_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["application", "pdf"],
                "properties": {
                    "application": {
                        "type": "string",
                        "description": "the application as JSON (forms.application.Application)",
                    },
                    "pdf": {
                        "type": "string",
                        "format": "binary",
                        "description": "the rendered application (a PDF)",
                    },
                },
            },
            "encoding": {
                "application": {"contentType": "application/json"},
                "pdf": {"contentType": "application/pdf"},
            },
        }
    },
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": 'RFC 8941 sf-string holding a UUID, e.g. "6f1c…"; the same key replays '
    "the first answer, a different request under it is refused",
    "schema": {"type": "string"},
}


def kiosk_openapi(generated: dict[str, Any]) -> dict[str, Any]:
    """`generated` (FastAPI's document) completed with security, bodies and refusals."""
    doc = copy.deepcopy(generated)
    components = doc.setdefault("components", {})
    components.setdefault("securitySchemes", {})["kioskToken"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "each kiosk's own token, from the back office's settings",
    }
    components.setdefault("schemas", {})["ApiError"] = ERROR
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or path in PUBLIC:
                continue
            op["security"] = [{"kioskToken": []}]
            responses = op.setdefault("responses", {})
            for code, response in REFUSALS.items():
                responses.setdefault(code, response)
            if (method, path) == ("post", f"{API}/applications"):
                op["requestBody"] = APPLICATION_BODY
                op["parameters"] = [*op.get("parameters", []), IDEMPOTENCY_KEY]
                responses.setdefault("200", {"description": "A replay: already stored"})
                responses["409"] = _error("The same key is still being processed")
                responses["413"] = _error("The upload is larger than max_body_bytes")
                responses["429"] = _error("Too many requests; see Retry-After")
            if (method, path) == ("get", f"{API}/registry/snapshot"):
                op["parameters"] = [
                    *op.get("parameters", []),
                    {"name": "If-None-Match", "in": "header", "required": False,
                     "schema": {"type": "string"}},
                ]
                responses.setdefault("304", {"description": "The kiosk's snapshot is current"})
    return doc


def install(app) -> None:
    """Serve `kiosk_openapi` at the app's openapi_url (built once, like FastAPI does).

    Idempotent: `create_app` and `python -m backoffice` may both call it."""
    if getattr(app.openapi, "kiosk_openapi", False):
        return
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if not getattr(app, "_kiosk_openapi", None):
            app._kiosk_openapi = kiosk_openapi(generate())
        return app._kiosk_openapi

    openapi.kiosk_openapi = True
    app.openapi = openapi
