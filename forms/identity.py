"""Who a resident is, in the words of the KTP and the family card (KK).

The kiosk receives a `Resident` from the back office's `identify`; the back office keeps the
registry. Both sides derive the card fingerprint the same way, so a card UID never travels
or rests in the clear.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass, fields
from datetime import date

SEXES = {"L": ("Laki-laki", "Male"), "P": ("Perempuan", "Female")}


@dataclass(frozen=True)
class Resident:
    nik: str
    name: str
    birth_place: str
    birth_date: date
    sex: str  # "L" (laki-laki) or "P" (perempuan), as on the KTP
    address: str  # street / kampung line of the address
    dusun: str
    rt: str  # zero-padded, e.g. "003"
    rw: str  # zero-padded, e.g. "012"
    religion: str
    marital_status: str
    occupation: str
    citizenship: str
    family_card_number: str

    @property
    def rt_rw(self) -> str:
        return f"{self.rt}/{self.rw}"

    def sex_label(self, language: str = "id") -> str:
        pair = SEXES.get(self.sex, (self.sex, self.sex))
        return pair[0] if language == "id" else pair[1]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["birth_date"] = self.birth_date.isoformat()
        return d

    @classmethod
    def from_dict(cls, data: dict) -> Resident:
        names = {f.name for f in fields(cls)}
        missing = names - data.keys()
        if missing:
            raise ValueError(f"resident record lacks {sorted(missing)}")
        values = {k: data[k] for k in names}
        bd = values["birth_date"]
        values["birth_date"] = bd if isinstance(bd, date) else date.fromisoformat(bd)
        return cls(**values)


def card_fingerprint(uid: bytes, village_key: bytes) -> str:
    """HMAC-SHA256 of a card's UID under the village's secret, as lowercase hex.

    The UID is an identifier anyone can read from 10 cm, not a secret: it is only ever
    stored or sent as this fingerprint. `uid` must already be normalised (raw bytes).
    """
    if not uid:
        raise ValueError("empty card UID")
    return hmac.new(village_key, b"smart-kampung/card-uid/v1:" + uid, hashlib.sha256).hexdigest()
