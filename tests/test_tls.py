"""Kiosk ↔ back office over HTTPS: the real `python -m backoffice` process with a certificate
from a CA made on the fly (terminal.devstack.DevCA), the kiosk's real clients verifying it."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from terminal.client import (
    BackofficeClient,
    IdentifyResult,
    SubmitResult,
    tls_context,
)
from terminal.config import ConfigError, KioskConfig
from terminal.devstack import DEMO, ROOT, BackofficeProcess, DevCA
from terminal.heartbeat import Heartbeat, heartbeat_status
from terminal.offline import OfflineRegistry
from terminal.sealing import Sealer
from tests.outbox_rig import TOKEN, demo_applications
from tests.test_backoffice import _fingerprint

SITI_PIN = "241258"
APPS, PDF = demo_applications(6, tag="T")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    office = BackofficeProcess(tmp_path_factory.mktemp("tls-office"), tls=True)
    office.start()
    yield office
    office.stop()


def _stored(office, number: str) -> int:
    with httpx.Client(verify=tls_context(office.ca_file), timeout=5) as http:
        return http.get(f"{office.url}/api/v1/applications/{number}",
                        headers={"Authorization": f"Bearer {TOKEN}"}).status_code


def test_the_kiosk_identifies_submits_syncs_and_beats_over_tls(office, tmp_path):
    assert office.url.startswith("https://")
    client = BackofficeClient(office.url, TOKEN, 5, ca_file=office.ca_file)
    who = client.identify(_fingerprint(), SITI_PIN)
    assert who.result is IdentifyResult.OK and who.resident is not None
    number, payload = APPS[0]
    sent = client.submit(str(uuid.uuid4()), payload, PDF, number)
    client.close()
    assert (sent.result, sent.detail) == (SubmitResult.DELIVERED, "201")
    assert _stored(office, number) == 200

    registry = OfflineRegistry(tmp_path, Sealer.from_key_file(tmp_path / "k.key", create=True),
                               office.url, TOKEN, timeout_s=5, ca_file=office.ca_file)
    assert registry.sync() and registry.has_snapshot

    status = heartbeat_status(outbox_pending=0, outbox_set_aside=0, oldest_age_s=None,
                              printer_state="idle", printer_reasons=[], reader_state="ready",
                              mode="online")
    beat = Heartbeat(office.url, TOKEN, lambda: status, interval_s=30, ca_file=office.ca_file)
    assert beat.beat()


@pytest.mark.parametrize("trust", ["another CA", "system store"])
def test_a_kiosk_that_does_not_trust_the_certificate_is_refused_and_keeps_the_application(
    office, tmp_path, trust
):
    ca_file = DevCA.create(tmp_path / "other").ca_file if trust == "another CA" else None
    client = BackofficeClient(office.url, TOKEN, 5, ca_file=ca_file)
    who = client.identify(_fingerprint(), SITI_PIN)
    number, payload = APPS[1]
    sent = client.submit(str(uuid.uuid4()), payload, PDF, number)
    client.close()
    assert who.result is IdentifyResult.UNREACHABLE
    # Not delivered, not set aside: it stays in the outbox and goes once the CA is fixed.
    assert (sent.result, sent.detail) == (SubmitResult.RETRY, "ConnectError")
    assert _stored(office, number) == 404


def test_a_certificate_for_another_host_name_is_refused(tmp_path):
    """The CA is right but the certificate names another host: the name check still holds.

    BackofficeProcess's start-up check asks /health with the kiosk's own `tls_context`."""
    office = BackofficeProcess(tmp_path / "office", demo=False, tls=True)
    office.tls = DevCA.create(tmp_path / "tls", hosts=("backoffice.example",))
    with pytest.raises(RuntimeError, match="did not answer"):
        office.start(timeout=4)
    assert "listening on https://" in office.log_path.read_text()  # it ran; it was not trusted


def test_the_back_office_stops_promptly_while_a_kiosk_keeps_its_connection(tmp_path):
    """A kiosk keeps its TLS connection open between requests. A stop (systemctl stop, an
    upgrade) must not wait on it: uvicorn's graceful stop waited for the TLS closing handshake
    and the process had to be killed (BackofficeProcess kills after 10 s)."""
    office = BackofficeProcess(tmp_path / "office", demo=False, tls=True)
    office.start()
    kiosk = httpx.Client(verify=tls_context(office.ca_file))
    try:
        assert kiosk.get(f"{office.url}/api/v1/health").status_code == 200
        office.stop()  # SIGTERM, as systemd sends it
        assert office.exit_code is not None and office.exit_code != -signal.SIGKILL
    finally:
        kiosk.close()
        office.stop()


def test_plain_http_to_the_tls_port_fails_cleanly(office):
    plain = office.url.replace("https://", "http://")
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{plain}/api/v1/health", timeout=3)
    client = BackofficeClient(plain, TOKEN, 3)
    number, payload = APPS[3]
    sent = client.submit(str(uuid.uuid4()), payload, PDF, number)
    client.close()
    assert sent.result is SubmitResult.RETRY
    assert _stored(office, number) == 404
    # The server shrugged it off and still serves kiosks that speak TLS.
    assert httpx.get(f"{office.url}/api/v1/health", verify=tls_context(office.ca_file),
                     timeout=3).status_code == 200


# --- configuration ----------------------------------------------------------------------------


def _kiosk_toml(tmp_path: Path, url: str, ca_file: str | None) -> Path:
    text = (DEMO / "kiosk.toml").read_text().replace('url = "http://127.0.0.1:8470"',
                                                     f'url = "{url}"')
    if ca_file is not None:
        text = text.replace("[backoffice]\n", f'[backoffice]\nca_file = "{ca_file}"\n')
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    return path


def test_kiosk_config_ca_file_and_url_rules(tmp_path):
    DevCA.create(tmp_path / "tls")
    cfg = KioskConfig.load(_kiosk_toml(tmp_path, "https://kantor.kemiren.desa.id", "tls/ca.pem"))
    assert cfg.backoffice_ca_file == (tmp_path / "tls" / "ca.pem").resolve()
    cfg = KioskConfig.load(_kiosk_toml(tmp_path, "https://kantor.kemiren.desa.id", None))
    assert cfg.backoffice_ca_file is None  # the system trust store
    for url in ("http://127.0.0.1:8470", "http://localhost:8470", "http://[::1]:8470"):
        assert KioskConfig.load(_kiosk_toml(tmp_path, url, None)).backoffice_url == url
    with pytest.raises(ConfigError, match="loopback"):
        KioskConfig.load(_kiosk_toml(tmp_path, "http://kantor.kemiren.desa.id", None))
    with pytest.raises(ConfigError, match="https"):
        KioskConfig.load(_kiosk_toml(tmp_path, "ftp://kantor.kemiren.desa.id", None))
    with pytest.raises(ConfigError, match="ca_file"):
        KioskConfig.load(_kiosk_toml(tmp_path, "https://kantor.kemiren.desa.id", "nope.pem"))


def test_backoffice_tls_settings_and_cli(tmp_path):
    from backoffice.settings import Settings

    ca = DevCA.create(tmp_path / "tls")
    demo = (DEMO / "backoffice.toml").read_text()
    (tmp_path / "bo.toml").write_text(
        demo + '\n[tls]\ncert = "tls/server.pem"\nkey = "tls/server.key"\n'
    )
    settings = Settings.load(tmp_path / "bo.toml")
    assert (settings.tls_cert, settings.tls_key) == (str(ca.cert_file), str(ca.key_file))
    with pytest.raises(ValueError, match="both"):
        Settings.from_dict({"tls": {"cert": "a.pem"}})
    with pytest.raises(ValueError, match="unknown tls"):
        Settings.from_dict({"tls": {"cert": "a.pem", "key": "b", "verify": False}})
    wrong = subprocess.run(
        [sys.executable, "-m", "backoffice", "--config", str(DEMO / "backoffice.toml"),
         "--tls-cert", str(ca.ca_file), "--tls-key", str(tmp_path / "missing.key")],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert wrong.returncode == 2 and "cannot use TLS certificate" in wrong.stderr
    half = subprocess.run(
        [sys.executable, "-m", "backoffice", "--config", str(DEMO / "backoffice.toml"),
         "--tls-cert", str(ca.cert_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert half.returncode == 2 and "go together" in half.stderr
