"""The development stack: everything a kiosk talks to, running on this machine for real.

`pcscd` with a vpcd virtual reader, the back office as its own process on a loopback port with
a fresh SQLite database and the demo residents, a private cupsd with the virtual printer
(when asked), and a kiosk configuration pointing at them.
`make demo`, `make tour`, the benchmarks and the end-to-end tests all use it. The back office
is started as a separate program (`python -m backoffice`): the kiosk never imports it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import logging
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from devices.cups_rig import CupsRig
from devices.demo_cards import demo_card
from devices.rig import PcscdRig
from devices.virtual_card import VirtualCard
from terminal.client import tls_context
from terminal.config import KioskConfig

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "deploy" / "demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclasses.dataclass(frozen=True)
class DevCA:
    """A throw-away certificate authority and one server certificate for this machine."""

    ca_file: Path  # the CA certificate (PEM): what a kiosk's `[backoffice] ca_file` names
    cert_file: Path  # the server's certificate (PEM)
    key_file: Path  # the server's private key (PEM, 0600)

    @classmethod
    def create(
        cls,
        directory: Path,
        name: str = "Smart Kampung dev CA",
        hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1"),
    ) -> DevCA:
        """A CA and a server certificate for `hosts`; valid a day (tests, demo, benchmarks)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        server_key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        server_cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca_name)
            .public_key(server_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        ca = cls(directory / "ca.pem", directory / "server.pem", directory / "server.key")
        ca.ca_file.write_bytes(ca_cert.public_bytes(pem))
        ca.cert_file.write_bytes(server_cert.public_bytes(pem))
        ca.key_file.touch(mode=0o600)
        ca.key_file.write_bytes(
            server_key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return ca


class BackofficeProcess:
    """`python -m backoffice` on a loopback port, with its own config and database.

    With `tls=True` it serves HTTPS with a certificate from a CA made on the fly
    (`self.tls.ca_file` is what a kiosk trusts); `workers` > 1 runs several uvicorn workers.
    """

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        demo: bool = True,
        tls: bool = False,
        workers: int = 1,
    ):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.tls: DevCA | None = DevCA.create(self.workdir / "tls") if tls else None
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.demo = demo
        self.workers = workers
        self.config_path = self.workdir / "backoffice.toml"
        self.log_path = self.workdir / "backoffice.log"
        self._proc: subprocess.Popen | None = None
        self.exit_code: int | None = None  # after stop(): -9 when it had to be killed

    @property
    def ca_file(self) -> Path | None:
        return self.tls.ca_file if self.tls else None

    def write_config(self) -> None:
        """The demo back office's settings, with its own database and cheap PIN hashing."""
        demo = (DEMO / "backoffice.toml").read_text()
        head = (
            f'database_url = "sqlite:///{self.workdir / "backoffice.sqlite3"}"\n'
            "argon2_time_cost = 1  # the stack is for demos and tests, not for real PINs\n"
            "argon2_memory_kib = 1024\n"
            "argon2_parallelism = 1\n"
        )
        body = re.sub(r"(?m)^database_url\s*=.*$", "", demo)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(head + body)
        tomllib.loads(self.config_path.read_text())  # fail here, not in the child process

    def start(self, timeout: float = 30.0) -> None:
        if not self.config_path.exists():
            self.write_config()
        cmd = [sys.executable, "-m", "backoffice", "--config", str(self.config_path),
               "--host", "127.0.0.1", "--port", str(self.port)]
        if self.demo:
            cmd.append("--demo")
        if self.tls:
            cmd += ["--tls-cert", str(self.tls.cert_file), "--tls-key", str(self.tls.key_file)]
        if self.workers > 1:
            cmd += ["--workers", str(self.workers)]
        log = self.log_path.open("ab")
        self._proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"back office exited early; see {self.log_path}")
            try:
                r = httpx.get(f"{self.url}/api/v1/health", timeout=1,
                              verify=tls_context(self.ca_file))
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"back office did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self.exit_code = self._proc.returncode
        self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


class DevStack:
    def __init__(
        self,
        workdir: Path,
        vpcd_port: int = 35963,
        backoffice_port: int | None = None,
        tls: bool = False,
        printer: str = "none",
    ):
        """`printer`: "none"; "required" (tests: a private cupsd with the virtual printer, or
        fail); "optional" (demo, tour: without root or CUPS they carry on without a printer)."""
        if printer not in ("none", "required", "optional"):
            raise ValueError(f"printer {printer!r}")
        self.workdir = Path(workdir)
        self.rig = PcscdRig(port=vpcd_port, wait=60)  # queue behind another rig (demo, tests)
        self.backoffice = BackofficeProcess(
            self.workdir / "backoffice", port=backoffice_port, tls=tls
        )
        self._printer_wanted = printer
        self.printer: CupsRig | None = None

    def start(self) -> DevStack:
        self.rig.start()
        try:
            self.backoffice.start()
            if self._printer_wanted != "none":
                self._start_printer()
        except Exception:
            self.backoffice.stop()
            self.rig.stop()
            raise
        return self

    def _start_printer(self) -> None:
        rig = CupsRig()
        try:
            self.printer = rig.start()
        except RuntimeError as e:
            if self._printer_wanted == "required":
                raise
            log.warning("devstack: no virtual printer, the receipt is on screen only (%s)", e)

    def stop(self) -> None:
        if self.printer is not None:
            self.printer.stop()
            self.printer = None
        self.backoffice.stop()
        self.rig.stop()

    def __enter__(self) -> DevStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def kiosk_config(self, **overrides) -> KioskConfig:
        base = KioskConfig.load(DEMO / "kiosk.toml")
        values = dict(
            backoffice_url=self.backoffice.url,
            backoffice_ca_file=self.backoffice.ca_file,
            data_dir=self.workdir / "kiosk",
            key_file=self.workdir / "kiosk" / "kiosk.key",
            create_key=True,
            reader=self.rig.card_reader,
        )
        if self.printer is not None:  # receipts on the faultable printer, copies to PDF
            values.update(printer_queue=self.printer.fault_queue,
                          copy_queue=self.printer.pdf_queue, printer_server=self.printer.server)
        values.update(overrides)
        return dataclasses.replace(base, **values)

    def card(self, key: str) -> VirtualCard:
        return VirtualCard.for_demo(demo_card(key), port=self.rig.port)


def display_available() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
