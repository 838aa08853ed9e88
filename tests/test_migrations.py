"""Schema migrations (backoffice/migrations) on a real SQLite file and a real PostgreSQL database.

The models and the newest revision must describe the same schema; every revision must go down
and up again without losing rows; a database made before migrations existed is adopted; two
back offices starting at once on one empty database both come up.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from backoffice import migrations
from backoffice.db import Base, ResidentRow, make_engine, make_sessionmaker, migrate, utcnow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _schema_differences(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def _seed(engine) -> None:
    """A village, a resident with a bound card and a PIN: rows a table copy must not lose.
    Plain SQL: the models describe the newest schema, the database may be older."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO villages (code, profile_json, card_key) "
                          "VALUES ('35.10.15.2003', '{}', :key)"), {"key": "00" * 16})
        conn.execute(text(
            "INSERT INTO residents (village_code, nik, name, birth_place, birth_date, sex, "
            "address, dusun, rt, rw, religion, marital_status, occupation, citizenship, "
            "family_card_number) VALUES ('35.10.15.2003', '3510155208580003', 'Siti Aminah', "
            "'Banyuwangi', :born, 'P', 'x', 'Krajan', '001', '002', 'Islam', 'Kawin', 'Petani', "
            "'WNI', '3510150101150001')"), {"born": date(1958, 12, 12)})
        resident = conn.execute(text("SELECT id FROM residents")).scalar_one()
        conn.execute(text("INSERT INTO card_bindings (fingerprint, resident_id, bound_at) "
                          "VALUES (:fp, :r, :at)"),
                     {"fp": "ab" * 32, "r": resident, "at": utcnow()})
        conn.execute(text("INSERT INTO pins (resident_id, pin_hash, failed_attempts, locked, "
                          "updated_at) VALUES (:r, '$argon2id$x', 0, false, :at)"),
                     {"r": resident, "at": utcnow()})


def _rows(engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in ("residents", "card_bindings", "pins"))


def test_the_newest_revision_is_the_models(engine):
    migrate(engine)
    assert migrations.current(engine) == migrations.head()
    assert _schema_differences(engine) == []


def test_every_revision_goes_down_and_up_again_keeping_the_rows(engine):
    migrate(engine)
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE residents SET education = 'SLTA'"))
    migrations.downgrade(engine, migrations.FIRST_REVISION)
    columns = {c["name"] for c in inspect(engine).get_columns("residents")}
    assert "education" not in columns
    # SQLite drops a column by copying the table: the cards and PINs pointing at it survive.
    assert _rows(engine) == (1, 1, 1)
    migrate(engine)
    assert _rows(engine) == (1, 1, 1)
    with make_sessionmaker(engine)() as s:
        assert s.scalars(select(ResidentRow.education)).one() == ""  # the server default
    migrations.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert _schema_differences(engine) == []


@pytest.mark.parametrize("made_by", ["the last create_all", "an older create_all"])
def test_a_database_made_before_migrations_is_adopted(engine, made_by):
    # What `create_all` made before migrations existed: revision 0001's tables, no version;
    # an older version made fewer tables (no kiosk_token_changes, say).
    migrations.upgrade(engine, migrations.FIRST_REVISION)
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        if made_by == "an older create_all":
            conn.execute(text("DROP TABLE kiosk_token_changes"))
            conn.execute(text("DROP TABLE issued_letters"))
    migrate(engine)
    assert migrations.current(engine) == migrations.head()
    assert _rows(engine) == (1, 1, 1)
    assert _schema_differences(engine) == []


def test_two_back_offices_starting_at_once_both_come_up(database_url):
    """Three processes (as `--workers` or two servers of a district) migrate one empty
    database at the same moment: the lock lets one migrate, the others find it done."""
    script = ("import sys, time; from backoffice.db import make_engine, migrate\n"
              "engine = make_engine(sys.argv[1])\n"
              "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
              "migrate(engine)\n")
    at = time.time() + 3  # after the interpreters have started and imported
    procs = [subprocess.Popen([sys.executable, "-c", script, database_url, str(at)],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    failures = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        if p.returncode != 0:
            failures.append(err[-800:])
    assert failures == []
    engine = make_engine(database_url)
    try:
        assert migrations.current(engine) == migrations.head()
        assert _schema_differences(engine) == []
    finally:
        engine.dispose()


def test_revisions_form_one_line_numbered_in_order():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrations.config())
    revisions = list(reversed(list(scripts.walk_revisions())))
    assert [r.revision for r in revisions] == [f"{i:04d}" for i in range(1, len(revisions) + 1)]
    assert len(scripts.get_heads()) == 1
