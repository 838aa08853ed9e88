"""The back office's complaint and survey intake (real app, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from backoffice.db import ComplaintRow, IdempotencyRecord, SurveyResponse
from backoffice.demo import DEMO_VILLAGE_CODE
from forms.feedback import ELEMENT_CODES, Complaint, SurveyAnswers
from terminal.client import SubmitResult, _submit_outcome
from tests.test_backoffice import AUTH, OTHER_AUTH, OTHER_VILLAGE, SITI, _make_client, _settings

WORDS = "Petugas loket belum datang sampai pukul 9 pagi."


@pytest.fixture
def client(database_url):
    return _make_client(_settings(database_url))


def _complaint(**changes) -> Complaint:
    values = dict(complaint_number="KMR01-261125-P001", village_code=DEMO_VILLAGE_CODE,
                  kiosk_id="KMR01", created_at=datetime(2026, 11, 25, 2, 30, tzinfo=UTC),
                  nik=SITI.nik, category="pelayanan_petugas", text=WORDS, phone="081234567890")
    values.update(changes)
    return Complaint(**values)


def _survey(**changes) -> SurveyAnswers:
    values = dict(survey_id=str(uuid.uuid4()), village_code=DEMO_VILLAGE_CODE, kiosk_id="KMR01",
                  letter="domisili", answered_on=date(2026, 11, 25),
                  answers=dict(zip(ELEMENT_CODES, [4, 3, 3, 4, 2, 3, 4, 1, 3], strict=True)))
    values.update(changes)
    return SurveyAnswers(**values)


def _post(client, path, body, key=None, headers=AUTH):
    h = {**headers, "Content-Type": "application/json"}
    if key is not False:
        h["Idempotency-Key"] = f'"{key or uuid.uuid4()}"'
    return client.post(path, content=body if isinstance(body, str) else json.dumps(body),
                       headers=h)


def _rows(client, model):
    with client.app.state.backoffice.sessions() as s:
        return list(s.scalars(select(model)))


def _count(client, model):
    with client.app.state.backoffice.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_complaint_is_stored_with_its_4_hour_deadline(client):
    r = _post(client, "/api/v1/complaints", _complaint().to_json())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["complaint_number"] == "KMR01-261125-P001"
    assert _submit_outcome(r, "complaint_number", "KMR01-261125-P001").result is \
        SubmitResult.DELIVERED
    (row,) = _rows(client, ComplaintRow)
    assert (row.resident_nik, row.category, row.text, row.phone, row.village_code,
            row.kiosk_id) == (SITI.nik, "pelayanan_petugas", WORDS, "081234567890",
                              DEMO_VILLAGE_CODE, "KMR01")
    assert row.due_at - row.received_at == timedelta(hours=4)
    assert datetime.fromisoformat(body["due_at"]) == row.due_at


def test_a_replay_is_answered_again_and_stored_once(client):
    key = str(uuid.uuid4())
    first = _post(client, "/api/v1/complaints", _complaint().to_json(), key)
    again = _post(client, "/api/v1/complaints", _complaint().to_json(), key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert _count(client, ComplaintRow) == 1
    other = _post(client, "/api/v1/complaints", _complaint(text=WORDS + " Lagi.").to_json(), key)
    assert (other.status_code, other.json()["error"]) == (422, "idempotency_key_reused")
    taken = _post(client, "/api/v1/complaints", _complaint(text=WORDS + " Lagi.").to_json())
    assert (taken.status_code, taken.json()["error"]) == (422, "number_taken")
    assert _count(client, ComplaintRow) == 1


@pytest.mark.parametrize(("changes", "status", "error"), [
    ({"category": "politik"}, 422, "invalid_fields"),
    ({"text": "pendek"}, 422, "invalid_fields"),
    ({"text": "x" * 1001}, 422, "invalid_fields"),
    ({"phone": "0212345678"}, 422, "invalid_fields"),
    ({"nik": "3510150101010001"}, 422, "resident_unknown"),
    ({"kiosk_id": "KMR02"}, 403, "wrong_kiosk"),
    ({"village_code": OTHER_VILLAGE}, 403, "wrong_village"),
    ({"complaint_number": "../etc"}, 422, "bad_request"),
])
def test_bad_complaints_are_refused_plainly_and_nothing_is_stored(client, changes, status, error):
    r = _post(client, "/api/v1/complaints", _complaint(**changes).to_json())
    assert (r.status_code, r.json()["error"]) == (status, error), r.text
    assert r.json()["message"]["id"] and r.json()["message"]["en"]
    assert _count(client, ComplaintRow) == 0 and _count(client, IdempotencyRecord) == 0


@pytest.mark.parametrize("body", ["", "{", "[]", '{"schema": 2}', json.dumps(
    {**_complaint().to_dict(), "extra": 1})])
def test_unreadable_bodies_are_422(client, body):
    r = _post(client, "/api/v1/complaints", body)
    assert (r.status_code, r.json()["error"]) == (422, "bad_request")


def test_the_key_and_the_token_are_required(client):
    r = _post(client, "/api/v1/complaints", _complaint().to_json(), key=False)
    assert (r.status_code, r.json()["error"]) == (400, "idempotency_key_missing")
    r = _post(client, "/api/v1/surveys", _survey().to_json(), headers={})
    assert (r.status_code, r.json()["error"]) == (401, "kiosk_unauthorized")
    assert _count(client, ComplaintRow) == 0 and _count(client, SurveyResponse) == 0


def test_another_villages_kiosk_is_refused(client):
    """OLH01 belongs to Olehsari: a complaint or survey for Kemiren from it is refused, and one
    for its own village cannot name a Kemiren resident."""
    for path, item in (("/api/v1/complaints", _complaint(kiosk_id="OLH01")),
                       ("/api/v1/surveys", _survey(kiosk_id="OLH01"))):
        r = _post(client, path, item.to_json(), headers=OTHER_AUTH)
        assert (r.status_code, r.json()["error"]) == (403, "wrong_village")
    own = _complaint(kiosk_id="OLH01", village_code=OTHER_VILLAGE)
    r = _post(client, "/api/v1/complaints", own.to_json(), headers=OTHER_AUTH)
    assert (r.status_code, r.json()["error"]) == (422, "resident_unknown")
    assert _count(client, ComplaintRow) == 0 and _count(client, SurveyResponse) == 0


def test_a_survey_is_stored_anonymously_and_once(client):
    survey = _survey()
    key = str(uuid.uuid4())
    first = _post(client, "/api/v1/surveys", survey.to_json(), key)
    again = _post(client, "/api/v1/surveys", survey.to_json(), key)
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert first.json()["survey_id"] == survey.survey_id
    (row,) = _rows(client, SurveyResponse)
    assert {code: getattr(row, code) for code in ELEMENT_CODES} == survey.answers
    assert (row.letter, row.answered_on, row.village_code, row.kiosk_id) == (
        "domisili", date(2026, 11, 25), DEMO_VILLAGE_CODE, "KMR01")
    columns = set(SurveyResponse.__table__.columns.keys())
    assert not columns & {"nik", "resident_nik", "name", "card", "application_number"}


@pytest.mark.parametrize("answers", [
    {},
    dict.fromkeys(ELEMENT_CODES[:8], 3),
    dict.fromkeys(ELEMENT_CODES, 5),
    {**dict.fromkeys(ELEMENT_CODES, 3), "persyaratan": 0},
    {**dict.fromkeys(ELEMENT_CODES[:8], 3), "lainnya": 3},
])
def test_incomplete_or_out_of_scale_answers_are_refused(client, answers):
    r = _post(client, "/api/v1/surveys", _survey(answers=answers).to_json())
    assert r.status_code == 422 and r.json()["error"] in ("invalid_answers", "bad_request")
    assert _count(client, SurveyResponse) == 0


def test_a_survey_about_an_unknown_letter_is_refused(client):
    r = _post(client, "/api/v1/surveys", _survey(letter="surat_sakti").to_json())
    assert (r.status_code, r.json()["error"]) == (422, "unknown_letter")
