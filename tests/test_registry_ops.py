"""Desk operations: CSV import of the registry, card binding, PINs, kiosk tokens, and the
staff command line (python -m backoffice.admin) — real app, real SQLite file."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backoffice.app import create_app
from backoffice.db import CardBinding, ResidentRow
from backoffice.demo import DEMO_RESIDENTS, DEMO_VILLAGE_CODE
from backoffice.imports import import_residents
from backoffice.kiosks import add_kiosk, revoke_kiosk, rotate_kiosk_token
from backoffice.registry import (
    StaffActionError,
    bind_card_uid,
    pin_state,
    set_pin_by_nik,
    unbind_card,
)
from devices.demo_cards import demo_card
from tests.test_backoffice import (
    AUTH,
    DEMO_TOML,
    ROOT,
    SITI,
    _assert_error,
    _fingerprint,
    _make_client,
    _sessions,
    _settings,
)

SUKARMI = next(r for r in DEMO_RESIDENTS if r.name == "Sukarmi")
SITI_PIN = "241258"

CSV_GOOD_AND_BAD = (
    "NIK;Nama Lengkap;Tempat Lahir;Tgl_Lahir;Jenis Kelamin;Agama;Status Perkawinan;"
    "Pekerjaan;Pendidikan;Alamat;Dusun;RT/RW;NO_KK\n"
    "3510150101900001;Joko  Susilo;Banyuwangi;01-01-1990;LAKI-LAKI;Islam;Kawin;Petani;SLTA;"
    "Jl. Kopi 1;Krajan;3/12;3510150101150001\n"
    "3510154505920002;Dewi Lestari;Banyuwangi;1992-05-05;P;Islam;Belum Kawin;Guru;S1;"
    "Jl. Kopi 2;Krajan;003/012;\n"
    "35101501019;Salah Nik;Banyuwangi;01-01-1990;L;Islam;Kawin;Petani;SD;x;Krajan;1/1;\n"
    "3510150202800003;Tanggal Salah;Banyuwangi;31-02-1980;L;Islam;Kawin;Petani;SD;x;Krajan;1/1;\n"
    "3510150303700004;Kelamin Salah;Banyuwangi;03-03-1970;X;Islam;Kawin;Petani;SD;x;Krajan;1/1;\n"
    ";Tanpa NIK;Banyuwangi;03-03-1970;L;Islam;Kawin;Petani;SD;x;Krajan;1/1;\n"
    "3510150101900001;Joko Lagi;Banyuwangi;01-01-1990;L;Islam;Kawin;Petani;SLTA;x;Krajan;1/1;\n"
    "3510150404600005;KK Salah;Banyuwangi;04-04-1960;L;Islam;Kawin;Petani;SD;x;Krajan;1/1;123\n"
)


@pytest.fixture
def client(database_url: str) -> TestClient:
    return _make_client(_settings(database_url))


def _import(client, data, village=DEMO_VILLAGE_CODE):
    with _sessions(client)() as s, s.begin():
        return import_residents(s, village, data)


def _resident(client, nik):
    with _sessions(client)() as s:
        return s.scalars(select(ResidentRow).where(ResidentRow.nik == nik)).one_or_none()


# --- CSV import -----------------------------------------------------------------------------


def test_csv_import_keeps_good_rows_and_reports_bad_ones_by_row(client):
    result = _import(client, CSV_GOOD_AND_BAD.encode("utf-8-sig"))
    assert (result.added, result.updated) == (2, 0)
    problems = {(p.row, p.field) for p in result.errors}
    assert problems == {(4, "nik"), (5, "birth_date"), (6, "sex"), (7, "nik"), (8, "nik"),
                        (9, "family_card_number")}
    assert all(p.id and p.en for p in result.errors)
    dup = next(p for p in result.errors if p.row == 8)
    assert "row 2" in dup.en
    assert result.ignored_columns == []
    assert result.summary()["errors"] == 6
    joko = _resident(client, "3510150101900001")
    assert (joko.name, joko.sex, joko.rt, joko.rw) == ("Joko Susilo", "L", "003", "012")
    assert joko.education == "SLTA" and joko.blood_type == ""
    assert joko.family_card_number == "3510150101150001" and joko.citizenship == "WNI"
    dewi = _resident(client, "3510154505920002")
    assert (dewi.sex, str(dewi.birth_date), dewi.rt) == ("P", "1992-05-05", "003")


def test_csv_reimport_updates_by_nik_and_tolerates_other_headers(client):
    _import(client, CSV_GOOD_AND_BAD)
    again = (
        "nik,NAMA,tempat/tanggal lahir,JK,agama,status kawin,pekerjaan,alamat,dusun,rt,rw,no kk\n"
        '3510150101900001,Joko Susilo,"Banyuwangi, 01/01/1990",L,Islam,Kawin,Pedagang,'
        "Jl. Kopi 1,Krajan,3,12,3510150101150001\n"
        '3510154505920002,Dewi Lestari,"Banyuwangi, 05-05-1992",PEREMPUAN,Islam,Belum Kawin,'
        "Guru,Jl. Kopi 2,Krajan,3,12,\n"
    )
    result = _import(client, again)
    assert (result.added, result.updated, result.unchanged, result.errors) == (0, 1, 1, [])
    joko = _resident(client, "3510150101900001")
    assert joko.occupation == "Pedagang" and joko.birth_place == "Banyuwangi"
    with _sessions(client)() as s:
        assert len(s.scalars(select(ResidentRow).where(
            ResidentRow.nik == "3510150101900001")).all()) == 1


def test_registry_details_are_kept_and_updated_but_never_sent_to_a_kiosk(client):
    siti = (f"{SITI.nik},{SITI.name},{SITI.birth_date:%d-%m-%Y},{SITI.sex},SLTA / SEDERAJAT,"
            "o,KEPALA KELUARGA,catur\n")
    csv_text = (
        "NIK,Nama,Tanggal Lahir,JK,Pendidikan Dalam KK,Gol. Darah,SHDK,Hobi\n" + siti
        + "3510154505920002,Dewi Lestari,05-05-1992,P," + "S" * 51 + ",A,ISTRI,\n"
    )
    result = _import(client, csv_text)
    assert result.updated == 1 and result.ignored_columns == ["Hobi"]
    assert [(p.row, p.field) for p in result.errors] == [(3, "education")]
    assert "terlalu panjang" in result.errors[0].id
    row = _resident(client, SITI.nik)
    assert (row.education, row.blood_type, row.family_relationship) == (
        "SLTA / SEDERAJAT", "O", "KEPALA KELUARGA")
    again = _import(client, csv_text.replace(",o,", ",AB,"))
    assert (again.updated, again.unchanged) == (1, 0)
    assert _resident(client, SITI.nik).blood_type == "AB"
    assert _import(client, csv_text.replace(",o,", ",AB,")).unchanged == 1
    # A kiosk never receives them: Siti's card is in the offline snapshot, her details are not.
    snapshot = client.get("/api/v1/registry/snapshot", headers=AUTH)
    assert snapshot.status_code == 200 and SITI.name.encode() in snapshot.content
    assert b"KEPALA KELUARGA" not in snapshot.content and b"SEDERAJAT" not in snapshot.content


def test_csv_without_required_columns_or_village_is_refused_whole(client):
    result = _import(client, "Nama,Alamat\nJoko,x\n")
    assert result.added == 0 and result.errors[0].row == 1 and "NIK" in result.errors[0].en
    result = _import(client, CSV_GOOD_AND_BAD, village="99.99.99.9999")
    assert result.added == 0 and result.errors[0].field == "village"


# --- cards and PINs at the desk ---------------------------------------------------------------


def _identify(client, fingerprint, pin=SITI_PIN, headers=AUTH):
    return client.post("/api/v1/identify", headers=headers,
                       json={"card": fingerprint, "pin": pin})


def test_one_card_one_resident(client):
    siti_uid = demo_card("siti").uid
    with _sessions(client)() as s, s.begin(), pytest.raises(StaffActionError) as err:
        bind_card_uid(s, DEMO_VILLAGE_CODE, SUKARMI.nik, siti_uid)
    assert err.value.code == "card_bound_elsewhere"
    assert _identify(client, _fingerprint()).json()["resident"]["nik"] == SITI.nik
    new_uid = bytes.fromhex("04a1b2c3d4e5f6")
    with _sessions(client)() as s, s.begin():
        fp = bind_card_uid(s, DEMO_VILLAGE_CODE, SITI.nik, new_uid)  # replaces her old card
        assert new_uid.hex() not in fp and len(fp) == 64  # stored as an HMAC only
    _assert_error(_identify(client, _fingerprint()), 404, "card_unknown")
    assert _identify(client, fp).json()["resident"]["nik"] == SITI.nik
    with _sessions(client)() as s, s.begin():
        assert unbind_card(s, DEMO_VILLAGE_CODE, SITI.nik) is True
        assert unbind_card(s, DEMO_VILLAGE_CODE, SITI.nik) is False
        bind_card_uid(s, DEMO_VILLAGE_CODE, SUKARMI.nik, new_uid)  # free again: may move
    assert _identify(client, fp, pin="030349").status_code in (200, 401)
    with _sessions(client)() as s:
        owners = s.scalars(select(CardBinding.resident_id)).all()
        assert len(owners) == len(set(owners))
    with _sessions(client)() as s, pytest.raises(StaffActionError) as err:
        bind_card_uid(s, DEMO_VILLAGE_CODE, "3510150101900001", new_uid)
    assert err.value.code == "resident_unknown"


def test_staff_reset_pin_clears_the_lock(client):
    for pin in ("000000", "000001", "000002"):
        _identify(client, _fingerprint(), pin=pin)
    _assert_error(_identify(client, _fingerprint()), 423, "pin_locked")
    bo = client.app.state.backoffice
    with bo.sessions() as s, s.begin(), pytest.raises(StaffActionError):
        set_pin_by_nik(s, DEMO_VILLAGE_CODE, SITI.nik, "12345", bo.hasher)
    with bo.sessions() as s, s.begin():
        assert pin_state(s, DEMO_VILLAGE_CODE, SITI.nik) == {"failed_attempts": 3,
                                                             "locked": True}
        set_pin_by_nik(s, DEMO_VILLAGE_CODE, SITI.nik, "654321", bo.hasher)
    _assert_error(_identify(client, _fingerprint()), 401, "wrong_pin")  # old PIN is gone
    assert _identify(client, _fingerprint(), pin="654321").status_code == 200


# --- kiosk tokens ----------------------------------------------------------------------------


def _health_auth(client, token):
    return client.post("/api/v1/identify", headers={"Authorization": f"Bearer {token}"},
                       json={"card": _fingerprint(), "pin": SITI_PIN})


def test_kiosk_tokens_added_rotated_revoked_take_effect_at_once(client, database_url):
    sessions = _sessions(client)
    with sessions() as s, s.begin():
        token = add_kiosk(s, "KMR09", DEMO_VILLAGE_CODE)
    assert len(token) >= 40
    assert _health_auth(client, token).status_code == 200
    with sessions() as s, s.begin():
        new = rotate_kiosk_token(s, "KMR09")
    _assert_error(_health_auth(client, token), 401, "kiosk_unauthorized")
    assert _health_auth(client, new).status_code == 200
    with sessions() as s, s.begin():
        revoke_kiosk(s, "KMR01")  # a kiosk from the settings file
    _assert_error(_health_auth(client, AUTH["Authorization"].split()[1]), 401,
                  "kiosk_unauthorized")
    # A restart re-reads the settings file, which still holds KMR01's old token: revoked stays.
    restarted = TestClient(create_app(_settings(database_url)))
    _assert_error(_health_auth(restarted, AUTH["Authorization"].split()[1]), 401,
                  "kiosk_unauthorized")
    assert _health_auth(restarted, new).status_code == 200
    with sessions() as s, s.begin(), pytest.raises(StaffActionError):
        add_kiosk(s, "KMR09", DEMO_VILLAGE_CODE)


# --- the command line ------------------------------------------------------------------------


def _toml(tmp_path: Path, database_url: str) -> Path:
    text = DEMO_TOML.read_text(encoding="utf-8").replace(
        'database_url = "sqlite:///var/backoffice-demo.db"',
        f'database_url = "{database_url}"\nargon2_time_cost = 1\n'
        "argon2_memory_kib = 8\nargon2_parallelism = 1",
    )
    path = tmp_path / "backoffice.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_staff_command_line(tmp_path, database_url):
    from backoffice.admin import run

    config = _toml(tmp_path, database_url)
    csv_file = tmp_path / "penduduk.csv"
    csv_file.write_text(CSV_GOOD_AND_BAD, encoding="utf-8")

    def cli(*args, stdin=""):
        out = io.StringIO()
        code = run(["--config", str(config), *args], stdin=io.StringIO(stdin), stdout=out)
        return code, out.getvalue()

    code, out = cli("import-csv", str(csv_file))
    assert code == 0 and '"added": 2' in out and "baris/row 4 [nik]" in out
    assert cli("bind-card", "--nik", "3510150101900001", "--uid", "04:A1:B2:C3")[0] == 0
    assert cli("set-pin", "--nik", "3510150101900001", stdin="112233\n")[0] == 0
    assert cli("set-pin", "--nik", "3510150101900001", stdin="12\n")[0] == 1
    assert cli("unlock", "--nik", "3510150101900001")[0] == 0
    code, token = cli("add-kiosk", "--id", "KMR05", "--village", DEMO_VILLAGE_CODE)
    token = token.strip()
    assert code == 0 and len(token) >= 40

    app = TestClient(create_app(_settings(database_url)))
    fp = _fingerprint_of(bytes.fromhex("04a1b2c3"))
    resp = app.post("/api/v1/identify", headers={"Authorization": f"Bearer {token}"},
                    json={"card": fp, "pin": "112233"})
    assert resp.status_code == 200 and resp.json()["resident"]["name"] == "Joko Susilo"
    assert cli("revoke-kiosk", "--id", "KMR05")[0] == 0
    resp = app.post("/api/v1/identify", headers={"Authorization": f"Bearer {token}"},
                    json={"card": fp, "pin": "112233"})
    assert resp.status_code == 401
    assert cli("unbind-card", "--nik", "3510150101900001")[0] == 0
    assert cli("bind-card", "--nik", "0000", "--uid", "04")[0] == 1
    assert cli("transition", "--application", "X-1", "--to", "dibatalkan", "--staff", "Rina",
               "--message", "x")[0] == 1
    # and as a module, the way staff run it
    proc = subprocess.run(
        [sys.executable, "-m", "backoffice.admin", "--config", str(config), "rotate-kiosk-token",
         "--id", "KMR05"], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0 and len(proc.stdout.strip()) >= 40


def _fingerprint_of(uid: bytes) -> str:
    from backoffice.settings import Settings
    from forms.identity import card_fingerprint

    return card_fingerprint(uid, Settings.load(DEMO_TOML).village(DEMO_VILLAGE_CODE).card_key)
