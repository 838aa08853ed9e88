"""Back-office settings, read from a TOML file (see deploy/demo/backoffice.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forms.village import VillageProfile

MIN_CARD_KEY_BYTES = 16
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class VillageConfig:
    profile: VillageProfile
    card_key: bytes  # per-village secret for card-UID HMACs (forms.identity.card_fingerprint)

    @property
    def code(self) -> str:
        return self.profile.code


@dataclass(frozen=True)
class KioskConfig:
    id: str
    village: str  # village code
    token: str = field(repr=False)  # the bearer secret; the database keeps only its SHA-256
    active: bool = True


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/backoffice.db"
    max_body_bytes: int = 5_000_000
    # argon2id parameters for PIN hashes (RFC 9106 "second recommended option" by default);
    # tests and slow demo machines may lower them.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    argon2_parallelism: int = 4
    pin_max_attempts: int = 3
    # An idempotency record left "in flight" this long (crashed worker) may be taken over.
    idempotency_stale_seconds: int = 300
    villages: tuple[VillageConfig, ...] = ()
    kiosks: tuple[KioskConfig, ...] = ()
    # HTTPS: PEM certificate chain and private key (`[tls] cert = ..., key = ...`, or
    # `--tls-cert/--tls-key`); empty = plain HTTP, for loopback development only.
    tls_cert: str = ""
    tls_key: str = ""
    # The office's clock, for the times and dates on the staff pages (WIB; WITA is
    # "Asia/Makassar", WIT "Asia/Jayapura").
    timezone: str = "Asia/Jakarta"

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
        if self.pin_max_attempts < 1:
            raise ValueError("pin_max_attempts must be at least 1")
        if self.argon2_time_cost < 1 or self.argon2_parallelism < 1:
            raise ValueError("argon2_time_cost and argon2_parallelism must be at least 1")
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise ValueError("argon2_memory_kib must be at least 8 * argon2_parallelism")
        try:
            ZoneInfo(self.timezone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None
        codes = [v.code for v in self.villages]
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("TLS needs both a certificate and a key ([tls] cert and key)")
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate village code in settings")
        ids = [k.id for k in self.kiosks]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate kiosk id in settings")
        tokens = [k.token for k in self.kiosks]
        if len(set(tokens)) != len(tokens):
            raise ValueError("two kiosks share a token")
        for kiosk in self.kiosks:
            if kiosk.village not in codes:
                raise ValueError(f"kiosk {kiosk.id!r} names unknown village {kiosk.village!r}")

    def village(self, code: str) -> VillageConfig:
        for v in self.villages:
            if v.code == code:
                return v
        raise KeyError(code)

    @classmethod
    def from_dict(cls, data: dict) -> Settings:
        data = dict(data)
        villages = tuple(_village(v) for v in data.pop("villages", []))
        kiosks = tuple(_kiosk(k) for k in data.pop("kiosks", []))
        tls = _tls(data.pop("tls", {}))
        known = set(cls.__dataclass_fields__) - {"villages", "kiosks", "tls_cert", "tls_key"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown back-office settings: {sorted(unknown)}")
        for key, value in data.items():
            expected = str if key in ("database_url", "timezone") else int
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ValueError(f"setting {key!r} must be {expected.__name__}")
        return cls(villages=villages, kiosks=kiosks, **tls, **data)

    @classmethod
    def load(cls, path: str | Path) -> Settings:
        with open(path, "rb") as f:
            settings = cls.from_dict(tomllib.load(f))
        # Relative certificate paths are relative to the settings file, like the kiosk's.
        base = Path(path).resolve().parent
        return replace(
            settings,
            tls_cert=str(base / settings.tls_cert) if settings.tls_cert else "",
            tls_key=str(base / settings.tls_key) if settings.tls_key else "",
        )


def load_settings(path: str | Path) -> Settings:
    return Settings.load(path)


def _village(data: dict) -> VillageConfig:
    unknown = set(data) - {"card_key", "profile"}
    if unknown:
        raise ValueError(f"unknown village settings: {sorted(unknown)}")
    try:
        key = bytes.fromhex(str(data["card_key"]))
    except (KeyError, ValueError) as exc:
        raise ValueError("each village needs card_key as hex") from exc
    if len(key) < MIN_CARD_KEY_BYTES:
        raise ValueError(f"card_key must be at least {MIN_CARD_KEY_BYTES} bytes")
    if not isinstance(data.get("profile"), dict):
        raise ValueError("each village needs a [villages.profile] table")
    return VillageConfig(profile=VillageProfile.from_dict(data["profile"]), card_key=key)


def _tls(data) -> dict:
    if not isinstance(data, dict):
        raise ValueError("[tls] must be a table with cert and key")
    unknown = set(data) - {"cert", "key"}
    if unknown:
        raise ValueError(f"unknown tls settings: {sorted(unknown)}")
    for name in ("cert", "key"):
        if not isinstance(data.get(name, ""), str):
            raise ValueError(f"tls {name} must be a file path")
    return {"tls_cert": data.get("cert", ""), "tls_key": data.get("key", "")}


def _kiosk(data: dict) -> KioskConfig:
    unknown = set(data) - {"id", "village", "token", "active"}
    if unknown:
        raise ValueError(f"unknown kiosk settings: {sorted(unknown)}")
    try:
        kiosk = KioskConfig(
            id=str(data["id"]),
            village=str(data["village"]),
            token=str(data["token"]),
            active=bool(data.get("active", True)),
        )
    except KeyError as exc:
        raise ValueError(f"kiosk entry lacks {exc.args[0]!r}") from exc
    if not kiosk.id or len(kiosk.id) > 32:
        raise ValueError("kiosk id must be 1 to 32 characters")
    if len(kiosk.token) < MIN_TOKEN_CHARS:
        raise ValueError(f"kiosk {kiosk.id!r}: token must be at least {MIN_TOKEN_CHARS} chars")
    return kiosk
