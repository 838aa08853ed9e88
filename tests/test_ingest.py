"""Storing submissions: one commit per batch (backoffice.app.GroupCommit), Idempotency-Key kept.

On SQLite and on PostgreSQL (the `database_url` fixture), through the real app; then the real
`python -m backoffice` with two worker processes on one SQLite file. No timings are asserted:
what counts is that a 201 is never sent before its data is committed, that nothing is stored
twice, and that a bad submission in a batch fails alone.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

import backoffice.app as app_module
from backoffice.app import ApiError, Submission, create_app
from backoffice.db import ApplicationEvent, ApplicationRow, IdempotencyRecord
from backoffice.demo import DEMO_VILLAGE_CODE, seed_demo
from backoffice.settings import Settings
from terminal.devstack import DEMO, BackofficeProcess
from tests.outbox_rig import TOKEN, demo_applications

AUTH = {"Authorization": f"Bearer {TOKEN}"}
PDF = b"%PDF-1.4\n% Smart Kampung test copy\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def client(database_url: str) -> TestClient:
    settings = dataclasses.replace(
        Settings.load(DEMO / "backoffice.toml"), database_url=database_url,
        argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1,
    )
    app = create_app(settings)
    bo = app.state.backoffice
    with bo.sessions() as s, s.begin():
        seed_demo(s, DEMO_VILLAGE_CODE, hasher=bo.hasher)
    return TestClient(app)


@pytest.fixture(scope="module")
def applications() -> list[tuple[str, str]]:
    return demo_applications(12, "KMR01", tag="I")[0]


def _submit(client: TestClient, payload: str, key: str, pdf: bytes = PDF) -> httpx.Response:
    return client.post(
        "/api/v1/applications",
        headers={**AUTH, "Idempotency-Key": f'"{key}"'},
        files={"application": (None, payload.encode(), "application/json"),
               "pdf": ("permohonan.pdf", pdf, "application/pdf")},
    )


def _count(client: TestClient, model) -> int:
    with client.app.state.backoffice.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _all_at_once(n: int, call) -> list:
    """`call(i)` from n threads released together; the results in order."""
    gate = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        gate.wait(10)
        results[i] = call(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_duplicates_store_one_application(client, applications):
    number, payload = applications[0]
    key = str(uuid.uuid4())
    answers = _all_at_once(8, lambda _: _submit(client, payload, key))
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {201, 409}, [r.text for r in answers]
    created = [r for r in answers if r.status_code == 201]
    assert created, statuses
    assert all(r.json()["error"] == "in_flight" for r in answers if r.status_code == 409)
    # Every 201 is the one stored reply (the first, or its replay), never a second copy.
    assert len({r.content for r in created}) == 1
    assert created[0].json()["application_number"] == number
    assert _count(client, ApplicationRow) == 1
    assert _count(client, IdempotencyRecord) == 1
    assert _count(client, ApplicationEvent) == 1
    retry = _submit(client, payload, key)
    assert (retry.status_code, retry.content) == (201, created[0].content)


def test_a_reply_is_sent_only_after_its_batch_is_committed(client, applications, monkeypatch):
    """Each 201 is checked, as it is handed to its request, through a connection of another
    engine: only committed rows are visible there."""
    url = client.app.state.backoffice.engine.url
    observer = create_engine(url)
    seen: list[tuple[str, bool]] = []
    real_settle = app_module._settle

    def settle_after_checking(settled):
        with observer.connect() as conn:
            for _future, outcome in settled:
                if getattr(outcome, "status_code", None) == 201:
                    number = json.loads(outcome.body)["application_number"]
                    stored = conn.scalar(select(ApplicationRow.id).where(
                        ApplicationRow.application_number == number))
                    seen.append((number, stored is not None))
        real_settle(settled)

    monkeypatch.setattr(app_module, "_settle", settle_after_checking)
    try:
        answers = _all_at_once(
            len(applications),
            lambda i: _submit(client, applications[i][1], str(uuid.uuid4())),
        )
    finally:
        observer.dispose()
    assert [r.status_code for r in answers] == [201] * len(applications)
    assert sorted(seen) == sorted((number, True) for number, _ in applications)
    assert _count(client, ApplicationRow) == len(applications)
    assert _count(client, ApplicationEvent) == len(applications)


def _checked(client: TestClient, payload: str, key: str):
    bo = client.app.state.backoffice
    kiosk = app_module.KioskRef(id="KMR01", village_code=DEMO_VILLAGE_CODE)
    return app_module._check_submission(
        bo, Submission(kiosk=kiosk, key=key, application_bytes=payload.encode(), pdf=PDF))


def test_a_failure_inside_a_batch_fails_only_its_own_submission(
    client, applications, monkeypatch
):
    batch = [_checked(client, payload, str(uuid.uuid4())) for _, payload in applications[:3]]
    poisoned = batch[1].app.application_number
    real_row = app_module._application_row

    def application_row(item, received_at):
        if item.app.application_number == poisoned:
            raise RuntimeError("a fault while storing this one")
        return real_row(item, received_at)

    monkeypatch.setattr(app_module, "_application_row", application_row)
    outcomes = client.app.state.backoffice.group_commit._write(batch)
    assert [getattr(o, "status_code", None) or o.status for o in outcomes] == [201, 500, 201]
    assert outcomes[1].code == "internal_error"
    with client.app.state.backoffice.sessions() as s:
        stored = set(s.scalars(select(ApplicationRow.application_number)))
    assert stored == {batch[0].app.application_number, batch[2].app.application_number}
    assert _count(client, IdempotencyRecord) == 2
    assert _count(client, ApplicationEvent) == 2
    # Nothing was kept of the failed one: its retry, under the same key, is stored.
    monkeypatch.setattr(app_module, "_application_row", real_row)
    retry = _submit(client, applications[1][1], batch[1].sub.key)
    assert retry.status_code == 201, retry.text
    assert _count(client, ApplicationRow) == 3


def test_a_taken_number_or_a_repeated_key_in_a_batch_is_answered_alone(client, applications):
    (_, first), (_, second), (_, third) = applications[3:6]
    key = str(uuid.uuid4())
    same_number = json.loads(first)
    same_number["values"] = {**same_number["values"], "keperluan": "Keperluan lain"}
    batch = [
        _checked(client, first, key),
        _checked(client, json.dumps(same_number), str(uuid.uuid4())),  # another key, same no.
        _checked(client, second, str(uuid.uuid4())),
        _checked(client, first, key),  # the same request again: the stored reply
        _checked(client, third, key),  # the same key for another request
    ]
    outcomes = client.app.state.backoffice.group_commit._write(batch)
    codes = [o.status_code if not isinstance(o, ApiError) else o.code for o in outcomes]
    assert codes == [201, "application_number_taken", 201, 201, "idempotency_key_reused"]
    assert outcomes[3].body == outcomes[0].body
    assert outcomes[3].headers["idempotent-replayed"] == "true"
    assert _count(client, ApplicationRow) == 2
    assert _count(client, IdempotencyRecord) == 2
    assert _count(client, ApplicationEvent) == 2


def test_two_worker_processes_on_one_sqlite_file_store_each_application_once(tmp_path: Path):
    """Real `python -m backoffice --workers 2`: each worker has its own writer thread, and the
    same submission arrives at both at once (a kiosk's retry racing its original)."""
    office = BackofficeProcess(tmp_path / "office", workers=2)
    apps, pdf = demo_applications(10, "KMR01", tag="W")
    keys = [str(uuid.uuid4()) for _ in apps]
    office.start(timeout=60)
    try:
        clients = [httpx.Client(base_url=office.url, headers=AUTH, timeout=30) for _ in range(4)]

        def send(i: int) -> httpx.Response:
            _number, payload = apps[i // 2]
            return clients[i % len(clients)].post(
                "/api/v1/applications",
                headers={"Idempotency-Key": f'"{keys[i // 2]}"'},
                files={"application": (None, payload.encode(), "application/json"),
                       "pdf": ("permohonan.pdf", pdf, "application/pdf")},
            )

        answers = _all_at_once(2 * len(apps), send)
        retries = [send(2 * j) for j in range(len(apps))]
        for c in clients:
            c.close()
    finally:
        office.stop()
    for j, retry in enumerate(retries):
        assert retry.status_code == 201, retry.text
        pair = answers[2 * j: 2 * j + 2]
        assert {r.status_code for r in pair} <= {201, 409}, [r.text for r in pair]
        assert all(r.content == retry.content for r in pair if r.status_code == 201)
    engine = create_engine(f"sqlite:///{office.workdir / 'backoffice.sqlite3'}")
    try:
        with engine.connect() as conn:
            numbers = list(conn.scalars(select(ApplicationRow.application_number)))
            records = conn.scalar(select(func.count()).select_from(IdempotencyRecord))
            events = conn.scalar(select(func.count()).select_from(ApplicationEvent))
    finally:
        engine.dispose()
    assert sorted(numbers) == sorted(number for number, _ in apps)
    assert (records, events) == (len(apps), len(apps))
