"""Kiosk configuration, read from one TOML file (`/etc/smart-kampung/kiosk.toml` on a kiosk)."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from forms.layout import RECEIPT_PAPERS
from forms.village import VillageProfile
from terminal.hours import ALWAYS_OPEN, OpeningHours


class ConfigError(ValueError):
    """The configuration file is missing something or holds a wrong value."""


@dataclass(frozen=True)
class KioskConfig:
    kiosk_id: str
    village: VillageProfile
    backoffice_url: str
    backoffice_token: str
    village_key: bytes  # per-village secret for card-UID fingerprints
    data_dir: Path
    key_file: Path  # 32-byte key sealing personal data at rest; 0600, the kiosk user's alone
    create_key: bool = False  # create key_file when missing (demo and tests; the installer
    #                           creates it on a real kiosk, so a missing key is an error there)
    reader: str = ""  # substring of the card reader's PC/SC name; empty = any reader
    mode: str = "online"  # "mobile": a laptop out of the office, identifying from the snapshot
    snapshot_max_age_s: float = 72 * 3600  # an older registry snapshot is not trusted offline
    sync_interval_s: float = 300.0  # registry snapshot refresh and offline PIN events upload
    heartbeat_interval_s: float = 30.0
    identity: str = "registry"  # "registry": lookup by card UID; "chip": biodata via an adapter
    sam_reader: str = ""  # chip mode: substring of the SAM slot's PC/SC name
    adapter: str = "devices.chip:ReferenceAdapter"  # chip mode: "module:Class"
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    # When villagers are served (terminal/hours.py), in `timezone`; outside: the sleep screen.
    opening_hours: OpeningHours = ALWAYS_OPEN
    idle_warning_s: float = 45.0  # untouched this long: "still there?" with a countdown
    idle_timeout_s: float = 60.0  # untouched this long: the session is wiped
    receipt_timeout_s: float = 30.0
    request_timeout_s: float = 10.0
    retry_base_s: float = 2.0
    retry_cap_s: float = 300.0
    # argon2id hash of the staff PIN for the maintenance screen; empty: no maintenance screen
    staff_pin_hash: str = field(default="", repr=False)
    # PEM file of the CA that signed the back office's certificate (the district's own CA);
    # None = the system trust store (a public certificate). Verification is never turned off.
    backoffice_ca_file: Path | None = None
    # [printer]: the CUPS queue for the receipt slip ("" = no printer: the receipt is shown on
    # screen only), an optional second queue for the application copy (A4/F4), the CUPS server
    # ("" = the local cupsd), and the receipt paper ("80mm" roll or "A6").
    printer_queue: str = ""
    copy_queue: str = ""
    printer_server: str = ""
    receipt_paper: str = "80mm"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def load(cls, path: str | Path) -> KioskConfig:
        path = Path(path)
        try:
            with path.open("rb") as f:
                raw = tomllib.load(f)
        except FileNotFoundError as e:
            raise ConfigError(f"{path}: file not found") from e
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML ({e})") from e
        return cls.from_dict(raw, base_dir=path.parent, source=str(path))

    @classmethod
    def from_dict(
        cls, raw: dict, base_dir: Path = Path("."), source: str = "config"
    ) -> KioskConfig:
        def section(name: str) -> dict:
            value = raw.get(name)
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: missing section [{name}]")
            return value

        def need(sec: dict, sec_name: str, key: str):
            if key not in sec or sec[key] in ("", None):
                raise ConfigError(f"{source}: [{sec_name}] needs '{key}'")
            return sec[key]

        kiosk, office, card = section("kiosk"), section("backoffice"), section("card")
        maintenance, printer = raw.get("maintenance", {}), raw.get("printer", {})
        if not isinstance(maintenance, dict):
            raise ConfigError(f"{source}: [maintenance] must be a table")
        if not isinstance(printer, dict):
            raise ConfigError(f"{source}: [printer] must be a table")
        if maintenance.get("staff_pin_hash") and \
                not str(maintenance["staff_pin_hash"]).startswith("$argon2id$"):
            raise ConfigError(f"{source}: [maintenance] staff_pin_hash must be an argon2id "
                              "hash (python -m terminal.maintenance hash-pin)")
        try:
            village = VillageProfile.from_dict(section("village"))
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{source}: [village] {e}") from e
        try:
            key = bytes.fromhex(need(card, "card", "village_key"))
        except ValueError as e:
            raise ConfigError(f"{source}: [card] village_key must be hex") from e
        if len(key) < 16:
            raise ConfigError(f"{source}: [card] village_key must be at least 16 bytes")
        data_dir = Path(kiosk.get("data_dir", "var/kiosk"))
        if not data_dir.is_absolute():
            data_dir = (base_dir / data_dir).resolve()
        key_file = Path(kiosk.get("key_file", "/etc/smart-kampung/kiosk.key"))
        if not key_file.is_absolute():
            key_file = (base_dir / key_file).resolve()
        identity = card.get("identity", "registry")
        if identity not in ("registry", "chip"):
            raise ConfigError(f"{source}: [card] identity must be 'registry' or 'chip'")
        if identity == "chip" and not card.get("sam_reader"):
            raise ConfigError(f"{source}: [card] identity = 'chip' needs 'sam_reader'")
        mode = kiosk.get("mode", "online")
        if mode not in ("online", "mobile"):
            raise ConfigError(f"{source}: [kiosk] mode must be 'online' or 'mobile'")
        url = str(need(office, "backoffice", "url")).rstrip("/")
        _check_backoffice_url(url, source)
        ca_file = office.get("ca_file")
        if ca_file not in (None, ""):
            ca_file = Path(str(ca_file))
            if not ca_file.is_absolute():
                ca_file = (base_dir / ca_file).resolve()
            if not ca_file.is_file():
                raise ConfigError(f"{source}: [backoffice] ca_file {ca_file} not found")
        else:
            ca_file = None
        language = kiosk.get("language", "id")
        if language not in ("id", "en"):
            raise ConfigError(f"{source}: [kiosk] language must be 'id' or 'en'")
        hours = ALWAYS_OPEN
        if "opening_hours" in kiosk:
            try:
                hours = OpeningHours.parse(kiosk["opening_hours"])
            except ValueError as e:
                raise ConfigError(f"{source}: [kiosk] opening_hours: {e}") from e
        try:
            cfg = cls(
                kiosk_id=str(need(kiosk, "kiosk", "id")),
                village=village,
                backoffice_url=url,
                backoffice_ca_file=ca_file,
                backoffice_token=str(need(office, "backoffice", "token")),
                village_key=key,
                data_dir=data_dir,
                key_file=key_file,
                create_key=bool(kiosk.get("create_key", False)),
                reader=str(card.get("reader", "")),
                mode=mode,
                snapshot_max_age_s=float(kiosk.get("snapshot_max_age_h", 72)) * 3600,
                sync_interval_s=float(office.get("sync_interval_s", 300)),
                heartbeat_interval_s=float(office.get("heartbeat_interval_s", 30)),
                identity=identity,
                sam_reader=str(card.get("sam_reader", "")),
                adapter=str(card.get("adapter", "devices.chip:ReferenceAdapter")),
                language=language,
                timezone=str(kiosk.get("timezone", "Asia/Jakarta")),
                opening_hours=hours,
                idle_warning_s=float(kiosk.get("idle_warning_s", 45)),
                idle_timeout_s=float(kiosk.get("idle_timeout_s", 60)),
                receipt_timeout_s=float(kiosk.get("receipt_timeout_s", 30)),
                request_timeout_s=float(office.get("timeout_s", 10)),
                retry_base_s=float(office.get("retry_base_s", 2)),
                retry_cap_s=float(office.get("retry_cap_s", 300)),
                staff_pin_hash=str(maintenance.get("staff_pin_hash", "")),
                printer_queue=str(printer.get("queue", "")),
                copy_queue=str(printer.get("copy_queue", "")),
                printer_server=str(printer.get("server", "")),
                receipt_paper=str(printer.get("paper", "80mm")),
            )
            if cfg.receipt_paper not in RECEIPT_PAPERS:
                raise ValueError(f"[printer] paper must be one of {sorted(RECEIPT_PAPERS)}")
            if cfg.copy_queue and not cfg.printer_queue:
                raise ValueError("[printer] copy_queue needs a receipt queue too")
            cfg.tz  # noqa: B018 - fail now on an unknown time zone, not mid-session
            if not 0 < cfg.idle_warning_s < cfg.idle_timeout_s:
                raise ValueError("idle_warning_s must be above 0 and below idle_timeout_s")
        except (TypeError, ValueError, KeyError) as e:
            raise ConfigError(f"{source}: {e}") from e
        return cfg


def _check_backoffice_url(url: str, source: str) -> None:
    """https anywhere; plain http only to this machine (loopback development and tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return
    if parts.scheme == "http":
        raise ConfigError(
            f"{source}: [backoffice] url must be https:// (plain http:// is allowed only for "
            f"loopback development, e.g. http://127.0.0.1:8470); set ca_file to the "
            f"district CA's certificate if the back office uses one"
        )
    raise ConfigError(f"{source}: [backoffice] url must be an https:// address")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
