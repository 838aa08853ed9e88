"""One back office, many villages (a district's server): each village sees only its own.

Siti is registered in Kemiren (the demo village) and, having moved, in Olehsari too, with the
same NIK, her e-KTP bound in both (each village fingerprints cards with its own key) and a PIN
in each. Every kiosk request is answered from its own village's registry, numbers, audit and
letters — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backoffice.app import create_app
from backoffice.db import Village, find_resident
from backoffice.demo import DEMO_VILLAGE_CODE
from backoffice.issuing import issue_letter_committed
from backoffice.lifecycle import MENUNGGU_TANDA_TANGAN, Staff, transition
from backoffice.registry import bind_card, set_pin, upsert_resident
from backoffice.settings import Settings
from tests.test_backoffice import (
    AUTH,
    OTHER_AUTH,
    OTHER_VILLAGE,
    ROOT,
    SITI,
    _application,
    _assert_error,
    _fingerprint,
    _make_client,
    _new_key,
    _sessions,
    _settings,
    _submit,
)
from tests.test_lifecycle import KADES

KEMIREN_PIN, OLEHSARI_PIN = "241258", "135790"
SITI_IN_OLEHSARI = dataclasses.replace(SITI, address="Jl. Raya Olehsari No. 9", dusun="Krajan",
                                       rt="004", rw="001")


@pytest.fixture
def client(database_url: str) -> TestClient:
    client = _make_client(_settings(database_url))
    bo = client.app.state.backoffice
    with bo.sessions() as s, s.begin():
        row = upsert_resident(s, OTHER_VILLAGE, SITI_IN_OLEHSARI)
        bind_card(s, row, _olehsari_card())
        set_pin(s, row, OLEHSARI_PIN, bo.hasher)
    return client


def _olehsari_card() -> str:
    key = next(v.card_key for v in _settings("sqlite://").villages if v.code == OTHER_VILLAGE)
    return _fingerprint("siti", village_key=key)


def _identify(client, card, pin, headers):
    return client.post("/api/v1/identify", headers=headers, json={"card": card, "pin": pin})


def test_each_villages_kiosk_finds_its_own_record_of_the_same_person(client):
    kemiren = _identify(client, _fingerprint(), KEMIREN_PIN, AUTH)
    olehsari = _identify(client, _olehsari_card(), OLEHSARI_PIN, OTHER_AUTH)
    assert kemiren.status_code == olehsari.status_code == 200
    assert kemiren.json()["resident"]["nik"] == olehsari.json()["resident"]["nik"] == SITI.nik
    assert kemiren.json()["resident"]["address"] == SITI.address
    assert olehsari.json()["resident"]["address"] == SITI_IN_OLEHSARI.address
    # The card as the other village fingerprints it, or the other village's PIN: unknown/wrong.
    _assert_error(_identify(client, _fingerprint(), KEMIREN_PIN, OTHER_AUTH), 404,
                  "card_unknown")
    _assert_error(_identify(client, _olehsari_card(), OLEHSARI_PIN, AUTH), 404, "card_unknown")


def test_a_lock_in_one_village_leaves_the_other_alone(client):
    for pin in ("000000", "000001", "000002"):
        _identify(client, _olehsari_card(), pin, OTHER_AUTH)
    _assert_error(_identify(client, _olehsari_card(), OLEHSARI_PIN, OTHER_AUTH), 423,
                  "pin_locked")
    assert _identify(client, _fingerprint(), KEMIREN_PIN, AUTH).status_code == 200


def test_snapshots_carry_only_their_own_villages_cards(client):
    kemiren = client.get("/api/v1/registry/snapshot", headers=AUTH).json()
    olehsari = client.get("/api/v1/registry/snapshot", headers=OTHER_AUTH).json()
    assert kemiren["village_code"] == DEMO_VILLAGE_CODE
    assert olehsari["village_code"] == OTHER_VILLAGE
    assert list(olehsari["cards"]) == [_olehsari_card()]
    assert _olehsari_card() not in kemiren["cards"] and _fingerprint() in kemiren["cards"]


def test_applications_numbers_and_letters_stay_in_their_village(client):
    here = _application(application_number="KMR01-261125-0101")
    there = _application(application_number="OLH01-261125-0101", village_code=OTHER_VILLAGE,
                         kiosk_id="OLH01", resident=SITI_IN_OLEHSARI)
    assert _submit(client, here, key=_new_key()).status_code == 201
    assert _submit(client, there, key=_new_key(), headers=OTHER_AUTH).status_code == 201
    # A kiosk cannot submit for, or ask about, the other village's application.
    _assert_error(_submit(client, there, key=_new_key()), 403, "wrong_kiosk")
    assert client.get(f"/api/v1/applications/{there.application_number}",
                      headers=AUTH).status_code == 404
    # Each village's kiosk lists only its own village's requests for Siti.
    mine = client.post("/api/v1/status", headers=AUTH,
                       json={"card": _fingerprint(), "pin": KEMIREN_PIN}).json()
    theirs = client.post("/api/v1/status", headers=OTHER_AUTH,
                         json={"card": _olehsari_card(), "pin": OLEHSARI_PIN}).json()
    assert [a["application_number"] for a in mine["applications"]] == [here.application_number]
    assert [a["application_number"] for a in theirs["applications"]] == \
        [there.application_number]
    # One numbering sequence per village: both first letters of the year are number 1.
    sessions = _sessions(client)
    letters = []
    for app in (here, there):
        with sessions() as s, s.begin():
            transition(s, app.application_number, MENUNGGU_TANDA_TANGAN, Staff("Rina", "operator"))
        letters.append(issue_letter_committed(sessions, app.application_number, KADES,
                                              Staff("Budi", "sekdes"), date(2026, 11, 25)))
    assert [(x.village_code, x.sequence) for x in letters] == [
        (DEMO_VILLAGE_CODE, 1), (OTHER_VILLAGE, 1)]
    # Each verification page names its own village.
    pages = [client.get(x.verification_url[x.verification_url.index("/v/"):]) for x in letters]
    assert "Diterbitkan oleh Desa Kemiren" in pages[0].text
    assert "Diterbitkan oleh Desa Olehsari" in pages[1].text


def test_the_registry_keeps_one_record_per_village(client):
    with _sessions(client)() as s:
        here = find_resident(s, DEMO_VILLAGE_CODE, SITI.nik)
        there = find_resident(s, OTHER_VILLAGE, SITI.nik)
        assert here.id != there.id and here.address != there.address


def test_the_district_example_runs_once_its_placeholders_are_filled(tmp_path, postgres_server):
    example = ROOT / "deploy" / "district" / "backoffice.toml"
    with pytest.raises(ValueError, match="card_key"):  # placeholders are refused, not used
        Settings.load(example)
    text = example.read_text(encoding="utf-8")
    text = re.sub(r'card_key = "REPLACE[^"]*"', lambda _: f'card_key = "{os.urandom(32).hex()}"',
                  text)
    text = re.sub(r"(?m)^database_url = .*$",
                  f'database_url = "{postgres_server.create_database()}"', text)
    text = re.sub(r"(?ms)^\[tls\].*?(?=^\[\[villages\]\])", "", text)  # no certificate here
    filled = tmp_path / "backoffice.toml"
    filled.write_text(text, encoding="utf-8")
    settings = Settings.load(filled)
    assert [v.profile.name for v in settings.villages] == ["Kemiren", "Olehsari"]
    client = TestClient(create_app(settings))
    assert client.get("/api/v1/health").status_code == 200
    with client.app.state.backoffice.sessions() as s:
        assert {v.code for v in s.scalars(select(Village))} == {
            "35.10.15.2003", "35.10.15.2004"}
    client.app.state.backoffice.engine.dispose()
