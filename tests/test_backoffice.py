"""The back office's HTTP API, through FastAPI's TestClient (real app, real SQLite file)."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backoffice.app import Submission, create_app
from backoffice.db import (
    ApplicationRow,
    Base,
    CardBinding,
    IdempotencyRecord,
    Pin,
    ResidentRow,
    utcnow,
)
from backoffice.demo import DEMO_RESIDENTS, DEMO_VILLAGE_CODE, seed_demo
from backoffice.registry import unlock_pin
from backoffice.settings import KioskConfig, Settings, VillageConfig
from devices.demo_cards import demo_card
from forms.application import Application
from forms.identity import card_fingerprint
from forms.village import VillageProfile

ROOT = Path(__file__).resolve().parent.parent
DEMO_TOML = ROOT / "deploy" / "demo" / "backoffice.toml"
TOKEN = "demo-kiosk-token-KMR01-not-for-production"
OTHER_TOKEN = "test-kiosk-token-OLH01-not-for-production"
OTHER_VILLAGE = "35.10.15.2004"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OTHER_AUTH = {"Authorization": f"Bearer {OTHER_TOKEN}"}
PDF = b"%PDF-1.4\n% Smart Kampung test copy\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SITI = next(r for r in DEMO_RESIDENTS if r.nik == "3510155208580003")


def _settings(database_url: str, **overrides) -> Settings:
    demo = Settings.load(DEMO_TOML)
    other = VillageConfig(
        profile=VillageProfile(
            code=OTHER_VILLAGE,
            name="Olehsari",
            kind="Desa",
            district="Glagah",
            regency="Kabupaten Banyuwangi",
            province="Jawa Timur",
            address="Jl. Raya Olehsari No. 2",
        ),
        card_key=bytes.fromhex("6f6c6568736172692d746573742d6b65792d303030303030"),
    )
    values = {
        "database_url": database_url,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8,
        "argon2_parallelism": 1,
        "villages": (*demo.villages, other),
        "kiosks": (*demo.kiosks, KioskConfig("OLH01", OTHER_VILLAGE, OTHER_TOKEN)),
    }
    values.update(overrides)
    return dataclasses.replace(demo, **values)


def _make_client(settings: Settings) -> TestClient:
    app = create_app(settings)
    bo = app.state.backoffice
    with bo.sessions() as s, s.begin():
        seed_demo(s, DEMO_VILLAGE_CODE, hasher=bo.hasher)
    return TestClient(app)


@pytest.fixture
def client(database_url: str) -> TestClient:
    return _make_client(_settings(database_url))


def _sessions(client: TestClient):
    return client.app.state.backoffice.sessions


def _fingerprint(key: str = "siti", village_key: bytes | None = None) -> str:
    if village_key is None:
        village_key = Settings.load(DEMO_TOML).village(DEMO_VILLAGE_CODE).card_key
    return card_fingerprint(demo_card(key).uid, village_key)


def _application(**changes) -> Application:
    values = {
        "application_number": "KMR01-261125-0007",
        "letter": "domisili",
        "village_code": DEMO_VILLAGE_CODE,
        "kiosk_id": "KMR01",
        "created_at": datetime(2025, 11, 26, 9, 30, tzinfo=UTC),
        "resident": SITI,
        "values": {"keperluan": "Persyaratan melamar pekerjaan"},
    }
    values.update(changes)
    return Application(**values)


def _submit(client, app=None, pdf=PDF, key=None, headers=None, application_text=None):
    text = application_text if application_text is not None else (app or _application()).to_json()
    h = dict(AUTH if headers is None else headers)
    if key is not None:
        h["Idempotency-Key"] = key
    return client.post(
        "/api/v1/applications",
        headers=h,
        data={"application": text},
        files={"pdf": ("permohonan.pdf", pdf, "application/pdf")},
    )


def _new_key() -> str:
    return f'"{uuid.uuid4()}"'


def _count(client, model) -> int:
    with _sessions(client)() as s:
        return s.scalar(select(func.count()).select_from(model))


def _assert_error(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] == code
    assert set(body["message"]) == {"id", "en"}
    assert body["message"]["id"] and body["message"]["en"]
    return body


# --- health and auth ------------------------------------------------------------------------


def test_health_needs_no_token_and_tells_nothing_personal(client):
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"
    assert set(resp.json()) == {"status", "version"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TOKEN}],
)
def test_kiosk_without_valid_token_is_refused(client, headers):
    resp = client.post(
        "/api/v1/identify", headers=headers, json={"card": _fingerprint(), "pin": "241258"}
    )
    _assert_error(resp, 401, "kiosk_unauthorized")
    resp = client.get("/api/v1/applications/KMR01-261125-0007", headers=headers)
    _assert_error(resp, 401, "kiosk_unauthorized")


def test_inactive_kiosk_is_refused(database_url):
    settings = _settings(database_url)
    kiosks = tuple(dataclasses.replace(k, active=k.id != "KMR01") for k in settings.kiosks)
    client = _make_client(dataclasses.replace(settings, kiosks=kiosks))
    resp = client.post(
        "/api/v1/identify", headers=AUTH, json={"card": _fingerprint(), "pin": "241258"}
    )
    _assert_error(resp, 401, "kiosk_unauthorized")


def test_token_is_stored_only_as_a_hash(client):
    engine = client.app.state.backoffice.engine
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                assert TOKEN not in repr(tuple(row)), table.name
    if engine.dialect.name == "sqlite":  # nor in any byte of its files (WAL, free pages)
        db_file = Path(engine.url.database)
        engine.dispose()
        for path in db_file.parent.iterdir():
            assert TOKEN.encode() not in path.read_bytes()


# --- identify -------------------------------------------------------------------------------


def _identify(client, pin: str, card: str | None = None, headers=AUTH):
    return client.post(
        "/api/v1/identify", headers=headers, json={"card": card or _fingerprint(), "pin": pin}
    )


def test_identify_siti_with_her_card_and_pin(client):
    resp = _identify(client, "241258")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"resident": SITI.to_dict()}


def test_identify_accepts_uppercase_fingerprint(client):
    resp = _identify(client, "241258", card=_fingerprint().upper())
    assert resp.status_code == 200


def test_unknown_card(client):
    resp = _identify(client, "123456", card=_fingerprint("unregistered"))
    body = _assert_error(resp, 404, "card_unknown")
    assert "belum terdaftar" in body["message"]["id"]


def test_card_of_another_village_is_unknown_there(client):
    resp = _identify(client, "241258", headers=OTHER_AUTH)
    _assert_error(resp, 404, "card_unknown")


def test_wrong_pin_counts_down_then_locks(client):
    body = _assert_error(_identify(client, "000000"), 401, "wrong_pin")
    assert body["attempts_left"] == 2
    body = _assert_error(_identify(client, "111111"), 401, "wrong_pin")
    assert body["attempts_left"] == 1
    _assert_error(_identify(client, "222222"), 423, "pin_locked")
    # Locked even with the right PIN, until the village staff unlock it.
    _assert_error(_identify(client, "241258"), 423, "pin_locked")
    _assert_error(_identify(client, "000000"), 423, "pin_locked")
    with _sessions(client)() as s, s.begin():
        assert unlock_pin(s, DEMO_VILLAGE_CODE, SITI.nik)
    assert _identify(client, "241258").status_code == 200


def test_right_pin_resets_the_counter(client):
    _assert_error(_identify(client, "000000"), 401, "wrong_pin")
    _assert_error(_identify(client, "000000"), 401, "wrong_pin")
    assert _identify(client, "241258").status_code == 200
    body = _assert_error(_identify(client, "000000"), 401, "wrong_pin")
    assert body["attempts_left"] == 2


def test_lock_is_per_resident(client):
    for pin in ("000000", "111111", "222222"):
        _identify(client, pin)
    resp = _identify(client, "430349", card=_fingerprint("sukarmi"))
    assert resp.status_code == 200
    assert resp.json()["resident"]["name"] == "Sukarmi"


@pytest.mark.parametrize(
    "body",
    [
        {"card": "abc", "pin": "241258"},
        {"card": "z" * 64, "pin": "241258"},
        {"pin": "241258"},
        {"card": "0" * 64, "pin": "24125"},
        {"card": "0" * 64, "pin": "24125a"},
        {"card": "0" * 64, "pin": 241258},
        [1, 2],
    ],
)
def test_identify_malformed_body(client, body):
    resp = client.post("/api/v1/identify", headers=AUTH, json=body)
    _assert_error(resp, 422, "bad_request")


def test_identify_not_json(client):
    resp = client.post(
        "/api/v1/identify",
        headers={**AUTH, "Content-Type": "application/json"},
        content=b"{not json",
    )
    _assert_error(resp, 422, "bad_request")


# --- applications ---------------------------------------------------------------------------


def test_submit_creates_application(client):
    resp = _submit(client, key=_new_key())
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["application_number"] == "KMR01-261125-0007"
    assert body["status"] == "sedang_diperiksa"
    received = datetime.fromisoformat(body["received_at"])
    assert received.tzinfo is not None
    with _sessions(client)() as s:
        row = s.scalars(select(ApplicationRow)).one()
        assert row.pdf == PDF
        assert row.resident_nik == SITI.nik
        assert row.kiosk_id == "KMR01"
        assert Application.from_json(row.payload_json) == _application()
    status = client.get("/api/v1/applications/KMR01-261125-0007", headers=AUTH)
    assert status.status_code == 200
    assert status.json() == {
        "application_number": "KMR01-261125-0007",
        "letter": "domisili",
        "kiosk_id": "KMR01",
        "status": "sedang_diperiksa",
        "received_at": body["received_at"],
    }


def test_status_of_another_village_is_not_found(client):
    assert _submit(client, key=_new_key()).status_code == 201
    resp = client.get("/api/v1/applications/KMR01-261125-0007", headers=OTHER_AUTH)
    _assert_error(resp, 404, "application_not_found")
    resp = client.get("/api/v1/applications/KMR01-000000-0000", headers=AUTH)
    _assert_error(resp, 404, "application_not_found")


def test_same_key_replays_the_stored_response(client):
    key = _new_key()
    first = _submit(client, key=key)
    assert first.status_code == 201
    second = _submit(client, key=key)
    assert second.status_code == 201
    assert second.content == first.content
    assert _count(client, ApplicationRow) == 1


def test_unquoted_key_is_the_same_key(client):
    key = str(uuid.uuid4())
    first = _submit(client, key=f'"{key}"')
    second = _submit(client, key=key)
    assert second.status_code == 201
    assert second.content == first.content
    assert _count(client, ApplicationRow) == 1


def test_same_key_different_payload(client):
    key = _new_key()
    assert _submit(client, key=key).status_code == 201
    resp = _submit(client, app=_application(values={"keperluan": "Membuka rekening bank"}), key=key)
    _assert_error(resp, 422, "idempotency_key_reused")
    resp = _submit(client, key=key, pdf=PDF + b"% changed\n")
    _assert_error(resp, 422, "idempotency_key_reused")
    assert _count(client, ApplicationRow) == 1


def test_keys_are_per_kiosk(client):
    # Another kiosk may happen to use the same key; it is a different request.
    key = _new_key()
    assert _submit(client, key=key).status_code == 201
    other = _application(
        application_number="OLH01-261125-0001", village_code=OTHER_VILLAGE, kiosk_id="OLH01"
    )
    resp = _submit(client, app=other, key=key, headers=OTHER_AUTH)
    # Reaches validation (Siti is not registered in Olehsari), not an idempotency error.
    _assert_error(resp, 422, "resident_unknown")


def test_missing_key(client):
    resp = _submit(client)
    _assert_error(resp, 400, "idempotency_key_missing")
    assert _count(client, ApplicationRow) == 0


@pytest.mark.parametrize("key", ['"unterminated', '""', '"a"b"', "x" * 300, '"bad\\escape"'])
def test_invalid_key(client, key):
    resp = _submit(client, key=key)
    _assert_error(resp, 400, "idempotency_key_invalid")


def test_in_flight(client):
    key = str(uuid.uuid4())
    app = _application()
    fingerprint = Submission(
        kiosk=None, key=key, application_bytes=app.to_json().encode(), pdf=PDF
    ).fingerprint
    with _sessions(client)() as s, s.begin():
        now = utcnow()
        s.add(
            IdempotencyRecord(
                kiosk_id="KMR01",
                key=key,
                fingerprint=fingerprint,
                state="in_flight",
                created_at=now,
                updated_at=now,
            )
        )
    resp = _submit(client, app=app, key=f'"{key}"')
    _assert_error(resp, 409, "in_flight")
    assert _count(client, ApplicationRow) == 0


def test_abandoned_in_flight_record_is_taken_over(client):
    key = str(uuid.uuid4())
    app = _application()
    fingerprint = Submission(
        kiosk=None, key=key, application_bytes=app.to_json().encode(), pdf=PDF
    ).fingerprint
    long_ago = datetime(2025, 1, 1, tzinfo=UTC)
    with _sessions(client)() as s, s.begin():
        s.add(
            IdempotencyRecord(
                kiosk_id="KMR01",
                key=key,
                fingerprint=fingerprint,
                state="in_flight",
                created_at=long_ago,
                updated_at=long_ago,
            )
        )
    resp = _submit(client, app=app, key=key)
    assert resp.status_code == 201, resp.text
    assert _submit(client, app=app, key=key).content == resp.content


def _assert_nothing_stored(client):
    assert _count(client, ApplicationRow) == 0
    assert _count(client, IdempotencyRecord) == 0


def test_not_pdf(client):
    resp = _submit(client, key=_new_key(), pdf=b"<html>not a pdf</html>")
    _assert_error(resp, 422, "not_pdf")
    _assert_nothing_stored(client)


def test_rejected_request_can_be_retried_with_the_same_key(client):
    key = _new_key()
    _assert_error(_submit(client, key=key, pdf=b"GIF89a"), 422, "not_pdf")
    # Nothing was stored under the key, so a corrected request is not "key reused".
    assert _submit(client, key=key, pdf=PDF).status_code == 201


def test_unknown_letter(client):
    resp = _submit(client, app=_application(letter="surat_sakti"), key=_new_key())
    _assert_error(resp, 422, "unknown_letter")
    _assert_nothing_stored(client)


def test_invalid_fields(client):
    resp = _submit(client, app=_application(values={"keperluan": ""}), key=_new_key())
    body = _assert_error(resp, 422, "invalid_fields")
    assert set(body["fields"]) == {"keperluan"}
    assert set(body["fields"]["keperluan"]) == {"id", "en"}
    _assert_nothing_stored(client)


def test_other_village(client):
    app = _application(village_code=OTHER_VILLAGE)
    _assert_error(_submit(client, app=app, key=_new_key()), 403, "wrong_village")
    _assert_nothing_stored(client)


def test_other_kiosk_id(client):
    app = _application(kiosk_id="OLH01")
    _assert_error(_submit(client, app=app, key=_new_key()), 403, "wrong_kiosk")
    _assert_nothing_stored(client)


def test_resident_unknown(client):
    stranger = dataclasses.replace(SITI, nik="3510150101900009", name="Orang Asing")
    resp = _submit(client, app=_application(resident=stranger), key=_new_key())
    _assert_error(resp, 422, "resident_unknown")
    _assert_nothing_stored(client)


def test_application_number_taken_under_another_key(client):
    assert _submit(client, key=_new_key()).status_code == 201
    resp = _submit(client, key=_new_key(), pdf=PDF + b"% another copy\n")
    _assert_error(resp, 422, "application_number_taken")
    assert _count(client, ApplicationRow) == 1
    assert _count(client, IdempotencyRecord) == 1


def test_oversize_by_content_length(database_url):
    client = _make_client(_settings(database_url, max_body_bytes=20_000))
    resp = _submit(client, key=_new_key(), pdf=PDF + b"0" * 30_000)
    body = _assert_error(resp, 413, "too_large")
    assert body["max_bytes"] == 20_000
    _assert_nothing_stored(client)


def test_oversize_while_reading_chunked_body(database_url):
    client = _make_client(_settings(database_url, max_body_bytes=20_000))
    boundary = "smartkampungboundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="application"\r\n\r\n'
        f"{_application().to_json()}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="pdf"; filename="p.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def chunks():
        yield head + PDF
        for _ in range(10):
            yield b"0" * 4096
        yield f"\r\n--{boundary}--\r\n".encode()

    resp = client.post(
        "/api/v1/applications",
        headers={
            **AUTH,
            "Idempotency-Key": _new_key(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        content=chunks(),
    )
    _assert_error(resp, 413, "too_large")
    _assert_nothing_stored(client)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        "null",
        json.dumps({"schema": 1}),
        json.dumps({**_application().to_dict(), "schema": 99}),
        json.dumps({**_application().to_dict(), "created_at": "2025-11-26T09:30:00"}),
        json.dumps({**_application().to_dict(), "values": {"keperluan": 5}}),
        json.dumps({**_application().to_dict(), "application_number": "../../etc/passwd"}),
    ],
)
def test_malformed_application_json(client, text):
    resp = _submit(client, key=_new_key(), application_text=text)
    _assert_error(resp, 422, "bad_request")
    _assert_nothing_stored(client)


def test_missing_parts_and_wrong_content_type(client):
    h = {**AUTH, "Idempotency-Key": _new_key()}
    resp = client.post(
        "/api/v1/applications", headers=h, data={"application": _application().to_json()}
    )
    _assert_error(resp, 422, "bad_request")
    resp = client.post(
        "/api/v1/applications", headers=h, files={"pdf": ("p.pdf", PDF, "application/pdf")}
    )
    _assert_error(resp, 422, "bad_request")
    resp = client.post("/api/v1/applications", headers=h, json=_application().to_dict())
    _assert_error(resp, 422, "bad_request")
    resp = client.post(
        "/api/v1/applications",
        headers={**h, "Content-Type": "multipart/form-data"},  # no boundary
        content=b"garbage",
    )
    _assert_error(resp, 422, "bad_request")
    _assert_nothing_stored(client)


def test_application_part_may_be_a_json_file_part(client):
    resp = client.post(
        "/api/v1/applications",
        headers={**AUTH, "Idempotency-Key": _new_key()},
        files={
            "application": ("application.json", _application().to_json(), "application/json"),
            "pdf": ("permohonan.pdf", PDF, "application/pdf"),
        },
    )
    assert resp.status_code == 201, resp.text


def test_unknown_route_is_json(client):
    _assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    _assert_error(client.delete("/api/v1/health"), 405, "method_not_allowed")


# --- privacy, seeding, settings -------------------------------------------------------------


def test_logs_carry_no_personal_data(client, caplog):
    caplog.set_level(logging.DEBUG)
    _identify(client, "241258")
    _identify(client, "000000")
    _submit(client, key=_new_key())
    for secret in (SITI.nik, SITI.name, _fingerprint(), "241258", TOKEN):
        assert secret not in caplog.text


def test_seed_demo_is_idempotent(client):
    with _sessions(client)() as s, s.begin():
        assert seed_demo(s, DEMO_VILLAGE_CODE, hasher=client.app.state.backoffice.hasher) == 4
    assert _count(client, ResidentRow) == 4
    assert _count(client, CardBinding) == 4
    assert _count(client, Pin) == 4
    with _sessions(client)() as s:
        names = set(s.scalars(select(ResidentRow.name)))
    assert names == {"Siti Aminah", "Sukarmi", "Ahmad Ma'ruf", "Bagus Setiawan"}
    for key, pin in (("sukarmi", "430349"), ("maruf", "170185"), ("bagus", "210601")):
        assert _identify(client, pin, card=_fingerprint(key)).status_code == 200


def test_demo_settings_file():
    settings = Settings.load(DEMO_TOML)
    assert settings.database_url == "sqlite:///var/backoffice-demo.db"
    village = settings.village(DEMO_VILLAGE_CODE)
    assert village.profile.name == "Kemiren"
    assert village.profile.district == "Glagah"
    assert village.card_key == b"kemiren-demo-key-not-for-production"
    assert [(k.id, k.village, k.token) for k in settings.kiosks] == [
        ("KMR01", DEMO_VILLAGE_CODE, TOKEN)
    ]


def test_settings_refuse_unknown_keys_and_bad_kiosks(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('databse_url = "sqlite:///x.db"\n')
    with pytest.raises(ValueError, match="databse_url"):
        Settings.load(bad)
    bad.write_text('[[kiosks]]\nid = "K1"\nvillage = "1.2"\ntoken = "0123456789abcdef0123"\n')
    with pytest.raises(ValueError, match="unknown village"):
        Settings.load(bad)


def test_restart_keeps_data_and_updates_kiosks(database_url):
    settings = _settings(database_url)
    client = _make_client(settings)
    assert _submit(client, key=_new_key()).status_code == 201
    client.app.state.backoffice.engine.dispose()
    rotated = tuple(
        dataclasses.replace(k, token="rotated-token-for-KMR01-0000") if k.id == "KMR01" else k
        for k in settings.kiosks
    )
    client = _make_client(dataclasses.replace(settings, kiosks=rotated))
    _assert_error(
        client.get("/api/v1/applications/KMR01-261125-0007", headers=AUTH),
        401,
        "kiosk_unauthorized",
    )
    resp = client.get(
        "/api/v1/applications/KMR01-261125-0007",
        headers={"Authorization": "Bearer rotated-token-for-KMR01-0000"},
    )
    assert resp.status_code == 200


def test_without_catalogue_only_domisili_is_accepted(database_url, monkeypatch):
    monkeypatch.setitem(sys.modules, "forms.catalogue", None)  # as if the file were missing
    client = _make_client(_settings(database_url))
    resp = _submit(client, app=_application(letter="kelahiran"), key=_new_key())
    _assert_error(resp, 422, "unknown_letter")
    assert _submit(client, key=_new_key()).status_code == 201


def test_a_retry_that_overtakes_its_lost_original_is_a_replay_not_a_taken_number(
    client, monkeypatch
):
    """The original request is held inside validation (after its replay check) while its own
    retry, same key and same bytes, is stored. The original must then answer with the stored
    result, not 422 application_number_taken — or the kiosk would set a delivered
    application aside."""
    import threading

    import backoffice.app as app_module

    real_validate = app_module._validate
    held, release = threading.Event(), threading.Event()
    calls = []

    def validate_holding_the_first(*args):
        calls.append(1)
        if len(calls) == 1:
            held.set()
            release.wait(10)
        return real_validate(*args)

    monkeypatch.setattr(app_module, "_validate", validate_holding_the_first)
    application = _application()
    results = {}
    original = threading.Thread(
        target=lambda: results.setdefault("original", _submit(client, application, key='"k-1"'))
    )
    original.start()
    assert held.wait(10)
    retry = _submit(client, application, key='"k-1"')
    release.set()
    original.join(10)
    assert retry.status_code == 201
    assert results["original"].status_code == 201, results["original"].json()
    assert results["original"].json() == retry.json()
    assert _count(client, ApplicationRow) == 1
