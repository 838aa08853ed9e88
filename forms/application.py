"""The application payload: what the kiosk sends and the back office stores.

One JSON document (plus the PDF of the application copy). `schema` lets later versions of
either side read older payloads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from forms.identity import Resident

SCHEMA_VERSION = 1
REFERENCE_PREFIX = "SKAPP1"


def application_reference(village_code: str, application_number: str) -> str:
    """What the QR codes on the application copy and the receipt carry."""
    return f"{REFERENCE_PREFIX}:{village_code}:{application_number}"


@dataclass(frozen=True)
class Application:
    application_number: str  # printed on the receipt, e.g. "KMR01-261125-0007"
    letter: str  # letter type id in the catalogue, e.g. "domisili"
    village_code: str
    kiosk_id: str
    created_at: datetime  # timezone-aware
    resident: Resident
    values: dict[str, str] = field(default_factory=dict)  # fields the villager filled
    language: str = "id"

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "application_number": self.application_number,
            "letter": self.letter,
            "village_code": self.village_code,
            "kiosk_id": self.kiosk_id,
            "created_at": self.created_at.isoformat(),
            "resident": self.resident.to_dict(),
            "values": dict(self.values),
            "language": self.language,
        }

    def to_json(self) -> str:
        # Sorted keys: the same application always serialises to the same bytes, which the
        # back office relies on to tell a retry from a different payload under one key.
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> Application:
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported application schema {data.get('schema')!r}")
        created = datetime.fromisoformat(data["created_at"])
        if created.tzinfo is None:
            raise ValueError("created_at must carry a timezone")
        values = data.get("values") or {}
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise ValueError("values must map field names to strings")
        return cls(
            application_number=str(data["application_number"]),
            letter=str(data["letter"]),
            village_code=str(data["village_code"]),
            kiosk_id=str(data["kiosk_id"]),
            created_at=created,
            resident=Resident.from_dict(data["resident"]),
            values=values,
            language=str(data.get("language", "id")),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Application:
        return cls.from_dict(json.loads(text))
