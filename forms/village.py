"""The village's own details: the letterhead (kop surat), numbering code and signer."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class VillageProfile:
    code: str  # Kemendagri village code, e.g. "35.10.01.2001"
    name: str  # e.g. "Kemiren"
    kind: str  # "Desa" or "Kelurahan"
    district: str  # kecamatan
    regency: str  # kabupaten / kota, e.g. "Kabupaten Banyuwangi"
    province: str
    address: str  # office address line for the letterhead
    postal_code: str = ""
    phone: str = ""
    head_name: str = ""  # Kepala Desa who signs
    head_title: str = "Kepala Desa"
    logo: str = ""  # path to a PNG logo; empty draws none

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> VillageProfile:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown village settings: {sorted(unknown)}")
        return cls(**data)
